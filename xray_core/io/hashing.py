"""The one hashing helper: hex sha256 of bytes, text or a file (64 lowercase hex digits)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    """Hex sha256 of `text` encoded as UTF-8."""
    return sha256_bytes(text.encode("utf-8"))


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes. Raises FileNotFoundError when it does not exist."""
    return sha256_bytes(Path(path).read_bytes())
