"""Labels CSVs: which file is NORMAL and which PNEUMONIA, read one way wherever labels come in
(review sessions, site validation, archive manifests).

A labels CSV is UTF-8 text (a BOM is dropped; LF, CRLF or CR line ends; blank lines skipped;
fields may be quoted) with a header naming a file column, `file` or `path` (either is accepted
everywhere), and a `label` column; other columns are ignored, header names are read without
surrounding spaces or case. A label is NORMAL or PNEUMONIA (any case) or 0 / 1, spaces around
it ignored; an empty label leaves the row unlabelled (None). A row with neither a file nor a
label (a spreadsheet's trailing `,,`) is skipped. Anything else (another encoding, a field over
the csv module's limit, a bad label, a label without a file name, a file over the size limit)
is one `LabelError` line naming the line.

`csv_records` is the streamed CSV reader beneath it, shared with archive manifests.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from xray_core.config import CLASS_NAMES
from xray_core.io.safe_files import FileError, open_regular, printable

FILE_COLUMNS = ("file", "path")  # either names the file; the first present is read
LABEL_COLUMN = "label"
LABEL_HINT = "NORMAL, PNEUMONIA, 0 or 1"
SHOWN_CHARS = 40  # of a bad label, in its message
MAX_LINE_BYTES = 16 * 2**20  # a longer line is no CSV of ours (and is never held whole)
_AFTER_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


class LabelError(ValueError):
    """A labels CSV (or any CSV read with `csv_records`) that cannot be read; str() is one
    line naming the file and, where it applies, the line."""


@dataclass(frozen=True)
class LabelRow:
    """One labelled line. name: the file as written (spaces around it removed); label: 0
    NORMAL, 1 PNEUMONIA, None when the label cell is empty; line: its line in the CSV."""

    name: str
    label: int | None
    line: int


def parse_label(value: str | None, where: str, required: bool = False) -> int | None:
    """'NORMAL'/'0' -> 0, 'PNEUMONIA'/'1' -> 1 (any case, spaces ignored), '' -> None (a
    LabelError when `required`); anything else -> LabelError naming WHERE."""
    v = (value or "").strip().upper()
    if v in ("0", CLASS_NAMES[0]):
        return 0
    if v in ("1", CLASS_NAMES[1]):
        return 1
    if v == "" and not required:
        return None
    shown = (value or "")[:SHOWN_CHARS]
    raise LabelError(f"{where}: label {shown!r} is not {LABEL_HINT}.")


def records(lines: Iterable[str], where: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of CSV text lines (kept with their line ends, as `text_lines`
    gives them), blank lines left out. A field over the csv module's limit: one LabelError
    naming WHERE and the line."""
    reader = csv.reader(lines)
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise LabelError(f"{where}, line {line}: {_csv_problem(exc)}.") from None
        if values:
            yield reader.line_num, values


def text_lines(binary: BinaryIO, where: str, what: str = "CSV") -> Iterator[str]:
    """The lines of a binary stream as UTF-8 text (a BOM dropped, line ends LF, CRLF or CR
    kept), decoded one by one, so a byte that is not UTF-8 is a LabelError naming its line."""
    for number, raw in enumerate(iter(lambda: binary.readline(MAX_LINE_BYTES + 1), b""), 1):
        if len(raw) > MAX_LINE_BYTES:
            raise LabelError(
                f"{where}, line {number}: longer than {_megabytes(MAX_LINE_BYTES)}; not a {what}."
            )
        try:
            text = (raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw).decode("utf-8")
        except UnicodeDecodeError:
            raise LabelError(
                f"{where}, line {number}: not UTF-8 text; save the {what} as UTF-8."
            ) from None
        yield from filter(None, _AFTER_LONE_CR.split(text))  # CR-only line ends, as in old Macs


@contextmanager
def csv_records(
    source, what: str = "CSV", limit: int | None = None
) -> Iterator[Iterator[tuple[int, list[str]]]]:
    """(line number, fields) pairs of a UTF-8 CSV file (a BOM is dropped), streamed, blank
    lines left out. Not a regular file, over LIMIT bytes, not UTF-8, a field over the csv
    module's limit: one LabelError (naming the line where there is one). WHAT names the kind
    of file in messages ("manifest", "labels CSV")."""
    try:
        f = open_regular(source)
    except FileError as exc:
        raise LabelError(str(exc)) from None
    with f:
        size = os.fstat(f.fileno()).st_size
        if limit is not None and size > limit:
            raise LabelError(
                f"{printable(Path(source).name)}: the {what} is {_megabytes(size)}; the limit "
                f"is {_megabytes(limit)}."
            )
        where = printable(source)
        yield records(text_lines(f, where, what), where)


def read_labels(
    path, columns: tuple[str, ...] = FILE_COLUMNS, required: bool = False, limit: int | None = None
) -> list[LabelRow]:
    """The rows of a labels CSV file, in file order (see the module docstring).

    Args:
        columns: accepted names of the file column; the first one the header holds is read.
        required: an empty label is a LabelError instead of an unlabelled row.
        limit: largest file accepted, in bytes (None: any size; the file is streamed).

    Returns:
        list[LabelRow], repeats kept (`label_map` keeps a name's last line).

    Raises:
        LabelError: one line naming the file and the line.
    """
    with csv_records(path, "labels CSV", limit) as rows:
        return rows_of(rows, printable(path), columns, required)


def parse_labels(
    data: str | bytes,
    where: str,
    columns: tuple[str, ...] = FILE_COLUMNS,
    required: bool = False,
) -> list[LabelRow]:
    """`read_labels` for CSV text or bytes already in memory (an upload); WHERE names it."""
    if isinstance(data, bytes):
        lines = text_lines(io.BytesIO(data), where, "labels CSV")
    else:
        lines = io.StringIO(data.removeprefix("\ufeff"), newline="")
    return rows_of(records(lines, where), where, columns, required)


def rows_of(
    rows: Iterable[tuple[int, list[str]]],
    where: str,
    columns: tuple[str, ...] = FILE_COLUMNS,
    required: bool = False,
) -> list[LabelRow]:
    """LabelRows from (line number, fields) pairs, the first of them the header."""
    rows = iter(rows)
    header = [h.strip().lower() for h in next(rows, (1, []))[1]]
    name_column = next((c for c in columns if c in header), None)
    lacking = [f"a {' or '.join(columns)} column"] if name_column is None else []
    lacking += [] if LABEL_COLUMN in header else [f"a {LABEL_COLUMN} column"]
    if lacking:
        raise LabelError(f"{where}: the labels CSV lacks {' and '.join(lacking)}.")
    at_name, at_label = header.index(name_column), header.index(LABEL_COLUMN)
    out = []
    for line, values in rows:
        name = values[at_name].strip() if at_name < len(values) else ""
        value = values[at_label] if at_label < len(values) else ""
        if not name and not value.strip():
            continue  # no file and no label: a spreadsheet's empty row
        label = parse_label(value, f"{where}, line {line}", required)
        if not name:
            raise LabelError(f"{where}, line {line}: a label without a file name.")
        out.append(LabelRow(name, label, line))
    return out


def label_map(rows: Iterable[LabelRow]) -> dict[str, int]:
    """{name: 0/1} of the labelled rows; a name listed twice keeps its last line's label."""
    return {row.name: row.label for row in rows if row.label is not None}


def _megabytes(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n:,} bytes"


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a field is longer than {csv.field_size_limit():,} characters"
    return text.splitlines()[0][:120] if text else "not valid CSV"
