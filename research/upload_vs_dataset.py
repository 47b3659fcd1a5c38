"""Does a full-resolution upload score as its training file does? (the image contract's resize)

    python -m research.upload_vs_dataset [--model NAME ...] [--data DIR] [--json OUT]

The models were trained on the dataset's 224 px files, which its makers resized (and JPEG
re-compressed) from the originals with a filter we do not know. An upload is an original: the
contract squash-resizes it with an area filter. The 48 full-resolution samples are training
images whose 224 px files are in DIR/train, so the two routes can be compared on the same X-ray:
the gray-level gap and sharpness (variance of the Laplacian) of the resized pixels, and per
model the change in calibrated P(PNEUMONIA) and the verdicts that flip at its threshold.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from xray_core.config import CLASS_NAMES, data_dir, samples_dir
from xray_core.io.contract import preprocess, resize_squash
from xray_core.io.decode import load_image
from xray_core.predict.assess import calibrated_probabilities
from xray_core.store.catalog import list_models, load_model


def paired_files(samples: Path, train: Path) -> list[tuple[Path, Path, int]]:
    """(full-resolution file, the same name in TRAIN/CLASS, label) for every sample that has
    its dataset file; label 0 NORMAL, 1 PNEUMONIA. Sorted by name."""
    out = []
    for label, cls in enumerate(CLASS_NAMES):
        folder = Path(samples) / cls
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            twin = Path(train) / cls / path.name
            if twin.is_file():
                out.append((path, twin, label))
    return out


def sharpness(image: np.ndarray) -> float:
    """Variance of the Laplacian of a (H, W) uint8 image (higher: sharper, or noisier)."""
    return float(cv2.Laplacian(image, cv2.CV_64F).var())


def pixel_gap(pairs, size: int) -> dict:
    """Mean |gray difference| (0-255) of upload resized by the contract vs dataset file, and the
    mean sharpness of each, over PAIRS, at SIZE px."""
    ups = [resize_squash(load_image(a), size) for a, _, _ in pairs]
    sets = [resize_squash(load_image(b), size) for _, b, _ in pairs]
    gap = [np.abs(u.astype(float) - d.astype(float)).mean() for u, d in zip(ups, sets)]
    return {
        "mean_abs_gray": float(np.mean(gap)),
        "sharpness_upload": float(np.mean([sharpness(u) for u in ups])),
        "sharpness_dataset": float(np.mean([sharpness(d) for d in sets])),
    }


def score_gap(p_upload, p_dataset, y, threshold: float) -> dict:
    """Change in P(PNEUMONIA) from dataset file to upload, per image (N,) in [0, 1]: mean and
    max |dP|, mean signed dP per class, and verdicts on different sides of THRESHOLD."""
    p_upload, p_dataset, y = (np.asarray(a, float) for a in (p_upload, p_dataset, y))
    dp = p_upload - p_dataset
    return {
        "n": int(len(y)),
        "mean_abs_dp": float(np.abs(dp).mean()),
        "max_abs_dp": float(np.abs(dp).max()),
        "mean_dp_normal": float(dp[y == 0].mean()) if (y == 0).any() else None,
        "mean_dp_pneumonia": float(dp[y == 1].mean()) if (y == 1).any() else None,
        "flips": int(((p_upload >= threshold) != (p_dataset >= threshold)).sum()),
    }


def compare(stored, pairs) -> dict:
    """`score_gap` of STORED (a StoredModel) on PAIRS through the full contract."""
    c = stored.contract
    up = np.stack([preprocess(load_image(a), c) for a, _, _ in pairs])
    ds = np.stack([preprocess(load_image(b), c) for _, b, _ in pairs])
    y = [label for _, _, label in pairs]
    p_up = calibrated_probabilities(stored, up)[0]
    p_ds = calibrated_probabilities(stored, ds)[0]
    return score_gap(p_up, p_ds, y, stored.card["threshold"])


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", nargs="+", help="store names (default: every shipped model)")
    ap.add_argument("--data", help="dataset root (default: the configured one)")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args(argv)
    root, samples = data_dir(args.data), samples_dir()
    if samples is None or root is None or not (Path(root) / "train").is_dir():
        raise SystemExit(
            "error: needs the full-resolution samples and the dataset's train/ split "
            "(../shared/data); pass --data or set $XRAY_DATA_DIR"
        )
    pairs = paired_files(samples, Path(root) / "train")
    if not pairs:
        raise SystemExit(f"error: no full-resolution sample has its file in {root}/train")
    gap = pixel_gap(pairs, 224)
    print(
        f"{len(pairs)} X-rays at 224 px: mean |gray gap| {gap['mean_abs_gray']:.2f} of 255; "
        f"sharpness upload {gap['sharpness_upload']:.0f} vs dataset {gap['sharpness_dataset']:.0f}"
    )
    out = {"pixels": gap, "models": {}}
    for name in args.model or list_models():
        r = out["models"][name] = compare(load_model(name), pairs)
        print(
            f"{name:26s} mean |dP| {r['mean_abs_dp']:.3f} (max {r['max_abs_dp']:.3f}); "
            f"mean dP NORMAL {r['mean_dp_normal']:+.3f}, PNEUMONIA {r['mean_dp_pneumonia']:+.3f}; "
            f"{r['flips']} of {r['n']} verdicts flip"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n")
    return out


if __name__ == "__main__":
    main()
