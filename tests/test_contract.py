"""The image contract: each step recomputed from its formula, and the app/training paths agree."""

import json

import cv2
import numpy as np
import pytest

from xray_core.config import DEFAULT_STORE_DIR
from xray_core.dataset.folders import list_class_folder, load_arrays
from xray_core.io.contract import (
    CAFFE_MEANS,
    ImageContract,
    Scaling,
    check_gray_u8,
    from_display,
    preprocess,
    resize_squash,
    scale,
    to_display,
)
from xray_core.io.decode import decode_bytes

RNG = np.random.default_rng(0)
GRAY = RNG.integers(0, 256, size=(300, 180), dtype=np.uint8)


@pytest.mark.parametrize("size", [64, 224])
def test_resize_squash_ignores_aspect_ratio(size):
    out = resize_squash(GRAY, size)
    assert out.shape == (size, size) and out.dtype == np.uint8
    expected = cv2.resize(GRAY, (size, size), interpolation=cv2.INTER_AREA)
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize(
    "scaling, lo, hi", [("unit", 0.0, 1.0), ("symmetric", -1.0, 1.0), ("caffe", 0.0, 255.0)]
)
def test_scale_maps_0_and_255_to_range_ends(scaling, lo, hi):
    x = scale(np.array([[0, 255]], np.uint8), scaling)
    assert x.dtype == np.float32
    np.testing.assert_allclose(x, [[lo, hi]], atol=1e-6)
    mid = scale(np.array([[51]], np.uint8), scaling)[0, 0]
    assert mid == pytest.approx(lo + (hi - lo) * 51 / 255, abs=1e-5)


@pytest.mark.parametrize("channels, scaling", [(1, "unit"), (3, "symmetric"), (3, "caffe")])
def test_preprocess_shape_dtype_and_channels(channels, scaling):
    c = ImageContract(size=96, channels=channels, scaling=scaling, clahe=False)
    x = preprocess(GRAY, c)
    assert x.shape == (96, 96, channels) and x.dtype == np.float32
    base = scale(resize_squash(GRAY, 96), scaling)
    offset = np.asarray(CAFFE_MEANS) if scaling == "caffe" else 0.0
    np.testing.assert_allclose(
        x[..., -1], base - (offset[-1] if scaling == "caffe" else 0.0), atol=1e-4
    )


def test_clahe_is_applied_after_resize():
    c = ImageContract(size=128, clahe=True)
    small = resize_squash(GRAY, 128)
    expected = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(small)
    np.testing.assert_array_equal(to_display(GRAY, c), expected)


def test_from_display_matches_preprocess():
    c = ImageContract(size=64, channels=3, scaling="symmetric")
    np.testing.assert_allclose(from_display(to_display(GRAY, c)[None], c)[0], preprocess(GRAY, c))


@pytest.mark.parametrize(
    "bad", [GRAY.astype(np.float32), GRAY[..., None], np.zeros((5,), np.uint8), [[1, 2]]]
)
def test_contract_rejects_non_gray_u8(bad):
    with pytest.raises(ValueError, match="expected a 2-D uint8"):
        check_gray_u8(bad)


@pytest.mark.parametrize("kwargs", [{"size": 8}, {"channels": 2}, {"scaling": "imagenet"}])
def test_contract_validates_fields(kwargs):
    with pytest.raises(ValueError):
        ImageContract(**kwargs)


def test_contract_round_trips_through_dict():
    c = ImageContract(size=160, channels=3, scaling="symmetric", clahe=False)
    assert ImageContract.from_dict(c.to_dict()) == c
    assert c.scaling is Scaling.SYMMETRIC  # the word becomes the member
    assert type(c.to_dict()["scaling"]) is str  # a card stores the plain word
    assert json.dumps(c.to_dict()) == (
        '{"size": 160, "channels": 3, "scaling": "symmetric", "clahe": false}'
    )


def test_scaling_members_are_the_words_cards_store():
    assert [s.value for s in Scaling] == ["unit", "symmetric", "caffe"]
    assert ImageContract().scaling is Scaling.UNIT and Scaling("caffe") is Scaling.CAFFE


SHIPPED_CARDS = sorted(DEFAULT_STORE_DIR.glob("*/card.json"))


@pytest.mark.parametrize("card", SHIPPED_CARDS, ids=[p.parent.name for p in SHIPPED_CARDS])
def test_every_shipped_card_s_contract_loads_and_writes_back_the_same(card):
    block = json.loads(card.read_text())["contract"]
    contract = ImageContract.from_dict(block)
    assert contract.scaling in tuple(Scaling)
    assert contract.to_dict() == {k: block[k] for k in contract.to_dict()}


def test_the_store_ships_cards():
    assert len(SHIPPED_CARDS) >= 4, f"no shipped cards under {DEFAULT_STORE_DIR}"


def test_app_path_equals_training_path(data_root):
    """The bytes an app upload gives and the file the trainer loads become the same array."""
    c = ImageContract()
    samples = list_class_folder(data_root / "train")[::700][:4]
    x_train, _ = load_arrays(samples, c)
    for s, xt in zip(samples, x_train):
        x_app = preprocess(decode_bytes(s.path.read_bytes(), s.path.name), c)
        np.testing.assert_array_equal(x_app, xt)
