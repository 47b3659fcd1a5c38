"""CSV cells that a spreadsheet will not run as formulas (the OWASP CSV-injection rule).

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (`=HYPERLINK("http://e.vil","click")` in a file or
reader name). `neutralise` prefixes such a cell with a single quote, which spreadsheets show as
text. Plain numbers (`-1`, `+0.5`, `-2e-3`) stay as they are: a spreadsheet reads them as
numbers, never as formulas. A cell already starting with a quote is quoted once more, so
`restore` gives back exactly what was written: a CSV read by this project again (resume, the
scored-archive readers) sees the original text.

Every CSV the project exports passes its text cells through `neutralise` (or `safe_row`).
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_TRIGGERS = (*FORMULA_START, QUOTE)
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutralise(value):
    """VALUE for a CSV cell: a string a spreadsheet would run as a formula gets a leading quote.
    Non-strings (numbers, None) and plain number strings come back unchanged."""
    if not isinstance(value, str) or not value.startswith(_TRIGGERS):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return QUOTE + value


def restore(value):
    """The inverse of `neutralise` for a cell read back from a CSV this project wrote."""
    if isinstance(value, str) and len(value) > 1 and value[0] == QUOTE:
        if value[1:].startswith(_TRIGGERS) and not _NUMBER.fullmatch(value[1:]):
            return value[1:]
    return value


def safe_row(row):
    """A row (a dict or a sequence of cells) with every cell passed through `neutralise`."""
    if isinstance(row, dict):
        return {k: neutralise(v) for k, v in row.items()}
    return [neutralise(v) for v in row]
