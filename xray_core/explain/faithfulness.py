"""Faithfulness measures for any (H, W) [0, 1] heatmap: pure functions of a `predict` callable.

    rank_correlation     Spearman rho between two maps (model-randomisation check: a map that
                         barely changes when the weights are re-initialised explains the image,
                         not the model; Adebayo et al. 2018).
    deletion / insertion P(target) as pixels are hidden (mean-grey fill) or revealed (on a
                         blurred copy) in the map's order, up to half the image, against the
                         same in random pixel orders (Petsiuk et al. 2018). Areas are the mean
                         of each curve over the fraction axis, in [0, 1]; ratio = map / random:
                         below 1 for deletion and above 1 for insertion mean the map found
                         pixels the model uses.
    border_share         share of the map's mass in the outer band of the image.
    detect_markers       burned-in text and side markers (heuristic below); `mask_share`.

`predict`: batch (N, H, W, C) float32 model input -> (N,) P(PNEUMONIA) in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_FRACTION = 0.5  # curves go up to half the image, as in the measured figures (FACTS.md)
STEPS = 11
RANDOM_ORDERS = 3
BORDER = 0.08  # outer band: 8% of the side on each edge (about 18 px at 224)
MARKER_LEVEL = 215  # bright grey level (of 255): burned-in text is printed near white
MARKER_MAX_SIDE = 0.08  # a marker's box is at most 8% of the side each way (18 px at 224)
MARKER_EDGE = 0.25  # ... its centre lies in the outer quarter of the image
MARKER_PAD = 4  # px around each marker's box (its surroundings, and map mass near the strokes)
MARKER_DARK = 90  # ... and those surroundings are dark (median grey level at most this)


@dataclass(frozen=True)
class Curve:
    """fractions: (T,) hidden/revealed share of pixels; scores: (T,) P(target) in map order;
    random: (T,) mean P(target) over random orders; area / random_area: curve means."""

    kind: str  # "deletion" or "insertion"
    fractions: np.ndarray
    scores: np.ndarray
    random: np.ndarray

    @property
    def area(self) -> float:
        return _area(self.fractions, self.scores)

    @property
    def random_area(self) -> float:
        return _area(self.fractions, self.random)

    @property
    def ratio(self) -> float:
        """area / random_area (1.0 when both are 0)."""
        r = self.random_area
        return self.area / r if r > 0 else (1.0 if self.area == 0 else float("inf"))

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "fractions": [round(float(v), 4) for v in self.fractions],
            "scores": [round(float(v), 5) for v in self.scores],
            "random": [round(float(v), 5) for v in self.random],
            "area": round(self.area, 4),
            "random_area": round(self.random_area, 4),
            "ratio": round(self.ratio, 4),
        }


def _area(f: np.ndarray, s: np.ndarray) -> float:
    """Mean of the curve over its fraction range (trapezoids), in the scores' units."""
    span = float(f[-1] - f[0])
    return float(np.sum((s[1:] + s[:-1]) * np.diff(f)) / 2.0 / span) if span > 0 else 0.0


def rank_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rho in [-1, 1] between two same-shape maps (0.0 when either is constant)."""
    from scipy.stats import rankdata

    ra, rb = rankdata(np.ravel(a)), rankdata(np.ravel(b))
    if ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def pixel_order(heatmap: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Flat pixel indices from the warmest down; ties broken at random."""
    return np.lexsort((rng.random(heatmap.size), -np.ravel(heatmap)))


def _blurred(x: np.ndarray) -> np.ndarray:
    import cv2

    sigma = x.shape[0] / 8.0  # 28 px at 224: lungs and opacities become a blur
    out = cv2.GaussianBlur(x.astype(np.float32), (0, 0), sigma)
    return out.reshape(x.shape)


def _sweep(x, start, end, orders, fractions) -> np.ndarray:
    """Images moving from `start` to `end` pixels in each order: (len(orders)*T, H, W, C)."""
    h, w = x.shape[:2]
    out = []
    for order in orders:
        for f in fractions:
            mask = np.zeros(h * w, bool)
            mask[order[: int(round(f * h * w))]] = True
            out.append(np.where(mask.reshape(h, w, 1), end, start))
    return np.stack(out).astype(np.float32)


def curves(predict, x: np.ndarray, heatmap: np.ndarray, target: str = "PNEUMONIA", seed=0):
    """Deletion and insertion curves of `heatmap` on model input x (H, W, C) -> (Curve, Curve).

    Deletion hides pixels (the image's mean value per channel); insertion reveals the image on
    its blurred copy. Both in map order and in RANDOM_ORDERS random orders, in one batch.
    """
    if heatmap.shape != x.shape[:2]:
        raise ValueError(f"heatmap {heatmap.shape} does not match the image {x.shape[:2]}")
    rng = np.random.default_rng(seed)
    fr = np.linspace(0.0, MAX_FRACTION, STEPS)
    orders = [pixel_order(heatmap, rng)] + [rng.permutation(heatmap.size) for _ in range(3)]
    grey = np.broadcast_to(x.mean(axis=(0, 1)), x.shape)
    batch = np.concatenate([_sweep(x, x, grey, orders, fr), _sweep(x, _blurred(x), x, orders, fr)])
    p = np.asarray(predict(batch), np.float64).reshape(2, len(orders), STEPS)
    p = p if target == "PNEUMONIA" else 1.0 - p
    return tuple(
        Curve(kind, fr, p[i, 0], p[i, 1:].mean(axis=0))
        for i, kind in enumerate(("deletion", "insertion"))
    )


def border_share(heatmap: np.ndarray, band: float = BORDER) -> dict:
    """{'mass': share of map mass in the outer band, 'area': the band's share of the image}."""
    h, w = heatmap.shape
    inner = np.zeros((h, w), bool)
    bh, bw = int(round(band * h)), int(round(band * w))
    inner[bh : h - bh, bw : w - bw] = True
    return mask_share(heatmap, ~inner)


def mask_share(heatmap: np.ndarray, mask: np.ndarray) -> dict:
    """{'mass': share of the map's mass inside `mask`, 'area': the mask's share of pixels}.
    A map indifferent to the mask puts mass = area; mass is 0 for an all-zero map."""
    total = float(heatmap.sum())
    mass = float(heatmap[mask].sum()) / total if total > 0 else 0.0
    return {"mass": mass, "area": float(mask.mean())}


def detect_markers(display: np.ndarray) -> np.ndarray:
    """(H, W) bool mask of likely burned-in text and side markers ("R", "L", labels).

    Heuristic: markers are printed at full brightness on a dark background, are small, and sit
    near the edges; ribs and clavicles are bright too but long, and surrounded by mid-grey.
    So: pixels at or above MARKER_LEVEL, grouped into 8-connected components; keep those whose
    box is at most MARKER_MAX_SIDE of the side each way, whose centre lies in the outer
    MARKER_EDGE of either axis, and whose surroundings (the box padded by MARKER_PAD, minus
    the bright pixels) have a median at or below MARKER_DARK; mark each kept box, padded. It
    misses dim labels and labels on bright film, and can flag a small bright artefact on the
    background (a clip, an electrode): read it as a warning, not a segmentation.
    """
    import cv2

    h, w = display.shape
    bright = display >= MARKER_LEVEL
    n, _, stats, centroids = cv2.connectedComponentsWithStats(bright.astype(np.uint8), 8)
    out = np.zeros((h, w), bool)
    p = MARKER_PAD
    for i in range(1, n):
        x0, y0, bw, bh, _ = stats[i]
        cx, cy = centroids[i] / (w, h)
        small = max(bw / w, bh / h) <= MARKER_MAX_SIDE
        near_edge = min(cx, 1 - cx) < MARKER_EDGE or min(cy, 1 - cy) < MARKER_EDGE
        box = (slice(max(y0 - p, 0), y0 + bh + p), slice(max(x0 - p, 0), x0 + bw + p))
        ring = display[box][~bright[box]]
        if small and near_edge and ring.size and np.median(ring) <= MARKER_DARK:
            out[box] = True
    return out
