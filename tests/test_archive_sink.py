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
