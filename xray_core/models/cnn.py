"""CNN from scratch with the options the classic notebooks compare.

Options: activation, kernel initializer, dropout, L2, batch norm, dilated convolutions.
A strided stem keeps training affordable on a 2-core CPU.
"""

from __future__ import annotations

import keras
from keras import layers

from xray_core.models.head import regularizer, sigmoid_output

LAST_CONV = "last_conv"


def conv_block(x, filters, name, activation, initializer, l2, batch_norm, dilation=1):
    """Conv3x3 (optionally dilated) -> [BN] -> activation."""
    x = layers.Conv2D(
        filters,
        3,
        padding="same",
        dilation_rate=dilation,
        use_bias=not batch_norm,
        kernel_initializer=initializer,
        kernel_regularizer=regularizer(l2),
        name=name,
    )(x)
    if batch_norm:
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.Activation(activation, name=f"{name}_act")(x)


def make_cnn(
    input_shape=(224, 224, 1),
    filters=(16, 32, 64, 96),
    activation="relu",
    initializer="he_normal",
    dropout=0.3,
    l2=1e-4,
    batch_norm=True,
    dilation=1,
    last_filters=128,
) -> keras.Model:
    """Stem conv stride 2 -> stages of conv+pool -> named last conv -> GAP -> sigmoid.

    dilation > 1 dilates the second conv of every stage after the first (wider receptive field
    at the same cost).
    """
    opts = dict(activation=activation, initializer=initializer, l2=l2, batch_norm=batch_norm)
    inp = keras.Input(input_shape, name="image")
    x = layers.Conv2D(
        filters[0], 5, strides=2, padding="same", kernel_initializer=initializer, name="stem_conv"
    )(inp)
    x = layers.Activation(activation, name="stem_act")(x)
    for i, f in enumerate(filters):
        x = conv_block(x, f, f"stage{i}_conv1", **opts)
        x = conv_block(x, f, f"stage{i}_conv2", dilation=dilation if i else 1, **opts)
        x = layers.MaxPooling2D(2, name=f"stage{i}_pool")(x)
    x = conv_block(x, last_filters, LAST_CONV, **opts)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    return keras.Model(inp, sigmoid_output(x, dropout), name="cnn")
