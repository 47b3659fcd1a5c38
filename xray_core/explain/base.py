"""The one explainer shape: model + preprocessed image + settings -> an `Explanation`.

An explainer is one module exposing an object with

    name: str                                   registry key, e.g. "gradcam"
    title: str                                  what the page calls it
    params(handle) -> tuple[Param, ...]         its settings, with choices and defaults
    unavailable(handle) -> str | None           why it cannot explain this model, or None
    explain(handle, x, settings, progress) -> Explanation

and one line in `registry.EXPLAINERS`. Pages render the settings from `params`, draw with
`Explanation.draw` and run `Explanation.check` for the faithfulness panel: a new method needs
no page change.

An `Explanation` carries its heatmap ((H, W) float32 in [0, 1] at the model's input size: the
pixel ranking the deletion/insertion checks use), the settings that made it, and the names of
the checks that apply to it; `draw` turns it into an RGB overlay (drawing stays in `overlay`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from xray_core.explain import overlay
from xray_core.io.contract import CAFFE_MEANS, ImageContract, Scaling

HEATMAP_CHECKS = ("randomisation", "deletion", "insertion", "shortcuts")


@dataclass(frozen=True)
class Param:
    """One setting of an explainer: `choices` are the allowed values, `default` one of them."""

    name: str
    label: str
    choices: tuple
    default: object
    help: str = ""


@dataclass(frozen=True)
class Explanation:
    """A map for one image, with what made it.

    Attributes:
        method: registry key of the explainer.
        title: human name ("Grad-CAM").
        heatmap: (H, W) float32 in [0, 1], warm = more evidence toward `target`.
        target: class the map argues for ("PNEUMONIA" or "NORMAL").
        settings: the resolved settings (every param of the explainer).
        caption: one line on how to read the drawing.
        checks: names of the faithfulness checks that apply (`registry.check` runs them).
        resolution: side of the grid the map was computed on (a 7 x 7 layer: 7); the
            deletion and insertion checks draw their random maps at it.
        extra: method-specific results (LIME's regions, occlusion's peak logit drop).
    """

    method: str
    title: str
    heatmap: np.ndarray
    target: str
    settings: dict
    caption: str
    checks: tuple[str, ...] = HEATMAP_CHECKS
    resolution: int = 7
    extra: dict = field(default_factory=dict)

    @property
    def ranking(self) -> np.ndarray:
        """(H, W) what the map ranks pixels by before any clipping (occlusion's signed logit
        drops; the heatmap itself for the others): the randomisation check compares these, so
        a map that is blank on a random network is not counted as unlike by default."""
        return self.extra.get("evidence", self.heatmap)

    @property
    def blank(self) -> bool:
        """True when the map holds no evidence at all (every pixel 0)."""
        return not bool(self.heatmap.any())

    def __post_init__(self):
        h = self.heatmap
        if not isinstance(h, np.ndarray) or h.ndim != 2 or h.dtype != np.float32:
            raise ValueError(
                f"heatmap must be (H, W) float32, got {getattr(h, 'shape', None)} "
                f"{getattr(h, 'dtype', type(h).__name__)}"
            )
        if h.size and (h.min() < 0.0 or h.max() > 1.0):
            raise ValueError(f"heatmap must be in [0, 1], got [{h.min()}, {h.max()}]")

    def draw(self, display: np.ndarray, alpha: float = 0.45) -> np.ndarray:
        """(H, W) uint8 display image -> (H, W, 3) uint8 RGB overlay of the heatmap."""
        return overlay.blend_heatmap(display, self.heatmap, alpha)


def resolve_settings(params: tuple[Param, ...], settings: dict | None) -> dict:
    """Defaults filled in; unknown names or values outside a param's choices raise ValueError."""
    settings = dict(settings or {})
    known = {p.name: p for p in params}
    unknown = sorted(set(settings) - set(known))
    if unknown:
        raise ValueError(f"unknown settings {unknown}; valid: {sorted(known)}")
    out = {}
    for p in params:
        value = settings.get(p.name, p.default)
        if value not in p.choices:
            raise ValueError(f"{p.name} must be one of {list(p.choices)}, got {value!r}")
        out[p.name] = value
    return out


def input_to_display(x: np.ndarray, contract: ImageContract) -> np.ndarray:
    """Inverse of `contract.from_display` for one image: (H, W, C) float32 -> (H, W) uint8."""
    if x.ndim != 3 or x.shape != contract.input_shape:
        raise ValueError(f"expected one model input {contract.input_shape}, got {x.shape}")
    plane = x[..., 0].astype(np.float64)
    if contract.scaling is Scaling.CAFFE:
        plane = plane + (CAFFE_MEANS[0] if contract.channels == 3 else 0.0)
    elif contract.scaling is Scaling.SYMMETRIC:
        plane = (plane + 1.0) * 127.5
    else:
        plane = plane * 255.0
    return np.clip(np.rint(plane), 0, 255).astype(np.uint8)


def normalise(a: np.ndarray) -> np.ndarray:
    """Any (H, W) array -> float32 in [0, 1] by min-max (all zeros when flat or not finite)."""
    a = np.nan_to_num(np.asarray(a, np.float64))
    lo, hi = a.min(), a.max()
    return ((a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)).astype(np.float32)
