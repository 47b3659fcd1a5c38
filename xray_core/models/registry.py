"""One factory over all architectures; model metadata (contract, last conv) comes with it."""

from __future__ import annotations

from dataclasses import dataclass

import keras

from xray_core.contract import ImageContract
from xray_core.models import cnn, dense, resnet, transfer

ARCHITECTURES = ("dense", "cnn", "resnet", *transfer.BACKBONES)


@dataclass
class BuiltModel:
    """A freshly built model with what its card must record."""

    model: keras.Model
    arch: str
    contract: ImageContract
    last_conv: str | None  # None for the dense baseline (no convolution)
    imagenet_weights: str | None


def build_model(arch: str, clahe: bool = True, **options) -> BuiltModel:
    """Build architecture `arch` with its options.

    Args:
        arch: one of ARCHITECTURES.
        clahe: whether the input contract applies CLAHE.
        **options: forwarded to the builder (e.g. activation=, dropout=, dilation=, weights=).
    Raises:
        ValueError: unknown architecture (message lists the valid ones).
    """
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; choose one of {', '.join(ARCHITECTURES)}")
    if arch == "dense":
        size = int(options.pop("size", 64))
        c = ImageContract(size=size, channels=1, scaling="unit", clahe=clahe)
        return BuiltModel(dense.make_dense(c.input_shape, **options), arch, c, None, None)
    if arch in ("cnn", "resnet"):
        c = ImageContract(
            size=int(options.pop("size", 224)), channels=1, scaling="unit", clahe=clahe
        )
        maker = cnn.make_cnn if arch == "cnn" else resnet.make_resnet
        return BuiltModel(maker(c.input_shape, **options), arch, c, cnn.LAST_CONV, None)
    spec = transfer.BACKBONES[arch]
    c = ImageContract(size=224, channels=3, scaling=spec.scaling, clahe=clahe)
    weights = options.get("weights", "imagenet")
    model = transfer.make_transfer(arch, c.input_shape, **options)
    label = f"{spec.factory} {dict(spec.kwargs)} ImageNet (keras.applications)" if weights else None
    return BuiltModel(model, arch, c, spec.last_conv, label)
