"""Shared classification head: one sigmoid unit giving P(PNEUMONIA)."""

from __future__ import annotations

import keras
from keras import layers

PROBABILITY_LAYER = "pneumonia_probability"


def sigmoid_output(x, dropout: float = 0.3):
    """Dropout then Dense(1, sigmoid) named PROBABILITY_LAYER; output shape (N, 1) in [0, 1]."""
    if dropout > 0:
        x = layers.Dropout(dropout, name="head_dropout")(x)
    return layers.Dense(1, activation="sigmoid", name=PROBABILITY_LAYER, dtype="float32")(x)


def regularizer(l2: float):
    """An L2 kernel regulariser, or None when l2 == 0."""
    return keras.regularizers.L2(l2) if l2 > 0 else None
