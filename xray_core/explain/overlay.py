"""Drawing: heatmap and LIME overlays on the gray image. Pure ndarray -> RGB uint8."""

from __future__ import annotations

import cv2
import numpy as np

FOR_COLOUR = (0, 200, 80)  # green: regions pushing toward PNEUMONIA
AGAINST_COLOUR = (220, 40, 40)  # red: regions pushing toward NORMAL


def gray_to_rgb(gray: np.ndarray) -> np.ndarray:
    """(H, W) uint8 -> (H, W, 3) uint8."""
    return np.repeat(gray[..., None], 3, axis=-1)


def colorize(heatmap: np.ndarray) -> np.ndarray:
    """(H, W) float in [0, 1] -> (H, W, 3) uint8 RGB with the JET colormap."""
    u8 = np.uint8(np.clip(heatmap, 0, 1) * 255)
    return cv2.cvtColor(cv2.applyColorMap(u8, cv2.COLORMAP_JET), cv2.COLOR_BGR2RGB)


def blend_heatmap(gray: np.ndarray, heatmap: np.ndarray, alpha: float = 0.4) -> np.ndarray:
    """Overlay a [0, 1] heatmap on a gray image; alpha in [0, 1] is the heatmap's opacity."""
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    if heatmap.shape != gray.shape:
        heatmap = cv2.resize(heatmap, gray.shape[::-1], interpolation=cv2.INTER_LINEAR)
    out = (1 - alpha) * gray_to_rgb(gray).astype(np.float32) + alpha * colorize(heatmap)
    return np.clip(out, 0, 255).astype(np.uint8)


def draw_lime(
    gray: np.ndarray,
    segments: np.ndarray,
    for_mask: np.ndarray,
    against_mask: np.ndarray,
    alpha: float = 0.35,
) -> np.ndarray:
    """Tint 'for' regions green and 'against' red, with superpixel outlines."""
    from skimage.segmentation import find_boundaries

    rgb = gray_to_rgb(gray).astype(np.float32)
    for mask, colour in ((for_mask, FOR_COLOUR), (against_mask, AGAINST_COLOUR)):
        rgb[mask] = (1 - alpha) * rgb[mask] + alpha * np.asarray(colour, np.float32)
    edges = find_boundaries(segments, mode="thin")
    rgb[edges] = 0.5 * rgb[edges] + 0.5 * 255
    return np.clip(rgb, 0, 255).astype(np.uint8)
