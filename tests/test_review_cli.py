"""`python -m xray_core review ...` end to end with a tiny model: create, import-reads,
summary --json, export --csv (iMRMC) and --pdf; bad input is one line, exit 2, no change."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys

import pytest
from pdf_helpers import pdf_text
from review_helpers import dump

from xray_core import config
from xray_core.cli.main import main
from xray_core.review import db
from xray_core.review.sessions import list_cases

VERDICT = {False: "NORMAL", True: "PNEUMONIA"}


@pytest.fixture(scope="module")
def made(tmp_path_factory, data_root, tiny_store):
    """A session of 4 + 4 labelled X-rays, then two readers' reads imported from a CSV."""
    tmp = tmp_path_factory.mktemp("cli")
    cases = tmp / "cases"
    for cls in ("NORMAL", "PNEUMONIA"):
        (cases / cls).mkdir(parents=True)
        for p in sorted((data_root / "train" / cls).iterdir())[10:14]:
            shutil.copy(p, cases / cls / p.name)
    path = tmp / "r.sqlite"
    common = ["--store", str(tiny_store), "review"]
    args = ["create", "--db", str(path), "--name", "demo", "--cases", str(cases), "--seed", "1"]
    assert main([*common, *args, "--model", "tiny"]) == 0
    files = sorted(p.relative_to(cases).as_posix() for p in cases.rglob("*.jpeg"))
    reads_csv = tmp / "reads.csv"
    with reads_csv.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["reader", "case", "phase", "verdict", "confidence", "seconds"])
        for k, name in enumerate(files):
            truth = name.startswith("PNEUMONIA")
            for reader, right in (("drA", k % 3 != 0), ("drB", k % 4 != 1)):
                u = truth if right else not truth
                w.writerow([reader, name, "unaided", VERDICT[u], 4 if u else 2, 20])
                w.writerow([reader, name, "aided", VERDICT[truth], 5 if truth else 1, 8])
    assert main([*common, "import-reads", "--db", str(path), "--session", "demo",
                 "--csv", str(reads_csv), "--cases", str(cases)]) == 0  # fmt: skip
    return {"tmp": tmp, "db": path, "common": common, "reads": reads_csv, "cases": cases}


def test_summary_json_has_the_issue_keys(made, capsys):
    out = made["tmp"] / "summary.json"
    assert main([*made["common"], "summary", "--db", str(made["db"]), "--session", "demo",
                 "--json", str(out)]) == 0  # fmt: skip
    got = json.loads(out.read_text())
    assert got["n_cases"] == 8 and got["n_readers"] == 2
    for reader in ("drA", "drB"):
        for phase in ("unaided", "aided"):
            assert {"kappa_ai", "sensitivity", "specificity", "auc"} <= set(
                got["readers"][reader][phase]
            )
        assert got["readers"][reader]["aided"]["sensitivity"] == 1.0  # aided reads all right
    assert got["inter_reader"]["unaided"]["n_readers"] == 2
    assert got["flips"]["toward_truth"] == got["flips"]["changed"] > 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["n_cases"] == 8


def test_export_imrmc_csv_and_pdf(made):
    out_csv, out_pdf = made["tmp"] / "imrmc.csv", made["tmp"] / "report.pdf"
    assert main([*made["common"], "export", "--db", str(made["db"]), "--session", "demo",
                 "--csv", str(out_csv), "--pdf", str(out_pdf)]) == 0  # fmt: skip
    rows = list(csv.reader(out_csv.open()))
    assert rows[0] == ["readerID", "caseID", "modalityID", "score"]
    truth = [r for r in rows[1:] if r[0] == "-1"]
    reads = [r for r in rows[1:] if r[0] != "-1"]
    assert len(truth) == 8 and {r[2] for r in truth} == {"truth"}
    assert {r[3] for r in truth} == {"0", "1"}
    assert len(reads) == 2 * 8 * 2 and {r[2] for r in reads} == {"unaided", "aided"}
    assert {r[1] for r in reads} == {r[1] for r in truth}
    text = pdf_text(out_pdf)
    for words in ("Review session: demo", "drA", "drB", "Fleiss", "Discordant cases",
                  "Reader-average AUC"):  # fmt: skip
        assert words in text
    assert "Grad-CAM unavailable" not in text
    assert ".jpeg" not in out_csv.read_text() + text  # no file names
    with db.connect(made["db"]) as con:
        shas = [c.sha256 for c in list_cases(con, 1)]
        exported = [e for e in db.audit_log(con, 1) if e["event"] == "exported"]
    assert not any(sha[:12] in text for sha in shas)
    assert [e["detail"]["format"] for e in exported] == ["imrmc-csv", "pdf"]


def bad_csv(made, name: str, text: str):
    path = made["tmp"] / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    "command, message",
    [
        (["summary", "--session", "nope"], "unknown session 'nope'"),
        (["import-reads", "--session", "demo", "--csv", "{missing_column}"], "missing column"),
        (["import-reads", "--session", "demo", "--csv", "{confidence_7}"], "1-5, got 7"),
        (["import-reads", "--session", "demo", "--csv", "{unknown_case}"], "not in the session"),
        (["export", "--session", "demo"], "nothing to export"),
        (["create", "--name", "demo", "--cases", "{cases}"], "already exists"),
        (["create", "--name", "x", "--cases", "/no/such/folder"], "no such folder"),
        (["create", "--name", "tab\there", "--cases", "{cases}"], "1-60 printable"),
        (["create", "--name", "n" * 100_000, "--cases", "{cases}"], "1-60 printable"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_change(made, capsys, command, message):
    files = {
        "missing_column": bad_csv(made, "m.csv", "reader,case,phase\ndrC,1,unaided\n"),
        "confidence_7": bad_csv(made, "c.csv", "reader,case,phase,verdict,confidence\n"
                                "drC,1,unaided,NORMAL,1\ndrC,2,unaided,PNEUMONIA,7\n"),
        "unknown_case": bad_csv(made, "u.csv", "reader,case,phase,verdict,confidence\n"
                                "drC,case-099,unaided,NORMAL,1\n"),
        "cases": str(made["cases"]),
    }  # fmt: skip
    command = [c.format(**files) for c in command]
    before = dump(made["db"])
    capsys.readouterr()
    code = main([*made["common"], command[0], "--db", str(made["db"]), *command[1:]])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("error: ") and message in err and "\n" not in err
    assert dump(made["db"]) == before


LIGHT = """
import argparse, sys
from xray_core.cli import review as cli_review
parser = argparse.ArgumentParser(prog="review")
cli_review.add_parser(parser.add_subparsers())
heavy = [m for m in ("tensorflow", "keras", "fpdf", "matplotlib") if m in sys.modules]
assert not heavy, heavy
parser.parse_args(["review", "--help"])
"""


def test_review_parser_imports_nothing_heavy():
    done = subprocess.run(
        [sys.executable, "-c", LIGHT], capture_output=True, text=True, cwd=config.PROJECT_ROOT
    )
    assert done.returncode == 0, done.stderr
    for name in ("create", "import-reads", "summary", "export"):
        assert name in done.stdout


def test_invite_prints_a_link_stored_only_as_its_hash(made, capsys):
    from xray_core.io.hashing import sha256_text

    base = [*made["common"], "invite", "--db", str(made["db"]), "--session", "demo"]
    capsys.readouterr()
    assert main([*base, "--reader", "drI", "--app-url", "http://ward:8501"]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("http://ward:8501/review?token=") and "\n" not in url
    token = url.split("token=")[1]
    stored = "\n".join(dump(made["db"]))
    assert token not in stored and sha256_text(token) in stored
    assert main([*made["common"], "revoke", "--db", str(made["db"]), "--session", "demo",
                 "--reader", "drI"]) == 0  # fmt: skip
    assert main([*made["common"], "revoke", "--db", str(made["db"]), "--session", "demo",
                 "--reader", "drI"]) == 2  # fmt: skip


def test_create_stores_no_file_name_without_keep_names(made, capsys):
    cases = made["tmp"] / "named"
    shutil.copytree(made["cases"], cases)
    (cases / "NORMAL" / "secret\tname.png").write_bytes(b"not an image")
    capsys.readouterr()
    assert main([*made["common"], "create", "--db", str(made["db"]), "--name", "named",
                 "--cases", str(cases), "--seed", "1", "--model", "tiny"]) == 0  # fmt: skip
    out = capsys.readouterr()
    assert "secret\tname.png" in out.err  # the importer sees it, the database does not
    assert "owner link (results" in out.out and "review_results?token=" in out.out
    stored = "\n".join(dump(made["db"]))
    assert "secret" not in stored and ".png" not in stored
    with db.connect(made["db"]) as con:
        from xray_core.review.sessions import get_session, import_errors

        assert [m.split(":")[0] for m in import_errors(con, get_session(con, "named").id)] == [
            "item 5"
        ]


def test_import_reads_refuses_a_fifo_and_a_huge_field_in_one_line(made, tmp_path):
    fifo = tmp_path / "reads.csv"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.csv"
    huge.write_text("reader,case,phase,verdict,confidence\ndrC,1,unaided,NORMAL," + "1" * 140_000)
    for path, message in ((fifo, "not a regular file"), (huge, "line 2: not readable as CSV")):
        done = subprocess.run(
            [sys.executable, "-m", "xray_core", *made["common"], "import-reads", "--db",
             str(made["db"]), "--session", "demo", "--csv", str(path)],
            capture_output=True, text=True, cwd=config.PROJECT_ROOT, timeout=120,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("error: ") and message in done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
