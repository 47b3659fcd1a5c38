"""Faithfulness measures for any (H, W) [0, 1] heatmap: pure functions of a `predict` callable.

    rank_correlation     Spearman rho between two maps (model-randomisation check: a map that
                         barely changes when the weights are re-initialised explains the image,
                         not the model; Adebayo et al. 2018).
    deletion / insertion the model's logit toward the target as pixels are hidden (they take a
                         blurred copy's value) or revealed (on that blurred copy) in the map's
                         order, up to half the image, in STEPS steps, against RANDOM_ORDERS
                         random maps drawn at the map's own resolution and upsampled (Petsiuk
                         et al. 2018). Curves are min-max normalised per image over all of one
                         kind's curves; areas are curve means over the fraction axis, in
                         [0, 1]; ratio = map / random: below 1 for deletion and above 1 for
                         insertion mean the map found what the model uses.
                         Why these choices: a pre-sigmoid score does not saturate on confident
                         calls; a grey fill inside a lung looks like an opacity, i.e. like
                         pneumonia; random single pixels are noise the network reacts to, so
                         the baseline hides contiguous blobs of the same size as the map's.
    maps_alike           mean pairwise Spearman rho between the maps of different images (one
                         map for every image scores 1.0: it cannot tell a reader where to look).
    border_share         share of the map's mass in the outer band of the image.
    detect_markers       burned-in text and side markers (heuristic below); `mask_share`.

`score`: batch (N, H, W, C) float32 model input -> (N,) logit of P(PNEUMONIA)
(`ModelHandle.logits`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_FRACTION = 0.5  # curves go up to half the image
STEPS = 11  # 0, 5%, ..., 50%: ten hiding steps
RANDOM_ORDERS = 3
FILL_SIGMA = 12.0  # px at 224: the blurred copy hidden pixels take (scaled with the input size)
REFERENCE_SIZE = 224
BORDER = 0.08  # outer band: 8% of the side on each edge (about 18 px at 224)
MARKER_LEVEL = 215  # bright grey level (of 255): burned-in text is printed near white
MARKER_MAX_SIDE = 0.08  # a marker's box is at most 8% of the side each way (18 px at 224)
MARKER_EDGE = 0.25  # ... its centre lies in the outer quarter of the image
MARKER_PAD = 4  # px around each marker's box (its surroundings, and map mass near the strokes)
MARKER_DARK = 90  # ... and those surroundings are dark (median grey level at most this)


@dataclass(frozen=True)
class Curve:
    """fractions: (T,) hidden/revealed share of pixels; scores: (T,) the target's logit in map
    order and random: (T,) its mean over random orders, both min-max normalised to [0, 1] over
    all of this kind's curves on the image; spread: that range in logit units (how far the
    score moved at all); area / random_area: curve means."""

    kind: str  # "deletion" or "insertion"
    fractions: np.ndarray
    scores: np.ndarray
    random: np.ndarray
    spread: float = 1.0

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
            "spread_logit": round(float(self.spread), 4),
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


def maps_alike(maps: list[np.ndarray]) -> float | None:
    """Mean pairwise Spearman rho in [-1, 1] between the maps of different images (None with
    fewer than two maps). 1.0 means one map for every image."""
    if len(maps) < 2:
        return None
    return float(
        np.mean([rank_correlation(maps[i], maps[j]) for i in range(len(maps)) for j in range(i)])
    )


def pixel_order(heatmap: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Flat pixel indices from the warmest down; ties broken at random."""
    return np.lexsort((rng.random(heatmap.size), -np.ravel(heatmap)))


def random_map(shape: tuple[int, int], resolution: int, rng: np.random.Generator) -> np.ndarray:
    """A (H, W) float32 random map drawn on a resolution x resolution grid and upsampled
    (bilinear): contiguous blobs the size of a map's cells, not single pixels."""
    import cv2

    grid = rng.random((resolution, resolution)).astype(np.float32)
    return cv2.resize(grid, shape[::-1], interpolation=cv2.INTER_LINEAR)


def blurred(x: np.ndarray) -> np.ndarray:
    """The fill of hidden pixels: x (H, W, C) Gaussian-blurred, sigma FILL_SIGMA px at 224 px."""
    import cv2

    sigma = FILL_SIGMA * x.shape[0] / REFERENCE_SIZE
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


def _normalised(kind: str, fractions: np.ndarray, z: np.ndarray) -> Curve:
    """(orders, T) logits (map order first) -> the Curve, min-max normalised over all rows."""
    lo, hi = float(z.min()), float(z.max())
    norm = (z - lo) / (hi - lo) if hi > lo else np.zeros_like(z)
    return Curve(kind, fractions, norm[0], norm[1:].mean(axis=0), hi - lo)


def curves(
    score, x: np.ndarray, heatmap: np.ndarray, target: str = "PNEUMONIA", resolution=7, seed=0
):
    """Deletion and insertion curves of `heatmap` on model input x (H, W, C) -> (Curve, Curve).

    Args:
        score: batch -> (N,) logit of P(PNEUMONIA) (`ModelHandle.logits`).
        heatmap: (H, W) in [0, 1], warm = evidence toward `target`.
        resolution: side of the grid the map was computed on (Grad-CAM: its layer's; 7 for a
            7 x 7 layer); the random maps are drawn at it.
    Deletion hides pixels (a blurred copy's value); insertion reveals the image on that copy.
    Both in map order and in RANDOM_ORDERS random orders, in one batch; the score is the
    logit toward the target (negated for NORMAL).
    """
    if heatmap.shape != x.shape[:2]:
        raise ValueError(f"heatmap {heatmap.shape} does not match the image {x.shape[:2]}")
    if int(resolution) < 1:
        raise ValueError(f"resolution must be a positive grid side, got {resolution}")
    rng = np.random.default_rng(seed)
    fr = np.linspace(0.0, MAX_FRACTION, STEPS)
    randoms = [random_map(heatmap.shape, int(resolution), rng) for _ in range(RANDOM_ORDERS)]
    orders = [pixel_order(m, rng) for m in [heatmap, *randoms]]
    fill = blurred(x)
    batch = np.concatenate([_sweep(x, x, fill, orders, fr), _sweep(x, fill, x, orders, fr)])
    z = np.asarray(score(batch), np.float64).reshape(2, len(orders), STEPS)
    z = z if target == "PNEUMONIA" else -z
    return tuple(_normalised(kind, fr, z[i]) for i, kind in enumerate(("deletion", "insertion")))


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
