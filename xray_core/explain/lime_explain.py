"""LIME superpixel explanations on the image the model sees (resized, CLAHE'd).

Defaults chosen for speed on a 2-core CPU with stable masks: SLIC superpixels (~50) instead of
quickshift, and 300 perturbed samples instead of 1000 (see benchmarks/bench_speed.py for the
measured time and the top-k overlap between seeds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xray_core.contract import ImageContract, from_display

DEFAULT_SAMPLES = 300
DEFAULT_SEGMENTS = 50
BATCH_SIZE = 100


@dataclass(frozen=True)
class LimeResult:
    """segments: (H, W) int superpixel ids; weights: {segment id: weight toward PNEUMONIA}."""

    segments: np.ndarray
    weights: dict[int, float]
    score: float  # local surrogate's R^2

    def top(self, k: int, sign: int) -> list[int]:
        """Ids of the k segments with the largest weights of `sign` (+1 for, -1 against)."""
        items = [(s, w) for s, w in self.weights.items() if w * sign > 0]
        return [s for s, _ in sorted(items, key=lambda t: -abs(t[1]))[:k]]

    def mask(self, k: int, sign: int) -> np.ndarray:
        """(H, W) bool: pixels of the top-k segments for (+1) or against (-1) PNEUMONIA."""
        return np.isin(self.segments, self.top(k, sign))


def make_classifier(model, contract: ImageContract, batch_size: int = BATCH_SIZE):
    """LIME's classifier_fn: (N, H, W, 3) uint8 RGB -> (N, 2) [P(NORMAL), P(PNEUMONIA)]."""

    def classify(images: np.ndarray) -> np.ndarray:
        gray = np.asarray(images)[..., 0].astype(np.uint8)
        x = from_display(gray, contract)
        p = np.concatenate(
            [
                np.asarray(model(x[i : i + batch_size], training=False)).reshape(-1)
                for i in range(0, len(x), batch_size)
            ]
        )
        return np.stack([1.0 - p, p], axis=1)

    return classify


def explain_lime(
    model,
    display: np.ndarray,
    contract: ImageContract,
    num_samples: int = DEFAULT_SAMPLES,
    n_segments: int = DEFAULT_SEGMENTS,
    seed: int = 0,
    progress=None,
) -> LimeResult:
    """Run LIME on the display image (size, size) uint8.

    Args:
        progress: optional callable(fraction in [0, 1]) called as batches finish.
    """
    from lime import lime_image  # noqa: PLC0415
    from lime.wrappers.scikit_image import SegmentationAlgorithm  # noqa: PLC0415

    if display.shape != (contract.size, contract.size) or display.dtype != np.uint8:
        raise ValueError(
            f"expected ({contract.size}, {contract.size}) uint8 display image, "
            f"got {display.shape} {display.dtype}"
        )
    if not 10 <= num_samples <= 5000:
        raise ValueError(f"num_samples must be in [10, 5000], got {num_samples}")
    classify = make_classifier(model, contract)
    done = [0]

    def tracked(images):
        out = classify(images)
        done[0] += len(images)
        if progress:
            progress(min(done[0] / num_samples, 1.0))
        return out

    segmenter = SegmentationAlgorithm(
        "slic",
        n_segments=n_segments,
        compactness=10,
        sigma=1,
        start_label=0,
        channel_axis=-1,
        random_seed=seed,
    )
    rgb = np.repeat(display[..., None], 3, axis=-1)
    explanation = lime_image.LimeImageExplainer(random_state=seed).explain_instance(
        rgb,
        tracked,
        labels=(1,),
        top_labels=None,
        hide_color=0,
        num_samples=num_samples,
        batch_size=BATCH_SIZE,
        segmentation_fn=segmenter,
        random_seed=seed,
    )
    weights = {int(s): float(w) for s, w in explanation.local_exp[1]}
    return LimeResult(
        explanation.segments,
        weights,
        float(explanation.score[1] if isinstance(explanation.score, dict) else explanation.score),
    )


def topk_overlap(a: LimeResult, b: LimeResult, k: int) -> float:
    """Jaccard overlap in [0, 1] of the 'for PNEUMONIA' masks of two runs (stability)."""
    ma, mb = a.mask(k, +1), b.mask(k, +1)
    union = np.logical_or(ma, mb).sum()
    return float(np.logical_and(ma, mb).sum() / union) if union else 1.0
