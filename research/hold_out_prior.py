"""How much of a hold-out run's unseen-cohort ECE is the class mix rather than the cohort.

    python -m research.hold_out_prior --run STORE/RUN [--run ...] [--data DIR] [--json OUT]

A run trained with `train --hold-out-cohort` is calibrated on its own validation split (about
74% PNEUMONIA) and judged on the unseen cohort's images plus its validation pneumonias (about
44% PNEUMONIA for NORMAL2; a `lowest-ids` run on its held-out patients alone, about 82%
PNEUMONIA). Calibrated probabilities are right only for the class mix they
were fitted on, so part of that ECE comes from the mix alone. Bayes' rule (`prior_shift`)
moves each probability to the judged set's own mix; the ECE left after that is the cohort's own
miscalibration. An analysis, not a recalibration to ship: it uses the judged set's labels.

`--as-shipped FIT JUDGED` adds a forecast: the probabilities moved to a shipped model's fitted
mix (FIT, 0.742 for every shipped model's validation) and the unseen set subsampled to the
class mix JUDGED (e.g. 0.625, the withheld test split's), mean ECE over
20 draws. Re-scores the unseen cohort (seconds to a minute a run).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def prior_shift(p, from_prevalence: float, to_prevalence: float) -> np.ndarray:
    """Probabilities in (0, 1) fitted at FROM_PREVALENCE, moved to TO_PREVALENCE (Bayes:
    the odds scale by the ratio of the prior odds). Same shape as p."""
    p = np.clip(np.asarray(p, float), 1e-7, 1 - 1e-7)
    ratio = (to_prevalence / (1 - to_prevalence)) / (from_prevalence / (1 - from_prevalence))
    odds = p / (1 - p) * ratio
    return odds / (1 + odds)


def class_mix_split(y, p, fitted_prevalence: float) -> dict:
    """ECE as judged, and after moving P to the judged set's own prevalence."""
    from xray_core.stats.calibration import ece

    y, p = np.asarray(y), np.asarray(p, float)
    prevalence = float(y.mean())
    return {
        "n": int(len(y)),
        "fitted prevalence": fitted_prevalence,
        "judged prevalence": prevalence,
        "ece": ece(p, y),
        "ece, class mix removed": ece(prior_shift(p, fitted_prevalence, prevalence), y),
    }


def subsampled_ece(y, p, prevalence: float, draws: int = 20, seed: int = 0) -> float:
    """Mean ECE over DRAWS random subsets of (y, p) with the class mix PREVALENCE: the larger
    class is cut down, the smaller one kept whole."""
    from xray_core.stats.calibration import ece

    y, p = np.asarray(y), np.asarray(p, float)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    n_neg = round(len(pos) * (1 - prevalence) / prevalence)
    n_pos = len(pos)
    if n_neg > len(neg):
        n_neg, n_pos = len(neg), round(len(neg) * prevalence / (1 - prevalence))
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(draws):
        keep = np.concatenate([rng.choice(pos, n_pos, False), rng.choice(neg, n_neg, False)])
        values.append(ece(p[keep], y[keep]))
    return float(np.mean(values))


def run_split(run: Path, data_root: Path, as_shipped=None) -> dict:
    """Re-score RUN's unseen cohort; `class_mix_split` over it and its validation pneumonias."""
    from xray_core.dataset.folders import load_arrays
    from xray_core.predict.assess import calibrated_probabilities
    from xray_core.predict.validation_scores import held_out_samples, load_scores
    from xray_core.store.catalog import load_model
    from xray_core.training.shift import held_out_pairs

    stored = load_model(run.name, run.parent)
    held = held_out_samples(stored.card, data_root)
    if not held:
        raise SystemExit(f"error: {run} was not trained with --hold-out-cohort")
    scores = load_scores(run.name, run.parent)
    y_val, p_val = np.asarray(scores["labels"]), np.asarray(scores["probabilities"])
    x, y_held = load_arrays(held, stored.contract)
    p_held = calibrated_probabilities(stored, x)[0]
    if len(set(y_held.tolist())) == 2:  # an id range (lowest-ids): judged on its own
        y, p = np.asarray(y_held), np.asarray(p_held, float)
    else:
        y, p = held_out_pairs(y_val, p_val, p_held, int(y_held[0]))
    fitted = float(y_val.mean())
    row = {"run": run.name, **class_mix_split(y, p, fitted)}
    if as_shipped:
        shipped_fit, judged = as_shipped
        row["forecast"] = subsampled_ece(y, prior_shift(p, fitted, shipped_fit), judged)
    return row


def main(argv=None) -> list[dict]:
    from xray_core.config import data_dir

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", action="append", required=True, help="hold-out run folder")
    ap.add_argument("--data", type=Path, default=None, help="dataset root (default: config)")
    ap.add_argument("--as-shipped", nargs=2, type=float, metavar=("FIT", "JUDGED"))
    ap.add_argument("--json", help="write the rows here")
    args = ap.parse_args(argv)
    root = data_dir(args.data)
    if root is None:
        raise SystemExit("error: no dataset: pass --data DIR or set XRAY_DATA_DIR")
    rows = [run_split(Path(r), root, args.as_shipped) for r in args.run]
    extra = f" fitted at {args.as_shipped[0]}, judged at {args.as_shipped[1]} |" * bool(
        args.as_shipped
    )
    print(f"| run | n | fitted / judged prevalence | unseen ECE | ECE, class mix removed |{extra}")
    print("|---" * (5 + bool(args.as_shipped)) + "|")
    for r in rows:
        cells = [
            r["run"],
            str(r["n"]),
            f"{r['fitted prevalence']:.2f} / {r['judged prevalence']:.2f}",
        ]
        cells += [f"{r[k]:.3f}" for k in ("ece", "ece, class mix removed", "forecast") if k in r]
        print("| " + " | ".join(cells) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    return rows


if __name__ == "__main__":
    main()
