"""The one scoring loop: the gate's pooled layers and the features the scorer returns."""

import numpy as np
import pytest

from xray_core.store.catalog import load_model
from xray_core.store.scorer import compile_scorer, pooled_layers, score_batches


@pytest.fixture(scope="module")
def default():
    return load_model()


def test_pooled_layers_take_one_layer_per_inner_resolution(default):
    """The default ResNet: one layer per spatial size between the input's and the last one's,
    the last at each size (padding layers left out)."""
    names = pooled_layers(default.model)
    sizes = [tuple(default.model.get_layer(n).output.shape[1:3]) for n in names]
    assert names == ["stem_relu", "stage0_out", "stage1_out", "stage2_out"]
    assert sizes == sorted(set(sizes), reverse=True)
    assert tuple(default.model.input.shape[1:3]) not in sizes


def test_a_model_without_feature_maps_pools_nothing(tiny_model):
    from xray_core.models import build_model

    dense = build_model("dense").model
    assert pooled_layers(dense) == []
    assert pooled_layers(tiny_model.model)  # the tiny CNN has inner resolutions


def test_pooled_features_follow_the_penultimate_vector_unchanged(default):
    """The scorer's first D columns are the penultimate vector whatever it pools, and each
    pooled layer adds its channel count; the probability is the same."""
    x = (
        np.random.default_rng(0)
        .uniform(0, 1, (3, *default.model.input.shape[1:]))
        .astype(np.float32)
    )
    p0, plain = score_batches(compile_scorer(default.model), x)
    names = pooled_layers(default.model)
    p1, wide = score_batches(compile_scorer(default.model, names), x)
    channels = sum(int(default.model.get_layer(n).output.shape[-1]) for n in names)
    assert wide.shape == (3, default.embedding_dim + channels)
    np.testing.assert_allclose(p1, p0, atol=1e-6)
    np.testing.assert_allclose(wide[:, : default.embedding_dim], plain, atol=1e-5)
    np.testing.assert_allclose(default.embed(x), plain, atol=1e-5)
