"""Review database: schema version, WAL, append-only tables, and what concurrency and crashes
do to it (separate processes, a writer killed with SIGKILL mid-transaction)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from review_helpers import make_session

from xray_core import config
from xray_core.review import db, reads
from xray_core.review.db import ReviewError

ENV = {**os.environ, "PYTHONPATH": str(config.PROJECT_ROOT)}


def run_py(code: str, *args, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)], env=ENV, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw,
    )  # fmt: skip


def count(path, table: str) -> int:
    with db.connect(path) as con:
        return con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_default_path_is_the_app_data_folder(app_data):
    assert db.default_path() == app_data / "review.sqlite"
    with db.connect(None):
        pass
    assert (app_data / "review.sqlite").is_file()


def test_new_database_has_schema_version_and_wal(tmp_path):
    path = tmp_path / "r.sqlite"
    with db.connect(path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "cases", "images", "reads", "readers", "audit"} <= tables


def test_newer_schema_and_non_databases_are_refused(tmp_path):
    newer = tmp_path / "newer.sqlite"
    sqlite3.connect(newer).execute("PRAGMA user_version = 99").connection.close()
    with pytest.raises(ReviewError, match="newer"), db.connect(newer):
        pass
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ReviewError, match="not a (review )?database"), db.connect(junk):
        pass
    with pytest.raises(ReviewError, match="folder"), db.connect(tmp_path):
        pass


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit SET event = 'read'",
        "DELETE FROM audit",
        "UPDATE reads SET verdict = 'NORMAL'",
        "DELETE FROM reads",
    ],
)
def test_audit_and_reads_are_append_only(tmp_path, sql):
    path = tmp_path / "r.sqlite"
    rows = make_session(path, [1, 0], ["PNEUMONIA", "NORMAL"])
    reads.record_read(path, "s", "drA", rows[0]["sha256"], "unaided", "PNEUMONIA", 5)
    with db.connect(path) as con, pytest.raises(sqlite3.DatabaseError):
        con.execute(sql)
    assert count(path, "reads") == 1 and count(path, "audit") >= 2


def test_aided_read_needs_the_unaided_one_even_in_raw_sql(tmp_path):
    path = tmp_path / "r.sqlite"
    rows = make_session(path, [1], ["PNEUMONIA"])
    reads.join(path, "s", "drA")
    with db.connect(path) as con, pytest.raises(sqlite3.DatabaseError, match="unaided"):
        con.execute(
            "INSERT INTO reads (session_id, sha256, reader, phase, verdict, confidence, source, "
            "created_at) VALUES (1, ?, 'drA', 'aided', 'NORMAL', 2, 'app', 'now')",
            (rows[0]["sha256"],),
        )


def test_failed_transaction_leaves_nothing(tmp_path):
    path = tmp_path / "r.sqlite"
    make_session(path, [1], ["PNEUMONIA"])
    before = count(path, "audit")
    with pytest.raises(RuntimeError), db.connect(path) as con, db.transaction(con):
        db.audit(con, "settings", 1, None)
        raise RuntimeError("boom")
    assert count(path, "audit") == before


WRITER = """
import sys
from xray_core.review import reads
path, reader, shas = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
for k, sha in enumerate(shas):
    conf = 1 + (k + len(reader)) % 3  # NORMAL: 1-3
    reads.record_read(path, "s", reader, sha, "unaided", "NORMAL", conf, note=reader, seconds=k)
print("done", flush=True)
"""


def test_five_concurrent_writer_processes_lose_and_cross_nothing(tmp_path):
    path = tmp_path / "r.sqlite"
    rows = make_session(path, [0] * 20, ["NORMAL"] * 20)
    shas = ",".join(r["sha256"] for r in rows)
    names = [f"reader{k}" for k in range(5)]
    procs = [run_py(WRITER, path, name, shas) for name in names]
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
    with db.connect(path) as con:
        got = con.execute("SELECT reader, sha256, confidence, note, seconds FROM reads").fetchall()
    assert len(got) == 5 * 20
    order = {r["sha256"]: k for k, r in enumerate(rows)}
    for reader, sha, conf, note, seconds in got:
        k = order[sha]
        assert note == reader and seconds == k and conf == 1 + (k + len(reader)) % 3
    assert count(path, "audit") == 1 + 5 + 100  # created, 5 joined, 100 reads


def test_a_second_process_writes_while_the_first_reads(tmp_path):
    path = tmp_path / "r.sqlite"
    rows = make_session(path, [0, 1], ["NORMAL", "PNEUMONIA"])
    with db.connect(path) as con:
        con.execute("BEGIN")  # a read transaction: a consistent snapshot
        before = con.execute("SELECT COUNT(*) FROM reads").fetchone()[0]
        p = run_py(WRITER, path, "drB", rows[0]["sha256"])
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and "done" in out, err  # not blocked by the open reader
        assert con.execute("SELECT COUNT(*) FROM reads").fetchone()[0] == before  # snapshot
        con.execute("COMMIT")
        assert con.execute("SELECT COUNT(*) FROM reads").fetchone()[0] == before + 1


KILLED = """
import sys, time
from xray_core.review import db, reads
path, shas = sys.argv[1], sys.argv[2].split(",")
reads.record_read(path, "s", "drK", shas[0], "unaided", "NORMAL", 2)  # committed
with db.connect(path) as con, db.transaction(con):
    for k in range(2000):
        db.audit(con, "settings", 1, "drK", k=k)
    print("mid-write", flush=True)
    time.sleep(60)
"""


def test_a_process_killed_mid_write_leaves_a_consistent_database(tmp_path):
    path = tmp_path / "r.sqlite"
    rows = make_session(path, [0, 1], ["NORMAL", "PNEUMONIA"])
    audit_before = count(path, "audit")
    p = run_py(KILLED, path, ",".join(r["sha256"] for r in rows))
    deadline = time.monotonic() + 120
    while p.stdout.readline().strip() != "mid-write":
        assert p.poll() is None and time.monotonic() < deadline, p.stderr.read()
    os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=30)
    with db.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert count(path, "reads") == 1  # the committed read survived
    assert count(path, "audit") == audit_before + 2  # joined + read; none of the 2000
    reads.record_read(path, "s", "drK", rows[1]["sha256"], "unaided", "PNEUMONIA", 4)
    assert count(path, "reads") == 2  # the lock died with the process


def test_five_reader_threads_like_browser_sessions(tmp_path):
    """The app serves each browser session from a thread: five at once, aided reads too."""
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "r.sqlite"
    rows = make_session(path, [1] * 8, ["PNEUMONIA"] * 8)

    def read_all(reader: str) -> None:
        for row in rows:
            reads.record_read(path, "s", reader, row["sha256"], "unaided", "NORMAL", 3)
            reads.record_read(path, "s", reader, row["sha256"], "aided", "PNEUMONIA", 4)

    with ThreadPoolExecutor(max_workers=5) as pool:
        list(pool.map(read_all, [f"t{k}" for k in range(5)]))
    with db.connect(path) as con:
        got = con.execute("SELECT reader, phase, COUNT(*) FROM reads GROUP BY reader, phase")
        assert sorted(tuple(r) for r in got) == [
            (f"t{k}", phase, 8) for k in range(5) for phase in ("aided", "unaided")
        ]
