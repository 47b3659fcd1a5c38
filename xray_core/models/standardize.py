"""Per-image standardisation as a model's first layer (no learned parameters)."""

from __future__ import annotations

from keras import layers

# Standard deviation of a typical chest X-ray after the "symmetric" ([-1, 1]) scaling, about
# 2 x 0.25: an ImageNet backbone's frozen layers were trained on inputs of about this spread.
SYMMETRIC_SPREAD = 0.5


def standardize(x, spread: float = 1.0):
    """Shift and scale each image to mean 0, standard deviation `spread` over its own pixels.

    Args:
        x: a (N, H, W, C) Keras tensor, any range.
        spread: the standard deviation of the output (1.0, or SYMMETRIC_SPREAD before an
            ImageNet backbone).
    Returns:
        a tensor of the same shape; a*x + b (a > 0) maps to the same output as x.
    """
    x = layers.LayerNormalization(
        axis=(1, 2, 3), epsilon=1e-6, center=False, scale=False, name="standardize"
    )(x)
    if spread != 1.0:
        x = layers.Rescaling(spread, name="standardize_spread")(x)
    return x
