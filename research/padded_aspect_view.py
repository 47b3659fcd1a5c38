"""A narrow-anatomy view that no training preset imitates: the image widened by padding.

    python -m research.padded_aspect_view --model NAME [NAME ...] [--external DIR] [--json OUT]

The cards' "narrow 0.8" view (`xray_core.training.shift.ASPECT_VIEWS`) narrows the anatomy by
cropping a band of rows and stretching it back, the same operation as the `shape` presets'
aspect change, so a model trained on those presets has seen it. This view instead pads the
raw resized image on both sides to 1.25x its width (mirrored, or with the image's darkest
percentile) and squashes it back: the anatomy 20% narrower, as a wider original would show
it, with side content no preset makes. For each store entry NAME (the store is
$XRAY_MODEL_STORE or model_store/): AUC and specificity at the shipped threshold on its
validation split, plain and under the three narrow views; where DIR holds NAME.json (the
withheld split's `evaluate --json`, display only), its test specificity, and over all such
models each view's Spearman correlation with it and the line test ~ a + b x view.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from research.test_split_proxies import rank_correlation

PAD = 0.25  # extra width, as a fraction of the original width: anatomy x 1 / 1.25 = 0.8
VIEWS = ("plain", "narrow 0.8", "narrow 0.8 mirrored pad", "narrow 0.8 dark pad")


def pad_narrow(image: np.ndarray, dark: bool) -> np.ndarray:
    """(s, s) uint8 -> (s, s) uint8: padded left and right to (1 + PAD) x the width (mirrored,
    or with the image's 1st-percentile grey when DARK: the training preset's
    `augment.pad_aspect_change`), then squash-resized back."""
    from xray_core.training.augment import pad_aspect_change

    if dark:
        return pad_aspect_change(image, 1 / (1 + PAD))
    h, w = image.shape
    side = int(round(w * PAD / 2))
    wide = cv2.copyMakeBorder(image, 0, 0, side, side, cv2.BORDER_REFLECT_101)
    return cv2.resize(wide, (w, h), interpolation=cv2.INTER_AREA)


def model_rows(name: str, data=None) -> dict:
    """{view: {"auc", "specificity", "sensitivity"}} on NAME's validation split, at its
    shipped threshold (calibrated probabilities, as the card reads them)."""
    from xray_core import config
    from xray_core.dataset.folders import load_arrays
    from xray_core.predict.validation_scores import validation_samples
    from xray_core.stats import metrics
    from xray_core.stats.calibration import apply_calibration
    from xray_core.store.catalog import load_model
    from xray_core.training import augment, shift

    stored = load_model(name)
    samples = validation_samples(stored.card, config.data_dir(data))
    x, y = load_arrays(samples, augment.raw_contract(stored.contract))
    raw = augment.unit_to_u8(x)
    images = {
        "plain": raw,
        "narrow 0.8": shift.perturb_view(raw, shift.NARROW_VIEW),
        "narrow 0.8 mirrored pad": np.stack([pad_narrow(im, dark=False) for im in raw]),
        "narrow 0.8 dark pad": np.stack([pad_narrow(im, dark=True) for im in raw]),
    }
    out = {}
    for view, ims in images.items():
        p = stored.probabilities(augment.finish(ims, stored.contract))
        cal = apply_calibration(np.asarray(p, float), stored.card.get("calibration"))
        op = metrics.operating_point(y, cal, stored.threshold)
        out[view] = {
            "auc": metrics.auc(y, cal),
            "sensitivity": op["sensitivity"],
            "specificity": op["specificity"],
        }
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", nargs="+", required=True)
    ap.add_argument("--external", type=Path, default=Path("../shared/external_test"))
    ap.add_argument("--data", help="dataset root (default: the configured one)")
    ap.add_argument("--json", type=Path, help="write the result here")
    args = ap.parse_args(argv)
    rows = {}
    for name in args.model:
        rows[name] = model_rows(name, args.data)
        record = args.external / f"{name}.json"
        test = json.loads(record.read_text())["specificity"] if record.is_file() else None
        rows[name]["test specificity"] = test
        figures = "  ".join(
            f"{v}: AUC {rows[name][v]['auc']:.3f} spec {rows[name][v]['specificity']:.3f}"
            for v in VIEWS
        )
        print(f"{name}  {figures}  test spec {test if test is None else round(test, 3)}")
    scored = [n for n in rows if rows[n]["test specificity"] is not None]
    test = [rows[n]["test specificity"] for n in scored]
    summary = {}
    for view in VIEWS:
        proxy = [rows[n][view]["specificity"] for n in scored]
        entry = {"spearman": rank_correlation(proxy, test)}
        if len(scored) >= 3:
            slope, intercept = np.polyfit(proxy, test, 1)
            entry |= {
                "intercept": float(intercept),
                "slope": float(slope),
                "r": float(np.corrcoef(proxy, test)[0, 1]),
                "residuals": {
                    n: float(t - (intercept + slope * p)) for n, p, t in zip(scored, proxy, test)
                },
            }
        summary[view] = entry
    print(json.dumps(summary, indent=1))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "summary": summary}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
