"""Labelled local cases for site validation: raw network outputs and labels.

From a labelled folder (DIR/NORMAL, DIR/PNEUMONIA: scored here with the shipped model and the
archive's scoring function, so the gate decides as in the app) or from a scored archive (OUT
of `score`, CSV or Parquet) with labels from a CSV (`path,label`, or `file,label` as for review
sessions: `dataset.labels`) or OUT's own `true_label`.
Files the gate refused and unreadable files are counted and left out of the figures (the
model gives them no verdict); so are rows without a label.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from xray_core.archive.inputs import Entry, InputError
from xray_core.config import CLASS_NAMES
from xray_core.dataset import labels as label_csv
from xray_core.dataset.labels import LabelError, label_map, parse_label
from xray_core.gate.ood import GateVerdict

SITE_COLUMNS = ("path", "file")  # a scored archive's rows are keyed by `path`


@dataclass
class Cases:
    """y: (N,) 0/1 labels; raw: (N,) raw P(PNEUMONIA) in [0, 1]; model and its sha256 prefix;
    excluded: counts of files left out and why (refused per class, unreadable, unlabelled)."""

    y: np.ndarray
    raw: np.ndarray
    model: str
    model_sha256: str
    excluded: dict = field(default_factory=dict)


def read_labels(path) -> dict[str, int]:
    """A labels CSV (`dataset.labels`: a `path` or `file` column and `label`) -> {path: 0/1};
    unlabelled rows left out. Whatever it refuses is one InputError naming the line."""
    try:
        return label_map(label_csv.read_labels(path, columns=SITE_COLUMNS))
    except LabelError as exc:
        raise InputError(str(exc)) from None


def cases_from_rows(rows: Iterable[dict], labels: dict[str, int] | None = None) -> Cases:
    """Collect labelled, accepted cases from archive rows (strings or typed values)."""
    y, raw = [], []
    excluded = {"unreadable": 0, "unlabelled": 0, "refused": {c: 0 for c in CLASS_NAMES}}
    model = sha = ""
    for row in rows:
        model, sha = model or row["model"], sha or row["model_sha256"]
        if row["model_sha256"] != sha:
            raise InputError("the scored rows come from more than one model: validate one.")
        truth = labels.get(row["path"]) if labels is not None else None
        if truth is None and row.get("true_label"):
            truth = _true_label(row)
        if row["error"]:
            excluded["unreadable"] += 1
        elif truth is None:
            excluded["unlabelled"] += 1
        elif row["gate"] != GateVerdict.ACCEPTED:
            excluded["refused"][CLASS_NAMES[truth]] += 1
        else:
            y.append(truth)
            raw.append(float(row["raw_probability"]))
    return Cases(np.asarray(y, int), np.asarray(raw, float), model, sha, excluded)


def _true_label(row: dict) -> int | None:
    try:
        return parse_label(row["true_label"], row["path"])
    except LabelError as exc:
        raise InputError(str(exc)) from None


def cases_from_scores(out, labels_csv=None) -> Cases:
    """Cases from a scored archive (OUT.csv / OUT.parquet) and optional labels CSV."""
    from xray_core.archive.sink import read_rows

    out = Path(out)
    if not out.is_file():
        raise InputError(f"{out}: scored archive not found.")
    labels = read_labels(labels_csv) if labels_csv else None
    return cases_from_rows(read_rows(out), labels)


def folder_entries(folder) -> list[Entry]:
    """Entries of DIR/NORMAL and DIR/PNEUMONIA with their labels (sorted)."""
    from xray_core.dataset.folders import DatasetError, list_class_folder

    try:
        samples = list_class_folder(Path(folder))
    except DatasetError as exc:
        raise InputError(str(exc)) from None
    root = Path(folder)
    return [Entry(s.path.relative_to(root).as_posix(), s.path, s.label) for s in samples]


def cases_from_folder(folder, stored, keeper, workers: int | None = None) -> Cases:
    """Score a labelled folder with the shipped model (no site profile) and collect cases."""
    from xray_core.archive.local import iter_local_rows
    from xray_core.archive.scoring import Setting

    setting = Setting.of(stored.card)
    rows = (
        r
        for batch in iter_local_rows(folder_entries(folder), stored, keeper, setting, workers)
        for r in batch
    )
    return cases_from_rows(rows)
