"""Streaming writers for archive rows: CSV or Parquet, chosen by OUT's extension.

Rows are written as they finish, one `os.write` each, so a killed run keeps every row it
scored. CSV is appended in place. Parquet cannot be appended to and is unreadable until
closed, so rows go to a journal beside it (`OUT.partial.csv`) and are folded into OUT, row
group by row group, when the run ends; `--resume` reads both, and a journal row already in
OUT (a crash between the fold and the journal's removal) is read once.

What a kill, a full disk or a torn write can leave is a last row cut anywhere, also inside a
quoted field holding a newline. Reading parses strictly: a row counts only when it is
complete (its newline, every column, numbers where numbers go); a cut last row is ignored on
reading and cut off before a resumed run appends (its file is scored again). Damage anywhere
else, or a file whose header is not score's, is an OutputError: never guessed around.

Text cells follow the OWASP CSV-injection rule (`csv_safe.neutralise`) and are restored on
reading, so a resumed run sees the paths it wrote. Memory: one row at a time, plus the keys
of the paths already done when resuming.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
from array import array
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from xray_core.archive.scoring import COLUMNS, FLOAT_COLUMNS
from xray_core.io.safe_files import FileError, open_regular, printable
from xray_core.text.csv_safe import neutralise, restore

SUFFIXES = (".csv", ".parquet")
JOURNAL_SUFFIX = ".partial.csv"
ROW_GROUP = 10_000
HEADER = (",".join(COLUMNS) + "\n").encode()
MAX_TAIL = 1 << 20  # a cut last row is far shorter; more than this after the last row is damage


class OutputError(ValueError):
    """OUT cannot be written or resumed; str() is a one-line message."""


def path_key(rel: str) -> int:
    """64-bit digest of a row's path: resume keeps 8 bytes per done file, not the string."""
    data = rel.encode("utf-8", "backslashreplace")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def journal_path(out: Path) -> Path:
    return out.with_name(out.name + JOURNAL_SUFFIX)


def check_out(out: Path, resume: bool) -> Path:
    """OUT must end in .csv or .parquet, be a file (or not exist yet) and, unless resuming,
    must not hold rows yet."""
    out = Path(out)
    if out.suffix.lower() not in SUFFIXES:
        raise OutputError(f"{out}: OUT must end in .csv or .parquet.")
    if not out.parent.is_dir():
        raise OutputError(f"{out.parent}: the folder for OUT does not exist.")
    for path in (out, journal_path(out)):
        if path.is_dir():
            raise OutputError(f"{path} is a folder: OUT must be a file; choose another OUT.")
        if path.exists() and not path.is_file():
            raise OutputError(f"{path} is not a regular file; choose another OUT.")
    exists = out.exists() or journal_path(out).exists()
    if exists and not resume:
        raise OutputError(f"{out} exists: pass --resume to continue it, or choose another OUT.")
    return out


# -- reading ---------------------------------------------------------------------------------


def _complete(values: list[str] | None) -> bool:
    """A parsed record is a whole row: every column, a path, numbers where numbers go."""
    if values is None or len(values) != len(COLUMNS) or not values[0]:
        return False
    for c in FLOAT_COLUMNS:
        v = values[COLUMNS.index(c)]
        if v:
            try:
                float(v)
            except ValueError:
                return False
    return True


def _torn(tail: bytes) -> bool:
    """Whether the bytes after the last complete row are one row cut short (a kill, a full
    disk), rather than damage: at most one record, and no closing newline or an open quote."""
    if len(tail) > MAX_TAIL:
        return False
    text = tail.decode("utf-8", "replace")
    records = list(csv.reader(io.StringIO(text, newline="")))
    if len(records) > 1:
        return False
    if not text.endswith("\n"):
        return True
    try:
        list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        return True  # a quoted field still open at the end
    return False


def _scan(path: Path) -> Iterator[tuple[list[str], int]]:
    """(values, byte offset after the row) for each complete row of an archive CSV, after
    checking its header. Stops at a cut last row; OutputError for anything else."""
    try:
        f = open_regular(path)
    except FileError as exc:
        raise OutputError(str(exc)) from None
    with f:
        end = [0]
        newline = [True]

        def lines():
            while raw := f.readline():
                end[0] += len(raw)
                newline[0] = raw.endswith(b"\n")
                yield raw.decode("utf-8")

        reader = csv.reader(lines(), strict=True)
        start, header = 0, True
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError):
                values = None
            if header:
                ok = values == list(COLUMNS) and newline[0]
            else:
                ok = newline[0] and _complete(values)
            if not ok:
                f.seek(start)
                tail = f.read(MAX_TAIL + 1)
                if header and not HEADER.startswith(tail):
                    raise OutputError(
                        f"{printable(path)} is not a file written by score (its first line is "
                        "not score's header); choose another OUT."
                    )
                if not header and not _torn(tail):
                    raise OutputError(
                        f"{printable(path)}: the row after byte {start} is damaged (not a cut "
                        "last row); this file cannot be resumed: write a new OUT."
                    )
                return
            start = end[0]
            if header:
                header = False
                yield [], start  # the header: no row
            else:
                yield values, start


def _as_row(values: list[str]) -> dict:
    return {
        c: v if c in FLOAT_COLUMNS else restore(v) for c, v in zip(COLUMNS, values, strict=True)
    }


def read_csv_rows(path: Path) -> Iterator[dict]:
    """Complete rows of an archive CSV as dicts of strings (streamed); a cut last row is
    left out; nothing when the file does not exist. OutputError: not score's CSV, damaged."""
    if not Path(path).exists():
        return
    for values, _ in _scan(Path(path)):
        if values:
            yield _as_row(values)


def repair_tail(path: Path) -> int:
    """Cut a last row that a kill or a full disk left incomplete (a header cut short goes
    too); returns the bytes removed. OutputError when the file is not a resumable CSV."""
    path = Path(path)
    if not path.exists():
        return 0
    good = 0
    for _, end in _scan(path):
        good = end
    size = path.stat().st_size
    if size > good:
        try:
            os.truncate(path, good)
        except OSError as exc:
            why = exc.strerror
            raise OutputError(f"{path}: cannot cut its last, incomplete row ({why}).") from None
    return size - good


def _parquet_rows(out: Path) -> Iterator[dict]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        f = pq.ParquetFile(out)
        names = f.schema_arrow.names
    except (OSError, pa.ArrowException, ValueError) as exc:
        first = (str(exc).splitlines() or [""])[0][:120]
        raise OutputError(f"{out}: not a readable Parquet file ({first}).") from None
    if names != list(COLUMNS):
        raise OutputError(
            f"{out} is not a file written by score (its columns are not score's); choose "
            "another OUT."
        )
    for batch in f.iter_batches(batch_size=ROW_GROUP):
        yield from batch.to_pylist()


def read_rows(out: Path) -> Iterator[dict]:
    """Every row already in OUT (and, for Parquet, its journal: a journal row whose path is
    already in OUT is left out), streamed; 8 bytes per Parquet row while a journal exists."""
    out = Path(out)
    if out.suffix.lower() != ".parquet":
        yield from read_csv_rows(out)
        return
    journal = journal_path(out)
    has_journal = journal.exists()
    keys = array("Q")
    if out.is_file():
        for row in _parquet_rows(out):
            if has_journal:
                keys.append(path_key(row["path"]))
            yield row
    done = np.unique(np.frombuffer(keys, dtype=np.uint64)) if keys else None
    for row in read_csv_rows(journal):
        if done is not None:
            k = np.uint64(path_key(row["path"]))
            i = int(np.searchsorted(done, k))
            if i < len(done) and done[i] == k:
                continue
        yield row


def prepare_resume(out: Path) -> None:
    """Before a resumed run reads OUT: cut the cut last row of OUT.csv or of the journal."""
    out = Path(out)
    repair_tail(journal_path(out) if out.suffix.lower() == ".parquet" else out)


# -- writing ---------------------------------------------------------------------------------


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte (os.write may write fewer); OSError (a full disk) propagates."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _cell(column: str, value):
    if value is None:
        return ""
    if column in FLOAT_COLUMNS:
        return "" if value == "" else float(value)
    return neutralise(str(value))


def encode_row(row: dict) -> bytes:
    """One CSV line (UTF-8, '\\n'): empty for None, text cells neutralised."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([_cell(c, row.get(c)) for c in COLUMNS])
    return buf.getvalue().encode("utf-8", "backslashreplace")


class CsvWriter:
    """Appends rows to a CSV (header written when the file is new), one write per row. A cut
    last row left by an earlier run is removed first."""

    def __init__(self, path: Path):
        self.path = Path(path)
        repair_tail(self.path)
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot open for writing ({exc.strerror}).") from None
        try:
            if os.fstat(self._fd).st_size == 0:
                _write_all(self._fd, HEADER)
        except BaseException:
            self.close()
            raise

    def write(self, row: dict) -> None:
        _write_all(self._fd, encode_row(row))

    def close(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)


def _schema():
    import pyarrow as pa

    return pa.schema([(c, pa.float64() if c in FLOAT_COLUMNS else pa.string()) for c in COLUMNS])


def _float(v) -> float | None:
    if v in (None, ""):
        return None
    x = float(v)
    return None if math.isnan(x) else x


def _typed(rows: list[dict]) -> dict[str, list]:
    """Columns for Parquet: floats as float64 (empty -> null), the rest as strings."""
    cols: dict[str, list] = {c: [] for c in COLUMNS}
    for r in rows:
        for c in COLUMNS:
            v = r.get(c)
            cols[c].append(_float(v) if c in FLOAT_COLUMNS else "" if v is None else str(v))
    return cols


def _drop_journal(out: Path) -> None:
    journal_path(out).unlink(missing_ok=True)


def fold_journal(out: Path) -> None:
    """Write OUT.parquet = rows already in OUT + the journal's rows (each path once); then drop
    the journal. Streamed in row groups; the new file replaces OUT atomically, and a failed
    fold (a full disk) leaves OUT and the journal as they were."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = out.with_name(out.name + ".tmp")
    schema = _schema()
    try:
        with pq.ParquetWriter(tmp, schema) as writer:
            chunk: list[dict] = []
            for row in read_rows(out):
                chunk.append(row)
                if len(chunk) == ROW_GROUP:
                    writer.write_table(pa.table(_typed(chunk), schema=schema))
                    chunk = []
            writer.write_table(pa.table(_typed(chunk), schema=schema))
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _drop_journal(out)


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
