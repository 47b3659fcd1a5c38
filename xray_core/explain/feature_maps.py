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
