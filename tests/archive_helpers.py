"""Helpers for the archive tests: small archives made of real images (links, no copies)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from xray_core.config import CLASS_NAMES


def link_images(data_root: Path, out: Path, per_class: int, nested: bool = True) -> list[Path]:
    """Symlink `per_class` training images of each class under out/ (nested folders)."""
    made = []
    for cls in CLASS_NAMES:
        files = sorted((data_root / "train" / cls).iterdir())[:per_class]
        for i, f in enumerate(files):
            folder = out / cls.lower() / f"batch{i % 3}" if nested else out
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f.name).symlink_to(f)
            made.append(folder / f.name)
    return made


def png_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def add_bad_files(folder: Path) -> dict[str, str]:
    """Unreadable and refused files; returns {relative path: expected error/gate fragment}."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.png").write_text("not an image")
    (folder / "empty.jpeg").write_bytes(b"")
    (folder / "tiny.png").write_bytes(png_bytes(np.full((20, 20), 128, np.uint8)))
    rng = np.random.default_rng(0)
    colour = rng.integers(0, 255, (128, 128, 3), dtype=np.uint8)
    (folder / "photo.png").write_bytes(png_bytes(colour))
    (folder / "blank.png").write_bytes(png_bytes(np.full((128, 128), 90, np.uint8)))
    (folder / "README.txt").write_text("not scored: other suffix")
    rel = folder.name
    return {
        f"{rel}/notes.png": "not a readable image",
        f"{rel}/empty.jpeg": "the file is empty",
        f"{rel}/tiny.png": "at least 64 px",
        f"{rel}/photo.png": "colour image",
        f"{rel}/blank.png": "blank or almost uniform",
    }
