"""Reading a PDF back as a reader's tools would: poppler's pdftotext and pdfinfo. Without
poppler-utils (`.ci/run` installs it) a test fails with that message, not a FileNotFoundError."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest


def _run(tool: str, path, *options: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} not found: install poppler-utils (apt-get install poppler-utils)")
    args = [tool, *options, str(path), "-"] if tool == "pdftotext" else [tool, str(path)]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def pdf_text(path) -> str:
    """Text of every page, as pdftotext lays it out."""
    return _run("pdftotext", path)


def layout_text(path) -> str:
    """Text with the page's layout kept (pdftotext -layout): a table row on one line."""
    return _run("pdftotext", path, "-layout")


def page_count(path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", path)).group(1))


INTERVAL = re.compile(r"(?<![\d.])(\d+\.\d+) \((\d+\.\d+)[–-](\d+\.\d+)\)")


def intervals(text: str) -> list[tuple[float, float, float]]:
    """Every 'x (lo–hi)' in TEXT as floats (x, lo, hi); an en dash or a hyphen."""
    return [tuple(float(v) for v in m.groups()) for m in INTERVAL.finditer(text)]


def frequency_counts(path) -> dict[str, tuple[int, int, int]]:
    """(flagged, false alarms, missed) per 1,000 from the sentence above the icon array and
    from the prevalence table's chosen row ('20% (above) PPV NPV flagged alarms missed')."""
    text = re.sub(r"\s+", " ", pdf_text(path))
    num = r"([\d,]+)"
    sentence = re.search(
        rf"The model flags {num}: {num} of them \w+ pneumonia and {num} \w+ not.*? {num} "
        r"child(?:ren)? with pneumonia (?:is|are) missed",
        text,
    )
    row = re.search(rf"\d+% \(above\).*?{num} +{num} +{num} *$", layout_text(path), re.M)
    assert sentence and row, "no frequency sentence or chosen table row in the text"

    def ints(*groups: str) -> tuple[int, ...]:
        return tuple(int(g.replace(",", "")) for g in groups)

    flagged, _, fp, fn = ints(*sentence.groups())
    return {"sentence": (flagged, fp, fn), "row": ints(*row.groups())}
