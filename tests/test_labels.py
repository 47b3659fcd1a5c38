"""The one labels-CSV reader (`dataset.labels`): both file-column names, the label words, the
encodings and line ends it accepts, and one line naming the line for everything it refuses."""

from __future__ import annotations

import csv
import io
import os

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from xray_core.dataset import labels
from xray_core.dataset.labels import LabelError, LabelRow, label_map, parse_label


@pytest.mark.parametrize(
    "value, expected",
    [
        ("NORMAL", 0),
        ("normal", 0),
        (" Normal ", 0),
        ("0", 0),
        ("PNEUMONIA", 1),
        ("pneumonia", 1),
        ("1", 1),
        (" 1\t", 1),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_label_words(value, expected):
    assert parse_label(value, "x") == expected


@pytest.mark.parametrize("value", ["2", "yes", "NORMAL2", "0.0", "-1", "PNEUMONIA,", "normál"])
def test_other_label_words_are_refused(value):
    with pytest.raises(LabelError, match=r"^where: label .* is not NORMAL, PNEUMONIA, 0 or 1\.$"):
        parse_label(value, "where")


def test_an_empty_label_is_refused_when_required():
    with pytest.raises(LabelError, match="label ' ' is not"):
        parse_label(" ", "x", required=True)


def test_a_long_bad_label_is_shown_cut():
    with pytest.raises(LabelError) as err:
        parse_label("y" * 10_000, "x")
    assert len(str(err.value)) < 120


ROWS = [LabelRow("a.png", 0, 2), LabelRow("b.png", 1, 3)]

ACCEPTED = [
    ("plain file column", b"file,label\na.png,NORMAL\nb.png,PNEUMONIA\n", ROWS),
    ("plain path column", b"path,label\na.png,0\nb.png,1\n", ROWS),
    ("CRLF", b"file,label\r\na.png,normal\r\nb.png,pneumonia\r\n", ROWS),
    ("CR only", b"file,label\ra.png,0\rb.png,1\r", ROWS),
    ("BOM", b"\xef\xbb\xbffile,label\na.png,0\nb.png,1\n", ROWS),
    ("no final newline", b"file,label\na.png,0\nb.png,1", ROWS),
    ("header spaces and case", b" File , LABEL \na.png,0\nb.png,1\n", ROWS),
    ("other columns, any order", b"id,label,file\n7,0,a.png\n8,1,b.png\n", ROWS),
    ("spaces around cells", b"file,label\n a.png , 0 \n b.png ,1\n", ROWS),
    (
        "quoted fields",
        b'file,label\n"a,b.png","NORMAL"\n"say ""hi"".png",1\n',
        [LabelRow("a,b.png", 0, 2), LabelRow('say "hi".png', 1, 3)],
    ),
    (
        "a quoted newline",
        b'file,label\n"two\nlines.png",0\nb.png,1\n',
        [LabelRow("two\nlines.png", 0, 3), LabelRow("b.png", 1, 4)],
    ),
    (
        "blank lines and an all-empty row",
        b"file,label\n\na.png,0\n,,\n\nb.png,1\n",
        [LabelRow("a.png", 0, 3), LabelRow("b.png", 1, 6)],
    ),
    (
        "a row with neither file nor label",
        b"id,file,label\n7,,\n8,a.png,0\n9,b.png,1\n",
        [LabelRow("a.png", 0, 3), LabelRow("b.png", 1, 4)],
    ),
    (
        "an empty label is unlabelled",
        b"file,label\na.png,\nb.png\n",
        [LabelRow("a.png", None, 2), LabelRow("b.png", None, 3)],
    ),
    (
        "UTF-8 names",
        "file,label\nnaïve.png,0\n肺.png,1\n".encode(),
        [LabelRow("naïve.png", 0, 2), LabelRow("肺.png", 1, 3)],
    ),
    ("header only", b"file,label\n", []),
]


@pytest.mark.parametrize("what, data, expected", ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_accepted_files_and_bytes_and_text(tmp_path, what, data, expected):
    path = tmp_path / "labels.csv"
    path.write_bytes(data)
    assert labels.read_labels(path) == expected
    assert labels.parse_labels(data, "up.csv") == expected
    assert labels.parse_labels(data.decode("utf-8-sig"), "up.csv") == expected


REFUSED = [
    ("no label column", b"file,truth\na.png,0\n", "lacks a label column"),
    ("no file column", b"name,label\na.png,0\n", "lacks a file or path column"),
    ("empty file", b"", "lacks a file or path column and a label column"),
    ("bad label", b"file,label\na.png,0\nb.png,maybe\n", "line 3: label 'maybe' is not"),
    ("label without a name", b"file,label\n ,1\n", "line 2: a label without a file name"),
    ("Latin-1", "file,label\na.png,0\nnaïve.png,1\n".encode("latin-1"), "line 3: not UTF-8"),
    ("UTF-16", "file,label\na.png,0\n".encode("utf-16"), "line 1: not UTF-8"),
    ("over-long field", b"file,label\n" + b"x" * 131_073 + b",0\n", "line 2: a field is longer"),
]


@pytest.mark.parametrize("what, data, message", REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_files_are_one_line_naming_the_line(tmp_path, what, data, message):
    path = tmp_path / "labels.csv"
    path.write_bytes(data)
    for read in (lambda: labels.read_labels(path), lambda: labels.parse_labels(data, "up.csv")):
        with pytest.raises(LabelError) as err:
            read()
        assert message in str(err.value) and "\n" not in str(err.value), str(err.value)


def test_unlabelled_rows_refused_when_required(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("file,label\na.png,1\nb.png,\n")
    with pytest.raises(LabelError, match=r"labels\.csv, line 3: label '' is not"):
        labels.read_labels(path, required=True)


def test_the_first_present_file_column_is_read():
    data = "file,path,label\nf.png,p.png,1\n"
    assert labels.parse_labels(data, "x") == [LabelRow("f.png", 1, 2)]
    assert labels.parse_labels(data, "x", columns=("path", "file")) == [LabelRow("p.png", 1, 2)]


def test_label_map_keeps_labelled_rows_and_a_repeat_s_last_line():
    rows = [LabelRow("a", 0, 2), LabelRow("b", None, 3), LabelRow("a", 1, 4)]
    assert label_map(rows) == {"a": 1}


@pytest.mark.parametrize("kind", ["missing", "folder", "fifo"])
def test_what_is_not_a_regular_file_is_one_line(tmp_path, kind):
    path = tmp_path / "labels.csv"
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)  # refused without opening it to block
    with pytest.raises(LabelError) as err:
        labels.read_labels(path)
    assert "\n" not in str(err.value) and "labels.csv" in str(err.value)


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("file,label\na.png,0\n")
    assert labels.read_labels(path, limit=19) == [LabelRow("a.png", 0, 2)]
    with pytest.raises(LabelError, match="the labels CSV is 19 bytes; the limit is 18 bytes"):
        labels.read_labels(path, limit=18)


def test_a_line_over_the_line_limit_is_refused_without_holding_it(monkeypatch):
    monkeypatch.setattr(labels, "MAX_LINE_BYTES", 64)
    data = b"file,label\n" + b"a" * 65 + b",0\n"
    with pytest.raises(LabelError, match="line 2: longer than 64 bytes"):
        labels.parse_labels(data, "x")


def test_csv_records_stream_line_numbers(tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(b'\xef\xbb\xbfpath\n\na.png\n"b\nc.png"\n')
    with labels.csv_records(path, "manifest") as rows:
        assert list(rows) == [(1, ["path"]), (3, ["a.png"]), (5, ["b\nc.png"])]


# -- property tests: any bytes give rows or one LabelError; what csv writes reads back ------

NAMES = st.text(st.characters(exclude_categories=("Cs",)), min_size=1).map(str.strip)
WORDS = st.sampled_from(["NORMAL", "PNEUMONIA", "0", "1", "normal", " pneumonia ", ""])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=300), head=st.sampled_from([b"", b"file,label\n", b"path,label\n"]))
def test_any_bytes_give_rows_or_one_line(data, head):
    try:
        rows = labels.parse_labels(head + data, "x.csv")
    except LabelError as exc:
        assert str(exc).startswith("x.csv") and "\n" not in str(exc)
        return
    assert all(r.name and r.label in (None, 0, 1) for r in rows)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(NAMES.filter(bool), WORDS), max_size=8),
    column=st.sampled_from(["file", "path"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_what_csv_writes_reads_back(rows, column, newline):
    assume(newline == "\r\n" or not any("\r" in n for n, _ in rows))  # else csv leaves it bare
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(["id", column, "label"])
    w.writerows([k, name, word] for k, (name, word) in enumerate(rows))
    got = labels.parse_labels(buf.getvalue().encode(), "x.csv")
    assert [(r.name, r.label) for r in got] == [(n, parse_label(w, "x")) for n, w in rows]
