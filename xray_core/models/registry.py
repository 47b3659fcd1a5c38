"""The architectures as data (name -> builder, input contract, last conv, description) and the
one factory over them. Importing this module does not import Keras (the CLI's --help needs the
names only); `build_model` imports the builder when called.

To add an architecture: write `make_<arch>(input_shape, **options) -> keras.Model` (flat,
ending in `head.sigmoid_output`) in its own module, then add one `Architecture` entry here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from xray_core.io.contract import ImageContract, Scaling
from xray_core.models.backbones import BACKBONES


@dataclass(frozen=True)
class Architecture:
    """One buildable architecture.

    Attributes:
        builder: "module:function" making the model from (input_shape, **options).
        size: default input side in pixels; `resizable` lets the `size` option change it.
        channels, scaling: the image contract's channels (1 or 3) and scaling.
        last_conv: layer Grad-CAM and feature maps use; None when there is no convolution.
        description: one line for the model card.
        backbone: the ImageNet backbone's key in BACKBONES, for transfer models.
    """

    builder: str
    size: int
    channels: int
    scaling: Scaling
    last_conv: str | None
    description: str
    resizable: bool = True
    backbone: str | None = None


ARCHITECTURES: dict[str, Architecture] = {
    "dense": Architecture(
        "xray_core.models.dense:make_dense", 64, 1, Scaling.UNIT, None,
        "Dense (MLP) baseline on a 64x64 downscaled image.",
    ),
    "cnn": Architecture(
        "xray_core.models.cnn:make_cnn", 224, 1, Scaling.UNIT, "last_conv",
        "CNN from scratch: strided stem, conv stages with BN, named last conv, GAP.",
    ),
    "resnet": Architecture(
        "xray_core.models.resnet:make_resnet", 224, 1, Scaling.UNIT, "last_conv",
        "Small ResNet from scratch: 5x5 stride-2 stem, four residual stages, GAP.",
    ),
    "resnet_fast": Architecture(
        "xray_core.models.resnet:make_resnet_fast", 224, 1, Scaling.UNIT, "last_conv",
        "Small ResNet from scratch, downsampled early: 5x5 stride-2 stem and a max-pool, four "
        "residual stages at 56 to 7 px, GAP (about a third of the compute of `resnet`).",
    ),
    **{
        name: Architecture(
            "xray_core.models.transfer:make_transfer", 224, 3, spec.scaling, spec.last_conv,
            f"Transfer learning from {name}.", resizable=False, backbone=name,
        )
        for name, spec in BACKBONES.items()
    },
}  # fmt: skip


# What the builders' `standardize` option does (dense, ResNet and transfer), in words: the
# card's description and its robustness text (`training.new_card.robustness_text`) say it so.
STANDARDIZE_NOTE = (
    "each image standardised over its own pixels (mean 0, a fixed sd) before the first layer, "
    "so a global change of exposure does not reach the network"
)


@dataclass
class BuiltModel:
    """A freshly built model with what its card must record."""

    model: object  # keras.Model
    arch: str
    contract: ImageContract
    last_conv: str | None  # None for the dense baseline (no convolution)
    imagenet_weights: str | None
    description: str = ""


def get_architecture(arch: str) -> Architecture:
    """The registry entry for `arch`. Raises ValueError listing the valid names."""
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; choose one of {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[arch]


def _imagenet_label(spec: Architecture, weights) -> str | None:
    if spec.backbone is None or not weights:
        return None
    b = BACKBONES[spec.backbone]
    return f"{b.factory} {dict(b.kwargs)} ImageNet (keras.applications)"


def build_model(arch: str, clahe: bool = True, **options) -> BuiltModel:
    """Build architecture `arch` with its options.

    Args:
        arch: a key of ARCHITECTURES.
        clahe: whether the input contract applies CLAHE.
        **options: `size` (resizable architectures), else forwarded to the builder
            (e.g. activation=, dropout=, dilation=, weights=).
    Raises:
        ValueError: unknown architecture (message lists the valid ones).
    """
    spec = get_architecture(arch)
    size = int(options.pop("size", spec.size)) if spec.resizable else spec.size
    contract = ImageContract(size=size, channels=spec.channels, scaling=spec.scaling, clahe=clahe)
    module, function = spec.builder.split(":")
    make = getattr(importlib.import_module(module), function)
    if spec.backbone is not None:
        options = {"backbone": spec.backbone, **options}
    model = make(input_shape=contract.input_shape, **options)
    label = _imagenet_label(spec, options.get("weights", "imagenet"))
    description = spec.description
    if options.get("standardize"):
        description += f" {STANDARDIZE_NOTE[0].upper()}{STANDARDIZE_NOTE[1:]}."
    last_conv = options.get("feature_layer") or spec.last_conv
    if options.get("feature_layer"):
        description += f" Features read from the backbone's `{last_conv}` layer."
    return BuiltModel(model, arch, contract, last_conv, label, description)
