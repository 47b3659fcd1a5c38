"""Shifted validation of stored models: perturbed views, file-name cohorts, threshold rules.

    python -m benchmarks.bench_shift [--model NAME ...] [--views VIEW ...] [--json OUT]

Each model is scored on its own patient-level validation split (plain), on the same images
under fixed acquisition perturbations (`xray_core.training.shift.VIEWS`, fixed seed), and split by
file-name cohort. A model trained with `--hold-out-cohort` is also scored on that cohort,
and every threshold rule chosen on its validation reports the rate it keeps there.
Prints one table per model; ~1-3 min per model on the 2-core CPU
(`xray_core.evaluation.shifted_views.shift_report`). The card's blocks are written by the
product: `python -m xray_core card shift --model NAME --write`.
"""

from __future__ import annotations

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def fmt(v) -> str:
    return "   -  " if v is None else f"{v:6.3f}" if isinstance(v, float) else f"{v:6d}"


def print_rows(title: str, rows: dict, keys: tuple[str, ...]) -> None:
    print(f"\n{title}\n{'':28s}" + " ".join(f"{k[:14]:>14s}" for k in keys))
    for name, row in rows.items():
        print(f"{name:28s}" + " ".join(f"{fmt(row.get(k)):>14s}" for k in keys))


def main(argv=None) -> list[dict]:
    from xray_core import config
    from xray_core.evaluation.shifted_views import shift_report
    from xray_core.store.catalog import list_models, load_model

    ap = argparse.ArgumentParser()
    ap.add_argument("--model", nargs="*", help="model names (default: every stored model)")
    ap.add_argument("--json")
    ap.add_argument("--views", nargs="*", help="only these views (default: all, held-out too)")
    args = ap.parse_args(argv)
    reports = []
    for name in args.model or list_models():
        r = shift_report(load_model(name), config.data_dir(), args.views)
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
