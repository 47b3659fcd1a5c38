"""Occlusion sensitivity: hide one window at a time and watch the model's logit.

For each window of a sliding grid (side `window` px, step `window / 2`, at the model's input
size), the window's pixels take the value of a blurred copy of the image (the same fill as the
deletion check, `faithfulness.blurred`: a grey patch inside a lung would look like an opacity),
and the model scores the image. A window's evidence for the target is how far hiding it lowers
the target's logit (the pre-sigmoid score, which does not saturate on confident calls; negated
for NORMAL). Each pixel gets the mean evidence of the windows that cover it; the map is that,
clipped at 0 and scaled by its peak (Zeiler & Fergus 2014).

Faithful by construction: the map is the model's own response to hiding each region, so it
depends on the image and on the weights, never on one layer's gradients. Every window goes
through the handle's scorer (its TFLite copy) in batches: 325 images for the default 24 px
window at 224 px (18 x 18 windows), about half a second here.
"""

from __future__ import annotations

import numpy as np

from xray_core.config import CLASS_NAMES, POSITIVE_CLASS
from xray_core.explain import base
from xray_core.explain.faithfulness import blurred

WINDOW_CHOICES = (24, 32, 48, 64)  # px at the model's input size
# 24 px: on the hold-out run's PNEUMONIA calls finer and more faithful than 32 px (deletion
# 0.20 vs 0.30x random, maps alike 0.51 vs 0.58, randomisation 0.10 vs 0.22; research log)
DEFAULT_WINDOW = 24
EMPTY_LOGIT = 0.05  # no window lowers the target's logit by more: nothing to show


def window_starts(size: int, window: int, stride: int) -> list[int]:
    """Start offsets of windows of `window` px every `stride` px covering 0..size (the last
    window ends at `size`)."""
    if not 0 < window <= size or stride < 1:
        raise ValueError(f"need 0 < window <= {size} and stride >= 1, got {window}, {stride}")
    starts = list(range(0, size - window + 1, stride))
    return starts if starts[-1] == size - window else [*starts, size - window]


def occlusion_evidence(score, x: np.ndarray, target: str, window: int) -> tuple[np.ndarray, float]:
    """Per-pixel evidence for `target` on model input x (H, W, C) float32.

    Args:
        score: batch (N, H, W, C) -> (N,) logit of P(PNEUMONIA) (`ModelHandle.logits`).
        window: side of the hidden square in px; windows step by window // 2.
    Returns:
        ((H, W) float32 mean logit drop toward `target` of the windows covering each pixel,
        positive = hiding it lowers the target's score; the image's own logit toward target).
    """
    if target not in CLASS_NAMES:
        raise ValueError(f"target must be one of {CLASS_NAMES}, got {target!r}")
    if x.ndim != 3:
        raise ValueError(f"expected one image (H, W, C), got shape {x.shape}")
    h, w = x.shape[:2]
    fill = blurred(x)
    boxes = [
        (r, c)
        for r in window_starts(h, window, window // 2)
        for c in window_starts(w, window, window // 2)
    ]
    batch = np.repeat(x[None], len(boxes) + 1, axis=0)
    for i, (r, c) in enumerate(boxes, start=1):
        batch[i, r : r + window, c : c + window] = fill[r : r + window, c : c + window]
    z = np.asarray(score(batch), np.float64).reshape(-1)
    z = z if target == POSITIVE_CLASS else -z
    total, count = np.zeros((h, w)), np.zeros((h, w))
    for (r, c), drop in zip(boxes, z[0] - z[1:]):
        total[r : r + window, c : c + window] += drop
        count[r : r + window, c : c + window] += 1
    return (total / count).astype(np.float32), float(z[0])


def to_heatmap(evidence: np.ndarray) -> np.ndarray:
    """(H, W) logit drops -> (H, W) float32 in [0, 1]: positive evidence over its peak; all
    zeros when no window lowers the score by more than EMPTY_LOGIT."""
    peak = float(evidence.max())
    if peak <= EMPTY_LOGIT:
        return np.zeros(evidence.shape, np.float32)
    return (np.clip(evidence, 0.0, None) / peak).astype(np.float32)


class OcclusionExplainer:
    """Occlusion sensitivity behind the one explainer shape (see `base`); works for every
    model (it needs only the scorer)."""

    name, title = "occlusion", "Occlusion"

    def params(self, handle) -> tuple:
        return (
            base.Param(
                "target",
                "Evidence for",
                CLASS_NAMES,
                POSITIVE_CLASS,
                "class whose evidence is shown",
            ),
            base.Param(
                "window",
                "Hidden window (px)",
                WINDOW_CHOICES,
                DEFAULT_WINDOW,
                "side of the square hidden at a time, on the model's input; smaller: finer, "
                "noisier",
            ),
        )

    def unavailable(self, handle) -> str | None:
        return None

    def explain(self, handle, x: np.ndarray, settings: dict | None = None, progress=None):
        """(H, W, C) float32 model input -> Explanation (warm = hiding it lowers the score)."""
        s = base.resolve_settings(self.params(handle), settings)
        evidence, own = occlusion_evidence(handle.logits, x, s["target"], s["window"])
        if progress:
            progress(1.0)
        heat = to_heatmap(evidence)
        blank = (
            {}
            if heat.any()
            else {
                "blank_reason": f"hiding any one region lowers its score for {s['target']} by "
                f"less than {EMPTY_LOGIT} on the logit scale"
            }
        )
        return base.Explanation(
            method=self.name,
            title=self.title,
            heatmap=heat,
            target=s["target"],
            settings=s,
            caption=(
                f"Occlusion: the brighter, the more hiding that region lowers the model's "
                f"score for {s['target']}"
            ),
            resolution=max(1, x.shape[0] // (s["window"] // 2)),
            extra={
                "evidence": evidence,
                "peak_logit_drop": float(evidence.max()),
                "logit": own,
                **blank,
            },
        )


OCCLUSION = OcclusionExplainer()
