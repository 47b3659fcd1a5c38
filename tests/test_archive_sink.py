"""xray_core.archive.sink: streaming CSV / Parquet, partial lines, journal folding."""

import pyarrow.parquet as pq
import pytest

from xray_core.archive.scoring import COLUMNS
from xray_core.archive.sink import (
    OutputError,
    Sink,
    check_out,
    journal_path,
    read_rows,
)


def _row(i, error=""):
    return {
        "path": f"f{i}.png",
        "sha256": "ab" * 32,
        "probability": None if error else i / 10,
        "raw_probability": None if error else i / 20,
        "label": "" if error else "NORMAL",
        "threshold": 0.5,
        "model": "m",
        "model_sha256": "0123456789ab",
        "gate": "" if error else "accepted",
        "gate_reason": "",
        "error": error,
        "true_label": "",
        "site": "",
    }


def test_csv_rows_are_flushed_as_written_and_a_cut_line_is_dropped(tmp_path):
    out = tmp_path / "out.csv"
    sink = Sink(out)
    sink.write(_row(1))
    assert [r["path"] for r in read_rows(out)] == ["f1.png"]  # visible before close
    sink.write(_row(2, error='x.png: damaged, "quoted" (1).'))
    sink.close()
    with open(out, "a") as f:
        f.write("f3.png,abab,0.3")  # a kill mid-line
    sink = Sink(out)  # resume: the cut line is dropped, rows continue
    sink.write(_row(4))
    sink.close()
    rows = list(read_rows(out))
    assert [r["path"] for r in rows] == ["f1.png", "f2.png", "f4.png"]
    assert rows[1]["error"] == 'x.png: damaged, "quoted" (1).'
    assert list(rows[0]) == list(COLUMNS)


def test_parquet_goes_through_a_journal_and_folds_on_close(tmp_path):
    out = tmp_path / "out.parquet"
    sink = Sink(out)
    sink.write(_row(1))
    sink.write(_row(2, error="bad"))
    # killed here: no parquet yet, the journal holds the rows
    assert not out.exists() and journal_path(out).is_file()
    assert [r["path"] for r in read_rows(out)] == ["f1.png", "f2.png"]
    sink = Sink(out)
    sink.write(_row(3))
    sink.close()
    assert not journal_path(out).exists()
    table = pq.read_table(out)
    assert table.column_names == list(COLUMNS)
    assert table.column("path").to_pylist() == ["f1.png", "f2.png", "f3.png"]
    assert table.column("probability").to_pylist() == [0.1, None, 0.3]
    Sink(out).close()  # resuming a finished Parquet keeps its rows
    assert pq.read_table(out).num_rows == 3


def test_check_out(tmp_path):
    with pytest.raises(OutputError, match=r"\.csv or \.parquet"):
        check_out(tmp_path / "out.xlsx", False)
    with pytest.raises(OutputError, match="does not exist"):
        check_out(tmp_path / "no" / "out.csv", False)
    (tmp_path / "out.csv").write_text("x")
    with pytest.raises(OutputError, match="--resume"):
        check_out(tmp_path / "out.csv", False)
    assert check_out(tmp_path / "out.csv", True) == tmp_path / "out.csv"
    journal_path(tmp_path / "o.parquet").write_text("x")
    with pytest.raises(OutputError, match="--resume"):
        check_out(tmp_path / "o.parquet", False)


def _text(*rows):
    from xray_core.archive.sink import HEADER, encode_row

    return HEADER + b"".join(encode_row(r) for r in rows)


@pytest.mark.parametrize(
    "tail, kept",
    [
        (b"", 2),  # nothing cut
        (b"f3.png,abab,0.3", 2),  # a kill mid-row
        (b'"dir/a\n', 2),  # cut inside a quoted path holding a newline
        (b'"dir/a\nb.png",abab', 2),
        (b"\xc3", 2),  # cut inside a UTF-8 character
    ],
)
def test_a_cut_last_row_is_ignored_and_cut_before_resume(tmp_path, tail, kept):
    from xray_core.archive.sink import repair_tail

    out = tmp_path / "out.csv"
    whole = _text(_row(1), _row(2))
    out.write_bytes(whole + tail)
    assert [r["path"] for r in read_rows(out)] == ["f1.png", "f2.png"][:kept]
    assert repair_tail(out) == len(tail)
    assert out.read_bytes() == whole


def test_a_path_with_a_newline_and_a_formula_round_trips(tmp_path):
    out = tmp_path / "out.csv"
    rows = [_row(1), _row(2)]
    rows[0]["path"] = "dir/a\nb.png"
    rows[1]["path"] = '=HYPERLINK("http://e.vil","click").png'
    sink = Sink(out)
    for r in rows:
        sink.write(r)
    sink.close()
    raw = out.read_text()
    assert '\n"\'=HYPERLINK(""http://e.vil"",""click"").png"' in raw  # text in a spreadsheet
    assert [r["path"] for r in read_rows(out)] == [r["path"] for r in rows]


@pytest.mark.parametrize("content", [b"pa", b"path,sha256", b",".join(c.encode() for c in COLUMNS)])
def test_a_cut_header_is_removed(tmp_path, content):
    from xray_core.archive.sink import repair_tail

    out = tmp_path / "out.csv"
    out.write_bytes(content)  # a header cut short, or without its newline
    assert list(read_rows(out)) == []
    repair_tail(out)
    assert out.read_bytes() == b""
    Sink(out).close()
    assert list(read_rows(out)) == [] and out.read_bytes().endswith(b"site\n")


def test_header_and_a_partial_first_row_resume(tmp_path):
    from xray_core.archive.sink import HEADER

    out = tmp_path / "out.csv"
    out.write_bytes(HEADER + b"f1.png,ab")
    assert list(read_rows(out)) == []
    sink = Sink(out)
    sink.write(_row(1))
    sink.close()
    assert [r["path"] for r in read_rows(out)] == ["f1.png"]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"path,label\na.png,NORMAL\n", "not a file written by score"),
        (b"\xff\xfe\x00p", "not a file written by score"),
        ("HEADERf1.png,x\nf2.png\n", "damaged"),  # a bad row with rows after it
        ("HEADERf1.png,ab,notanumber,,,,,,,,,,\n", "damaged"),  # complete but wrong
    ],
)
def test_foreign_or_damaged_csv_is_refused_and_left_as_it_was(tmp_path, content, message):
    from xray_core.archive.sink import HEADER, repair_tail

    if isinstance(content, str):
        content = content.replace("HEADER", HEADER.decode()).encode()
    out = tmp_path / "out.csv"
    out.write_bytes(content)
    with pytest.raises(OutputError, match=message):
        list(read_rows(out))
    with pytest.raises(OutputError, match=message):
        repair_tail(out)
    assert out.read_bytes() == content


def test_a_journal_beside_a_finished_parquet_is_read_once(tmp_path):
    out = tmp_path / "out.parquet"
    sink = Sink(out)
    for i in range(3):
        sink.write(_row(i))
    journal = journal_path(out).read_bytes()
    sink.close()
    journal_path(out).write_bytes(journal)  # a crash between the fold and the removal
    assert [r["path"] for r in read_rows(out)] == ["f0.png", "f1.png", "f2.png"]
    Sink(out).close()
    assert pq.read_table(out).num_rows == 3 and not journal_path(out).exists()


def test_foreign_parquet_is_refused(tmp_path):
    import pyarrow as pa

    out = tmp_path / "out.parquet"
    pq.write_table(pa.table({"file": ["a.png"]}), out)
    with pytest.raises(OutputError, match="not a file written by score"):
        list(read_rows(out))
    out.write_bytes(b"PAR1 not really")
    with pytest.raises(OutputError, match="not a readable Parquet file"):
        list(read_rows(out))


@pytest.mark.parametrize("name", ["dir.csv", "dir.parquet"])
def test_out_that_is_a_folder_is_refused_even_on_resume(tmp_path, name):
    (tmp_path / name).mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        check_out(tmp_path / name, True)
