"""iMRMC export: header, one truth row per labelled case (reader -1), one row per read."""

from __future__ import annotations

import csv

import pytest
from review_helpers import make_session

from xray_core.review import reads
from xray_core.review.db import ReviewError
from xray_core.review.imrmc import HEADER, write_imrmc


def test_rows_truth_first_then_reads(tmp_path):
    path = tmp_path / "r.sqlite"
    rows = make_session(path, [1, 0, None], ["PNEUMONIA", "NORMAL", "NORMAL"])
    reads.record_read(path, "s", "dr, A", rows[0]["sha256"], "unaided", "NORMAL", 3)
    reads.record_read(path, "s", "dr, A", rows[0]["sha256"], "aided", "PNEUMONIA", 4)
    reads.record_read(path, "s", "dr, A", rows[2]["sha256"], "unaided", "NORMAL", 1)  # no truth
    out = tmp_path / "out" / "imrmc.csv"
    assert write_imrmc(path, "s", out) == {"rows": 4, "truth_rows": 2, "readers": ["dr, A"]}
    assert list(csv.reader(out.open())) == [
        list(HEADER),
        ["-1", "case-001", "truth", "1"],
        ["-1", "case-002", "truth", "0"],
        ["dr, A", "case-001", "unaided", "3"],
        ["dr, A", "case-001", "aided", "4"],
    ]


def test_no_truth_no_export(tmp_path):
    path = tmp_path / "r.sqlite"
    make_session(path, [None], ["NORMAL"])
    with pytest.raises(ReviewError, match="no ground truth"):
        write_imrmc(path, "s", tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    "reader, cell",
    [
        ('=HYPERLINK("http://e.vil","click")', '\'=HYPERLINK("http://e.vil","click")'),
        ("+drA", "'+drA"),
        ("-drA", "'-drA"),
        ("@drA", "'@drA"),
        ("-1", "'-1"),  # a reader is never the truth reader
        ("dr=A", "dr=A"),
        ("'quoted", "''quoted"),
    ],
)
def test_reader_names_cannot_run_as_formulas(tmp_path, reader, cell):
    path = tmp_path / "r.sqlite"
    rows = make_session(path, [1], ["PNEUMONIA"])
    reads.record_read(path, "s", reader, rows[0]["sha256"], "unaided", "NORMAL", 2)
    out = tmp_path / "imrmc.csv"
    write_imrmc(path, "s", out)
    got = list(csv.reader(out.open()))
    assert got[1] == ["-1", "case-001", "truth", "1"]
    assert got[2] == [cell, "case-001", "unaided", "2"]
