"""Prediction with the shipped default model: labelled output, threshold, full-res vs 224 px."""

import numpy as np
import pytest

from xray_core.config import store_dir
from xray_core.io.hashing import sha256_file
from xray_core.io.study import load_study
from xray_core.predict.assess import assess, label_for
from xray_core.store.catalog import load_model
from xray_core.store.files import DEFAULT_FILE, MODEL_FILE
from xray_core.store.scorer import raw_probabilities


def predict(stored, path, threshold=None):
    """The labelled prediction for an image file (what the app and CLI compute)."""
    return assess(stored, load_study(path), threshold).prediction


@pytest.fixture(scope="module")
def shipped():
    return load_model()  # the store's default: shipped in model_store/


@pytest.mark.parametrize(
    "p, t, label",
    [
        (0.5, 0.5, "PNEUMONIA"),
        (0.49, 0.5, "NORMAL"),
        (0.9, 0.95, "NORMAL"),
        (0.0, 0.0, "PNEUMONIA"),
    ],
)
def test_label_for(p, t, label):
    assert label_for(p, t) == label


def test_default_model_is_the_one_named_in_store(shipped):
    named = (store_dir() / DEFAULT_FILE).read_text().strip()
    assert shipped.name == named and shipped.path == store_dir() / named
    assert shipped.card.model_sha256 == sha256_file(store_dir() / named / MODEL_FILE)
    assert 0.0 < shipped.threshold < 1.0


def test_prediction_is_labelled_and_threshold_moves_verdict(shipped, fullres_files):
    pred = predict(shipped, fullres_files[0])
    assert 0.0 <= pred.probability <= 1.0 and pred.model == shipped.name
    assert pred.threshold == shipped.threshold
    below = predict(shipped, fullres_files[0], threshold=pred.probability / 2)
    above = predict(
        shipped,
        fullres_files[0],
        threshold=min(pred.probability + 1e-3, 1.0) if pred.probability < 1 else 1.01,
    )
    assert below.label == "PNEUMONIA" and above.label == "NORMAL"


def test_fullres_upload_scores_like_its_224px_copy(shipped, fullres_files, data_root):
    """Squash-resizing a full-resolution original gives nearly the 224 px dataset's score."""
    diffs = []
    for f in fullres_files[::6]:
        copy = data_root / "train" / f.parent.name / f.name
        assert copy.is_file(), copy
        diffs.append(abs(predict(shipped, f).probability - predict(shipped, copy).probability))
    assert np.median(diffs) < 0.05 and max(diffs) < 0.2, diffs


def test_batch_shape_is_checked(shipped):
    with pytest.raises(ValueError, match="expected a batch"):
        raw_probabilities(shipped.model, np.zeros((224, 224, 1), np.float32))
