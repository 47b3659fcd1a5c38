"""Tests for xray_core.report.gallery: validation cases sorted into TP / FP / FN at a threshold."""

import numpy as np
import pytest

from xray_core import config
from xray_core.predict.validation_scores import load_scores, validation_samples
from xray_core.report import gallery
from xray_core.store.catalog import default_model, read_card


def test_classify_follows_the_definitions():
    y = np.array([1, 1, 0, 0, 1])
    p = np.array([0.9, 0.2, 0.7, 0.1, 0.5])
    assert gallery.classify(y, p, 0.5).tolist() == ["tp", "fn", "fp", "tn", "tp"]
    assert gallery.kind_counts(y, p, 0.5) == {"tp": 2, "fp": 1, "fn": 1, "tn": 1}


def test_pick_orders_errors_by_confidence_and_spreads_correct_cases():
    kinds = np.array(["fp", "fp", "fp", "fn", "fn", "tp", "tp", "tp", "tp", "tp"])
    p = np.array([0.6, 0.9, 0.7, 0.3, 0.1, 0.55, 0.6, 0.7, 0.8, 0.99])
    assert gallery.pick(kinds, p, "fp", 2) == [1, 2]  # most confident false alarms first
    assert gallery.pick(kinds, p, "fn", 5) == [4, 3]  # most confident misses first
    assert gallery.pick(kinds, p, "tp", 3) == [9, 7, 5]  # highest, middle, lowest
    assert gallery.pick(kinds, p, "tn", 3) == []


@pytest.fixture(scope="module")
def shipped(data_root):
    name = default_model()
    return read_card(name), load_scores(name), data_root


def test_cases_are_the_scored_validation_files(shipped):
    card, scores, root = shipped
    t = card["threshold"]
    cases = gallery.gallery_cases(card, scores, root, t, per_kind=3)
    assert list(cases) == ["tp", "fp", "fn"]
    samples = validation_samples(card, root)
    index = {s.path: i for i, s in enumerate(samples)}
    for kind, items in cases.items():
        assert len(items) == min(
            3, gallery.kind_counts(scores["labels"], scores["probabilities"], t)[kind]
        )
        for case in items:
            i = index[case.path]
            assert case.label == scores["labels"][i] == samples[i].label
            assert case.probability == scores["probabilities"][i]
            flagged = case.probability >= t
            assert (
                kind == {(1, True): "tp", (0, True): "fp", (1, False): "fn"}[(case.label, flagged)]
            )
            assert case.path.is_file() and case.title.startswith(gallery.KINDS[kind][:5])


def test_a_different_data_folder_is_refused(shipped, small_eval_dir):
    card, scores, _ = shipped
    with pytest.raises(gallery.GalleryError, match="rescore"):
        gallery.gallery_cases(card, scores, small_eval_dir, card["threshold"])
    tampered = {**scores, "files_digest": "0" * 16}
    with pytest.raises(gallery.GalleryError):
        gallery.gallery_cases(card, tampered, shipped[2], card["threshold"])


@pytest.mark.parametrize(
    "tile,note",
    [
        (
            {"target": "PNEUMONIA", "method": "Occlusion", "explained": True, "empty": False},
            "Occlusion toward PNEUMONIA",
        ),
        (
            {"target": "NORMAL", "method": "Occlusion", "explained": True, "empty": True},
            "Occlusion: no region toward NORMAL",
        ),
        ({"target": "NORMAL", "explained": False, "empty": True}, "no map"),
    ],
)
def test_tile_note_says_what_the_tile_shows(tile, note):
    assert gallery.tile_note(tile).startswith(note)


def test_explain_target_is_the_verdict():
    cases = [gallery.GalleryCase(k, config.DEFAULT_DATA_DIR, 1, 0.5) for k in gallery.KINDS]
    assert [gallery.explain_target(c) for c in cases] == [
        "PNEUMONIA",
        "PNEUMONIA",
        "NORMAL",
        "NORMAL",
    ]
