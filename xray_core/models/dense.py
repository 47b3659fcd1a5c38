"""Dense (MLP) baseline on a downscaled image: the classic notebooks' starting point."""

from __future__ import annotations

import keras
from keras import layers

from xray_core.models.head import regularizer, sigmoid_output


def make_dense(
    input_shape=(64, 64, 1), units=(256, 64), activation="relu", dropout=0.3, l2=1e-4
) -> keras.Model:
    """Flatten -> Dense blocks -> sigmoid. No convolution, so no Grad-CAM layer."""
    inp = keras.Input(input_shape, name="image")
    x = layers.Flatten(name="flatten")(inp)
    for i, n in enumerate(units):
        x = layers.Dense(
            n, activation=activation, kernel_regularizer=regularizer(l2), name=f"dense_{i}"
        )(x)
        x = layers.Dropout(dropout, name=f"dropout_{i}")(x)
    return keras.Model(inp, sigmoid_output(x, dropout=0.0), name="dense_baseline")
