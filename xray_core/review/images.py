"""Image bytes in the review database: lossless PNG encode/decode and the reading view size."""

from __future__ import annotations

import cv2
import numpy as np

VIEW_MAX_SIDE = 1024  # px, longest side of the stored reading image


def png_bytes(gray: np.ndarray) -> bytes:
    """(H, W) uint8 -> lossless PNG bytes."""
    ok, buf = cv2.imencode(".png", gray)
    if not ok:
        raise ValueError("PNG encoding failed")
    return buf.tobytes()


def png_gray(data: bytes) -> np.ndarray:
    """PNG bytes -> (H, W) uint8."""
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)


def view_image(gray: np.ndarray, max_side: int = VIEW_MAX_SIDE) -> np.ndarray:
    """Downscale (H, W) uint8 so the longest side is <= max_side (aspect kept, area filter)."""
    h, w = gray.shape
    f = max_side / max(h, w)
    if f >= 1:
        return gray
    return cv2.resize(gray, (max(1, round(w * f)), max(1, round(h * f))), cv2.INTER_AREA)
