"""The proposed local threshold: cautious when the sample is small.

Rule: flag the fewest PNEUMONIA cases k (highest scores first) such that the one-sided
Clopper-Pearson lower confidence bound of sensitivity, LB(k, n_pos), is at least the target;
the threshold lies halfway between the k-th highest positive score and the next lower score
of any case (the robust placement of `metrics.threshold_for_sensitivity`). It is the highest
threshold whose sensitivity's lower bound meets the target, so the true sensitivity at it is
>= target with probability >= the confidence level (tests check this on synthetic scores).
With too few positives no threshold can meet the bound: at least
ceil(ln(1 - confidence) / ln(target)) are needed (59 for 0.95 at 95%).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import beta

from xray_core.stats.uncertainty import stratified_indices


def cp_lower(k, n: int, confidence: float = 0.95) -> np.ndarray:
    """One-sided Clopper-Pearson lower bound for k successes of n, elementwise; 0 at k = 0."""
    k = np.asarray(k, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        lb = beta.ppf(1.0 - confidence, k, n - k + 1)
    return np.where(k > 0, lb, 0.0)


def min_positives(target: float, confidence: float = 0.95) -> int:
    """Fewest positives for which flagging all of them can meet the bound."""
    return int(math.ceil(math.log(1.0 - confidence) / math.log(target) - 1e-12))


def _check(y, p, target: float, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y).astype(int).ravel()
    p = np.asarray(p, dtype=np.float64).ravel()
    if y.shape != p.shape:
        raise ValueError(f"labels and scores differ in length: {y.shape} vs {p.shape}")
    if not 0.0 < target < 1.0:
        raise ValueError(f"target sensitivity must be in (0, 1), got {target}")
    if not 0.5 <= confidence < 1.0:
        raise ValueError(f"confidence must be in [0.5, 1), got {confidence}")
    return y, p


def flagged_needed(n_pos: int, target: float, confidence: float) -> int | None:
    """Fewest flagged positives k with LB(k, n_pos) >= target, or None when none is enough."""
    if n_pos == 0:
        return None
    ok = np.flatnonzero(cp_lower(np.arange(1, n_pos + 1), n_pos, confidence) >= target)
    return int(ok[0]) + 1 if ok.size else None


def _placed(lowest: float, others: np.ndarray) -> float:
    below = others[others < lowest]
    return float((lowest + below.max()) / 2 if below.size else lowest / 2)


def propose_threshold(y, p, target: float = 0.95, confidence: float = 0.95) -> dict:
    """The proposal for scores p (P(PNEUMONIA), (N,)) and labels y (0/1, (N,)).

    Returns:
        {"threshold": float | None, "target", "confidence", "n_positive", "flagged_positives",
        "sensitivity" (observed at the threshold), "sensitivity_lower_bound",
        "min_positives", "note" (why None, else "")}.
    """
    y, p = _check(y, p, target, confidence)
    pos = np.sort(p[y == 1])[::-1]
    n_pos, need = len(pos), min_positives(target, confidence)
    k = flagged_needed(n_pos, target, confidence)
    out = {"target": target, "confidence": confidence, "n_positive": n_pos, "min_positives": need}
    if k is None:
        note = (
            f"{n_pos} PNEUMONIA cases are too few to show sensitivity >= {target:g} with "
            f"{confidence:.0%} confidence; at least {need} are needed"
        )
        return {
            **out,
            "threshold": None,
            "flagged_positives": None,
            "sensitivity": None,
            "sensitivity_lower_bound": None,
            "note": note,
        }
    t = _placed(pos[k - 1], p)
    flagged = int(np.sum(pos >= t))
    return {
        **out,
        "threshold": t,
        "flagged_positives": flagged,
        "sensitivity": flagged / n_pos,
        "sensitivity_lower_bound": float(cp_lower(flagged, n_pos, confidence)),
        "note": "",
    }


def threshold_interval(
    y, p, target: float, confidence: float = 0.95, n_resamples: int = 2000, seed: int = 0
) -> list[float] | None:
    """95% stratified-bootstrap percentile interval of the proposed threshold (the same rule
    on each resample; resamples keep the class counts, so k is the same)."""
    y, p = _check(y, p, target, confidence)
    k = flagged_needed(int(y.sum()), target, confidence)
    if k is None:
        return None
    idx = stratified_indices(y, n_resamples, seed)  # positives first in every row
    rows = p[idx]
    n_pos = int(y.sum())
    lowest = -np.sort(-rows[:, :n_pos], axis=1)[:, k - 1]
    below = np.where(rows < lowest[:, None], rows, -np.inf).max(axis=1)
    t = np.where(np.isfinite(below), (lowest + below) / 2, lowest / 2)
    lo, hi = np.percentile(t, [2.5, 97.5])
    return [float(lo), float(hi)]
