"""Prediction with the shipped default model: labelled output, threshold, full-res vs 224 px."""

import numpy as np
import pytest

from xray_core.decode import load_image
from xray_core.inference import label_for, predict_gray, raw_probabilities
from xray_core.store import default_model, load_model


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


def test_default_model_is_named_in_store(shipped):
    assert shipped.name == default_model()
    assert 0.0 < shipped.threshold < 1.0


def test_prediction_is_labelled_and_threshold_moves_verdict(shipped, fullres_files):
    pred = predict_gray(shipped, load_image(fullres_files[0]))
    assert 0.0 <= pred.probability <= 1.0 and pred.model == shipped.name
    assert pred.threshold == shipped.threshold
    below = predict_gray(shipped, load_image(fullres_files[0]), threshold=pred.probability / 2)
    above = predict_gray(
        shipped,
        load_image(fullres_files[0]),
        threshold=min(pred.probability + 1e-3, 1.0) if pred.probability < 1 else 1.01,
    )
    assert below.label == "PNEUMONIA" and above.label == "NORMAL"


def test_fullres_upload_scores_like_its_224px_copy(shipped, fullres_files, data_root):
    """Squash-resizing a full-resolution original gives nearly the 224 px dataset's score."""
    diffs = []
    for f in fullres_files[::6]:
        copy = data_root / "train" / f.parent.name / f.name
        assert copy.is_file(), copy
        diffs.append(
            abs(
                predict_gray(shipped, load_image(f)).probability
                - predict_gray(shipped, load_image(copy)).probability
            )
        )
    assert np.median(diffs) < 0.05 and max(diffs) < 0.2, diffs


def test_batch_shape_is_checked(shipped):
    with pytest.raises(ValueError, match="expected a batch"):
        raw_probabilities(shipped.model, np.zeros((224, 224, 1), np.float32))
