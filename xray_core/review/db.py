"""The review database: one SQLite file (default `app_data_dir()/review.sqlite`).

Durability and concurrency:
    - WAL journal, synchronous=FULL: a committed read survives the app being killed (and a
      power cut); readers never block the writer and vice versa.
    - Every write is one short `BEGIN IMMEDIATE` transaction; a busy timeout of 30 s queues
      concurrent writers (several readers in separate browser sessions, or processes) instead
      of failing, so no write is lost or crossed.
    - The schema version is `PRAGMA user_version`; a file from a newer version is refused.
    - `audit` and `reads` are append-only: triggers abort any UPDATE or DELETE. A revision is a
      new (aided) read, never an overwrite; an aided read needs the same reader's unaided read.
Access (see `access`): `sessions.access` is 'invite' (readers need their own link) or 'open';
`links` holds each owner or reader link as the SHA-256 of its token, never the token itself.
`shown` keeps when a reader first saw a case in a phase (reading time survives a reload).
Privacy: only pixels (downscaled display images), their SHA-256, labels, AI scores and reader
pseudonyms are stored; file names only when the session's owner opts in; never DICOM tags.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from xray_core.config import app_data_dir

SCHEMA_VERSION = 2
DB_FILE = "review.sqlite"
BUSY_TIMEOUT_S = 30.0
PHASES = ("unaided", "aided")
EVENTS = (
    "created", "joined", "read", "revised", "confirmed", "imported", "exported", "settings",
    "invited", "revoked",
)  # fmt: skip

SCHEMA = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    created_at TEXT NOT NULL,
    model TEXT NOT NULL,
    threshold REAL NOT NULL CHECK (threshold >= 0 AND threshold <= 1),
    seed INTEGER NOT NULL,
    source TEXT NOT NULL,
    contract TEXT NOT NULL,
    show_truth INTEGER NOT NULL DEFAULT 0,
    keep_names INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE images (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    kind TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    view BLOB NOT NULL
);
CREATE TABLE cases (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    position INTEGER NOT NULL CHECK (position >= 1),
    sha256 TEXT NOT NULL REFERENCES images(sha256),
    truth INTEGER CHECK (truth IN (0, 1)),
    file_name TEXT,
    gate_ok INTEGER NOT NULL,
    gate_reason TEXT,
    probability REAL,
    raw_probability REAL,
    ai_label TEXT CHECK (ai_label IN ('NORMAL', 'PNEUMONIA')),
    model_view BLOB NOT NULL,
    PRIMARY KEY (session_id, sha256),
    UNIQUE (session_id, position)
);
CREATE TABLE import_errors (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    item INTEGER NOT NULL,
    message TEXT NOT NULL
);
CREATE TABLE readers (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    reader TEXT NOT NULL CHECK (length(trim(reader)) > 0),
    joined_at TEXT NOT NULL,
    PRIMARY KEY (session_id, reader)
);
CREATE TABLE reads (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    reader TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('unaided', 'aided')),
    verdict TEXT NOT NULL CHECK (verdict IN ('NORMAL', 'PNEUMONIA')),
    confidence INTEGER NOT NULL CHECK (confidence BETWEEN 1 AND 5),
    note TEXT,
    seconds REAL CHECK (seconds IS NULL OR seconds >= 0),
    source TEXT NOT NULL CHECK (source IN ('app', 'import')),
    created_at TEXT NOT NULL,
    FOREIGN KEY (session_id, sha256) REFERENCES cases(session_id, sha256),
    FOREIGN KEY (session_id, reader) REFERENCES readers(session_id, reader),
    UNIQUE (session_id, sha256, reader, phase)
);
CREATE TABLE explanations (
    session_id INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    method TEXT NOT NULL,
    heatmap BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (session_id, sha256, method),
    FOREIGN KEY (session_id, sha256) REFERENCES cases(session_id, sha256)
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    session_id INTEGER,
    reader TEXT,
    event TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX reads_by_reader ON reads (session_id, reader, phase);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER reads_no_update BEFORE UPDATE ON reads
    BEGIN SELECT RAISE(ABORT, 'reads are never overwritten: a revision is a new read'); END;
CREATE TRIGGER reads_no_delete BEFORE DELETE ON reads
    BEGIN SELECT RAISE(ABORT, 'reads are never deleted'); END;
CREATE TRIGGER aided_after_unaided BEFORE INSERT ON reads WHEN NEW.phase = 'aided'
    AND NOT EXISTS (SELECT 1 FROM reads WHERE session_id = NEW.session_id
                    AND sha256 = NEW.sha256 AND reader = NEW.reader AND phase = 'unaided')
    BEGIN SELECT RAISE(ABORT, 'an aided read needs the unaided read first'); END;
"""

# Changes from each schema version to the next, applied in order (a fresh file gets all).
MIGRATIONS = {
    2: """
ALTER TABLE sessions ADD COLUMN access TEXT NOT NULL DEFAULT 'open'
    CHECK (access IN ('invite', 'open'));
CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    role TEXT NOT NULL CHECK (role IN ('owner', 'reader')),
    reader TEXT,
    token_sha256 TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    CHECK ((role = 'owner') = (reader IS NULL))
);
CREATE UNIQUE INDEX one_live_link ON links (session_id, role, ifnull(reader, ''))
    WHERE revoked_at IS NULL;
CREATE TABLE shown (
    session_id INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    reader TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('unaided', 'aided')),
    at TEXT NOT NULL,
    PRIMARY KEY (session_id, sha256, reader, phase),
    FOREIGN KEY (session_id, sha256) REFERENCES cases(session_id, sha256)
);
""",
}


def _statements(script: str) -> list[str]:
    return [s for s in script.split(";\n") if s.strip()]


class ReviewError(ValueError):
    """Bad input to a review session (unknown session, bad CSV, ...); str() is one line."""


def default_path(override: str | Path | None = None) -> Path:
    """The database file: `override`, else `app_data_dir()/review.sqlite`."""
    return Path(override) if override else app_data_dir() / DB_FILE


def now() -> str:
    """UTC timestamp, ISO 8601 with milliseconds (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _open(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    con.row_factory = sqlite3.Row
    con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA synchronous = FULL")
    return con


def _migrate(con: sqlite3.Connection, path: Path) -> None:
    """Create or upgrade the schema once (under a write lock, so concurrent opens agree).

    Sessions of a version-1 file become 'open' (they had no links): nothing read is lost."""
    version = con.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise ReviewError(
            f"{path}: review database schema {version} is newer than this app's "
            f"({SCHEMA_VERSION}); update the app."
        )
    if con.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
        raise ReviewError(f"{path}: cannot switch the database to WAL mode.")
    with transaction(con):
        version = con.execute("PRAGMA user_version").fetchone()[0]
        scripts = [SCHEMA] if version == 0 else []
        scripts += [MIGRATIONS[v] for v in range(max(version, 1) + 1, SCHEMA_VERSION + 1)]
        for script in scripts:
            for statement in _statements(script):
                con.execute(statement)
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


@contextmanager
def connect(path: str | Path | None = None) -> Iterator[sqlite3.Connection]:
    """Open (creating if needed) the review database; closed on exit.

    Autocommit: each statement outside `transaction()` commits at once. One connection per
    call, never shared between threads.
    """
    path = default_path(path)
    if path.is_dir():
        raise ReviewError(f"{path} is a folder; give a database file path.")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = _open(path)
    except sqlite3.Error as exc:
        raise ReviewError(f"{path}: cannot open the review database ({exc}).") from None
    try:
        try:
            _migrate(con, path)
        except sqlite3.DatabaseError as exc:
            raise ReviewError(f"{path}: not a review database ({exc}).") from None
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT; ROLLBACK on any exception (the database stays unchanged)."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def audit(
    con: sqlite3.Connection,
    event: str,
    session_id: int | None,
    reader: str | None = None,
    **detail,
) -> None:
    """Append one event to the audit log (call inside the transaction that makes the change)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}; expected one of {EVENTS}")
    con.execute(
        "INSERT INTO audit (at, session_id, reader, event, detail) VALUES (?, ?, ?, ?, ?)",
        (now(), session_id, reader, event, json.dumps(detail, sort_keys=True)),
    )


def audit_log(con: sqlite3.Connection, session_id: int) -> list[dict]:
    """The session's events, oldest first: {at, reader, event, detail}."""
    rows = con.execute(
        "SELECT at, reader, event, detail FROM audit WHERE session_id = ? ORDER BY id",
        (session_id,),
    ).fetchall()
    return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]
