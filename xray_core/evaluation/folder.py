"""Evaluate a stored model on a folder with NORMAL/ and PNEUMONIA/ subfolders."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from xray_core.dataset.folders import DatasetError, list_class_folder, load_arrays, skipped_entries
from xray_core.predict.assess import calibrated_probabilities
from xray_core.stats import metrics, uncertainty
from xray_core.stats.calibration import brier, ece
from xray_core.store.catalog import StoredModel
from xray_core.training import shift

CI_METHOD = (
    f"95% stratified percentile bootstrap ({uncertainty.N_RESAMPLES} resamples, seed 0); "
    "Wilson score interval where the bootstrap is degenerate"
)


def evaluate_folder(
    stored: StoredModel,
    folder: Path,
    threshold: float | None = None,
    unreadable: list[str] | None = None,
) -> dict:
    """Score every image under FOLDER/{NORMAL,PNEUMONIA} and report metrics: the report of
    `evaluate_with_scores`."""
    return evaluate_with_scores(stored, folder, threshold, unreadable)[0]


def evaluate_with_scores(
    stored: StoredModel,
    folder: Path,
    threshold: float | None = None,
    unreadable: list[str] | None = None,
) -> tuple[dict, np.ndarray, np.ndarray]:
    """(report, labels (N,) 0/1, calibrated P(PNEUMONIA) (N,)) for every image under
    FOLDER/{NORMAL,PNEUMONIA}, in the folder's sorted order (the same for every model, so two
    models' scores pair case by case).

    Report:
        dict with n, auc, accuracy, sensitivity, specificity, ppv, npv, threshold, model,
        counts, confusion, roc, pr, brier, ece, seconds, and `ci`: 95% intervals
        {"auc": [lo, hi], "sensitivity": [lo, hi], "specificity", "ppv", "npv", "accuracy"}
        (stratified bootstrap, `uncertainty.metric_intervals`; None where undefined) with
        `ci_method` saying how they were made. Also `spec_at_sens95` (specificity at the
        threshold that reaches sensitivity 0.95 on these images: threshold-free, as in the
        cards' shift tables) and, when the file names follow the dataset's (IM-…, NORMAL2-IM-…,
        person…_bacteria/virus_…), `cohorts`: per-cohort rows (`shift.cohort_table`); no file
        name or patient id is reported. Files that cannot be read, and entries named like
        images that are not regular files (a FIFO, a link loop), are left out, counted in
        `unreadable` (their one-line messages, which name the files, go to the list
        UNREADABLE when given, never into the report); every other figure is of the files read.
    Raises:
        DatasetError: no class folders, or no file could be read.
    """
    t0 = time.time()
    samples = list_class_folder(Path(folder))
    skipped = skipped_entries(Path(folder))
    errors: list = []
    x, y = load_arrays(samples, stored.contract, errors=errors)
    if errors:
        failed = {id(s) for s, _ in errors}
        samples = [s for s in samples if id(s) not in failed]
    if not samples:
        raise DatasetError(f"{folder}: none of the {len(errors)} images could be read.")
    p, _ = calibrated_probabilities(stored, x)
    t = stored.threshold if threshold is None else float(threshold)
    out = {"model": stored.name, "data": str(folder), **metrics.summary(y, p, t)}
    out["ci"] = uncertainty.metric_intervals(y, p, t)
    out["spec_at_sens95"] = shift.spec_at_sensitivity(y, p, 0.95) if 0 < y.sum() < len(y) else None
    if cohorts := shift.cohort_table(y, p, [s.path.name for s in samples], t):
        out["cohorts"] = cohorts
    out["ci_method"] = CI_METHOD
    out["unreadable"] = len(errors) + len(skipped)
    if unreadable is not None:
        unreadable.extend([*skipped, *(message for _, message in errors)])
    out.update({"brier": brier(p, y), "ece": ece(p, y), "seconds": round(time.time() - t0, 2)})
    return out, y, p
