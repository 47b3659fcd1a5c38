"""Reading-room image controls: window/level (contrast) and zoom. Pure (H, W) uint8 -> uint8.

The reading page's viewer applies the same window/level in the browser (a lookup table per
redraw, `xray_app.review_viewer`), starting from PRESETS; a browser test checks that its
pixels equal `window_level`'s.

Window/level as on a PACS viewer, on the 8-bit display image: grey levels in
[level - width/2, level + width/2] are stretched to [0, 255], those outside are clipped.
Zoom crops a window of 1/factor of each side around a centre given as fractions of the width
and height, then scales it back up to the original size.
"""

from __future__ import annotations

import cv2
import numpy as np

from xray_core.io.contract import check_gray_u8

MAX_ZOOM = 8.0
# (label, level, width) on the 8-bit display image; the first is where a reader starts.
PRESETS = (
    ("Full", 128, 255),
    ("Lungs", 96, 176),
    ("Bone", 168, 150),
    ("Contrast", 128, 110),
)


def window_level(gray: np.ndarray, level: float = 127.5, width: float = 255.0) -> np.ndarray:
    """Apply a window (width in [1, 255] grey levels) centred on `level` in [0, 255]."""
    check_gray_u8(gray)
    if not 1 <= width <= 255 or not 0 <= level <= 255:
        raise ValueError(f"need width in [1, 255] and level in [0, 255], got {width}, {level}")
    lo = level - width / 2
    out = (gray.astype(np.float32) - lo) * (255.0 / width)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def zoom(gray: np.ndarray, factor: float = 1.0, cx: float = 0.5, cy: float = 0.5) -> np.ndarray:
    """Crop 1/factor of each side around (cx, cy) (fractions in [0, 1]) and scale it back up.

    Returns (H, W) uint8, the input's shape; factor 1 returns the image unchanged.
    """
    check_gray_u8(gray)
    if not 1 <= factor <= MAX_ZOOM or not (0 <= cx <= 1 and 0 <= cy <= 1):
        raise ValueError(f"need factor in [1, {MAX_ZOOM}] and centre in [0, 1], got {factor}")
    if factor == 1:
        return gray
    h, w = gray.shape
    ch, cw = max(1, round(h / factor)), max(1, round(w / factor))
    top = int(np.clip(round(cy * h - ch / 2), 0, h - ch))
    left = int(np.clip(round(cx * w - cw / 2), 0, w - cw))
    crop = gray[top : top + ch, left : left + cw]
    return cv2.resize(crop, (w, h), interpolation=cv2.INTER_CUBIC)
