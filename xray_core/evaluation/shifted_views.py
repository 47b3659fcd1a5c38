"""A stored model under shift: perturbed views, file-name cohorts, threshold rules.

`shift_report` scores a model's own patient-level validation split plain, under fixed
acquisition perturbations (`training.shift.VIEWS`, fixed seed) and the aspect views
(`training.shift.ASPECT_VIEWS`: the anatomy narrower, wider, or each image's own shape change,
as differently shaped originals squashed to a square show it), and split by file-name cohort.
A model trained with `--hold-out-cohort` is also scored on that cohort (under each aspect view
too), and every threshold rule chosen on its validation reports the rate it keeps there.
`with_shift_blocks` puts the report on a card: `shifted_validation` (the nine perturbed views,
pooled, as `train --calibration shifted` records it) and `aspect_views`; a hold-out run's
unseen cohort per aspect view goes to its `held_out_cohort`, which `card hold-out` carries to
the shipped model. `python -m xray_core card shift` writes them; `benchmarks.bench_shift`
prints the full tables.
"""

from __future__ import annotations

import time


def shift_report(stored, data_root, views=None) -> dict:
    """Perturbed, cohort and threshold-rule tables for one stored model (calibrated scores)."""
    from xray_core.predict.validation_scores import held_out_samples, validation_samples
    from xray_core.stats.calibration import apply_calibration
    from xray_core.training import shift

    t0 = time.time()
    samples = validation_samples(stored.card, data_root)
    raw, y = shift.sample_view_scores(
        stored.probabilities, samples, stored.contract, views or shift.ALL_VIEWS
    )
    calibration, threshold = stored.card.get("calibration"), stored.threshold
    cal = {k: apply_calibration(v, calibration) for k, v in raw.items()}
    names = [s.path.name for s in samples]
    held, held_views = None, {}
    held_samples = held_out_samples(stored.card, data_root)
    if held_samples:
        cal_held, held_label = held_out_scores(stored, held_samples, views)
        held = (cal_held["plain"], held_label)
        held_views = held_out_view_rows(y, cal, cal_held, held_label, threshold)
    return {
        "model": stored.name,
        "threshold": threshold,
        "perturbed": shift.perturbed_table(y, raw, calibration, threshold),
        "cohorts": shift.cohort_table(y, cal["plain"], names, threshold),
        "rules": shift.rule_table(y, cal, names, shift.threshold_rules(y, cal), held),
        "held_out_cohort": stored.card.training["config"].get("hold_out_cohort"),
        "held_out_views": held_views,
        "seconds": round(time.time() - t0, 1),
    }


def held_out_scores(stored, held_samples, views) -> tuple[dict, int]:
    """Calibrated P(PNEUMONIA) (N,) of the held-out images, 'plain' and under each aspect view
    among VIEWS (each file decoded once), and their class (the cohort holds one)."""
    from xray_core.stats.calibration import apply_calibration
    from xray_core.training import shift

    aspect = [v for v in views or shift.ALL_VIEWS if v in shift.ASPECT_VIEWS]
    if aspect:
        raw, y = shift.sample_view_scores(
            stored.probabilities, held_samples, stored.contract, aspect
        )
    else:
        from xray_core.dataset.folders import load_arrays

        x, y = load_arrays(held_samples, stored.contract)
        raw = {"plain": stored.probabilities(x)}
    calibration = stored.card.get("calibration")
    return {k: apply_calibration(v, calibration) for k, v in raw.items()}, int(y[0])


def held_out_view_rows(y, cal, cal_held, held_label: int, threshold: float) -> dict:
    """The held-out cohort (class HELD_LABEL) with the validation images of the other class,
    plain and under each aspect view in CAL_HELD, both parts under the same view: an unseen
    cohort whose originals were shaped differently. {view: `shift.view_row`}; {} when CAL_HELD
    holds no aspect view."""
    from xray_core.training import shift

    if set(cal_held) <= {"plain"}:
        return {}
    rows = {}
    for view, p_held in cal_held.items():
        yy, pp = shift.held_out_pairs(y, cal[view], p_held, held_label)
        rows[view] = shift.view_row(yy, pp, threshold)
    return rows


def with_shift_blocks(card, report: dict, perturbed: bool, aspect: bool):
    """CARD with REPORT's perturbed table (PERTURBED) and aspect views (ASPECT) stored."""
    from xray_core.training import shift

    if perturbed:
        card = card.updated(shifted_validation=shift.without_aspect(report["perturbed"]))
    if aspect:
        card = card.updated(aspect_views=shift.aspect_rows(report["perturbed"]))
        if report["held_out_views"]:  # a hold-out run: its unseen cohort under each view too
            held = {**card["held_out_cohort"], "aspect_views": report["held_out_views"]}
            card = card.updated(held_out_cohort=held)
    return card


def views_for(perturbed: bool, aspect: bool) -> list[str]:
    """The views a card's blocks need: the perturbed VIEWS and/or the ASPECT_VIEWS."""
    from xray_core.training import shift

    return [*(shift.VIEWS if perturbed else ()), *(shift.ASPECT_VIEWS if aspect else ())]
