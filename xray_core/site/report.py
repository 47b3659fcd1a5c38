"""The site validation report: how the shipped model does on local labelled cases, and the
proposed local operating point.

Figures (labels 0 NORMAL / 1 PNEUMONIA; probabilities P(PNEUMONIA) in [0, 1]):
    * n per class, files left out and why;
    * AUC with its stratified bootstrap 95% CI (`uncertainty.metric_intervals`);
    * sensitivity, specificity, PPV, NPV at the shipped threshold, with CIs;
    * calibration of the shipped probabilities on the local cases (ECE, Brier, reliability);
    * optional local recalibration (Platt on the raw output), fitted on a stratified subset
      of `recalibrate` cases and judged on the held-out rest (or on all, in-sample);
    * the proposed threshold for the target sensitivity (`site.threshold`) with its bootstrap
      CI, and the sensitivity and specificity to expect there, with CIs.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from xray_core.config import CLASS_NAMES
from xray_core.site.threshold import propose_threshold, threshold_interval
from xray_core.stats import metrics
from xray_core.stats.calibration import apply_calibration, brier, ece, fit_platt, reliability
from xray_core.stats.uncertainty import metric_intervals

REPORT_KEYS = (
    "model",
    "model_sha256",
    "n",
    "counts",
    "auc",
    "auc_ci",
    "shipped_threshold",
    "at_shipped_threshold",
    "calibration",
    "proposed_threshold",
    "expected_sensitivity",
    "expected_specificity",
    "summary",
)


def check_report(report) -> dict:
    """Raise ValueError naming what is missing unless `report` is a site report dict."""
    if not isinstance(report, dict):
        raise ValueError(f"a site report is a JSON object, got {type(report).__name__}")
    missing = [k for k in REPORT_KEYS if k not in report]
    if missing:
        raise ValueError(f"not a site report (written by validate-site --json): lacks {missing}")
    return report


def calibration_subset(y, n: int, seed: int = 0) -> np.ndarray:
    """(N,) bool mask choosing n cases, stratified by class (proportional), seeded."""
    y = np.asarray(y).astype(int)
    if not 0 < n < len(y):
        raise ValueError(f"recalibration cases must be in (0, {len(y)}), got {n}")
    rng = np.random.default_rng(seed)
    mask = np.zeros(len(y), bool)
    for c in (0, 1):
        idx = np.flatnonzero(y == c)
        take = int(round(n * len(idx) / len(y)))
        mask[rng.permutation(idx)[:take]] = True
    return mask


def calibration_figures(p, y) -> dict:
    return {
        "n": int(len(y)),
        "ece": ece(p, y),
        "brier": brier(p, y),
        "reliability": reliability(p, y),
    }


def recalibration(raw, y, p_ship, n: int | None, seed: int) -> dict:
    """Platt on raw outputs; fitted on n stratified cases (None: all) and judged on the rest."""
    fit = calibration_subset(y, n, seed) if n else np.ones(len(y), bool)
    held = ~fit if n else fit
    cal = fit_platt(raw[fit], y[fit])
    cal["fitted_on"] = f"site cases (n = {int(fit.sum())})"
    p_new = apply_calibration(raw[held], cal)
    return {
        "calibration": cal,
        "fitted_n": int(fit.sum()),
        "judged_on": "held-out cases" if n else "the same cases (in-sample)",
        "before": calibration_figures(p_ship[held], y[held]),
        "after": calibration_figures(p_new, y[held]),
    }


def _at(y, p, t, intervals: dict) -> dict:
    op = metrics.operating_point(y, p, t)
    out = {"threshold": float(t), "confusion": op["confusion"]}
    for k in ("sensitivity", "specificity", "ppv", "npv", "accuracy"):
        out[k], out[f"{k}_ci"] = op[k], intervals.get(k)
    return out


def _check_cases(y, raw) -> tuple[np.ndarray, np.ndarray]:
    y, raw = np.asarray(y).astype(int).ravel(), np.asarray(raw, float).ravel()
    if y.shape != raw.shape:
        raise ValueError(f"labels and scores differ in length: {y.shape} vs {raw.shape}")
    if len(y) == 0 or y.min() == y.max():
        raise ValueError(
            f"site validation needs labelled cases of both classes; got "
            f"{int((y == 0).sum())} NORMAL and {int((y == 1).sum())} PNEUMONIA."
        )
    return y, raw


def shipped_block(y, p_ship, card: dict, n_resamples: int, seed: int) -> dict:
    """How the shipped model does here: AUC, its operating point, calibration (with CIs)."""
    shipped_t = float(card["threshold"])
    ci = metric_intervals(y, p_ship, shipped_t, n_resamples, seed)
    return {
        "auc": metrics.auc(y, p_ship),
        "auc_ci": ci["auc"],
        "shipped_threshold": shipped_t,
        "at_shipped_threshold": _at(y, p_ship, shipped_t, ci),
        "calibration": calibration_figures(p_ship, y),
    }


def proposal_block(y, p, target: float, confidence: float, n_resamples: int, seed: int) -> dict:
    """The proposed threshold on scale p, its CI, and what to expect there (with CIs)."""
    proposal = propose_threshold(y, p, target, confidence)
    t = proposal["threshold"]
    out = {
        "target_sensitivity": target,
        "confidence": confidence,
        "proposal": proposal,
        "proposal_note": proposal["note"],
        "proposed_threshold": t,
        "proposed_threshold_ci": None,
        "expected_sensitivity": None,
        "expected_specificity": None,
    }
    if t is None:
        return out
    at = _at(y, p, t, metric_intervals(y, p, t, n_resamples, seed))
    return {
        **out,
        "proposed_threshold_ci": threshold_interval(y, p, target, confidence, n_resamples, seed),
        "at_proposed_threshold": at,
        "expected_sensitivity": at["sensitivity"],
        "expected_sensitivity_ci": at["sensitivity_ci"],
        "expected_specificity": at["specificity"],
        "expected_specificity_ci": at["specificity_ci"],
    }


def site_report(
    y,
    raw,
    card: dict,
    *,
    target: float = 0.95,
    confidence: float = 0.95,
    recalibrate: int | bool = False,
    excluded: dict | None = None,
    n_resamples: int = 2000,
    seed: int = 0,
) -> tuple[dict, dict | None]:
    """(report dict, local calibration or None) for labels y and raw outputs raw, (N,) each.

    Args:
        card: the shipped model's card (threshold, calibration, name, model_sha256).
        recalibrate: False; True (fit on all cases); or n, the number of cases to fit on
            (the rest are held out to judge it).
    """
    y, raw = _check_cases(y, raw)
    p_ship = apply_calibration(raw, card.get("calibration"))
    recal = None
    if recalibrate:
        recal = recalibration(raw, y, p_ship, None if recalibrate is True else recalibrate, seed)
    p_op = apply_calibration(raw, recal["calibration"]) if recal else p_ship
    report = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "model": card["name"],
        "model_sha256": card["model_sha256"],
        "n": int(len(y)),
        "counts": {c: int((y == i).sum()) for i, c in enumerate(CLASS_NAMES)},
        "excluded": excluded or {},
        **shipped_block(y, p_ship, card, n_resamples, seed),
        "recalibration": recal,
        "probability_scale": "local recalibration" if recal else "shipped calibration",
        **proposal_block(y, p_op, target, confidence, n_resamples, seed),
    }
    report["summary"] = summary_lines(report)
    return report, (recal["calibration"] if recal else None)


def _pct(v) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}%"


def _auc_ci(ci) -> str:
    if isinstance(ci, str):  # uncertainty.TOO_FEW
        return f" (95% CI: {ci})"
    return "" if not ci else f" (95% CI {ci[0]:.3f}–{ci[1]:.3f})"


def _ci(ci) -> str:
    if isinstance(ci, str):  # uncertainty.TOO_FEW
        return f" (95% CI: {ci})"
    return "" if not ci else f" (95% CI {100 * ci[0]:.1f}–{100 * ci[1]:.1f}%)"


def summary_lines(r: dict) -> list[str]:
    """The report in plain sentences (shown by the CLI, the Site page and the PDF)."""
    s = r["at_shipped_threshold"]
    auc_ci = r["auc_ci"]
    lines = [
        f"{r['n']} labelled local cases ({r['counts']['NORMAL']} NORMAL, "
        f"{r['counts']['PNEUMONIA']} PNEUMONIA); model {r['model']}.",
        f"AUC {r['auc']:.3f}{_auc_ci(auc_ci)}.",
        f"At the shipped threshold {r['shipped_threshold']:.3f}: sensitivity "
        f"{_pct(s['sensitivity'])}{_ci(s['sensitivity_ci'])}, specificity "
        f"{_pct(s['specificity'])}{_ci(s['specificity_ci'])}.",
        f"Calibration on these cases: ECE {r['calibration']['ece']:.3f}.",
    ]
    if r["recalibration"]:
        rc = r["recalibration"]
        lines.append(
            f"Local recalibration fitted on {rc['fitted_n']} cases, judged on "
            f"{rc['judged_on']} (n = {rc['after']['n']}): ECE {rc['before']['ece']:.3f} → "
            f"{rc['after']['ece']:.3f}, Brier {rc['before']['brier']:.3f} → "
            f"{rc['after']['brier']:.3f}."
        )
    if r["proposed_threshold"] is None:
        lines.append(f"No local threshold proposed: {r['proposal_note']}.")
    else:
        lines.append(
            f"Proposed local threshold {r['proposed_threshold']:.3f} ({r['probability_scale']}):"
            f" its sensitivity's {r['confidence']:.0%} lower bound is "
            f"{_pct(r['proposal']['sensitivity_lower_bound'])} ≥ target "
            f"{_pct(r['target_sensitivity'])}; expect sensitivity "
            f"{_pct(r['expected_sensitivity'])}{_ci(r['expected_sensitivity_ci'])} and "
            f"specificity {_pct(r['expected_specificity'])}{_ci(r['expected_specificity_ci'])}"
            " (estimated on the same cases)."
        )
    return lines
