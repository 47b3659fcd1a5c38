"""ImageNet backbones as data (no Keras import): factory, scaling, last conv, fine-tune start."""

from __future__ import annotations

from dataclasses import dataclass

from xray_core.io.contract import Scaling


@dataclass(frozen=True)
class Backbone:
    """How to build one ImageNet backbone and where its last conv and fine-tune blocks are."""

    factory: str  # attribute of keras.applications
    kwargs: tuple  # extra keyword arguments, as (key, value) pairs
    scaling: Scaling  # the image contract's scaling this backbone expects
    last_conv: str  # layer Grad-CAM uses (last spatial feature map)
    finetune_from: str  # first layer unfrozen when fine-tuning


BACKBONES = {
    "mobilenetv2_035": Backbone(
        "MobileNetV2", (("alpha", 0.35),), Scaling.SYMMETRIC, "out_relu", "block_13_expand"
    ),
    "mobilenetv2_050": Backbone(
        "MobileNetV2", (("alpha", 0.5),), Scaling.SYMMETRIC, "out_relu", "block_13_expand"
    ),
    "mobilenet_025": Backbone(
        "MobileNet", (("alpha", 0.25),), Scaling.SYMMETRIC, "conv_pw_13_relu", "conv_dw_12"
    ),
    "vgg16": Backbone("VGG16", (), Scaling.CAFFE, "block5_conv3", "block5_conv1"),
    "vgg19": Backbone("VGG19", (), Scaling.CAFFE, "block5_conv4", "block5_conv1"),
}
