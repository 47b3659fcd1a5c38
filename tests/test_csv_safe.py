"""xray_core.text.csv_safe: the OWASP CSV-injection rule, reversible for our own readers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xray_core.text.csv_safe import FORMULA_START, QUOTE, neutralise, restore, safe_row


@pytest.mark.parametrize(
    "value, written",
    [
        ('=HYPERLINK("http://e.vil","click")', '\'=HYPERLINK("http://e.vil","click")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'=1", "''=1"),  # a leading quote is doubled: restore() gives it back
        ("normal/IM-0001.jpeg", "normal/IM-0001.jpeg"),
        ("a=b", "a=b"),
        ("-1", "-1"),  # plain numbers stay numbers
        ("+0.5", "+0.5"),
        ("-2e-3", "-2e-3"),
        ("", ""),
        (0.25, 0.25),
        (-1, -1),
        (None, None),
    ],
)
def test_neutralise_table(value, written):
    assert neutralise(value) == written
    assert restore(written) == value


@given(st.text())
def test_no_cell_starts_a_formula_and_restore_inverts(text):
    cell = neutralise(text)
    assert restore(cell) == text
    if cell.startswith(FORMULA_START):  # only a plain number may
        assert float(cell) == float(text)
    assert cell == text or cell == QUOTE + text


def test_safe_row_on_dicts_and_sequences():
    assert safe_row({"a": "=1+1", "b": 2}) == {"a": "'=1+1", "b": 2}
    assert safe_row(["@x", "y", -1]) == ["'@x", "y", -1]
