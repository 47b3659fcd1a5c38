"""Probability calibration: Platt scaling on the logit, ECE, Brier score, reliability bins.

Calibrated p = sigmoid(a * logit(p_raw) + b); a, b fitted on validation by log-loss.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-7


def logit(p: np.ndarray, eps: float = EPS) -> np.ndarray:
    """log(p / (1 - p)) as float64, with p clipped to [eps, 1 - eps] (the one logit)."""
    p = np.clip(np.asarray(p, dtype=np.float64), eps, 1 - eps)
    return np.log(p / (1 - p))


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)) as float64, in [0, 1]."""
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def fit_platt(p_raw, y) -> dict:
    """Fit a, b minimising the log-loss of sigmoid(a * logit(p_raw) + b) against labels y."""
    # Imported here: SciPy's optimiser costs about a second to import, and every verdict
    # (apply_calibration) and the app's first frame import this module.
    from scipy.optimize import minimize

    z, y = logit(p_raw).ravel(), np.asarray(y, dtype=np.float64).ravel()

    def nll(params):
        q = np.clip(sigmoid(params[0] * z + params[1]), EPS, 1 - EPS)
        return -np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))

    res = minimize(
        nll, x0=np.array([1.0, 0.0]), method="L-BFGS-B", bounds=[(0.01, 100.0), (-20.0, 20.0)]
    )
    return {"method": "platt", "a": float(res.x[0]), "b": float(res.x[1])}


def apply_calibration(p_raw, calibration: dict | None) -> np.ndarray:
    """Map raw probabilities through the card's calibration (identity when None)."""
    p_raw = np.asarray(p_raw, dtype=np.float64)
    if not calibration:
        return p_raw
    return sigmoid(calibration["a"] * logit(p_raw) + calibration["b"])


def brier(p, y) -> float:
    """Mean squared error between probability and outcome, in [0, 1]; lower is better."""
    p, y = np.asarray(p, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
    return float(np.mean((p - y) ** 2))


def reliability(p, y, bins: int = 10) -> dict:
    """Equal-width bins over [0, 1]: mean predicted, observed frequency and count per bin."""
    p, y = np.asarray(p, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
    idx = np.minimum((p * bins).astype(int), bins - 1)
    out = {"mean_predicted": [], "observed": [], "count": []}
    for b in range(bins):
        m = idx == b
        out["count"].append(int(m.sum()))
        out["mean_predicted"].append(float(p[m].mean()) if m.any() else None)
        out["observed"].append(float(y[m].mean()) if m.any() else None)
    return out


def ece(p, y, bins: int = 10) -> float:
    """Expected calibration error: count-weighted |observed - predicted| over bins, in [0, 1]."""
    r = reliability(p, y, bins)
    n = sum(r["count"])
    return (
        float(
            sum(
                c * abs(o - m)
                for c, o, m in zip(r["count"], r["observed"], r["mean_predicted"])
                if c
            )
            / n
        )
        if n
        else 0.0
    )


def calibration_report(p_raw, y) -> dict:
    """Fit calibration and report ECE, Brier and reliability before and after."""
    cal = fit_platt(p_raw, y)
    p_cal = apply_calibration(p_raw, cal)
    return {
        **cal,
        "fitted_on": "validation split",
        "before": {
            "ece": ece(p_raw, y),
            "brier": brier(p_raw, y),
            "reliability": reliability(p_raw, y),
        },
        "after": {
            "ece": ece(p_cal, y),
            "brier": brier(p_cal, y),
            "reliability": reliability(p_cal, y),
        },
    }
