"""Reading a PDF back as a reader's tools would: poppler's pdftotext and pdfinfo. Without
poppler-utils (`.ci/run` installs it) a test fails with that message, not a FileNotFoundError."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest


def _run(tool: str, path) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} not found: install poppler-utils (apt-get install poppler-utils)")
    args = [tool, str(path), "-"] if tool == "pdftotext" else [tool, str(path)]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def pdf_text(path) -> str:
    """Text of every page, as pdftotext lays it out."""
    return _run("pdftotext", path)


def page_count(path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", path)).group(1))
