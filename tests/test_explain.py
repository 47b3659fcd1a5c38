"""Explainers return (H, W) float32 in [0, 1]; LIME masks and feature maps are well formed."""

import cv2
import numpy as np
import pytest

from xray_core.explain import feature_maps, gradcam, lime_explain, overlay
from xray_core.io.contract import preprocess, to_display
from xray_core.io.decode import load_image


def manual_gradcam(stored, x: np.ndarray, target: str) -> np.ndarray:
    """Grad-CAM from its definition (Selvaraju et al.): ReLU(sum_k mean(dS/dA_k) * A_k) at the
    last conv layer, S the pre-sigmoid score (negated for NORMAL). Coarse (h, w) float64."""
    import keras
    import tensorflow as tf

    from xray_core.models.head import PROBABILITY_LAYER

    head = stored.model.get_layer(PROBABILITY_LAYER)
    sub = keras.Model(
        stored.model.input, [stored.model.get_layer(stored.last_conv).output, head.input]
    )
    kernel, bias = (np.asarray(w) for w in head.get_weights())
    with tf.GradientTape() as tape:
        a, h = sub(x[None], training=False)
        score = (1.0 if target == "PNEUMONIA" else -1.0) * (h @ kernel + bias)
    grads = tape.gradient(score, a)
    weights = tf.reduce_mean(grads, axis=(1, 2))
    cam = tf.nn.relu(tf.reduce_sum(a * weights[:, None, None, :], axis=-1))[0]
    return np.asarray(cam, np.float64)


@pytest.fixture(scope="module")
def image(tiny_model, fullres_files):
    gray = load_image(fullres_files[-1])
    return preprocess(gray, tiny_model.contract), to_display(gray, tiny_model.contract)


@pytest.mark.parametrize("method", gradcam.METHODS)
def test_gradcam_shape_and_range(tiny_model, image, method):
    cam = gradcam.make_cam(tiny_model.model, method)
    heat = gradcam.gradcam_heatmap(cam, image[0], tiny_model.last_conv)
    size = tiny_model.contract.size
    assert heat.shape == (size, size) and heat.dtype == np.float32
    assert 0.0 <= heat.min() and heat.max() <= 1.0


def test_gradcam_needs_a_conv_layer(tiny_model, image):
    with pytest.raises(gradcam.NoConvLayerError):
        gradcam.gradcam_heatmap(None, image[0], None)
    with pytest.raises(ValueError, match="unknown Grad-CAM method"):
        gradcam.make_cam(tiny_model.model, "cam")


@pytest.fixture(scope="module")
def tiny_model_logits(tiny_model):
    from xray_core.explain.handle import ModelHandle

    return ModelHandle(tiny_model).logits


def test_lime_is_reproducible_and_masks_are_disjoint(tiny_model, tiny_model_logits, image):
    seen = []
    a = lime_explain.explain_lime(
        tiny_model_logits,
        image[1],
        tiny_model.contract,
        num_samples=60,
        seed=3,
        progress=seen.append,
    )
    b = lime_explain.explain_lime(
        tiny_model_logits, image[1], tiny_model.contract, num_samples=60, seed=3
    )
    assert a.weights == b.weights and lime_explain.topk_overlap(a, b, 3) == 1.0
    assert seen and seen[-1] == 1.0
    assert not np.any(a.mask(3, +1) & a.mask(3, -1))
    assert a.segments.shape == image[1].shape


def test_lime_checks_its_input(tiny_model, tiny_model_logits, image):
    with pytest.raises(ValueError, match="display image"):
        lime_explain.explain_lime(tiny_model_logits, image[1][:10], tiny_model.contract)


def test_feature_maps_in_model_order(tiny_model, image):
    layers = feature_maps.conv_layers(tiny_model.model)
    names = [layer.name for layer in tiny_model.model.layers]
    assert [names.index(x["name"]) for x in layers] == sorted(
        names.index(x["name"]) for x in layers
    )
    probe = feature_maps.make_probe(tiny_model.model, layers[1]["name"])
    maps = feature_maps.feature_maps(probe, image[0])
    h, w, c = layers[1]["shape"]
    assert maps.shape == (min(c, 64), h, w) and maps.min() >= 0 and maps.max() <= 1


def test_overlays_are_rgb_u8(image):
    gray = image[1]
    heat = np.linspace(0, 1, gray.size, dtype=np.float32).reshape(gray.shape)
    out = overlay.blend_heatmap(gray, heat, alpha=0.0)
    np.testing.assert_array_equal(out[..., 0], gray)
    assert overlay.blend_heatmap(gray, heat, 1.0).dtype == np.uint8
    with pytest.raises(ValueError):
        overlay.blend_heatmap(gray, heat, 1.5)


def test_gradcam_explains_either_class(tiny_model, image):
    cam = gradcam.make_cam(tiny_model.model, "gradcam")
    normal = gradcam.gradcam_heatmap(cam, image[0], tiny_model.last_conv, target="NORMAL")
    pneumonia = gradcam.gradcam_heatmap(cam, image[0], tiny_model.last_conv, target="PNEUMONIA")
    assert normal.shape == pneumonia.shape
    for target, heat in (("NORMAL", normal), ("PNEUMONIA", pneumonia)):
        expected = manual_gradcam(tiny_model, image[0], target)
        if expected.max() == 0:  # no evidence for this class anywhere
            assert heat.max() == 0
        else:
            up = cv2.resize(expected / expected.max(), heat.shape[::-1])
            assert np.corrcoef(up.ravel(), heat.ravel())[0, 1] > 0.9, target
    assert not np.allclose(normal, pneumonia)
    with pytest.raises(ValueError, match="target must be one of"):
        gradcam.gradcam_heatmap(cam, image[0], tiny_model.last_conv, target="COVID")


def test_gradcam_and_gradcam_plus_plus_share_one_linear_copy(tiny_model, image):
    from xray_core.explain.handle import ModelHandle
    from xray_core.models.head import PROBABILITY_LAYER

    handle = ModelHandle(tiny_model)
    plain, plus = handle.cam("gradcam"), handle.cam("gradcam++")
    assert plain.model is plus.model  # one copy of the model for both explainers
    assert plain.model is not tiny_model.model and handle.cam("gradcam") is plain
    # the copy reads the logit; the shipped model still ends in its sigmoid
    last = plain.model.get_layer(PROBABILITY_LAYER)
    assert last.activation.__name__ == "linear"
    assert tiny_model.model.get_layer(PROBABILITY_LAYER).activation.__name__ == "sigmoid"
    x = image[0][None]
    logit = float(np.ravel(plain.model(x))[0])
    p = float(np.ravel(tiny_model.model(x))[0])
    assert p == pytest.approx(1 / (1 + np.exp(-logit)), abs=1e-5)
