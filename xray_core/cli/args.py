"""Argument types shared by the commands: each refuses a bad value while parsing, so the
command stops before any work with one line and exit code 2 (argparse's usage error).

No heavy imports: building the parser must not import TensorFlow.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr (`PROG: error: ...`), exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())}\n")


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def threshold(text: str) -> float:
    """argparse type: a decision threshold, a probability in [0, 1]."""
    value = _number(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def open_fraction(text: str) -> float:
    """argparse type: a fraction strictly between 0 and 1 (a prevalence, a target, a level)."""
    value = _number(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be strictly between 0 and 1, got {text}")
    return value


def output_file(text: str) -> Path:
    """argparse type: a file to write: its folder must exist, and it must not be a folder."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder; name a file to write")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"the folder {path.parent} does not exist")
    if path.exists() and not path.is_file():
        raise argparse.ArgumentTypeError(f"{text} is not a regular file")
    return path


def site_name(text: str) -> str:
    """argparse type: a site profile name (`site.profiles.NAME_RULE`: no paths)."""
    from xray_core.store.site_profiles import NAME_RULE

    if not NAME_RULE.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r}: use 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit"
        )
    return text
