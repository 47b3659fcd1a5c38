"""Dense (MLP) baseline on a downscaled image: the classic notebooks' starting point."""

from __future__ import annotations

import keras
from keras import layers

from xray_core.models.head import regularizer, sigmoid_output
from xray_core.models.standardize import standardize as standardize_layer


def make_dense(
    input_shape=(64, 64, 1),
    units=(256, 64),
    activation="relu",
    dropout=0.3,
    l2=1e-4,
    standardize=False,
) -> keras.Model:
    """Flatten -> Dense blocks -> sigmoid. No convolution, so no Grad-CAM layer.

    `standardize`: each image is shifted and scaled to mean 0, standard deviation 1 over its
    own pixels first (`models.standardize`, no learned parameters), so a global change of
    brightness or contrast does not reach the dense layers.
    """
    inp = keras.Input(input_shape, name="image")
    x = inp
    if standardize:
        x = standardize_layer(x)
    x = layers.Flatten(name="flatten")(x)
    for i, n in enumerate(units):
        x = layers.Dense(
            n, activation=activation, kernel_regularizer=regularizer(l2), name=f"dense_{i}"
        )(x)
        x = layers.Dropout(dropout, name=f"dropout_{i}")(x)
    return keras.Model(inp, sigmoid_output(x, dropout=0.0), name="dense_baseline")
