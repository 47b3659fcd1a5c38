"""Validation scores: the split is re-created from the card; the operating point re-derived."""

import numpy as np
import pytest

from xray_core.dataset.folders import Sample
from xray_core.predict.validation_scores import (
    files_digest,
    load_scores,
    make_scores,
    operating_point_from_scores,
    save_scores,
    split_samples,
    validation_samples,
)
from xray_core.stats import metrics
from xray_core.store.files import SCORES_FILE


def test_files_digest_ignores_order_and_folders_above_the_class(tmp_path):
    a = [
        Sample(tmp_path / "x" / "NORMAL" / "a.jpeg", 0, "a"),
        Sample(tmp_path / "PNEUMONIA" / "b.jpeg", 1, "b"),
    ]
    b = [
        Sample(tmp_path / "PNEUMONIA" / "b.jpeg", 1, "b"),
        Sample(tmp_path / "NORMAL" / "a.jpeg", 0, "a"),
    ]
    assert files_digest(a) == files_digest(b) and len(files_digest(a)) == 16
    assert files_digest(a) != files_digest(a[:1])


def test_save_and_load_round_trip(tiny_store, tmp_path):
    import shutil

    root = tmp_path / "s"
    shutil.copytree(tiny_store, root)
    scores = make_scores([0, 1, 1], [0.1, 0.8, 0.6], [0.2, 0.7, 0.5], "d", 1.234)
    path = save_scores("tiny", scores, root)
    assert path == root / "tiny" / SCORES_FILE
    back = load_scores("tiny", root)
    assert back["labels"].dtype.kind == "i" and back["probabilities"].tolist() == [0.1, 0.8, 0.6]
    assert back["ms_per_image_batched"] == 1.23
    assert load_scores("absent", root) is None


def test_split_is_by_patient_and_deterministic(tiny_model, data_root):
    train, val = split_samples(tiny_model.card, data_root)
    assert {s.patient for s in train}.isdisjoint({s.patient for s in val})
    fraction = tiny_model.card.training["config"]["val_fraction"]
    patients = len({s.patient for s in train} | {s.patient for s in val})
    assert abs(len({s.patient for s in val}) / patients - fraction) < 0.02
    assert validation_samples(tiny_model.card, data_root) == val


def test_operating_point_from_scores_meets_the_target(tiny_model):
    rng = np.random.default_rng(0)
    y = np.array([0] * 40 + [1] * 60)
    p = np.clip(rng.normal(0.3 + 0.4 * y, 0.2), 0, 1)
    card = operating_point_from_scores(tiny_model.card, {"labels": y, "probabilities": p})
    target = tiny_model.card.training["config"]["sensitivity_target"]
    assert card.threshold == metrics.threshold_for_sensitivity(y, p, target)
    assert np.mean(p[y == 1] >= card.threshold) >= target
    assert card.validation["sensitivity"] == pytest.approx(np.mean(p[y == 1] >= card.threshold))
    assert card.validation["specificity"] == pytest.approx(np.mean(p[y == 0] < card.threshold))
    assert card.name == tiny_model.card.name and tiny_model.card.threshold != card.threshold


def test_gate_reads_pooled_layers_only_where_uploads_can_check_them(
    tiny_store, data_root, tmp_path, monkeypatch
):
    """With the sample uploads the tiny CNN's gate records its candidate layers and their
    upload refusal rates; without them it falls back to the penultimate vector alone."""
    import shutil

    from xray_core import config
    from xray_core.gate import ood as gate
    from xray_core.predict.validation_scores import fit_model_gate
    from xray_core.store.catalog import load_model

    root = tmp_path / "store"
    shutil.copytree(tiny_store, root)
    stored = load_model("tiny", root)
    _, fitted = fit_model_gate(stored, data_root)
    assert len(fitted["candidate_layers"]) > 0
    assert len(fitted["candidate_upload_refusals"]) == len(fitted["candidate_layers"])
    assert int(fitted["n_uploads"]) == 48
    assert set(gate.layers(fitted)) <= set(fitted["candidate_layers"].tolist())
    monkeypatch.setattr(config, "samples_dir", lambda: None)
    _, alone = fit_model_gate(stored, data_root)
    assert gate.layers(alone) == [] and "candidate_layers" not in alone
    assert len(gate.blocks(alone)) == 1
