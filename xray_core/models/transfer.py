"""Transfer learning from ImageNet backbones, built flat.

The backbone's own input is the model input and its layers are part of the one functional
graph (no nested Model as a layer), so Grad-CAM and feature maps reach every layer.
`weights="imagenet"` uses Keras's ordinary download path ($KERAS_HOME/models first).
"""

from __future__ import annotations

import keras
from keras import layers

from xray_core.models.backbones import BACKBONES, Backbone
from xray_core.models.head import sigmoid_output
from xray_core.models.standardize import SYMMETRIC_SPREAD
from xray_core.models.standardize import standardize as standardize_layer

__all__ = ["BACKBONES", "Backbone", "make_transfer", "set_finetune"]


def make_transfer(
    backbone: str = "mobilenetv2_035",
    input_shape=(224, 224, 3),
    weights="imagenet",
    dropout=0.3,
    dense_units=0,
    standardize=False,
    feature_layer=None,
) -> keras.Model:
    """ImageNet backbone (frozen) -> GAP -> [Dense] -> sigmoid. Call `set_finetune` to unfreeze.

    `feature_layer`: read the features from this backbone layer (e.g. `block_13_expand_relu`,
    14x14) instead of its last one; the layers after it are not part of the model, and this
    layer becomes the one Grad-CAM uses (`registry.build_model` records it).

    `standardize`: each image is first shifted and scaled to mean 0 and the spread of a
    [-1, 1]-scaled X-ray (`models.standardize.SYMMETRIC_SPREAD`) over its own pixels, so a
    global change of brightness or contrast does not reach the backbone. Its layers are
    part of the backbone's graph (built on that tensor), still one flat model.
    """
    spec = BACKBONES[backbone]
    extra = dict(spec.kwargs)
    if standardize:
        image = keras.Input(input_shape, name="image")
        extra["input_tensor"] = standardize_layer(image, spread=SYMMETRIC_SPREAD)
    base = getattr(keras.applications, spec.factory)(
        input_shape=input_shape, include_top=False, weights=weights, **extra
    )
    base.trainable = False
    if feature_layer and feature_layer not in _backbone_names(base):
        raise ValueError(f"feature layer {feature_layer!r} is not a layer of {backbone}")
    features = base.get_layer(feature_layer).output if feature_layer else base.output
    x = layers.GlobalAveragePooling2D(name="gap")(features)
    if dense_units:
        x = layers.Dense(dense_units, activation="relu", name="head_dense")(x)
    model = keras.Model(base.inputs[0], sigmoid_output(x, dropout), name=f"transfer_{backbone}")
    for layer in model.layers:
        layer.trainable = not layer.name.startswith(tuple(_backbone_names(base)))
    return model


def _backbone_names(base: keras.Model) -> set[str]:
    return {layer.name for layer in base.layers}


def set_finetune(
    model: keras.Model, backbone: str, head_layers: set[str], start: str | None = None
) -> int:
    """Unfreeze backbone layers from START on (default: the backbone's `finetune_from`),
    BatchNorm kept frozen.

    Args:
        head_layers: names of the head's layers (always trainable).
    Returns:
        number of backbone layers made trainable.
    """
    start = start or BACKBONES[backbone].finetune_from
    names = [layer.name for layer in model.layers]
    if start not in names:
        raise ValueError(f"fine-tune start layer {start!r} not in model {model.name}")
    first = names.index(start)
    n = 0
    for i, layer in enumerate(model.layers):
        if layer.name in head_layers:
            layer.trainable = True
        elif i >= first and not isinstance(layer, layers.BatchNormalization):
            layer.trainable = True
            n += bool(layer.weights)
        else:
            layer.trainable = False
    return n
