"""Where a session's cases come from: a folder (any depth), a zip, uploaded files, or a sample
set drawn from the configured data folder; and their labels (folder names or a CSV).

Every source yields `Item`s (a name relative to the source, a way to read the bytes, and a
label when the path says NORMAL/ or PNEUMONIA/). Nothing is decoded here.
"""

from __future__ import annotations

import errno
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import numpy as np

from xray_core.config import CLASS_NAMES
from xray_core.dataset import labels as label_csv
from xray_core.dataset.labels import LabelError, label_map
from xray_core.io.decode import MAX_FILE_BYTES
from xray_core.review.db import ReviewError

SKIPPED_SUFFIXES = {".csv", ".json", ".md", ".txt", ".zip"}  # sidecar files, never cases
MAX_ITEMS = 5000
MAX_LABELS_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Item:
    """One candidate case. name: POSIX path relative to the source; label: 0, 1 or None."""

    name: str
    read: Callable[[], bytes]
    label: int | None = None


def label_from_path(name: str) -> int | None:
    """0/1 from the nearest NORMAL/ or PNEUMONIA/ folder in a relative path (any case)."""
    for part in reversed(PurePosixPath(name).parts[:-1]):
        if part.upper() in CLASS_NAMES:
            return CLASS_NAMES.index(part.upper())
    return None


def _wanted(name: str) -> bool:
    parts = PurePosixPath(name).parts
    hidden = any(p.startswith((".", "__MACOSX")) for p in parts)
    return not hidden and PurePosixPath(name).suffix.lower() not in SKIPPED_SUFFIXES


def _check_count(n: int, where: str) -> None:
    if n == 0:
        raise ReviewError(f"{where}: no files to import.")
    if n > MAX_ITEMS:
        raise ReviewError(f"{where}: {n} files; a session holds at most {MAX_ITEMS}.")


def folder_items(root: str | Path) -> list[Item]:
    """Every non-hidden file under `root` (any depth), sorted by relative path."""
    root = Path(root)
    if not root.is_dir():
        raise ReviewError(f"{root}: no such folder.")
    paths = sorted(p for p in root.rglob("*") if p.is_file())
    items = [
        Item(rel, p.read_bytes, label_from_path(rel))
        for p in paths
        if _wanted(rel := p.relative_to(root).as_posix())
    ]
    _check_count(len(items), str(root))
    return items


def _member_reader(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], bytes]:
    def read() -> bytes:
        if info.file_size > MAX_FILE_BYTES:
            raise OSError(errno.EFBIG, f"{info.file_size} bytes; the limit is {MAX_FILE_BYTES}")
        return archive.read(info)

    return read


def zip_items(data: bytes, where: str = "upload.zip") -> list[Item]:
    """Files inside a zip (any depth), sorted; labels from NORMAL/ and PNEUMONIA/ folders."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReviewError(f"{where}: not a readable zip file ({exc}).") from None
    infos = sorted((i for i in archive.infolist() if not i.is_dir()), key=lambda i: i.filename)
    items = [
        Item(i.filename, _member_reader(archive, i), label_from_path(i.filename))
        for i in infos
        if _wanted(i.filename)
    ]
    _check_count(len(items), where)
    return items


def upload_items(files: list[tuple[str, bytes]]) -> list[Item]:
    """Uploaded (name, bytes) pairs; a .zip among them is expanded in place."""
    items: list[Item] = []
    for name, data in files:
        if name.lower().endswith(".zip"):
            items += [replace(i, name=f"{name}/{i.name}") for i in zip_items(data, name)]
        elif _wanted(name):
            items.append(Item(name, (lambda d=data: d), label_from_path(name)))
    _check_count(len(items), "the uploads")
    return items


def path_items(path: str | Path) -> list[Item]:
    """A folder or a .zip file on disk."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".zip":
        return zip_items(path.read_bytes(), str(path))
    return folder_items(path)


def sample_items(root: str | Path, n: int, seed: int) -> list[Item]:
    """A stratified random sample of `n` labelled images from a dataset root (Kaggle layout).

    Prefers the `test` split when present (the models never trained on it); otherwise draws
    from every split, which flatters the AI (say so to the readers).
    """
    root = Path(root)
    if n < 2:
        raise ReviewError(f"a sample set needs at least 2 cases, got {n}.")
    base = root / "test" if (root / "test").is_dir() else root
    rng = np.random.default_rng(seed)
    chosen: list[Item] = []
    for label, cls in enumerate(CLASS_NAMES):
        files = sorted(p for p in base.rglob(f"{cls}/*") if p.is_file() and _wanted(p.name))
        k = n // 2 + (n % 2) * label
        if len(files) < k:
            raise ReviewError(f"{base}: only {len(files)} {cls} images, {k} wanted.")
        picks = sorted(rng.choice(len(files), size=k, replace=False))
        chosen += [
            Item(files[i].relative_to(root).as_posix(), files[i].read_bytes, label) for i in picks
        ]
    return chosen


def read_labels(path: str | Path) -> dict[str, int]:
    """A labels CSV file (`dataset.labels`: a `file` or `path` column and `label`, every row
    labelled NORMAL/PNEUMONIA or 0/1) -> {file: 0/1}; whatever it refuses is a ReviewError."""
    try:
        rows = label_csv.read_labels(path, required=True, limit=MAX_LABELS_BYTES)
    except LabelError as exc:
        raise ReviewError(str(exc)) from None
    return label_map(rows)


def parse_labels(data: str | bytes, where: str = "labels CSV") -> dict[str, int]:
    """`read_labels` for an uploaded CSV's text or bytes; WHERE names it in messages."""
    try:
        rows = label_csv.parse_labels(data, where, required=True)
    except LabelError as exc:
        raise ReviewError(str(exc)) from None
    return label_map(rows)


def apply_labels(items: list[Item], labels: dict[str, int]) -> list[Item]:
    """Set labels from a CSV mapping; keys match the relative path or a unique base name."""
    by_path = {i.name: k for k, i in enumerate(items)}
    by_base: dict[str, list[int]] = {}
    for k, i in enumerate(items):
        by_base.setdefault(PurePosixPath(i.name).name, []).append(k)
    out = list(items)
    for key, label in labels.items():
        hits = [by_path[key]] if key in by_path else by_base.get(key, [])
        if len(hits) != 1:
            why = "matches several files" if hits else "matches no file"
            raise ReviewError(f"labels CSV: {key!r} {why} in the cases.")
        out[hits[0]] = replace(out[hits[0]], label=label)
    return out
