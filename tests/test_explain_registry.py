"""The one explainer shape: every method gives an Explanation that draws itself and lists its
checks; settings are checked; the randomised twin is a re-initialised copy."""

from dataclasses import replace

import numpy as np
import pytest

from xray_core.explain import base, checks, registry
from xray_core.explain import faithfulness as F
from xray_core.explain.handle import ModelHandle, randomised_copy
from xray_core.io.contract import ImageContract, from_display
from xray_core.io.decode import load_image

FAST = {"lime": {"samples": 100, "segments": 25}}


@pytest.fixture(scope="module")
def handle(tiny_model):
    return ModelHandle(tiny_model)


@pytest.fixture(scope="module")
def x(tiny_model, fullres_files):
    from xray_core.io.contract import preprocess

    return preprocess(load_image(fullres_files[0]), tiny_model.contract)


@pytest.mark.parametrize("method", list(registry.EXPLAINERS))
def test_every_method_gives_a_drawable_explanation(handle, x, method):
    exp = registry.explain(handle, x, method, FAST.get(method))
    size = handle.contract.size
    assert exp.heatmap.shape == (size, size) and exp.heatmap.dtype == np.float32
    assert 0.0 <= exp.heatmap.min() and exp.heatmap.max() <= 1.0
    display = base.input_to_display(x, handle.contract)
    drawn = exp.draw(display)
    assert drawn.shape == (size, size, 3) and drawn.dtype == np.uint8
    assert set(exp.checks) <= {"randomisation", "deletion", "insertion", "shortcuts", "stability"}
    assert set(exp.settings) == {p.name for p in registry.get_explainer(method).params(handle)}


def test_wrong_names_and_settings_are_refused(handle, x):
    with pytest.raises(ValueError, match="valid: \\['occlusion', 'gradcam'"):
        registry.get_explainer("shap")
    with pytest.raises(ValueError, match="unknown settings"):
        registry.explain(handle, x, "gradcam", {"colour": "red"})
    with pytest.raises(ValueError, match="target must be one of|must be one of"):
        registry.explain(handle, x, "gradcam", {"target": "COVID"})
    with pytest.raises(ValueError, match="expected one model input"):
        registry.explain(handle, x[:10], "gradcam")


def test_a_model_without_conv_layers_is_told_why(tiny_model, x):
    flat = ModelHandle(replace(tiny_model, card=tiny_model.card.updated(last_conv_layer=None)))
    reasons = registry.available(flat)
    assert reasons["lime"] is None and "no convolutional layer" in reasons["gradcam"]
    with pytest.raises(ValueError, match="no convolutional layer"):
        registry.explain(flat, x, "gradcam++")


@pytest.mark.parametrize("scaling", ["unit", "symmetric", "caffe"])
@pytest.mark.parametrize("channels", [1, 3])
def test_input_to_display_inverts_the_contract(scaling, channels):
    contract = ImageContract(size=16, channels=channels, scaling=scaling)
    display = np.arange(256, dtype=np.uint8).reshape(16, 16)
    x = from_display(display[None], contract)[0]
    np.testing.assert_array_equal(base.input_to_display(x, contract), display)


def test_randomised_copy_keeps_the_architecture_and_changes_every_kernel(tiny_model):
    twin = randomised_copy(tiny_model.model, seed=5)
    again = randomised_copy(tiny_model.model, seed=5)
    assert [layer.name for layer in twin.layers] == [
        layer.name for layer in tiny_model.model.layers
    ]
    for a, b, c in zip(tiny_model.model.weights, twin.weights, again.weights):
        np.testing.assert_array_equal(np.asarray(b), np.asarray(c))  # deterministic
        if len(a.shape) >= 2:
            assert not np.allclose(np.asarray(a), np.asarray(b))


def test_randomisation_check_trained_and_randomised_maps_differ(handle, x):
    exp = registry.explain(handle, x, "gradcam")
    twin = registry.explain(handle.randomised(), x, "gradcam")
    assert handle.randomised() is handle.randomised()  # built once
    assert not np.allclose(exp.heatmap, twin.heatmap)
    faith = registry.check(exp, handle, x)
    assert faith.randomisation == pytest.approx(
        abs(np.corrcoef(rank(exp.heatmap), rank(twin.heatmap))[0, 1])
    )
    assert faith.randomisation < 0.9
    assert faith.deletion is not None and "randomisation" in faith.verdicts()
    assert faith.sentence().endswith(".") and "not a diagnosis" in checks.CAVEAT


def rank(a):
    from scipy.stats import rankdata

    return rankdata(a.ravel())


def test_deletion_equals_random_when_the_output_ignores_the_input(tiny_model, x):
    """Zero the output layer's kernel: P(PNEUMONIA) = sigmoid(bias) whatever the image."""
    import keras

    from xray_core.store.catalog import compile_scorer

    blind = keras.models.clone_model(tiny_model.model)
    blind.set_weights(tiny_model.model.get_weights())
    head = blind.layers[-1]
    head.kernel.assign(np.zeros(head.kernel.shape, np.float32))
    stored = replace(tiny_model, model=blind, score_fn=compile_scorer(blind))
    h = ModelHandle(stored)
    p = h.predict(np.stack([x, np.zeros_like(x)]))
    assert p[0] == pytest.approx(p[1])
    lime = registry.explain(h, x, "lime", FAST["lime"])
    assert lime.blank and registry.check(lime, h, x).blank  # nothing moves the score: an empty map
    any_map = np.linspace(0, 1, x.shape[0] * x.shape[1], dtype=np.float32).reshape(x.shape[:2])
    deletion, insertion = F.curves(h.logits, x, any_map)
    np.testing.assert_allclose(deletion.scores, deletion.random, rtol=1e-6)
    assert deletion.ratio == pytest.approx(1.0) and insertion.ratio == pytest.approx(1.0)
    faith = checks.Faithfulness("lime", deletion=deletion)
    assert "deletion" not in faith.verdicts() and "cannot tell" in faith.sentence()


def test_logits_are_the_pre_sigmoid_score_of_the_probabilities(handle, x):
    batch = np.stack([x, 0.5 * x, np.zeros_like(x)])
    p = handle.predict(batch)
    assert np.all((p > 1e-4) & (p < 1 - 1e-4))  # unsaturated: the two must agree
    np.testing.assert_allclose(handle.logits(batch), np.log(p / (1 - p)), atol=1e-3)
