"""Streaming writers for archive rows: CSV or Parquet, chosen by OUT's extension.

Rows are written as they finish and flushed one by one, so a killed run keeps every row it
scored. CSV is appended in place; a line cut by a kill is dropped on resume (its file is
scored again). Parquet cannot be appended to and is unreadable until closed, so rows go to a
journal beside it (`OUT.partial.csv`) and are folded into OUT, row group by row group, when
the run ends; `--resume` reads both. Memory: one row at a time, plus the set of paths already
done when resuming.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

from xray_core.archive.scoring import COLUMNS, FLOAT_COLUMNS

SUFFIXES = (".csv", ".parquet")
JOURNAL_SUFFIX = ".partial.csv"
ROW_GROUP = 10_000


class OutputError(ValueError):
    """OUT cannot be written or resumed; str() is a one-line message."""


def check_out(out: Path, resume: bool) -> Path:
    """OUT must end in .csv or .parquet and, unless resuming, must not hold rows yet."""
    out = Path(out)
    if out.suffix.lower() not in SUFFIXES:
        raise OutputError(f"{out}: OUT must end in .csv or .parquet.")
    if not out.parent.is_dir():
        raise OutputError(f"{out.parent}: the folder for OUT does not exist.")
    exists = out.exists() or journal_path(out).exists()
    if exists and not resume:
        raise OutputError(f"{out} exists: pass --resume to continue it, or choose another OUT.")
    return out


def journal_path(out: Path) -> Path:
    return out.with_name(out.name + JOURNAL_SUFFIX)


def _truncate_partial_line(path: Path) -> None:
    """Cut a last line that a kill left without its newline."""
    with open(path, "rb+") as f:
        size = f.seek(0, os.SEEK_END)
        if size == 0:
            return
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return
        pos = size
        while pos > 0:
            step = min(65536, pos)
            f.seek(pos - step)
            chunk = f.read(step)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                f.truncate(pos - step + cut + 1)
                return
            pos -= step
        f.truncate(0)


def read_csv_rows(path: Path) -> Iterator[dict]:
    """Rows of an archive CSV as dicts of strings (streamed); nothing when it does not exist."""
    if not Path(path).is_file():
        return
    with open(path, newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def read_rows(out: Path) -> Iterator[dict]:
    """Every row already in OUT (and, for Parquet, its journal), streamed."""
    out = Path(out)
    if out.suffix.lower() == ".csv":
        yield from read_csv_rows(out)
        return
    if out.is_file():
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(out).iter_batches(batch_size=ROW_GROUP):
            yield from batch.to_pylist()
    yield from read_csv_rows(journal_path(out))


class CsvWriter:
    """Appends rows to a CSV (header written when the file is new), flushing each row."""

    def __init__(self, path: Path):
        self.path = Path(path)
        if self.path.exists():
            _truncate_partial_line(self.path)
        new = not self.path.exists() or self.path.stat().st_size == 0
        self._f = open(self.path, "a", newline="", encoding="utf-8")
        self._w = csv.DictWriter(self._f, fieldnames=COLUMNS, lineterminator="\n")
        if new:
            self._w.writeheader()
            self._f.flush()

    def write(self, row: dict) -> None:
        self._w.writerow({k: ("" if row.get(k) is None else row[k]) for k in COLUMNS})
        self._f.flush()

    def close(self) -> None:
        self._f.close()


def _schema():
    import pyarrow as pa

    return pa.schema([(c, pa.float64() if c in FLOAT_COLUMNS else pa.string()) for c in COLUMNS])


def _typed(rows: list[dict]) -> dict[str, list]:
    """Columns for Parquet: floats as float64 (empty -> null), the rest as strings."""
    cols: dict[str, list] = {c: [] for c in COLUMNS}
    for r in rows:
        for c in COLUMNS:
            v = r.get(c)
            if c in FLOAT_COLUMNS:
                cols[c].append(None if v in (None, "") else float(v))
            else:
                cols[c].append("" if v is None else str(v))
    return cols


def fold_journal(out: Path) -> None:
    """Write OUT.parquet = rows already in OUT + the journal's rows; then drop the journal.
    Streamed in row groups; the new file replaces OUT atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = out.with_name(out.name + ".tmp")
    schema = _schema()
    with pq.ParquetWriter(tmp, schema) as writer:
        chunk: list[dict] = []
        for row in read_rows(out):
            chunk.append(row)
            if len(chunk) == ROW_GROUP:
                writer.write_table(pa.table(_typed(chunk), schema=schema))
                chunk = []
        writer.write_table(pa.table(_typed(chunk), schema=schema))
    os.replace(tmp, out)
    journal_path(out).unlink(missing_ok=True)


class Sink:
    """OUT opened for writing: `write(row)` streams, `close()` finishes (Parquet: folds)."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.parquet = self.out.suffix.lower() == ".parquet"
        self._csv = CsvWriter(journal_path(self.out) if self.parquet else self.out)

    def write(self, row: dict) -> None:
        self._csv.write(row)

    def close(self) -> None:
        self._csv.close()
        if self.parquet:
            fold_journal(self.out)
