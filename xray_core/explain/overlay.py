"""Drawing: heatmap and LIME overlays on the gray image. Pure ndarray -> RGB uint8.

One colour language for every explanation, colour-blind safe (Okabe-Ito orange and blue, no
red/green pair; inferno is perceptually uniform and readable in greyscale): warm (orange to
yellow) is evidence FOR the class being explained, blue is evidence AGAINST it. Grad-CAM only
has "for": inferno from dark (little) to bright yellow (most), its opacity growing with the
evidence, so regions without evidence keep the X-ray's grey.
"""

from __future__ import annotations

import cv2
import numpy as np

FOR_COLOUR = (230, 159, 0)  # Okabe-Ito orange: evidence for the explained class
AGAINST_COLOUR = (0, 114, 178)  # Okabe-Ito blue: evidence against it
HEATMAP_COLORMAP = cv2.COLORMAP_INFERNO
LEGEND = (
    "**Colours on this page:** :orange[**orange to yellow**] = evidence *for* the class being "
    "explained, :blue[**blue**] = evidence *against* it (LIME only). Occlusion and Grad-CAM "
    "show only evidence for: the brighter and more opaque, the more."
)


def gray_to_rgb(gray: np.ndarray) -> np.ndarray:
    """(H, W) uint8 -> (H, W, 3) uint8."""
    return np.repeat(gray[..., None], 3, axis=-1)


def colorize(heatmap: np.ndarray) -> np.ndarray:
    """(H, W) float in [0, 1] -> (H, W, 3) uint8 RGB with HEATMAP_COLORMAP (inferno)."""
    u8 = np.uint8(np.clip(heatmap, 0, 1) * 255)
    return cv2.cvtColor(cv2.applyColorMap(u8, HEATMAP_COLORMAP), cv2.COLOR_BGR2RGB)


def blend_heatmap(gray: np.ndarray, heatmap: np.ndarray, alpha: float = 0.4) -> np.ndarray:
    """Overlay a [0, 1] heatmap on a gray image. alpha in [0, 1] is the opacity where the
    heatmap is 1; it scales with the heatmap, so a 0 leaves the grey untouched."""
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    if heatmap.shape != gray.shape:
        heatmap = cv2.resize(heatmap, gray.shape[::-1], interpolation=cv2.INTER_LINEAR)
    a = alpha * np.clip(heatmap, 0, 1)[..., None].astype(np.float32)
    out = (1 - a) * gray_to_rgb(gray).astype(np.float32) + a * colorize(heatmap)
    return np.clip(out, 0, 255).astype(np.uint8)


def draw_lime(
    gray: np.ndarray,
    segments: np.ndarray,
    for_mask: np.ndarray,
    against_mask: np.ndarray,
    alpha: float = 0.35,
) -> np.ndarray:
    """Tint 'for' regions orange and 'against' blue (FOR_COLOUR, AGAINST_COLOUR), with
    superpixel outlines."""
    from skimage.segmentation import find_boundaries

    rgb = gray_to_rgb(gray).astype(np.float32)
    for mask, colour in ((for_mask, FOR_COLOUR), (against_mask, AGAINST_COLOUR)):
        rgb[mask] = (1 - alpha) * rgb[mask] + alpha * np.asarray(colour, np.float32)
    edges = find_boundaries(segments, mode="thin")
    rgb[edges] = 0.5 * rgb[edges] + 0.5 * 255
    return np.clip(rgb, 0, 255).astype(np.uint8)


def draw_consensus(
    gray: np.ndarray, agreed: np.ndarray, disputed: np.ndarray, alpha: float = 0.45
) -> np.ndarray:
    """LIME agreement across seeds: regions every run chose filled solid orange (FOR_COLOUR),
    regions only some runs chose hatched (diagonal orange stripes), both outlined.
    (H, W) uint8 + masks -> (H, W, 3) uint8."""
    from skimage.segmentation import find_boundaries

    rgb = gray_to_rgb(gray).astype(np.float32)
    colour = np.asarray(FOR_COLOUR, np.float32)
    rgb[agreed] = (1 - alpha) * rgb[agreed] + alpha * colour
    yy, xx = np.indices(gray.shape)
    hatch = disputed & (((yy + xx) // 3) % 3 == 0)
    rgb[hatch] = 0.3 * rgb[hatch] + 0.7 * colour
    for mask in (agreed, disputed):
        edges = find_boundaries(mask, mode="inner")
        rgb[edges] = colour
    return np.clip(rgb, 0, 255).astype(np.uint8)
