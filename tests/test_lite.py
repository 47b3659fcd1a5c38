"""xray_core.store.lite: the TFLite scorer gives the Keras scorer's outputs, whatever the
batch size, from any thread."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from xray_core.dataset.folders import Sample, load_arrays
from xray_core.store.catalog import load_model
from xray_core.store.lite import MAX_SHAPES, LiteScorer, with_runtime


@pytest.fixture(scope="module")
def real_images(data_root):
    files = sorted((data_root / "train" / "NORMAL").iterdir())[:8]
    files += sorted((data_root / "train" / "PNEUMONIA").iterdir())[:8]
    return files


@pytest.mark.parametrize("name", [None, "mobilenetv2_035_noclahe", "dense_baseline", "cnn_scratch"])
def test_lite_matches_keras_on_real_images(name, real_images):
    keras_model = load_model(name)
    lite_model = with_runtime(keras_model, "lite")
    assert isinstance(lite_model.score_fn, LiteScorer)
    x, _ = load_arrays([Sample(f, 0, "") for f in real_images], keras_model.contract)
    p_keras, f_keras = keras_model.score(x, batch_size=16)
    p_lite, f_lite = lite_model.score(x, batch_size=16)
    assert p_lite.shape == p_keras.shape and f_lite.shape == f_keras.shape
    np.testing.assert_allclose(p_lite, p_keras, atol=1e-5)
    np.testing.assert_allclose(f_lite, f_keras, atol=1e-4 * max(1.0, np.abs(f_keras).max()))
    assert np.ptp(p_keras) > 0.5  # real images of both classes: the check has teeth


def test_batch_sizes_and_threads_give_the_same_outputs(tiny_model):
    lite = with_runtime(tiny_model, "lite", threads=1)
    x = np.random.default_rng(0).random((13, *tiny_model.model.input.shape[1:]), np.float32)
    whole = lite.score(x, batch_size=13)
    for bs in (1, 4, 5):  # several shapes, more than MAX_SHAPES interpreters over time
        chunked = lite.score(x, batch_size=bs)
        np.testing.assert_allclose(chunked[0], whole[0], atol=1e-6)
    assert len(lite.score_fn._interpreters) <= MAX_SHAPES

    def one(i):
        return lite.score(x[i : i + 3], batch_size=3)[0]

    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(one, range(0, 12, 3)))
    np.testing.assert_allclose(np.concatenate(parallel), whole[0][:12], atol=1e-6)


def test_with_runtime_keras_is_the_model_itself_and_lite_is_not_converted_twice(tiny_model):
    assert with_runtime(tiny_model, "keras") is tiny_model
    lite = with_runtime(tiny_model, "lite")
    assert with_runtime(lite, "lite") is lite
    assert lite.model is tiny_model.model and lite.card is tiny_model.card
    with pytest.raises(ValueError, match="runtime"):
        with_runtime(tiny_model, "onnx")
