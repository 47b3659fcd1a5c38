"""Would normalising each image's grey levels at test time close the gap on an unseen cohort?

    python -m research.test_time_normalisation --run STORE/RUN [--data DIR] [--json OUT]

RUN is a model trained with `train --hold-out-cohort NORMAL2` (it never saw that cohort).
Each normalisation below is applied to the 224 px grey image *before* the contract's CLAHE,
on both the run's own validation split and the unseen cohort; Platt calibration and the
threshold (validation sensitivity >= 0.95) are refitted under each normalisation, as a
retrained model would have them. Reported per normalisation: validation AUC, unseen-cohort
AUC, specificity at the threshold and at sensitivity 0.95, and the share of unseen normals
flagged. A probe of the weights as trained (no retraining): a normalisation that helps here
is worth training with; one that does not is unlikely to.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

PERCENTILES = (1.0, 99.0)
TARGET_MEAN, TARGET_STD = 128.0, 55.0


def none(image: np.ndarray) -> np.ndarray:
    """The image as the contract reads it: (H, W) uint8 unchanged."""
    return image


def equalise(image: np.ndarray) -> np.ndarray:
    """Global histogram equalisation: (H, W) uint8 -> (H, W) uint8 with a flat histogram."""
    return cv2.equalizeHist(image)


def stretch(image: np.ndarray) -> np.ndarray:
    """The 1st to 99th percentile of grey levels stretched to [0, 255], (H, W) uint8."""
    lo, hi = np.percentile(image, PERCENTILES)
    if hi <= lo:
        return image
    out = (image.astype(np.float32) - lo) * (255.0 / (hi - lo))
    return np.clip(out, 0, 255).astype(np.uint8)


def standardise(image: np.ndarray) -> np.ndarray:
    """Grey levels moved to mean 128 and standard deviation 55, clipped to uint8."""
    x = image.astype(np.float32)
    sd = float(x.std()) or 1.0
    out = (x - float(x.mean())) / sd * TARGET_STD + TARGET_MEAN
    return np.clip(out, 0, 255).astype(np.uint8)


def match_to(reference_cdf: np.ndarray):
    """A normalisation mapping each image's grey-level CDF onto REFERENCE_CDF (256,)."""

    def matched(image: np.ndarray) -> np.ndarray:
        hist = np.bincount(image.ravel(), minlength=256).astype(np.float64)
        cdf = np.cumsum(hist) / hist.sum()
        lut = np.searchsorted(reference_cdf, cdf).clip(0, 255).astype(np.uint8)
        return lut[image]

    return matched


def mean_cdf(images: list[np.ndarray]) -> np.ndarray:
    """The mean grey-level CDF (256,) of uint8 images, each image weighted equally."""
    cdfs = []
    for image in images:
        hist = np.bincount(image.ravel(), minlength=256).astype(np.float64)
        cdfs.append(np.cumsum(hist) / hist.sum())
    return np.mean(cdfs, axis=0)


def scores(stored, samples, contract, normalise) -> np.ndarray:
    """Raw P(PNEUMONIA) (N,) of SAMPLES with NORMALISE applied before the contract's CLAHE."""
    from xray_core.io.contract import preprocess
    from xray_core.io.decode import load_image

    x = np.stack([preprocess(normalise(load_image(s.path)), contract) for s in samples])
    return stored.probabilities(x.astype(np.float32))


def row(y_val, raw_val, raw_held, held_label: int) -> dict:
    """Figures of one normalisation, with Platt and threshold refitted on validation."""
    from xray_core.stats import metrics
    from xray_core.stats.calibration import apply_calibration, fit_platt
    from xray_core.training.shift import held_out_cohort_table

    cal = fit_platt(raw_val, y_val)
    p_val, p_held = apply_calibration(raw_val, cal), apply_calibration(raw_held, cal)
    threshold = metrics.threshold_for_sensitivity(y_val, p_val, 0.95)
    table = held_out_cohort_table(y_val, p_val, p_held, held_label, threshold)
    held = table["held-out cohort"]
    return {
        "validation auc": table["validation"]["auc"],
        "unseen auc": held["auc"],
        "unseen specificity": held["specificity"],
        "unseen spec @ sens 0.95": held["spec_at_sens95"],
        "unseen sensitivity": held["sensitivity"],
        "unseen normals flagged": float(np.mean(p_held >= threshold)),
        "unseen ece": held["ece"],
    }


def main(argv=None) -> int:

    from xray_core.config import data_dir
    from xray_core.dataset.folders import (
        find_splits,
        list_class_folder,
        split_by_patient,
        split_cohort,
        train_cohort,
    )
    from xray_core.io.decode import load_image
    from xray_core.store.card import split_seed
    from xray_core.store.catalog import load_model
    from xray_core.training.config import TrainConfig

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, required=True, help="a hold-out run's folder")
    ap.add_argument("--data", type=Path, default=None, help="the dataset root")
    ap.add_argument("--json", type=Path, default=None, help="write the table here")
    args = ap.parse_args(argv)

    root = args.data or data_dir()
    stored = load_model(args.run.name, args.run.parent)
    config = stored.card.training["config"]
    cfg = TrainConfig.from_dict(config)
    if not cfg.hold_out_cohort:
        raise SystemExit(f"{args.run}: not trained with --hold-out-cohort")
    samples, _ = split_cohort(list_class_folder(find_splits(root)["train"]), cfg.hold_out_cohort)
    train, val = split_by_patient(samples, cfg.val_fraction, split_seed(cfg.to_dict()))
    held = train_cohort(root, cfg.hold_out_cohort)
    y_val = np.array([s.label for s in val])
    held_label = int(held[0].label)
    rng = np.random.default_rng(0)
    reference = mean_cdf([load_image(s.path) for s in rng.permutation(train)[:400]])
    methods = {
        "none": none,
        "global equalisation": equalise,
        "percentile stretch": stretch,
        "mean/sd standardised": standardise,
        "matched to training histogram": match_to(reference),
    }
    table = {}
    for name, normalise in methods.items():
        raw_val = scores(stored, val, stored.contract, normalise)
        raw_held = scores(stored, held, stored.contract, normalise)
        table[name] = row(y_val, raw_val, raw_held, held_label)
        print(name, json.dumps({k: round(v, 4) for k, v in table[name].items()}), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"run": args.run.name, "rows": table}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
