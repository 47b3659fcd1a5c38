"""Every explanation method, by name: one line per method module (see `base` for the shape)."""

from __future__ import annotations

import numpy as np

from xray_core.explain import checks, feature_maps, gradcam, lime_explain, occlusion

EXPLAINERS = {
    e.name: e
    for e in (
        occlusion.OCCLUSION,
        gradcam.GRADCAM,
        gradcam.GRADCAM_PP,
        lime_explain.LIME,
        feature_maps.FEATURE_MAPS,
    )
}


def get_explainer(name: str):
    """The explainer called `name`; a wrong name lists the valid ones."""
    if name not in EXPLAINERS:
        raise ValueError(f"unknown explanation method {name!r}; valid: {list(EXPLAINERS)}")
    return EXPLAINERS[name]


def available(handle) -> dict[str, str | None]:
    """{method: None if it applies to this model, else the reason it does not}."""
    return {name: e.unavailable(handle) for name, e in EXPLAINERS.items()}


def explain(handle, x: np.ndarray, method: str, settings: dict | None = None, progress=None):
    """Explain one preprocessed image (H, W, C) float32 with `method` -> Explanation.

    Raises ValueError when the method does not apply to the model (the reason is the message).
    """
    explainer = get_explainer(method)
    reason = explainer.unavailable(handle)
    if reason:
        raise ValueError(reason)
    if x.shape != handle.contract.input_shape:
        raise ValueError(f"expected one model input {handle.contract.input_shape}, got {x.shape}")
    return explainer.explain(handle, x, settings, progress)


def check(explanation, handle, x: np.ndarray, seed: int = 0):
    """The faithfulness checks EXPLANATION lists, run on model input x (H, W, C) float32 with
    the explainer that made it -> `checks.Faithfulness`."""
    return checks.run_checks(explanation, get_explainer(explanation.method), handle, x, seed)


def opening_method(handle, faithfulness: dict | None, target: str = "PNEUMONIA") -> str:
    """The method a page opens with for this model: the first available one (registry order)
    that passed every line of the model's faithfulness benchmark (its card's `faithfulness`)
    on maps of `target`; else the first available one."""
    from xray_core.explain.verdict import passes_benchmark

    usable = [name for name, why in available(handle).items() if why is None]
    passed = [m for m in usable if passes_benchmark(faithfulness, m, target)]
    return (passed or usable)[0]


def explain_opening(handle, x: np.ndarray, target: str = "PNEUMONIA", progress=None):
    """The map a page opens with for one image (H, W, C) float32: `opening_method`'s, at its
    default settings, toward `target` -> Explanation."""
    method = opening_method(handle, handle.stored.card.get("faithfulness"), target)
    return explain(handle, x, method, {"target": target}, progress)
