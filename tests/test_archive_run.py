"""`python -m xray_core score`: whole runs, bad files, kill and resume, Parquet, progress."""

import io
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pyarrow.parquet as pq
from archive_helpers import add_bad_files, link_images

from xray_core import config
from xray_core.archive.progress import Progress, Summary
from xray_core.archive.sink import read_rows
from xray_core.cli.main import main


def score_cmd(store, *args):
    return [sys.executable, "-m", "xray_core", "--store", str(store), "score", *args]


def test_mixed_folder_rows_with_errors_exit_2_nothing_lost(tiny_store, data_root, tmp_path, capsys):
    good = link_images(data_root, tmp_path / "in", 10)
    bad = add_bad_files(tmp_path / "in" / "odd")
    out = tmp_path / "out.csv"
    assert (
        main(
            [
                "--store",
                str(tiny_store),
                "score",
                str(tmp_path / "in"),
                "--out",
                str(out),
                "--batch-size",
                "8",
            ]
        )
        == 2
    )
    rows = {r["path"]: r for r in read_rows(out)}
    assert len(rows) == len(good) + len(bad)  # README.txt is not an image: no row
    for rel, fragment in bad.items():
        assert fragment in rows[rel]["error"] + rows[rel]["gate_reason"], rel
    scored = [r for r in rows.values() if r["gate"] == "accepted"]
    assert len(scored) == len(good)
    assert all(0 <= float(r["probability"]) <= 1 and r["label"] for r in scored)
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"{len(rows)} files in ") and "images/s" in line
    assert f"{len(good)} scored, 2 refused by the gate, 3 unreadable" in line
    assert "1 other files skipped" in line
    # OUT exists: refused without --resume (exit 2, one line, nothing overwritten)
    assert main(["--store", str(tiny_store), "score", str(tmp_path / "in"), "--out", str(out)]) == 2
    assert "--resume" in capsys.readouterr().err
    assert len(list(read_rows(out))) == len(rows)


def test_resume_after_kill_scores_every_file_exactly_once(tiny_store, data_root, tmp_path):
    files = link_images(data_root, tmp_path / "in", 300)
    out = tmp_path / "out.csv"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    args = score_cmd(
        tiny_store, str(tmp_path / "in"), "--out", str(out), "--batch-size", "8", "--workers", "2"
    )
    proc = subprocess.Popen(
        args, cwd=config.PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if out.exists() and out.read_text().count("\n") > 40:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = out.read_text().count("\n") - 1
    assert 0 < before < len(files)
    r = subprocess.run(
        [*args, "--resume"],
        cwd=config.PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode in (0, 2), r.stderr  # 2: the tiny model's gate refuses a few
    assert "Traceback" not in r.stderr
    counts = Counter(row["path"] for row in read_rows(out))
    assert set(counts.values()) == {1}
    assert len(counts) == len(files)
    assert f"{before} already in OUT" in r.stdout


def test_parquet_out_and_manifest_input_with_labels(tiny_store, data_root, tmp_path):
    link_images(data_root, tmp_path / "in", 6, nested=False)
    names = sorted(p.name for p in (tmp_path / "in").iterdir())
    manifest = tmp_path / "in" / "list.csv"
    manifest.write_text(
        "path,label\n"
        + "".join(
            f"{n},{'NORMAL' if n.startswith(('IM', 'NORMAL')) else 'PNEUMONIA'}\n" for n in names
        )
    )
    out = tmp_path / "out.parquet"
    assert main(["--store", str(tiny_store), "score", str(manifest), "--out", str(out)]) == 0
    t = pq.read_table(out).to_pylist()
    assert [r["path"] for r in t] == names
    assert {r["true_label"] for r in t} == {"NORMAL", "PNEUMONIA"}
    assert all(isinstance(r["probability"], float) for r in t)


def test_resume_refuses_other_settings(tiny_store, data_root, tmp_path, capsys):
    link_images(data_root, tmp_path / "in", 2)
    out = tmp_path / "out.csv"
    base = ["--store", str(tiny_store), "score", str(tmp_path / "in"), "--out", str(out)]
    assert main(base) == 0
    assert main([*base, "--resume", "--threshold", "0.1"]) == 2
    assert "resume with the same settings" in capsys.readouterr().err
    assert main([*base, "--resume"]) == 0
    assert "0 files in" in capsys.readouterr().out


def test_missing_input_is_one_line_exit_2(tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "xray_core",
            "score",
            str(tmp_path / "nope"),
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        text=True,
        cwd=config.PROJECT_ROOT,
        timeout=120,
    )
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0
    assert "no such folder or manifest" in r.stderr


def test_progress_line_has_rate_and_eta_and_summary_counts():
    stream = io.StringIO()
    bar = Progress(10, stream=stream, enabled=True, every=0)
    bar.update(4)
    text = stream.getvalue()
    assert "4/10 files (40%)" in text and "images/s" in text and "ETA" in text
    s = Summary("o.csv", seconds=2.0)
    for row in (
        {"error": "x", "gate": ""},
        {"error": "", "gate": "refused"},
        {"error": "", "gate": "accepted"},
        {"error": "", "gate": "accepted"},
    ):
        s.count(row)
    assert (s.scored, s.refused, s.unreadable, s.rate) == (2, 1, 1, 2.0)
    assert Progress(3, stream=io.StringIO()).enabled is False  # not a terminal: silent


def test_keras_and_lite_runtimes_give_the_same_rows(tiny_store, data_root, tmp_path):
    link_images(data_root, tmp_path / "in", 4)
    rows = {}
    for runtime in ("lite", "keras"):
        out = tmp_path / f"{runtime}.csv"
        argv = ["--store", str(tiny_store), "score", str(tmp_path / "in"), "--out", str(out)]
        assert main([*argv, "--runtime", runtime]) == 0
        rows[runtime] = read_rows(out)
    assert [r["path"] for r in rows["lite"]] == [r["path"] for r in rows["keras"]]
    for a, b in zip(rows["lite"], rows["keras"]):
        assert abs(float(a["raw_probability"]) - float(b["raw_probability"])) < 1e-5
        assert (a["label"], a["gate"]) == (b["label"], b["gate"])


def _one_line_refusal(capsys, argv, fragment, code=2):
    assert main(argv) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err, err


def test_out_and_manifest_faults_are_one_line_exit_2_and_change_nothing(
    tiny_store, tmp_path, capsys
):
    images = tmp_path / "in"
    images.mkdir()
    base = ["--store", str(tiny_store), "score"]
    (tmp_path / "dir.csv").mkdir()
    _one_line_refusal(
        capsys, [*base, str(images), "--out", str(tmp_path / "dir.csv"), "--resume"], "is a folder"
    )
    foreign = tmp_path / "theirs.csv"
    foreign.write_text("patient,result\nA,=1+1\n")
    _one_line_refusal(
        capsys,
        [*base, str(images), "--out", str(foreign), "--resume"],
        "not a file written by score",
    )
    assert foreign.read_text() == "patient,result\nA,=1+1\n"
    manifest = tmp_path / "list.csv"
    out = str(tmp_path / "o.csv")
    manifest.write_bytes("path,label\nnaïve.png,NORMAL\n".encode("latin-1"))
    _one_line_refusal(capsys, [*base, str(manifest), "--out", out], "not UTF-8")
    manifest.write_text("path,label\n" + "a" * 131_073 + ".png,NORMAL\n")
    _one_line_refusal(capsys, [*base, str(manifest), "--out", out], "longer than 131,072")
    manifest.write_text("path,label\na.png,NORMAL\nb\0.png,NORMAL\n")
    _one_line_refusal(capsys, [*base, str(manifest), "--out", out], "line 3")
    assert not (tmp_path / "o.csv").exists()
