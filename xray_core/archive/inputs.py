"""What to score: a folder tree of any depth, or a manifest CSV with a `path` column.

A folder walk yields files with an image suffix (`data.IMAGE_SUFFIXES`, `.dcm`, `.dicom`) and
files without a suffix (DICOM archives often have none); hidden files and folders are left
out, other suffixes are counted as skipped. The walk is streamed and sorted per folder, so
two walks of an unchanged tree give the same order and memory does not grow with its size.

A manifest is a CSV with a header holding `path` (relative to the manifest's folder, or
absolute) and optionally `label` (NORMAL / PNEUMONIA, or 0 / 1); other columns are ignored.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from xray_core.config import CLASS_NAMES
from xray_core.data import IMAGE_SUFFIXES

SUFFIXES = frozenset((*IMAGE_SUFFIXES, ".dicom", ""))
MANIFEST_SUFFIX = ".csv"


class InputError(ValueError):
    """INPUT is not a readable folder or manifest; str() is a one-line message."""


@dataclass(frozen=True)
class Entry:
    """One file to score. rel: path relative to INPUT (POSIX, the row's key); path: on disk;
    truth: 0 NORMAL / 1 PNEUMONIA from a manifest's label column, else None."""

    rel: str
    path: Path
    truth: int | None = None


def parse_label(value: str, where: str) -> int | None:
    """'NORMAL'/'0' -> 0, 'PNEUMONIA'/'1' -> 1, '' -> None; anything else -> InputError."""
    v = (value or "").strip().upper()
    if v == "":
        return None
    if v in ("0", CLASS_NAMES[0]):
        return 0
    if v in ("1", CLASS_NAMES[1]):
        return 1
    raise InputError(f"{where}: label {value!r} is not NORMAL, PNEUMONIA, 0 or 1.")


@dataclass(frozen=True)
class ArchiveInput:
    """INPUT as given: a folder (root = the folder) or a manifest (root = its folder)."""

    source: Path

    @classmethod
    def open(cls, source) -> ArchiveInput:
        source = Path(source)
        if source.is_dir():
            return cls(source)
        if source.is_file() and source.suffix.lower() == MANIFEST_SUFFIX:
            with open(source, newline="", encoding="utf-8-sig") as f:
                header = next(csv.reader(f), [])
            if "path" not in [h.strip() for h in header]:
                raise InputError(f"{source}: a manifest needs a header with a 'path' column.")
            return cls(source)
        if source.exists():
            raise InputError(f"{source}: INPUT must be a folder or a manifest .csv file.")
        raise InputError(f"{source}: no such folder or manifest.")

    @property
    def is_manifest(self) -> bool:
        return self.source.is_file()

    @property
    def root(self) -> Path:
        """Folder that rows' paths are relative to."""
        return self.source.parent if self.is_manifest else self.source

    def entries(self) -> Iterator[Entry]:
        """Every file to score, in a stable order (streamed)."""
        return self._manifest() if self.is_manifest else self._walk(self.source)

    def count(self) -> tuple[int, int]:
        """(files to score, files skipped for their suffix); one streamed pass."""
        if self.is_manifest:
            return sum(1 for _ in self._manifest()), 0
        skipped = [0]
        n = sum(1 for _ in self._walk(self.source, skipped))
        return n, skipped[0]

    def _walk(self, folder: Path, skipped: list[int] | None = None) -> Iterator[Entry]:
        try:
            items = sorted(os.scandir(folder), key=lambda d: d.name)
        except OSError as exc:
            raise InputError(f"{folder}: cannot list the folder ({exc.strerror}).") from None
        for d in items:
            if d.name.startswith("."):
                continue
            if d.is_dir(follow_symlinks=True):
                yield from self._walk(Path(d.path), skipped)
            elif Path(d.name).suffix.lower() in SUFFIXES:
                path = Path(d.path)
                yield Entry(path.relative_to(self.root).as_posix(), path)
            elif skipped is not None:
                skipped[0] += 1

    def _manifest(self) -> Iterator[Entry]:
        with open(self.source, newline="", encoding="utf-8-sig") as f:
            for i, rec in enumerate(csv.DictReader(f), start=2):
                rec = {(k or "").strip(): (v or "") for k, v in rec.items()}
                rel = rec.get("path", "").strip()
                if not rel:
                    raise InputError(f"{self.source}, line {i}: empty path.")
                path = Path(rel) if Path(rel).is_absolute() else self.root / rel
                truth = parse_label(rec.get("label", ""), f"{self.source}, line {i}")
                yield Entry(rel, path, truth)
