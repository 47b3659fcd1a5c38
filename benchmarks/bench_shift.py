"""Shifted validation of stored models: perturbed views, file-name cohorts, threshold rules.

    python -m benchmarks.bench_shift [--model NAME ...] [--json artifacts/shift.json] [--write-card]

Each model is scored on its own patient-level validation split (plain), on the same images
under fixed acquisition perturbations (`xray_core.training.shift.VIEWS`, fixed seed), and split by
file-name cohort. A model trained with `--hold-out-cohort` is also scored on that cohort,
and every threshold rule chosen on its validation reports the rate it keeps there.
Prints one table per model; ~1-3 min per model on the 2-core CPU. `--write-card` stores the
perturbed table in the card's `shifted_validation` (what `train --calibration shifted` records:
the nine `shift.VIEWS`, pooled), so the Model card and Compare pages show it for a model
trained without it. `--write-aspect` stores the plain row and the `shift.ASPECT_VIEWS` (the
anatomy narrower, wider, or each image's own shape change, as differently shaped originals
squashed to a square show it) in the card's `aspect_views`. For a model trained with
`--hold-out-cohort` and aspect views asked for, the held-out cohort is also scored under each
aspect view (an unseen cohort whose originals were shaped differently); `--write-aspect` stores
those rows in its card's `held_out_cohort` as `aspect_views`, which `python -m xray_core card
hold-out` carries to the shipped model's card.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def fmt(v) -> str:
    return "   -  " if v is None else f"{v:6.3f}" if isinstance(v, float) else f"{v:6d}"


def print_rows(title: str, rows: dict, keys: tuple[str, ...]) -> None:
    print(f"\n{title}\n{'':28s}" + " ".join(f"{k[:14]:>14s}" for k in keys))
    for name, row in rows.items():
        print(f"{name:28s}" + " ".join(f"{fmt(row.get(k)):>14s}" for k in keys))


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


def main(argv=None) -> list[dict]:
    from xray_core import config
    from xray_core.store.catalog import list_models, load_model, write_card
    from xray_core.training import shift

    ap = argparse.ArgumentParser()
    ap.add_argument("--model", nargs="*", help="model names (default: every stored model)")
    ap.add_argument("--json")
    ap.add_argument("--views", nargs="*", help="only these views (default: all, held-out too)")
    ap.add_argument(
        "--write-card", action="store_true", help="store the perturbed table in card.json"
    )
    ap.add_argument(
        "--write-aspect", action="store_true", help="store the aspect views in card.json"
    )
    args = ap.parse_args(argv)
    if (args.write_card or args.write_aspect) and args.views:
        ap.error("--write-card / --write-aspect record their own views; drop --views")
    views = args.views
    if args.write_card or args.write_aspect:
        views = [
            *(shift.VIEWS if args.write_card else ()),
            *(shift.ASPECT_VIEWS if args.write_aspect else ()),
        ]
    reports = []
    for name in args.model or list_models():
        stored = load_model(name)
        r = shift_report(stored, config.data_dir(), views)
        card = stored.card
        if args.write_card:
            card = card.updated(shifted_validation=shift.without_aspect(r["perturbed"]))
        if args.write_aspect:
            card = card.updated(aspect_views=shift.aspect_rows(r["perturbed"]))
            if r["held_out_views"]:  # a hold-out run: its unseen cohort under each view too
                held = {**card["held_out_cohort"], "aspect_views": r["held_out_views"]}
                card = card.updated(held_out_cohort=held)
        if args.write_card or args.write_aspect:
            write_card(name, card)
        print(f"\n=== {name} (threshold {r['threshold']:.3f}, {r['seconds']} s)")
        keys = ("n", "auc", "sensitivity", "specificity", "spec_at_sens95", "ece")
        print_rows("perturbed validation", r["perturbed"], keys)
        keys = ("n", "specificity", "sensitivity", "auc_vs_all_pneumonia", "mean_p")
        print_rows("cohorts (plain validation)", r["cohorts"], keys)
        keys = ("threshold", "plain_sens", "plain_spec", "shifted_sens", "shifted_spec")
        held = ("held_out",) if r["held_out_cohort"] else ()
        print_rows("threshold rules", r["rules"], (*keys, "spec_NORMAL2", *held))
        if held:
            print(f"held_out: the rate on the held-out {r['held_out_cohort']} cohort")
        if r["held_out_views"]:
            keys = ("n", "auc", "sensitivity", "specificity", "spec_at_sens95", "ece")
            title = f"held-out {r['held_out_cohort']} cohort (+ other class of validation) per view"
            print_rows(title, r["held_out_views"], keys)
        reports.append(r)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(reports, f, indent=2)
    return reports


if __name__ == "__main__":
    main()
