"""Model store: round trip, default model, and corrupt entries with clear errors."""

import json
import shutil

import numpy as np
import pytest

from xray_core.predict.assess import raw_probabilities
from xray_core.store import catalog as store


@pytest.fixture
def store_copy(tiny_store, tmp_path):
    root = tmp_path / "s"
    shutil.copytree(tiny_store, root)
    return root


def test_round_trip_gives_identical_predictions(tiny_model, store_copy):
    again = store.load_model("tiny", store_copy)
    x = np.random.default_rng(0).random((3, *tiny_model.contract.input_shape), np.float32)
    np.testing.assert_array_equal(
        raw_probabilities(tiny_model.model, x), raw_probabilities(again.model, x)
    )
    assert again.card == tiny_model.card


def test_card_records_what_it_must(tiny_model):
    card = tiny_model.card
    for key in (
        "architecture",
        "created",
        "contract",
        "threshold",
        "calibration",
        "validation",
        "last_conv_layer",
        "training",
        "data",
        "intended_use",
        "model_sha256",
    ):
        assert key in card, key
    assert card["validation"]["n"] > 0 and card["training"]["seconds"] > 0
    assert len(card["data"]["manifest_sha256"]) == 64
    assert card["model_bytes"] < 15e6


def test_default_and_listing(store_copy):
    assert store.list_models(store_copy) == ["tiny"]
    assert store.default_model(store_copy) == "tiny"
    store.set_default("tiny", store_copy)
    assert (store_copy / "DEFAULT").read_text().strip() == "tiny"
    with pytest.raises(store.StoreError, match="unknown model"):
        store.set_default("other", store_copy)


def test_unknown_name_lists_valid_ones(store_copy):
    with pytest.raises(store.StoreError, match="valid names: tiny"):
        store.load_model("nope", store_copy)


@pytest.mark.parametrize(
    "damage, message",
    [
        ("card_garbage", "corrupt card"),
        ("card_missing_keys", "card lacks"),
        ("model_missing", "model file missing"),
        ("model_changed", "does not match its card"),
    ],
)
def test_corrupt_entries_fail_clearly(store_copy, damage, message):
    entry = store_copy / "tiny"
    if damage == "card_garbage":
        (entry / "card.json").write_text("{not json")
    elif damage == "card_missing_keys":
        (entry / "card.json").write_text(json.dumps({"name": "tiny"}))
    elif damage == "model_missing":
        (entry / "model.keras").unlink()
    else:
        (entry / "model.keras").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(store.StoreError, match=message):
        store.load_model("tiny", store_copy)


def test_saved_file_holds_no_optimizer_state(tiny_store):
    import zipfile

    import h5py

    with zipfile.ZipFile(tiny_store / "tiny" / "model.keras") as z:
        z.extract("model.weights.h5", tiny_store / "unzipped")
    with h5py.File(tiny_store / "unzipped" / "model.weights.h5") as f:
        assert "optimizer" not in f
