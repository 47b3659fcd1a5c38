"""A small ResNet from scratch: strided stem, residual stages with BN, named last conv."""

from __future__ import annotations

import keras
from keras import layers

from xray_core.models.head import regularizer, sigmoid_output
from xray_core.models.standardize import standardize as standardize_layer

LAST_CONV = "last_conv"


def residual_block(x, filters, name, l2):
    """Two 3x3 convs with BN and a (1x1-projected when widths differ) shortcut."""
    shortcut = x
    if x.shape[-1] != filters:
        shortcut = layers.Conv2D(
            filters, 1, use_bias=False, name=f"{name}_proj", kernel_regularizer=regularizer(l2)
        )(x)
        shortcut = layers.BatchNormalization(name=f"{name}_proj_bn")(shortcut)
    y = layers.Conv2D(
        filters,
        3,
        padding="same",
        use_bias=False,
        kernel_initializer="he_normal",
        kernel_regularizer=regularizer(l2),
        name=f"{name}_conv1",
    )(x)
    y = layers.BatchNormalization(name=f"{name}_bn1")(y)
    y = layers.Activation("relu", name=f"{name}_relu1")(y)
    y = layers.Conv2D(
        filters,
        3,
        padding="same",
        use_bias=False,
        kernel_initializer="he_normal",
        kernel_regularizer=regularizer(l2),
        name=f"{name}_conv2",
    )(y)
    y = layers.BatchNormalization(name=f"{name}_bn2")(y)
    y = layers.Add(name=f"{name}_add")([shortcut, y])
    return layers.Activation("relu", name=f"{name}_out")(y)


def make_resnet(
    input_shape=(224, 224, 1),
    widths=(24, 48, 96, 160),
    last_filters=256,
    dropout=0.3,
    l2=1e-5,
    pool_after_stem=False,
    standardize=False,
) -> keras.Model:
    """16-filter 5x5 stride-2 stem -> [residual block -> max-pool] per width -> last conv -> GAP.

    With `pool_after_stem` the stem is followed by a 2x2 max-pool and the last stage by none:
    the same layers and weights count, the residual stages run at half the side (56, 28, 14
    and 7 px for a 224 px input instead of 112 to 14), about a third of the compute; the last
    conv still sees a 7x7 grid.

    `standardize`: each image is shifted and scaled to mean 0, standard deviation 1 over its
    own pixels before the stem (`models.standardize`, no learned parameters), so a global change
    of exposure after CLAHE does not reach the network.
    """
    inp = keras.Input(input_shape, name="image")
    x = standardize_layer(inp) if standardize else inp
    x = layers.Conv2D(16, 5, strides=2, padding="same", use_bias=False, name="stem_conv")(x)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.Activation("relu", name="stem_relu")(x)
    if pool_after_stem:
        x = layers.MaxPooling2D(2, name="stem_pool")(x)
    for i, w in enumerate(widths):
        x = residual_block(x, w, f"stage{i}", l2)
        if not (pool_after_stem and i == len(widths) - 1):
            x = layers.MaxPooling2D(2, name=f"stage{i}_pool")(x)
    x = layers.Conv2D(
        last_filters,
        3,
        padding="same",
        use_bias=False,
        kernel_regularizer=regularizer(l2),
        name=LAST_CONV,
    )(x)
    x = layers.BatchNormalization(name="last_bn")(x)
    x = layers.Activation("relu", name="last_relu")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    return keras.Model(inp, sigmoid_output(x, dropout), name="resnet_small")


def make_resnet_fast(input_shape=(224, 224, 1), **options) -> keras.Model:
    """`make_resnet` with `pool_after_stem`: residual stages at 56 to 7 px (~1/3 the compute)."""
    return make_resnet(input_shape, pool_after_stem=True, **options)
