"""Labelled local cases for site validation: raw network outputs and labels.

From a labelled folder (DIR/NORMAL, DIR/PNEUMONIA: scored here with the shipped model and the
archive's scoring function, so the gate decides as in the app) or from a scored archive (OUT
of `score`, CSV or Parquet) with labels from a CSV (`path,label`) or OUT's own `true_label`.
Files the gate refused and unreadable files are counted and left out of the figures (the
model gives them no verdict); so are rows without a label.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from xray_core.archive.inputs import Entry, InputError, parse_label
from xray_core.config import CLASS_NAMES


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
    """A labels CSV with `path` and `label` columns -> {path: 0/1}. Parsed as a manifest is
    (`archive.inputs`): not UTF-8, an over-long field or a bad label is one InputError."""
    from xray_core.archive.inputs import csv_records

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: labels file not found.")
    with csv_records(path) as records:
        header = [h.strip() for h in next(records, (1, []))[1]]
        if not {"path", "label"} <= set(header):
            raise InputError(f"{path}: a labels CSV needs 'path' and 'label' columns.")
        labels = {}
        for i, values in records:
            rec = dict(zip(header, values))
            label = parse_label(rec.get("label", ""), f"{path}, line {i}")
            if label is not None:
                labels[(rec.get("path") or "").strip()] = label
    return labels


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
            truth = parse_label(row["true_label"], row["path"])
        if row["error"]:
            excluded["unreadable"] += 1
        elif truth is None:
            excluded["unlabelled"] += 1
        elif row["gate"] != "accepted":
            excluded["refused"][CLASS_NAMES[truth]] += 1
        else:
            y.append(truth)
            raw.append(float(row["raw_probability"]))
    return Cases(np.asarray(y, int), np.asarray(raw, float), model, sha, excluded)


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
