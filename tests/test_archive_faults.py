"""Fault injection on `score` (and predict / evaluate): kills and torn writes at any byte, a
full disk, hostile files. Every file is a row exactly once across any sequence of faults and
resumes; every fault is one line with the documented exit code; a bad file is a row.

The hostile corpus is made here (links to real images, FIFOs, loops), never committed. Kills
are simulated in-process: the row writer (`sink._write_all`) writes the bytes a kill would
have let through, then raises; a kill runs no clean-up, so the fold and `run._forget` are
stopped too. The models load once per module (the scoring itself runs each time).
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import threading
from collections import Counter

import pyarrow.parquet as pq
import pytest
from archive_helpers import add_bad_files, link_images

from xray_core.archive import run, scoring, sink
from xray_core.archive.sink import HEADER, journal_path, read_rows
from xray_core.cli.main import main

_MODELS: dict = {}
KEYS = ("sha256", "label", "gate", "gate_reason", "error", "probability")


class Killed(BaseException):
    """A simulated SIGKILL: not an Exception, so nothing in the product catches it."""


@pytest.fixture
def fast_models(monkeypatch, tiny_store):
    """load_models, cached: the scoring runs each time, the TFLite conversion once."""
    real = scoring.load_models

    def cached(model, store=None, profile=None, runtime="lite", threads=None):
        key = (model, str(store), runtime)
        if key not in _MODELS:
            _MODELS[key] = real(model, store, profile, runtime, threads)
        return _MODELS[key]

    monkeypatch.setattr(scoring, "load_models", cached)


@pytest.fixture
def archive(tmp_path, data_root):
    """10 real images, 5 bad files, a path holding a newline and one a spreadsheet would run."""
    src = tmp_path / "in"
    good = link_images(data_root, src, 5)
    add_bad_files(src / "odd")
    (src / "odd" / "a\nb.png").symlink_to(good[0].resolve())
    (src / "odd" / '=HYPERLINK("e.vil","x").png').symlink_to(good[1].resolve())
    return src


def score(store, src, out, *extra):
    argv = ["--store", str(store), "score", str(src), "--out", str(out), "--batch-size", "4"]
    return main([*argv, "--workers", "2", *extra])


def _by_path(out):
    rows = list(read_rows(out))
    counts = Counter(r["path"] for r in rows)
    assert set(counts.values()) == {1}, [p for p, n in counts.items() if n > 1]
    return {r["path"]: r for r in rows}


def _same(rows, reference):
    assert set(rows) == set(reference)
    for path, ref in reference.items():
        for key in KEYS:
            a, b = rows[path][key], ref[key]
            if key == "probability" and a not in (None, "") and b not in (None, ""):
                assert float(a) == pytest.approx(float(b), abs=1e-9), path
            else:
                assert (a or "") == (b or ""), (path, key)


def _fault_after(monkeypatch, budget: int, fault: BaseException):
    """Let BUDGET more bytes through the row writer, write the part of the next write that
    fits, then raise FAULT on every write and fold: a kill (no clean-up) or a full disk."""
    state = {"left": budget, "hit": False}
    real_write, real_fold = sink._write_all, sink.fold_journal

    def write(fd, data):
        if not state["hit"] and len(data) <= state["left"]:
            state["left"] -= len(data)
            return real_write(fd, data)
        if not state["hit"]:
            real_write(fd, data[: state["left"]])
            state["hit"] = True
        raise fault

    def fold(out):
        if state["hit"]:
            raise fault
        return real_fold(out)

    monkeypatch.setattr(sink, "_write_all", write)
    monkeypatch.setattr(sink, "fold_journal", fold)
    if isinstance(fault, Killed):
        monkeypatch.setattr(run, "_forget", lambda *a: None)
    return state


def _kill_then_resume(monkeypatch, store, src, out, budget):
    with monkeypatch.context() as m:
        state = _fault_after(m, budget, Killed())
        try:
            score(store, src, out)
        except Killed:
            pass
    assert state["hit"] or out.exists()
    return score(store, src, out, "--resume")


def _cuts(size: int, header: int, inside: int) -> list[int]:
    """Byte budgets: in the header, at its end, in the first row, inside the quoted newline,
    and spread over the file."""
    spread = [size * k // 9 for k in range(1, 9)]
    return sorted({1, header - 1, header, header + 1, header + 40, inside, *spread})


def test_csv_kill_at_any_byte_then_resume_every_file_once(
    fast_models, tiny_store, archive, tmp_path
):
    ref_out = tmp_path / "ref.csv"
    assert score(tiny_store, archive, ref_out) == 2
    reference = _by_path(ref_out)
    data = ref_out.read_bytes()
    inside = data.index(b'"odd/a\n') + len(b'"odd/a\n')  # the cut ends inside a quoted path
    cuts = _cuts(len(data), len(HEADER), inside)
    for cut in cuts:
        out = tmp_path / f"cut{cut}.csv"
        code = _kill_then_resume(pytest.MonkeyPatch(), tiny_store, archive, out, cut)
        assert code in (0, 2)  # 0: what was left to score all got a verdict
        _same(_by_path(out), reference)
        assert out.read_bytes().count(b"\n") == data.count(b"\n"), cut
    assert len(cuts) >= 12


def test_parquet_kill_at_any_byte_and_around_the_fold(fast_models, tiny_store, archive, tmp_path):
    ref_out = tmp_path / "ref.csv"
    score(tiny_store, archive, ref_out)
    reference = _by_path(ref_out)
    size = len(ref_out.read_bytes())
    for cut in (1, len(HEADER) + 3, size // 3, size - 5, size):  # size: killed as the fold starts
        out = tmp_path / f"cut{cut}.parquet"
        assert _kill_then_resume(pytest.MonkeyPatch(), tiny_store, archive, out, cut) in (0, 2)
        assert not journal_path(out).exists()
        _same(_by_path(out), reference)
        assert pq.read_table(out).num_rows == len(reference)
    # killed between the fold's rename and the journal's removal: the journal is read once
    out = tmp_path / "renamed.parquet"
    with pytest.MonkeyPatch.context() as m:
        m.setattr(sink, "_drop_journal", lambda out: (_ for _ in ()).throw(Killed()))
        with pytest.raises(Killed):
            score(tiny_store, archive, out)
    assert out.exists() and journal_path(out).exists()
    _same(_by_path(out), reference)
    assert score(tiny_store, archive, out, "--resume") == 0  # nothing left to score
    assert pq.read_table(out).num_rows == len(reference) and not journal_path(out).exists()


def test_a_sequence_of_kills_full_disks_and_resumes(
    fast_models, tiny_store, archive, tmp_path, capsys
):
    ref_out = tmp_path / "ref.csv"
    score(tiny_store, archive, ref_out)
    reference = _by_path(ref_out)
    for suffix in (".csv", ".parquet"):
        out = tmp_path / f"seq{suffix}"
        for step, budget in enumerate((700, 1, 333, 1200, 90)):
            full = step % 2 == 1
            fault = OSError(errno.ENOSPC, "No space left on device") if full else Killed()
            with pytest.MonkeyPatch.context() as m:
                _fault_after(m, budget, fault)
                capsys.readouterr()
                try:
                    code = score(tiny_store, archive, out, *(["--resume"] if step else []))
                except Killed:
                    continue
            err = capsys.readouterr().err
            assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
            assert "no space left on device" in err and "--resume" in err
        assert score(tiny_store, archive, out, "--resume") in (0, 2)
        _same(_by_path(out), reference)


def test_full_disk_is_one_line_and_leaves_outputs_as_they_were(
    fast_models, tiny_store, archive, tmp_path, capsys, monkeypatch
):
    out = tmp_path / "new.csv"  # full before the header: no file is left behind
    with pytest.MonkeyPatch.context() as m:
        _fault_after(m, 0, OSError(errno.ENOSPC, "No space left on device"))
        assert score(tiny_store, archive, out) == 2
    assert not out.exists()
    assert capsys.readouterr().err.startswith(f"error: {out}: cannot write (no space left")
    # a full disk while Parquet folds: the journal stays, no Parquet, no temporary file
    out = tmp_path / "o.parquet"
    real = os.replace

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    assert score(tiny_store, archive, out) == 2
    monkeypatch.setattr(os, "replace", real)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no space left on device" in err
    assert not out.exists() and journal_path(out).is_file()
    assert not out.with_name(out.name + ".tmp").exists()
    assert score(tiny_store, archive, out, "--resume") == 0  # all rows were in the journal
    assert pq.read_table(out).num_rows == len(list(read_rows(out))) == 17


def _in_thread(seconds, fn, *args):
    box = {}
    t = threading.Thread(target=lambda: box.update(value=fn(*args)), daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"still running after {seconds} s (a hang)"
    return box["value"]


@pytest.fixture
def hostile(tmp_path, data_root):
    """Real images under names a tree may hold, beside paths that hang, loop or never end."""
    src = tmp_path / "hostile"
    good = link_images(data_root, src, 2)
    real = good[0].resolve()
    os.mkfifo(src / "x.png")
    (src / "loop.png").symlink_to(src / "loop.png")
    (src / "zero.png").symlink_to("/dev/zero")
    (src / "gone.png").symlink_to(src / "nowhere.png")
    (src / "empty.png").write_bytes(b"")
    (src / "up").symlink_to(src)  # a folder loop
    (src / "dir.png").mkdir()
    os.symlink(real, os.path.join(os.fsencode(src), b"caf\xe9.png"))
    (src / "a\nb.png").symlink_to(real)
    (src / '=HYPERLINK("e.vil","x").png').symlink_to(real)
    (src / "@cmd.png").symlink_to(real)
    errors = {
        "x.png": "FIFO",
        "loop.png": "too many levels of symbolic links",
        "zero.png": "character device",
        "gone.png": "no such file",
        "empty.png": "the file is empty",
    }
    named = ["caf\\xe9.png", "a\nb.png", '=HYPERLINK("e.vil","x").png', "@cmd.png"]
    return src, len(good), errors, named


def test_hostile_tree_every_file_a_row_and_the_run_goes_on(
    fast_models, tiny_store, hostile, tmp_path, capsys
):
    src, n_good, errors, named = hostile
    out = tmp_path / "h.csv"
    assert _in_thread(120, score, tiny_store, src, out) == 2
    rows = _by_path(out)
    assert len(rows) == n_good + len(errors) + len(named)
    for name, fragment in errors.items():
        assert fragment in rows[name]["error"] and "\n" not in rows[name]["error"], name
    for name in named:
        assert rows[name]["error"] == "" and rows[name]["sha256"], name
    line = capsys.readouterr().out
    assert "1 folder links to folders already walked skipped" in line
    text = out.read_text(encoding="utf-8")
    assert '\n"\'=HYPERLINK(""e.vil"",""x"").png",' in text and "\n'@cmd.png," in text
    assert "\n=" not in text and "\n@" not in text and "\n+" not in text and "\n-" not in text
    assert _in_thread(60, score, tiny_store, src, out, "--resume") == 0
    assert "0 files in" in capsys.readouterr().out
    assert len(_by_path(out)) == len(rows)


def test_predict_on_hostile_paths_answers_each_without_hanging(tiny_store, hostile, capsys):
    import json

    src, _, errors, _ = hostile
    files = [str(src / name) for name in errors]
    code = _in_thread(60, main, ["--store", str(tiny_store), "predict", *files, "--json"])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert code == 2 and [r["file"] for r in lines] == files
    for row, fragment in zip(lines, errors.values()):
        assert fragment in row["error"]


def test_evaluate_leaves_unreadable_files_out_and_still_reports(
    tiny_store, small_eval_dir, tmp_path, capsys
):
    import json

    data = tmp_path / "eval"
    shutil.copytree(small_eval_dir, data, symlinks=True)
    (data / "NORMAL" / "zz_bad.jpeg").write_text("not an image")
    (data / "PNEUMONIA" / "loop.jpeg").symlink_to(data / "PNEUMONIA" / "loop.jpeg")
    report = tmp_path / "r.json"
    argv = ["--store", str(tiny_store), "evaluate", "--data", str(data), "--json", str(report)]
    assert main([*argv, "--model", "tiny"]) == 0
    r = json.loads(report.read_text())
    # the link loop is named like an image but is no regular file: counted, not silently gone
    assert r["n"] == 12 and r["unreadable"] == 2 and r["counts"] == {"NORMAL": 6, "PNEUMONIA": 6}
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "2 files could not be read" in err and "loop.jpeg" in err
    assert "zz_bad" not in report.read_text()  # file names stay out of the report


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ray_address_at_nothing_fails_fast_and_leaves_no_file(
    tiny_store, archive, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("RAY_ADDRESS", f"127.0.0.1:{_closed_port()}")
    out = tmp_path / "r.csv"
    assert _in_thread(60, score, tiny_store, archive, out, "--engine", "ray") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no Ray cluster answers" in err
    assert not out.exists() and not journal_path(out).exists()


def test_local_ray_engine_starts_its_own_cluster(monkeypatch):
    """A cluster file left by a crashed local cluster must not be joined (Ray would then
    refuse num_cpus): without RAY_ADDRESS the engine asks for a new local cluster."""
    import ray

    from xray_core.archive import ray_engine

    seen = {}
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", lambda **kw: seen.update(kw))
    ray_engine.start_ray(3)
    assert seen["address"] == "local" and seen["num_cpus"] == 3
