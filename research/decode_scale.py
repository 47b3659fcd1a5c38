"""What decoding full-resolution JPEGs at reduced scale would cost in predictions (issue 12).

    python -m research.decode_scale [--model NAME ...] [--side 448 224]

libjpeg can decode at 1/2, 1/4 or 1/8 scale in the DCT domain (Pillow's `Image.draft`), which
would halve the CPU of full-resolution archive scoring. This measures, on the 48 full-resolution
samples, the change in P(PNEUMONIA) against the image contract's full decode, and how many
verdicts flip at each model's threshold. Not taken: see docs/archive-and-sites.md (archive
throughput).
"""

from __future__ import annotations

import argparse
import io
import time

import numpy as np
from PIL import Image

from xray_core.config import samples_dir
from xray_core.io.contract import preprocess
from xray_core.io.decode import _apply_orientation, _to_gray_u8, load_image, read_file
from xray_core.store.catalog import load_model


def reduced_decode(data: bytes, min_side: int) -> np.ndarray:
    """JPEG bytes -> (H', W') uint8 decoded at the largest DCT scale keeping both sides
    >= MIN_SIDE pixels (Pillow draft), EXIF orientation applied; other formats at full size."""
    img = Image.open(io.BytesIO(data))
    if img.format == "JPEG" and img.mode in ("L", "RGB"):
        img.draft(img.mode, (min_side, min_side))
    img.load()
    return _to_gray_u8(_apply_orientation(img))


def compare(stored, files, side: int) -> dict:
    """|ΔP| and verdict flips of reduced-scale vs full decoding; CPU ms per image of each, from
    file to model input (decode, resize, CLAHE, scaling)."""
    c, thr = stored.contract, stored.card["threshold"]
    t0 = time.process_time()
    full = np.stack([preprocess(load_image(p), c) for p in files])
    t1 = time.process_time()
    reduced = np.stack([preprocess(reduced_decode(read_file(p), side), c) for p in files])
    t2 = time.process_time()
    pf, pr = stored.probabilities(full), stored.probabilities(reduced)
    dp = np.abs(pf - pr)
    return {
        "side": side,
        "max_abs_dp": float(dp.max()),
        "mean_abs_dp": float(dp.mean()),
        "flips": int(((pf >= thr) != (pr >= thr)).sum()),
        "full_ms": 1000 * (t1 - t0) / len(files),
        "reduced_ms": 1000 * (t2 - t1) / len(files),
    }


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", nargs="+", default=["resnet_acq_scratch"])
    ap.add_argument("--side", nargs="+", type=int, default=[448, 224])
    args = ap.parse_args(argv)
    folder = samples_dir()
    if folder is None:
        raise SystemExit(
            "error: the full-resolution samples (../shared/data/fullres_samples) are missing"
        )
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".jpeg", ".jpg"))
    out = []
    for name in args.model:
        stored = load_model(name)
        for side in args.side:
            r = {"model": name, "n": len(files), **compare(stored, files, side)}
            print(
                f"{name:28s} >= {side} px: max |dP| {r['max_abs_dp']:.4f}, mean "
                f"{r['mean_abs_dp']:.4f}, {r['flips']} verdicts flipped of {r['n']}; file to input "
                f"{r['full_ms']:.1f} -> {r['reduced_ms']:.1f} ms CPU"
            )
            out.append(r)
    return out


if __name__ == "__main__":
    main()
