"""Review statistics: agreement (Cohen's, Fleiss' kappa), reader AUC from the 1-5 confidence,
and the flips after the AI was revealed. Pure numpy; verdicts are 0 NORMAL / 1 PNEUMONIA.

Intervals: percentile bootstrap over *cases* (readers fixed), seeded and vectorised like
`xray_core.stats.uncertainty` (whose stratified resampling and row-wise AUC are reused here); 95%.
Proportions (sensitivity, specificity) use `uncertainty.wilson_interval`.
"""

from __future__ import annotations

import numpy as np

from xray_core.stats import metrics
from xray_core.stats.uncertainty import CONFIDENCE, N_RESAMPLES, auc_rows, stratified_indices


def _percentile(values: np.ndarray, confidence: float = CONFIDENCE) -> list[float] | None:
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return None
    lo, hi = np.percentile(values, [50 * (1 - confidence), 50 * (1 + confidence)])
    return [float(lo), float(hi)]


def _case_resamples(n: int, n_resamples: int, seed: int) -> np.ndarray:
    """(B, n) plain bootstrap indices over cases (one stratum of `stratified_indices`)."""
    return stratified_indices(np.ones(n, int), n_resamples, seed)


def kappa_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cohen's kappa of every row of two (B, N) 0/1 arrays -> (B,) (NaN where undefined).

    kappa = (p_o - p_e) / (1 - p_e), p_o the observed agreement, p_e the chance agreement
    from each rater's own rate of PNEUMONIA calls.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    po = (a == b).mean(axis=1)
    pa, pb = a.mean(axis=1), b.mean(axis=1)
    pe = pa * pb + (1 - pa) * (1 - pb)
    with np.errstate(invalid="ignore", divide="ignore"):
        k = (po - pe) / (1 - pe)
    return np.where(pe >= 1 - 1e-12, np.nan, k)


def cohen_kappa(a, b, n_resamples: int = N_RESAMPLES, seed: int = 0) -> dict:
    """Cohen's kappa between two raters' 0/1 verdicts on the same N cases, with a 95% CI.

    Returns {"kappa": float | None, "ci": [lo, hi] | None, "n": N}; kappa is None when it is
    undefined (no cases, or both raters gave one and the same verdict throughout).
    """
    a, b = np.asarray(a, int).ravel(), np.asarray(b, int).ravel()
    if a.shape != b.shape:
        raise ValueError(f"raters differ in length: {a.shape} vs {b.shape}")
    if len(a) == 0:
        return {"kappa": None, "ci": None, "n": 0}
    k = float(kappa_rows(a[None], b[None])[0])
    if not np.isfinite(k):
        return {"kappa": None, "ci": None, "n": len(a)}
    idx = _case_resamples(len(a), n_resamples, seed)
    return {"kappa": k, "ci": _percentile(kappa_rows(a[idx], b[idx])), "n": len(a)}


def fleiss_rows(ratings: np.ndarray) -> np.ndarray:
    """Fleiss' kappa for a stack of (B, N, R) 0/1 ratings (N cases, R raters) -> (B,).

    Per case i with n = R ratings and n_ij raters choosing category j:
    P_i = (sum_j n_ij^2 - n) / (n (n - 1)); P = mean P_i; p_j = sum_i n_ij / (N n);
    P_e = sum_j p_j^2; kappa = (P - P_e) / (1 - P_e).
    """
    r = np.asarray(ratings, float)
    n = r.shape[-1]
    pos = r.sum(axis=-1)
    counts = np.stack([n - pos, pos], axis=-1)  # (B, N, 2)
    p_i = ((counts**2).sum(axis=-1) - n) / (n * (n - 1))
    p_bar = p_i.mean(axis=-1)
    p_j = counts.sum(axis=-2) / (r.shape[-2] * n)
    p_e = (p_j**2).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        k = (p_bar - p_e) / (1 - p_e)
    return np.where(p_e >= 1 - 1e-12, np.nan, k)


def fleiss_kappa(ratings, n_resamples: int = N_RESAMPLES, seed: int = 0) -> dict | None:
    """Fleiss' kappa among R >= 2 raters on N cases every rater read: (N, R) 0/1 verdicts.

    Returns {"kappa", "ci", "n_cases", "n_readers"}, or None with fewer than 2 raters.
    """
    r = np.asarray(ratings, int)
    if r.ndim != 2:
        raise ValueError(f"expected (N cases, R raters) verdicts, got shape {r.shape}")
    if r.shape[1] < 2:
        return None
    out = {"kappa": None, "ci": None, "n_cases": int(r.shape[0]), "n_readers": int(r.shape[1])}
    if r.shape[0] == 0:
        return out
    k = float(fleiss_rows(r[None])[0])
    if np.isfinite(k):
        idx = _case_resamples(r.shape[0], n_resamples, seed)
        out.update(kappa=k, ci=_percentile(fleiss_rows(r[idx])))
    return out


def reader_average_auc(
    truth, unaided, aided, n_resamples: int = N_RESAMPLES, seed: int = 0
) -> dict | None:
    """Reader-average AUC unaided vs aided, and their difference, with bootstrap CIs over cases.

    Args:
        truth: (N,) 0/1. unaided, aided: (R, N) confidences 1-5 of R readers on the same N
            cases (every reader read every case in both phases: the fully crossed design).
    Returns:
        {"unaided": {"auc", "ci"}, "aided": {...}, "difference": {"auc", "ci"}, "n_cases",
        "n_readers"}; a stratified bootstrap (same case resamples for both phases, so the
        difference is paired). None without both classes or readers.
    """
    y = np.asarray(truth, int).ravel()
    u, a = np.atleast_2d(np.asarray(unaided, float)), np.atleast_2d(np.asarray(aided, float))
    if u.shape != a.shape or u.shape[1] != len(y):
        raise ValueError(f"shapes differ: truth {y.shape}, unaided {u.shape}, aided {a.shape}")
    if len(y) == 0 or y.min() == y.max() or u.shape[0] == 0:
        return None
    idx = stratified_indices(y, n_resamples, seed)
    y_rows = y[idx]

    def mean_auc(conf: np.ndarray) -> tuple[float, np.ndarray]:
        point = float(np.mean([metrics.auc(y, c) for c in conf]))
        return point, np.mean([auc_rows(y_rows, c[idx]) for c in conf], axis=0)

    (pu, bu), (pa, ba) = mean_auc(u), mean_auc(a)
    return {
        "unaided": {"auc": pu, "ci": _percentile(bu)},
        "aided": {"auc": pa, "ci": _percentile(ba)},
        "difference": {"auc": pa - pu, "ci": _percentile(ba - bu)},
        "n_cases": len(y),
        "n_readers": int(u.shape[0]),
    }


def flips(unaided, aided, truth=None, ai=None) -> dict:
    """How verdicts changed once the AI was shown, over N paired reads (0/1 arrays).

    Returns {"n": N, "changed": .., "toward_truth": wrong -> right, "away_from_truth": right ->
    wrong, "toward_ai": changed to the AI's verdict, "away_from_ai": changed away from it};
    the truth counts are None without truth (pass None or NaN for unknown cases: they count
    only in "changed"), the AI counts None without AI verdicts (likewise).
    """
    u, a = np.asarray(unaided, int).ravel(), np.asarray(aided, int).ravel()
    changed = u != a
    out: dict = {"n": len(u), "changed": int(changed.sum())}
    for key, ref in (("truth", truth), ("ai", ai)):
        if ref is None:
            out[f"toward_{key}"] = out[f"away_from_{key}"] = None
            continue
        r = np.asarray(ref, float).ravel()
        known = np.isfinite(r)
        out[f"toward_{key}"] = int((changed & known & (a == r)).sum())
        out[f"away_from_{key}"] = int((changed & known & (u == r)).sum())
    return out
