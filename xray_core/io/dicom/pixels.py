"""Stored pixel values -> display grey levels (DICOM PS3.3 C.11): Modality LUT, then VOI
(VOI LUT Sequence, else Window Center/Width, else the image's own value range), then
MONOCHROME1 inverted so that bone is white, then uint8."""

from __future__ import annotations

import numpy as np

from xray_core.io.dicom.tags import WINDOW_FUNCTIONS, clean, number


def voi_plan(ds) -> tuple[str, str]:
    """Which VOI step applies ('lut', 'window' or 'range') and a note when tags were unusable."""
    if "VOILUTSequence" in ds:
        try:
            item = ds.VOILUTSequence[0]
            if len(item.LUTDescriptor) == 3 and item.get("LUTData") is not None:
                return "lut", ""
        except (AttributeError, IndexError, TypeError, KeyError):
            pass
    if "WindowCenter" in ds or "WindowWidth" in ds:
        center, width = number(ds.get("WindowCenter")), number(ds.get("WindowWidth"))
        function = clean(ds.get("VOILUTFunction") or "LINEAR").upper()
        if center is not None and width is not None and function in WINDOW_FUNCTIONS:
            if width >= 1.0 or (width > 0.0 and function != "LINEAR"):
                return "window", ""
        return "range", "Window tags unusable: shown with the image's full value range."
    return "range", ""


def window(values: np.ndarray, center: float, width: float, function: str = "LINEAR"):
    """DICOM VOI window (PS3.3 C.11.2.1.2-3) -> float64 in [0, 1].

    Args:
        values: modality values (any shape).
        center, width: Window Center / Window Width; width >= 1 (LINEAR) or > 0 (others).
        function: VOI LUT Function: LINEAR, LINEAR_EXACT or SIGMOID.
    """
    x = np.asarray(values, dtype=np.float64)
    if function == "SIGMOID":
        return 1.0 / (1.0 + np.exp(-4.0 * (x - center) / width))
    if function == "LINEAR_EXACT":
        return np.clip((x - center) / width + 0.5, 0.0, 1.0)
    if width == 1.0:  # LINEAR with width 1 is a threshold at center - 0.5
        return (x > center - 0.5).astype(np.float64)
    return np.clip((x - (center - 0.5)) / (width - 1.0) + 0.5, 0.0, 1.0)


def to_gray(arr: np.ndarray, ds) -> tuple[np.ndarray, list[str]]:
    """One frame of stored values -> ((H, W) uint8, notes): modality LUT, VOI, MONOCHROME1."""
    from pydicom.pixels import apply_modality_lut, apply_voi

    notes = []
    try:
        values = np.asarray(apply_modality_lut(arr, ds), dtype=np.float64)
    except Exception:  # malformed Rescale / Modality LUT tags (many exception types)
        values = arr.astype(np.float64)
        notes.append("Rescale tags unusable: stored pixel values used as they are.")
    plan, _ = voi_plan(ds)
    gray = None
    if plan == "lut":
        try:  # a VOI LUT is indexed by integer values
            integral = values.astype(np.int64) if np.all(values == np.round(values)) else values
            out = np.asarray(apply_voi(integral, ds), dtype=np.float64)
            top = max(2.0 ** int(ds.VOILUTSequence[0].LUTDescriptor[2]) - 1, float(out.max()))
            gray = np.clip(out / top, 0.0, 1.0) if top > 0 else None
        except Exception:  # malformed VOI LUT Sequence
            gray = None
        if gray is None:
            notes.append("VOI LUT unusable: shown with the image's full value range.")
    elif plan == "window":
        function = clean(ds.get("VOILUTFunction") or "LINEAR").upper()
        center, width = number(ds.get("WindowCenter")), number(ds.get("WindowWidth"))
        gray = window(values, center, width, function)
    if gray is None:
        finite = values[np.isfinite(values)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        gray = np.zeros(values.shape) if hi <= lo else np.clip((values - lo) / (hi - lo), 0, 1)
    if clean(ds.get("PhotometricInterpretation") or "").upper() == "MONOCHROME1":
        gray = 1.0 - gray
    return np.round(np.nan_to_num(gray) * 255.0).astype(np.uint8), notes
