"""Intermediate feature maps: which convolutional layers exist, and their channels per image."""

from __future__ import annotations

import numpy as np

CONV_TYPES = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D")


def conv_layers(model) -> list[dict]:
    """Convolutional layers in model order: [{'name', 'type', 'shape': (h, w, c)}]."""
    out = []
    for layer in model.layers:
        if type(layer).__name__ in CONV_TYPES:
            shape = tuple(int(d) for d in layer.output.shape[1:])
            out.append({"name": layer.name, "type": type(layer).__name__, "shape": shape})
    return out


def make_probe(model, layer: str):
    """A model from the input to `layer`'s output (read-only; cache it per model and layer)."""
    import keras

    names = [layer_.name for layer_ in model.layers]
    if layer not in names:
        raise ValueError(f"layer {layer!r} not in model {model.name}")
    return keras.Model(model.input, model.get_layer(layer).output, name=f"probe_{layer}")


def feature_maps(probe, x: np.ndarray, max_channels: int = 64) -> np.ndarray:
    """Channels of one image at the probe's layer, each min-max scaled.

    Args:
        x: (H, W, C) float32 model input.
    Returns:
        (k, h, w) float32 in [0, 1], k = min(channels, max_channels).
    """
    a = np.asarray(probe(x[None], training=False))[0]  # (h, w, c)
    a = np.moveaxis(a[..., :max_channels], -1, 0).astype(np.float32)
    lo = a.min(axis=(1, 2), keepdims=True)
    hi = a.max(axis=(1, 2), keepdims=True)
    return np.where(hi > lo, (a - lo) / np.maximum(hi - lo, 1e-12), 0.0).astype(np.float32)


class FeatureMapExplainer:
    """Feature maps behind the one explainer shape: the heatmap is the layer's mean activation
    (upsampled to the input size, min-max scaled); `extra['channels']` holds the channels.
    Not class evidence, so only the randomisation and shortcut checks apply."""

    name, title = "feature_maps", "Feature maps"

    def params(self, handle) -> tuple:
        from xray_core.explain.base import Param

        names = tuple(layer["name"] for layer in conv_layers(handle.model))
        default = handle.last_conv if handle.last_conv in names else (names[-1] if names else None)
        return (Param("layer", "Layer", names, default, "convolutional layer, in model order"),)

    def unavailable(self, handle) -> str | None:
        if not conv_layers(handle.model):
            return f"{handle.name} has no convolutional layer, so it has no feature maps."
        return None

    def explain(self, handle, x: np.ndarray, settings: dict | None = None, progress=None):
        """(H, W, C) float32 model input -> Explanation (heatmap: mean activation)."""
        import cv2

        from xray_core.explain.base import Explanation, normalise, resolve_settings

        s = resolve_settings(self.params(handle), settings)
        probe = handle.probe(s["layer"])
        raw = np.asarray(probe(x[None], training=False))[0].mean(axis=-1)
        size = x.shape[:2][::-1]
        heat = normalise(cv2.resize(raw.astype(np.float32), size, interpolation=cv2.INTER_LINEAR))
        return Explanation(
            method=self.name,
            title=self.title,
            heatmap=heat,
            target="PNEUMONIA",
            settings=s,
            caption=f"Mean activation of layer {s['layer']} (not class evidence): warm = active",
            checks=("randomisation", "shortcuts"),
            extra={"channels": feature_maps(probe, x)},
        )


FEATURE_MAPS = FeatureMapExplainer()
