"""xray_core.site.cases without a model: labels CSVs and scored rows -> labelled cases."""

from __future__ import annotations

import pytest

from xray_core.archive.inputs import InputError
from xray_core.site import cases


@pytest.mark.parametrize(
    "text, expected",
    [
        ("path,label\na.png,NORMAL\nb.png,1\nc.png,\n", {"a.png": 0, "b.png": 1}),
        ("file,label\r\na.png,pneumonia\r\n", {"a.png": 1}),  # the review sessions' column
        ("path,file,label\np.png,f.png,0\n", {"p.png": 0}),  # `path` first, as rows are keyed
        ("\ufeffpath,label\n\n\na.png,0\na.png,1\n", {"a.png": 1}),  # a repeat: its last line
    ],
)
def test_labels_csv(tmp_path, text, expected):
    path = tmp_path / "labels.csv"
    path.write_text(text, encoding="utf-8")
    assert cases.read_labels(path) == expected


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"name,label\na.png,0\n", "lacks a path or file column"),
        (b"path,label\na.png,maybe\n", "line 2: label 'maybe'"),
        ("path,label\nnaïve.png,0\n".encode("latin-1"), "line 2: not UTF-8"),
        (b"path,label\n" + b"a" * 131_073 + b",0\n", "line 2: a field is longer than 131,072"),
    ],
)
def test_bad_labels_csv_is_one_input_error_line(tmp_path, content, fragment):
    path = tmp_path / "labels.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        cases.read_labels(path)
    assert fragment in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(InputError, match="no such file"):
        cases.read_labels(tmp_path / "missing.csv")


def _row(path, gate="accepted", raw="0.5", error="", true_label=""):
    return {
        "path": path,
        "model": "m",
        "model_sha256": "abc",
        "gate": gate,
        "raw_probability": raw,
        "error": error,
        "true_label": true_label,
    }


def test_cases_from_rows_keep_accepted_labelled_rows_and_count_the_rest():
    rows = [
        _row("a", raw="0.2"),
        _row("b", raw="0.9", true_label="PNEUMONIA"),  # a label from OUT itself
        _row("c", gate="refused"),
        _row("d", gate="refused", true_label="NORMAL"),
        _row("e", gate="", error="e: unreadable"),
        _row("f"),  # no label anywhere
    ]
    got = cases.cases_from_rows(rows, {"a": 0, "c": 1})
    assert got.y.tolist() == [0, 1] and got.raw.tolist() == [0.2, 0.9]
    assert got.excluded == {
        "unreadable": 1,
        "unlabelled": 1,
        "refused": {"NORMAL": 1, "PNEUMONIA": 1},
    }
    with pytest.raises(InputError, match="label 'maybe'"):
        cases.cases_from_rows([_row("g", true_label="maybe")])
