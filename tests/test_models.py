"""Every builder builds flat, gives one sigmoid output and records a reachable last conv."""

import keras
import numpy as np
import pytest

from xray_core.models import ARCHITECTURES, build_model
from xray_core.models.transfer import BACKBONES, set_finetune

CASES = [
    ("dense", {}),
    ("dense", {"size": 32, "standardize": True}),
    ("cnn", {"size": 96}),
    (
        "cnn",
        {
            "size": 96,
            "activation": "elu",
            "initializer": "glorot_uniform",
            "dilation": 2,
            "batch_norm": False,
            "l2": 0.0,
            "dropout": 0.5,
        },
    ),
    ("resnet", {"size": 96}),
    ("resnet_fast", {"size": 96}),
    ("resnet_fast", {"size": 96, "standardize": True}),
    ("mobilenetv2_035", {"weights": None}),
    ("mobilenetv2_035", {"weights": None, "standardize": True}),
    ("mobilenetv2_035", {"weights": None, "feature_layer": "block_13_expand_relu"}),
    ("mobilenetv2_050", {"weights": None}),
    ("mobilenet_025", {"weights": None}),
    ("vgg16", {"weights": None}),
    ("vgg19", {"weights": None}),
]


@pytest.mark.parametrize("arch, options", CASES, ids=[f"{a}-{i}" for i, (a, _) in enumerate(CASES)])
def test_builder_is_flat_with_named_last_conv(arch, options):
    built = build_model(arch, **options)
    model = built.model
    assert model.output.shape[1:] == (1,)
    assert tuple(model.input.shape[1:]) == built.contract.input_shape
    assert not any(isinstance(layer, keras.Model) for layer in model.layers), "nested model"
    if arch == "dense":
        assert built.last_conv is None
    else:
        layer = model.get_layer(built.last_conv)
        assert len(layer.output.shape) == 4
    x = np.zeros((2, *built.contract.input_shape), np.float32)
    p = np.asarray(model(x))
    assert p.shape == (2, 1) and np.all((p >= 0) & (p <= 1))
    keras.backend.clear_session()


def test_resnet_fast_is_resnet_downsampled_early():
    """Same weights count and 7x7 last-conv grid; residual stages at half the side."""
    plain, fast = build_model("resnet").model, build_model("resnet_fast").model
    assert fast.count_params() == plain.count_params()
    assert fast.get_layer("last_conv").output.shape[1:3] == (7, 7)
    assert plain.get_layer("stage0_out").output.shape[1:3] == (112, 112)
    assert fast.get_layer("stage0_out").output.shape[1:3] == (56, 56)
    keras.backend.clear_session()


def test_standardized_dense_ignores_global_brightness_and_contrast():
    """With `standardize`, a*x + b (a > 0) scores as x; without it, it does not."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0.2, 0.8, (3, 64, 64, 1)).astype(np.float32)
    shifted = 0.5 * x + 0.3
    keras.utils.set_random_seed(0)
    standardized = build_model("dense", standardize=True).model
    np.testing.assert_allclose(standardized(shifted), standardized(x), atol=1e-4)
    assert "standardised" in build_model("dense", standardize=True).description
    assert "standardised" not in build_model("dense").description
    keras.utils.set_random_seed(0)
    plain = build_model("dense").model
    assert np.max(np.abs(np.asarray(plain(shifted)) - np.asarray(plain(x)))) > 1e-3
    keras.backend.clear_session()


def test_standardized_resnet_ignores_global_brightness_and_contrast():
    """The ResNet builders' `standardize`: a*x + b (a > 0) scores as x; without it, it does not."""
    rng = np.random.default_rng(2)
    x = rng.uniform(0.1, 0.9, (2, 96, 96, 1)).astype(np.float32)
    shifted = 0.7 * x + 0.1
    keras.utils.set_random_seed(0)
    built = build_model("resnet_fast", size=96, standardize=True)
    np.testing.assert_allclose(built.model(shifted), built.model(x), atol=1e-4)
    assert built.model.get_layer("stem_conv").input is built.model.get_layer("standardize").output
    assert "standardised" in built.description
    keras.utils.set_random_seed(0)
    plain = build_model("resnet_fast", size=96).model
    assert np.max(np.abs(np.asarray(plain(shifted)) - np.asarray(plain(x)))) > 1e-4
    keras.backend.clear_session()


def test_standardized_transfer_ignores_exposure_and_keeps_imagenet_weights():
    """The transfer builder's `standardize`: a*x + b scores as x, the backbone's ImageNet
    weights are the same ones, and its input spread matches a [-1, 1]-scaled image's."""
    from xray_core.models.standardize import SYMMETRIC_SPREAD

    rng = np.random.default_rng(1)
    x = rng.uniform(-0.8, 0.8, (2, 224, 224, 3)).astype(np.float32)
    shifted = 0.6 * x + 0.2
    built = build_model("mobilenetv2_035", clahe=False, standardize=True)
    model = built.model
    np.testing.assert_allclose(model(shifted), model(x), atol=1e-4)
    assert "standardised" in built.description
    spread = keras.Model(model.input, model.get_layer("Conv1").input)(x)
    assert abs(float(np.std(np.asarray(spread[0]))) - SYMMETRIC_SPREAD) < 1e-3
    plain = build_model("mobilenetv2_035", clahe=False).model
    for name in ("Conv1", "block_16_project"):
        np.testing.assert_array_equal(
            model.get_layer(name).get_weights()[0], plain.get_layer(name).get_weights()[0]
        )
    assert np.max(np.abs(np.asarray(plain(shifted)) - np.asarray(plain(x)))) > 1e-3
    assert set_finetune(model, "mobilenetv2_035", {"pneumonia_probability"}) > 0
    keras.backend.clear_session()


def test_transfer_features_from_an_earlier_layer():
    """`feature_layer`: the model ends there (later blocks absent), Grad-CAM reads it."""
    built = build_model("mobilenetv2_035", weights=None, feature_layer="block_13_expand_relu")
    names = {layer.name for layer in built.model.layers}
    assert built.last_conv == "block_13_expand_relu" and "block_13_expand_relu" in names
    assert "out_relu" not in names and "block_14_expand" not in names
    assert built.model.get_layer(built.last_conv).output.shape[1:3] == (14, 14)
    assert "block_13_expand_relu" in built.description
    keras.backend.clear_session()
    with pytest.raises(ValueError, match="'block_99' is not a layer of mobilenetv2_035"):
        build_model("mobilenetv2_035", weights=None, feature_layer="block_99")
    keras.backend.clear_session()


def test_unknown_architecture_lists_valid_ones():
    with pytest.raises(ValueError, match="choose one of dense, cnn, resnet"):
        build_model("inception")
    assert set(BACKBONES) <= set(ARCHITECTURES)


def test_imagenet_weights_load_offline_and_finetune_keeps_bn_frozen():
    built = build_model("mobilenetv2_035")  # KERAS_HOME points at ../shared/keras_home
    model = built.model
    assert built.imagenet_weights and "MobileNetV2" in built.imagenet_weights
    assert not model.get_layer("block_16_project").trainable
    n = set_finetune(model, "mobilenetv2_035", {"gap", "head_dropout", "pneumonia_probability"})
    assert n > 0
    assert model.get_layer("block_16_project").trainable
    assert not model.get_layer("block_16_project_BN").trainable
    assert not model.get_layer("block_12_project").trainable
    head = {"gap", "head_dropout", "pneumonia_probability"}
    earlier = set_finetune(model, "mobilenetv2_035", head, start="block_10_expand")
    assert earlier > n and model.get_layer("block_12_project").trainable
    assert not model.get_layer("block_9_project").trainable
    assert not model.get_layer("block_12_project_BN").trainable
    with pytest.raises(ValueError, match="block_99"):
        set_finetune(model, "mobilenetv2_035", head, start="block_99")
    keras.backend.clear_session()
