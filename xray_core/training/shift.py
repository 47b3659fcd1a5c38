"""Shifted validation: how a stored model holds when acquisition or cohort changes.

Two views beside the plain validation split (the model's own patient-level split):
  * **perturbed**: every validation image under fixed acquisition perturbations (gamma,
    contrast, blur, noise, crop-and-resize, JPEG re-compression, and one random mix), applied to
    the raw resized gray image before the contract's CLAHE / scaling (`xray_core.training.augment`);
    one fixed seed, so every model sees the same perturbed images;
  * **cohort**: the plain scores split by file-name cohort: `NORMAL2-IM-...` normals (the cohort
    whose specificity drops on the official test split) vs `IM-...` normals, and bacterial vs
    viral pneumonias.

Everything here is pure numpy on scores except `perturbed_scores`, which runs the model.
"""

from __future__ import annotations

import numpy as np

from xray_core.dataset.folders import NORMAL_COHORTS, PNEUMONIA_COHORTS, cohort_of, load_arrays
from xray_core.stats import metrics
from xray_core.stats.calibration import apply_calibration, brier, ece, fit_platt, reliability
from xray_core.training import augment
from xray_core.training.config import AcquisitionPreset

SEED = 20261123
# name -> f(image u8 (s, s), rng) -> u8 (s, s). Values sit at or beyond the "default"
# training preset's edges, so they stay hard for a model trained with it.
VIEWS = {
    "gamma 0.5": lambda x, r: augment.gamma(x, 0.5),
    "gamma 2.0": lambda x, r: augment.gamma(x, 2.0),
    "contrast 0.6": lambda x, r: augment.contrast_brightness(x, 0.6, 0.0),
    "bright +0.15": lambda x, r: augment.contrast_brightness(x, 1.0, 0.15),
    "blur 2.0": lambda x, r: augment.blur(x, 2.0),
    "noise 0.05": lambda x, r: augment.noise(x, 0.05, r),
    "crop 0.75": lambda x, r: augment.crop_resize(x, 0.75, r),
    "jpeg q10": lambda x, r: augment.jpeg(x, 10),
    "mixed": lambda x, r: augment.perturb(x, r, augment.PRESETS[AcquisitionPreset.STRONG]),
}
# Perturbation families absent from the training presets: a fair view for a model trained
# with `--acquisition` (`evaluation.shifted_views` reports them; calibration never sees them).
HELD_OUT_VIEWS = {
    "sharpen": lambda x, r: augment.to_u8(
        2.0 * x.astype(np.float32) - augment.blur(x, 2.0).astype(np.float32)
    ),
    "lowres 0.4": lambda x, r: augment.resize_back(x, 0.4),
}
# The original's aspect ratio (`augment.aspect_change`): "narrow 0.8" is a normal child as an
# original 25% wider would show it (centred crop), the squash that PNEUMONIA originals carry
# here; "shape mixed" gives every image its own change in x0.8-1.25 (random crop), a cohort in
# which the shape says nothing about the label, so its AUC is what is left without the cue.
# Reported by `evaluation.shifted_views`; not in the card's pooled figures (older cards could
# not compare).
NARROW_VIEW = "narrow 0.8"  # the view a card's narrow-anatomy specificity is read from
ASPECT_VIEWS = {
    NARROW_VIEW: lambda x, r: augment.aspect_change(x, 0.8),
    "wide 1.25": lambda x, r: augment.aspect_change(x, 1.25),
    "shape mixed": lambda x, r: augment.aspect_change(
        x, float(np.exp(r.uniform(np.log(0.8), np.log(1.25)))), r
    ),
}
ALL_VIEWS = {**VIEWS, **HELD_OUT_VIEWS, **ASPECT_VIEWS}


def perturb_view(images: np.ndarray, view: str, seed: int = SEED) -> np.ndarray:
    """Apply ALL_VIEWS[view] to each (s, s) uint8 image of (N, s, s), one seeded rng per view."""
    if view not in ALL_VIEWS:
        raise ValueError(f"unknown view {view!r}; valid: {sorted(ALL_VIEWS)}")
    index = sorted(VIEWS).index(view) if view in VIEWS else len(VIEWS) + list(ALL_VIEWS).index(view)
    rng = np.random.default_rng([seed, index])
    return np.stack([ALL_VIEWS[view](im, rng) for im in images])


def perturbed_scores(predict, images: np.ndarray, contract, views=None) -> dict:
    """Raw P(PNEUMONIA) (N,) per view of raw resized gray IMAGES (N, s, s) uint8.

    PREDICT maps a contract batch (N, s, s, C) float32 to (N,) probabilities (e.g.
    `StoredModel.probabilities`); 'plain' is the unperturbed image through the contract
    (identical to `preprocess`).
    """
    out = {"plain": np.asarray(predict(augment.finish(images, contract)), float)}
    for view in views or VIEWS:
        x = augment.finish(perturb_view(images, view), contract)
        out[view] = np.asarray(predict(x), float)
    return out


def sample_view_scores(predict, samples, contract, views=None) -> tuple[dict, np.ndarray]:
    """({view: (N,) raw P(PNEUMONIA)}, y (N,)) for labelled SAMPLES (`data.Sample`): each
    file decoded and resized as CONTRACT wants but before CLAHE, then `perturbed_scores`."""
    x, y = load_arrays(samples, augment.raw_contract(contract))
    return perturbed_scores(predict, augment.unit_to_u8(x), contract, views), y


def spec_at_sensitivity(y, p, target: float = 0.95) -> float | None:
    """Specificity at the threshold that gives sensitivity >= TARGET on (Y, P) itself."""
    t = metrics.threshold_for_sensitivity(y, p, target)
    return metrics.operating_point(y, p, t)["specificity"]


def perturbed_keys(views) -> list[str]:
    """The perturbed views among VIEWS (keys other than 'plain', the held-out families and the
    aspect views)."""
    return [k for k in views if k != "plain" and k not in HELD_OUT_VIEWS and k not in ASPECT_VIEWS]


def view_row(y, p, threshold: float) -> dict:
    """n, AUC, sensitivity / specificity at THRESHOLD, spec at sens 0.95, ECE for one view."""
    op = metrics.operating_point(y, p, threshold)
    return {
        "n": int(len(y)),
        "auc": metrics.auc(y, p),
        "sensitivity": op["sensitivity"],
        "specificity": op["specificity"],
        "spec_at_sens95": spec_at_sensitivity(y, p, 0.95),
        "ece": ece(p, y),
    }


def held_out_pairs(y_val, p_val, p_held, held_label: int) -> tuple[np.ndarray, np.ndarray]:
    """The held-out images (all of class HELD_LABEL) then the validation images of the other
    class: labels (N,) and scores (N,), so AUC and both rates are defined on them."""
    y_val, p_val = np.asarray(y_val), np.asarray(p_val, float)
    other = y_val != held_label
    y = np.concatenate([np.full(len(p_held), held_label), y_val[other]])
    return y, np.concatenate([np.asarray(p_held, float), p_val[other]])


def held_out_cohort_table(y_val, p_val, p_held, held_label: int, threshold: float) -> dict:
    """A model trained without one file-name cohort, on it (calibrated scores in [0, 1]).

    'validation': its own validation split (cohorts seen in training). 'held-out cohort':
    the held-out images (all of class HELD_LABEL) with the validation images of the other
    class, so AUC and both rates are defined; its n counts both parts.
    """
    y_val, p_val = np.asarray(y_val), np.asarray(p_val, float)
    y, p = held_out_pairs(y_val, p_val, p_held, held_label)
    return {
        "validation": view_row(y_val, p_val, threshold),
        "held-out cohort": {**view_row(y, p, threshold), "n_held_out": int(len(p_held))},
    }


def held_out_set_table(y_val, p_val, y_held, p_held, threshold: float) -> dict:
    """A model trained without a set of patients of both classes (an id range), on them
    (calibrated scores in [0, 1]); keys as `held_out_cohort_table`'s."""
    return {
        "validation": view_row(np.asarray(y_val), np.asarray(p_val, float), threshold),
        "held-out cohort": {
            **view_row(np.asarray(y_held), np.asarray(p_held, float), threshold),
            "n_held_out": int(len(p_held)),
        },
    }


def perturbed_table(y, raw: dict[str, np.ndarray], calibration, threshold: float) -> dict:
    """Per-view rows (calibrated), plus 'shifted (pooled)' over the perturbed views (not
    'plain', not the held-out families), 'worst view' (lowest AUC / sensitivity /
    specificity over them) and 'held-out (pooled)' over the held-out families present."""
    y = np.asarray(y)
    cal = {k: apply_calibration(v, calibration) for k, v in raw.items()}
    rows = {k: view_row(y, p, threshold) for k, p in cal.items()}
    shifted = perturbed_keys(cal)
    held = [k for k in cal if k in HELD_OUT_VIEWS]
    if held:
        p_held = np.concatenate([cal[k] for k in held])
        rows["held-out (pooled)"] = view_row(np.tile(y, len(held)), p_held, threshold)
    if shifted:
        pooled_p = np.concatenate([cal[k] for k in shifted])
        rows["shifted (pooled)"] = view_row(np.tile(y, len(shifted)), pooled_p, threshold)
        rows["worst view"] = {
            key: min(rows[k][key] for k in shifted)
            for key in ("auc", "sensitivity", "specificity", "spec_at_sens95")
        }
    return rows


def without_aspect(rows: dict) -> dict:
    """`perturbed_table` ROWS without the aspect views (what a card's `shifted_validation`
    holds)."""
    return {k: v for k, v in rows.items() if k not in ASPECT_VIEWS}


def aspect_rows(rows: dict) -> dict:
    """The plain row and the aspect views of `perturbed_table` ROWS (a card's
    `aspect_views`)."""
    return {k: rows[k] for k in ("plain", *ASPECT_VIEWS) if k in rows}


def cohort_table(y, p, names, threshold: float) -> dict:
    """Per-cohort rows on plain validation (calibrated P): normals by NORMAL2 / IM prefix
    (specificity, AUC against all pneumonias, mean P) and pneumonias by subtype (sensitivity)."""
    y, p = np.asarray(y), np.asarray(p, float)
    cohorts = np.array([cohort_of(n) for n in names])
    pos = y == 1
    rows = {}
    for c in NORMAL_COHORTS:
        neg = (y == 0) & (cohorts == c)
        if not neg.any():
            continue
        keep = neg | pos
        rows[f"NORMAL {c}"] = {
            "n": int(neg.sum()),
            "specificity": float(np.mean(p[neg] < threshold)),
            "auc_vs_all_pneumonia": metrics.auc(y[keep], p[keep]),
            "mean_p": float(p[neg].mean()),
        }
    for c in PNEUMONIA_COHORTS:
        sel = pos & (cohorts == c)
        if sel.any():
            rows[f"PNEUMONIA {c}"] = {
                "n": int(sel.sum()),
                "sensitivity": float(np.mean(p[sel] >= threshold)),
                "mean_p": float(p[sel].mean()),
            }
    return rows


def threshold_rules(y, cal: dict[str, np.ndarray]) -> dict[str, float]:
    """Candidate operating thresholds on calibrated scores per view (CAL has 'plain').

    * plain sens>=0.97 / 0.95: the card's rule, and its 0.95 variant;
    * pooled shifted sens>=0.95: chosen on all perturbed views together;
    * every view sens>=0.95: the lowest per-view threshold, so each view keeps sensitivity.
    """
    y = np.asarray(y)
    shifted = perturbed_keys(cal)
    rules = {
        "plain sens>=0.97": metrics.threshold_for_sensitivity(y, cal["plain"], 0.97),
        "plain sens>=0.95": metrics.threshold_for_sensitivity(y, cal["plain"], 0.95),
    }
    if shifted:
        pooled = np.concatenate([cal[k] for k in shifted])
        rules["pooled shifted sens>=0.95"] = metrics.threshold_for_sensitivity(
            np.tile(y, len(shifted)), pooled, 0.95
        )
        rules["every view sens>=0.95"] = min(
            metrics.threshold_for_sensitivity(y, cal[k], 0.95) for k in ["plain", *shifted]
        )
    return rules


def rule_table(y, cal: dict[str, np.ndarray], names, rules: dict[str, float], held=None) -> dict:
    """For each rule's threshold: sens / spec on plain, pooled shifted and NORMAL2 specificity.

    HELD: optional (calibrated scores, label) of a cohort the model never saw (a model
    trained with a held-out cohort); adds 'held_out', the rate on it at each threshold:
    specificity for normals (label 0), sensitivity for pneumonias (label 1).
    """
    y = np.asarray(y)
    shifted = perturbed_keys(cal)
    out = {}
    for rule, t in rules.items():
        plain = metrics.operating_point(y, cal["plain"], t)
        row = {"threshold": float(t), "plain_sens": plain["sensitivity"]}
        row["plain_spec"] = plain["specificity"]
        if shifted:
            pooled = np.concatenate([cal[k] for k in shifted])
            op = metrics.operating_point(np.tile(y, len(shifted)), pooled, t)
            row.update(shifted_sens=op["sensitivity"], shifted_spec=op["specificity"])
        cohorts = cohort_table(y, cal["plain"], names, t)
        row["spec_NORMAL2"] = cohorts.get("NORMAL NORMAL2", {}).get("specificity")
        if held is not None:
            p_held, label = np.asarray(held[0], float), held[1]
            flagged = float(np.mean(p_held >= t))
            row["held_out"] = flagged if label == 1 else 1.0 - flagged
        out[rule] = row
    return out


def shifted_calibration(y, raw: dict[str, np.ndarray]) -> dict:
    """Platt scaling fitted on plain + every perturbed view pooled (RAW from
    `perturbed_scores`); 'before' / 'after' report the plain view, like
    `calibration.calibration_report`, plus ECE on the pooled perturbed views."""
    y = np.asarray(y)
    shifted = perturbed_keys(raw)
    cal = fit_platt(
        np.concatenate([raw[k] for k in ["plain", *shifted]]), np.tile(y, 1 + len(shifted))
    )
    pooled = np.concatenate([raw[k] for k in shifted]) if shifted else raw["plain"]
    y_pooled = np.tile(y, max(len(shifted), 1))

    def block(p_plain, p_pooled):
        return {
            "ece": ece(p_plain, y),
            "brier": brier(p_plain, y),
            "reliability": reliability(p_plain, y),
            "ece_perturbed": ece(p_pooled, y_pooled),
        }

    after = [apply_calibration(p, cal) for p in (raw["plain"], pooled)]
    return {
        **cal,
        "fitted_on": "validation split + its perturbed views (xray_core.training.shift.VIEWS)",
        "before": block(raw["plain"], pooled),
        "after": block(*after),
    }
