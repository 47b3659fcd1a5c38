"""Binary classification metrics at an operating threshold (PNEUMONIA is the positive class).

All probabilities are P(PNEUMONIA) in [0, 1]; labels are 0 NORMAL / 1 PNEUMONIA.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)


def _check(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y).astype(int).ravel()
    p = np.asarray(p, dtype=np.float64).ravel()
    if y.shape != p.shape:
        raise ValueError(f"labels and probabilities differ in length: {y.shape} vs {p.shape}")
    if len(y) and not set(np.unique(y)) <= {0, 1}:
        raise ValueError(f"labels must be 0/1, got {sorted(set(np.unique(y)))}")
    return y, p


def confusion(y, p, threshold: float) -> dict:
    """Counts tp, fp, tn, fn with 'PNEUMONIA' predicted when p >= threshold."""
    y, p = _check(y, p)
    pred = p >= threshold
    return {
        "tp": int(np.sum(pred & (y == 1))),
        "fp": int(np.sum(pred & (y == 0))),
        "tn": int(np.sum(~pred & (y == 0))),
        "fn": int(np.sum(~pred & (y == 1))),
    }


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def operating_point(y, p, threshold: float) -> dict:
    """Sensitivity, specificity, PPV, NPV and accuracy at `threshold` (None when undefined)."""
    c = confusion(y, p, threshold)
    tp, fp, tn, fn = c["tp"], c["fp"], c["tn"], c["fn"]
    return {
        "threshold": float(threshold),
        "sensitivity": _ratio(tp, tp + fn),
        "specificity": _ratio(tn, tn + fp),
        "ppv": _ratio(tp, tp + fp),
        "npv": _ratio(tn, tn + fn),
        "accuracy": _ratio(tp + tn, tp + tn + fp + fn),
        "confusion": c,
    }


def auc(y, p) -> float | None:
    """ROC AUC, or None when only one class is present."""
    y, p = _check(y, p)
    return float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else None


def roc_points(y, p, max_points: int = 200) -> dict:
    """ROC curve as lists fpr, tpr, thresholds (thinned to at most max_points)."""
    y, p = _check(y, p)
    if len(np.unique(y)) < 2:
        return {"fpr": [], "tpr": [], "thresholds": []}
    fpr, tpr, thr = roc_curve(y, p, drop_intermediate=True)
    idx = np.unique(np.linspace(0, len(fpr) - 1, min(max_points, len(fpr))).round().astype(int))
    thr = np.clip(thr[idx], 0.0, 1.0)
    return {"fpr": fpr[idx].tolist(), "tpr": tpr[idx].tolist(), "thresholds": thr.tolist()}


def pr_points(y, p, max_points: int = 200) -> dict:
    """Precision-recall curve as lists precision, recall, and the average precision."""
    y, p = _check(y, p)
    if len(np.unique(y)) < 2:
        return {"precision": [], "recall": [], "average_precision": None}
    prec, rec, _ = precision_recall_curve(y, p)
    idx = np.unique(np.linspace(0, len(prec) - 1, min(max_points, len(prec))).round().astype(int))
    return {
        "precision": prec[idx].tolist(),
        "recall": rec[idx].tolist(),
        "average_precision": float(average_precision_score(y, p)),
    }


def threshold_for_sensitivity(y, p, target: float = 0.97) -> float:
    """Threshold with sensitivity >= target that maximises specificity under that.

    It lies halfway between the lowest positive score still to be flagged and the next lower
    score of any image, so float noise of the order of 1e-6 (re-scoring in graph mode, stored
    decimals) cannot move a case across it.
    """
    y, p = _check(y, p)
    if not 0.0 < target <= 1.0:
        raise ValueError(f"target sensitivity must be in (0, 1], got {target}")
    pos = np.sort(p[y == 1])
    if len(pos) == 0:
        raise ValueError("no PNEUMONIA cases: cannot choose a threshold for sensitivity")
    allowed_misses = int(np.floor((1.0 - target) * len(pos) + 1e-9))
    lowest_flagged = pos[allowed_misses]
    below = p[p < lowest_flagged]
    return float((lowest_flagged + below.max()) / 2 if len(below) else lowest_flagged / 2)


def summary(y, p, threshold: float) -> dict:
    """Everything an evaluation reports: n, per-class counts, AUC, operating point, curves."""
    y, p = _check(y, p)
    out = {
        "n": int(len(y)),
        "counts": {"NORMAL": int(np.sum(y == 0)), "PNEUMONIA": int(np.sum(y == 1))},
        "auc": auc(y, p),
    }
    out.update(operating_point(y, p, threshold))
    out["roc"] = roc_points(y, p)
    out["pr"] = pr_points(y, p)
    return out
