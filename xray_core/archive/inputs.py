"""What to score: a folder tree of any depth, or a manifest CSV with a `path` column.

A folder walk yields files with an image suffix (`data.IMAGE_SUFFIXES`, `.dcm`, `.dicom`) and
files without a suffix (DICOM archives often have none); hidden files and folders are left
out, other suffixes are counted as skipped. The walk is streamed and sorted per folder, so
two walks of an unchanged tree give the same order and memory does not grow with its size.

A folder reached twice through links (a link to a parent: a loop) is walked once; a link
that loops on itself is a file whose row says so. A row's path is printable text: the bytes of
a file name that is not UTF-8 appear as \\xNN (`safe_files.printable`).

A manifest is a UTF-8 CSV with a header holding `path` (relative to the manifest's folder, or
absolute) and optionally `label` (NORMAL / PNEUMONIA, or 0 / 1); other columns are ignored.
It is read as a labels CSV is (`dataset.labels`: the same CSV reader and label words).
Anything else (another encoding, a NUL byte, a field over the csv module's limit, a bad label)
is an InputError naming the line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from xray_core.dataset import labels
from xray_core.dataset.folders import IMAGE_SUFFIXES
from xray_core.dataset.labels import parse_label
from xray_core.io.safe_files import printable

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


@dataclass
class Skipped:
    """What a folder walk left out: files with other suffixes, folders already walked (link
    loops) and sub-folders that could not be listed; or, for a manifest, lines repeating a
    path already listed (each path is one row)."""

    suffix: int = 0
    loops: int = 0
    unlisted: int = 0
    repeated: int = 0


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
            with csv_records(source) as rows:
                header = next(rows, (1, []))[1]
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
        n, skipped = self.tally()
        return n, skipped.suffix

    def tally(self) -> tuple[int, Skipped]:
        """(files to score, what the walk left out); one streamed pass."""
        skipped = Skipped()
        if self.is_manifest:
            return sum(1 for _ in self._manifest(skipped)), skipped
        return sum(1 for _ in self._walk(self.source, skipped, set())), skipped

    def _walk(
        self, folder: Path, skipped: Skipped | None = None, seen: set | None = None
    ) -> Iterator[Entry]:
        seen = set() if seen is None else seen
        skipped = Skipped() if skipped is None else skipped
        try:
            ident = os.stat(folder)
            seen.add((ident.st_dev, ident.st_ino))
            items = sorted(os.scandir(folder), key=lambda d: d.name)
        except OSError as exc:
            if folder == self.source:
                why = exc.strerror
                raise InputError(f"{printable(folder)}: cannot list the folder ({why}).") from None
            skipped.unlisted += 1
            return
        for d in items:
            if d.name.startswith("."):
                continue
            if _is_dir(d):
                st = _stat(d.path)
                if st is None:
                    skipped.unlisted += 1
                    continue
                if (st.st_dev, st.st_ino) in seen:
                    skipped.loops += 1
                    continue
                yield from self._walk(Path(d.path), skipped, seen)
            elif Path(d.name).suffix.lower() in SUFFIXES:
                path = Path(d.path)
                yield Entry(printable(path.relative_to(self.root).as_posix()), path)
            else:
                skipped.suffix += 1

    def _manifest(self, skipped: Skipped | None = None) -> Iterator[Entry]:
        seen: set[str] = set()
        with csv_records(self.source) as rows:
            header = [h.strip() for h in next(rows, (1, []))[1]]
            for i, values in rows:
                rec = dict(zip(header, values))
                rel = (rec.get("path") or "").strip()
                if not rel:
                    raise InputError(f"{self.source}, line {i}: empty path.")
                if "\0" in rel:
                    raise InputError(f"{self.source}, line {i}: the path holds a NUL byte.")
                path = Path(rel) if Path(rel).is_absolute() else self.root / rel
                truth = parse_label(rec.get("label", ""), f"{self.source}, line {i}")
                if rel in seen:
                    if skipped is not None:
                        skipped.repeated += 1
                    continue
                seen.add(rel)
                yield Entry(rel, path, truth)


@contextmanager
def csv_records(source: Path) -> Iterator[Iterator[tuple[int, list[str]]]]:
    """(line number, fields) pairs of a manifest (`dataset.labels.csv_records`: UTF-8, a BOM
    dropped, streamed, blank lines left out); whatever it refuses, and a bad label read inside
    the block, is one InputError naming the line."""
    try:
        with labels.csv_records(source, "manifest") as rows:
            yield rows
    except labels.LabelError as exc:
        raise InputError(str(exc)) from None


def _is_dir(d: os.DirEntry) -> bool:
    """A folder (through links); a link loop or an unreadable entry counts as a file."""
    try:
        return d.is_dir(follow_symlinks=True)
    except OSError:
        return False


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None
