"""Nearest training cases: the index finds a training image itself at distance 0, is small,
round-trips through its file, and answers fast."""

import shutil
import time

import numpy as np
import pytest

from xray_core.explain import nearest
from xray_core.io.contract import preprocess
from xray_core.io.decode import load_image


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory, data_root):
    """A Kaggle-layout root with 10 real training images per class."""
    root = tmp_path_factory.mktemp("data")
    for cls in ("NORMAL", "PNEUMONIA"):
        (root / "train" / cls).mkdir(parents=True)
        for p in sorted((data_root / "train" / cls).iterdir())[:10]:
            shutil.copy(p, root / "train" / cls / p.name)
    return root


@pytest.fixture(scope="module")
def index(tiny_model, tiny_data):
    return nearest.build_index(tiny_model, tiny_data, dims=8)


def test_a_training_image_finds_itself_at_distance_zero(tiny_model, tiny_data, index):
    rel = str(index.paths[3])
    x = preprocess(load_image(tiny_data / rel), tiny_model.contract)
    cases = nearest.nearest_cases(tiny_model, index, x, k=3)
    assert cases[0].path == rel and cases[0].distance == pytest.approx(
        0.0, abs=1e-2 * index.typical
    )
    assert [c.distance for c in cases] == sorted(c.distance for c in cases)
    assert cases[0].file(tiny_data) == tiny_data / rel
    assert cases[0].file(None) is None and cases[0].file(tiny_data / "gone") is None


def test_index_holds_training_images_only_as_features(index, tiny_data, tiny_model):
    n = len(index.paths)
    assert 0 < n <= 20 and index.features.shape == (n, 8) and index.features.dtype == np.float16
    assert all(p.startswith("train/") for p in index.paths)
    assert set(index.labels) <= {0, 1} and index.typical > 0
    assert index.model_sha256 == tiny_model.card["model_sha256"]


def test_index_round_trips_and_lookup_is_fast(index, tmp_path):
    path = nearest.save_index(tmp_path, index)
    assert path.stat().st_size < 100_000
    back = nearest.load_index(tmp_path)
    np.testing.assert_array_equal(back.features, index.features)
    assert list(back.paths) == list(index.paths) and back.model_sha256 == index.model_sha256
    assert nearest.load_index(tmp_path / "none") is None
    f = np.random.default_rng(0).normal(size=index.mean.shape)
    t0 = time.perf_counter()
    back.nearest(f, k=5)
    assert time.perf_counter() - t0 < 0.05
    with pytest.raises(ValueError, match="features of width"):
        back.nearest(f[:3])


@pytest.mark.parametrize(
    ("path", "label", "subtype"),
    [
        ("train/NORMAL/IM-0001-0001.jpeg", "NORMAL", "normal"),
        ("train/PNEUMONIA/person1_bacteria_1.jpeg", "PNEUMONIA", "bacterial"),
        ("train/PNEUMONIA/person1_virus_6.jpeg", "PNEUMONIA", "viral"),
    ],
)
def test_case_subtype_from_file_name(path, label, subtype):
    assert nearest.Case(path, label, 0.0).subtype == subtype
