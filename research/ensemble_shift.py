"""Do several runs averaged beat the best one? AUC of each model alone and of their logit mean,
on plain and perturbed validation views.

    python -m research.ensemble_shift --model ENTRY ENTRY ... [--json OUT]

ENTRY is a store entry name (the project's `model_store/`) or a store entry folder holding
card.json (e.g. seeds trained with `train --out DIR`). Every model must share the validation
split (same `--split-seed`) and the image contract. Views are
`xray_core.training.shift.ALL_VIEWS`;
'pooled' is the 9 training-family views concatenated, as in the cards' shifted validation.
When every model is a hold-out run of the same `--hold-out-cohort`, an 'unseen cohort' row
adds the images they never saw, judged as the cards judge them (`shift.held_out_pairs` for a
one-class cohort, the patients alone for `lowest-ids`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from xray_core.config import data_dir
from xray_core.predict.validation_scores import validation_samples
from xray_core.stats.calibration import logit
from xray_core.store.catalog import load_model
from xray_core.store.files import CARD_FILE
from xray_core.store.lite import with_runtime
from xray_core.training import shift

POOLED = "pooled (9 views)"
UNSEEN = "unseen cohort"


def ensemble_table(
    scores: list[dict], y: np.ndarray, pooled_views, labels: dict | None = None
) -> dict:
    """{view: {"singles": [AUC per model], "ensemble": AUC of the mean logit}}.

    SCORES: one {view: (N,) P(PNEUMONIA) in [0, 1]} per model, on the same images; Y (N,) 0/1.
    LABELS: {view: (M,) 0/1} for a view on other images than Y's (the unseen cohort).
    Adds POOLED over POOLED_VIEWS (each view's images stacked).
    """
    labels = labels or {}
    views = list(scores[0]) + [POOLED]
    out = {}
    for view in views:
        keys = list(pooled_views) if view == POOLED else [view]
        yy = np.concatenate([labels.get(k, y) for k in keys])
        members = [np.concatenate([s[k] for k in keys]) for s in scores]
        mean_logit = np.mean([logit(m, eps=1e-7) for m in members], axis=0)
        out[view] = {
            "singles": [float(roc_auc_score(yy, m)) for m in members],
            "ensemble": float(roc_auc_score(yy, mean_logit)),
        }
    return out


def load_entry(entry: str):
    """A StoredModel on the TFLite runtime from a store name or an entry folder."""
    path = Path(entry)
    if (path / CARD_FILE).is_file():
        return with_runtime(load_model(path.name, path.parent), "lite")
    return with_runtime(load_model(entry), "lite")


def model_scores(stored, root: Path) -> tuple[dict, np.ndarray]:
    """({view: (N,) raw P(PNEUMONIA)}, y (N,)) on the model's own validation split."""
    samples = validation_samples(stored.card, root)
    views = list(shift.ALL_VIEWS)
    return shift.sample_view_scores(stored.probabilities, samples, stored.contract, views)


def unseen_scores(stored, root: Path, y_val, p_val) -> tuple[np.ndarray, np.ndarray]:
    """(labels, raw P(PNEUMONIA)) on the unseen cohort of a hold-out run, judged as its card
    judges it: a one-class cohort paired with validation's other class, an id range alone."""
    from xray_core.dataset.folders import load_arrays
    from xray_core.predict.validation_scores import held_out_samples

    x, y_held = load_arrays(held_out_samples(stored.card, root), stored.contract)
    p_held = stored.probabilities(x)
    if len(set(y_held.tolist())) == 2:
        return y_held, p_held
    return shift.held_out_pairs(y_val, p_val, p_held, int(y_held[0]))


def hold_out_of(stored) -> str | None:
    return stored.card.training["config"].get("hold_out_cohort")


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", nargs="+", required=True, help="store names or entry folders")
    ap.add_argument("--data", help="dataset root (default: the configured one)")
    ap.add_argument("--json", help="write the table here")
    args = ap.parse_args(argv)
    root = data_dir(args.data)
    if root is None or not Path(root).is_dir():
        raise SystemExit(f"error: dataset not found at {root}: pass --data or set $XRAY_DATA_DIR")
    models = [load_entry(entry) for entry in args.model]
    held = {hold_out_of(m) for m in models}
    unseen = len(held) == 1 and None not in held
    scores, labels, extra = [], None, {}
    for entry, stored in zip(args.model, models):
        s, y = model_scores(stored, root)
        if labels is not None and not np.array_equal(y, labels):
            raise SystemExit(
                f"error: {entry} has another validation split (train with the same --split-seed)"
            )
        if unseen:
            extra[UNSEEN], s[UNSEEN] = unseen_scores(stored, root, y, s["plain"])
        scores.append(s)
        labels = y
    out = ensemble_table(scores, labels, shift.VIEWS, extra)
    for view, row in out.items():
        singles = " ".join(f"{a:.4f}" for a in row["singles"])
        print(f"{view:18s} singles {singles}  ensemble {row['ensemble']:.4f}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n")
    return out


if __name__ == "__main__":
    main()
