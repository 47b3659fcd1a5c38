"""A new model's card: what `build_card` records from a run, and its robustness text."""

import hashlib
import json

import pytest

from xray_core.store.card import ModelCard
from xray_core.store.catalog import list_models, read_card
from xray_core.training.config import TrainConfig
from xray_core.training.new_card import SHIFT_NOTE, build_card, robustness_text


@pytest.fixture(scope="module")
def built():
    from xray_core.models import build_model

    return build_model("cnn", filters=[4], last_filters=4, size=32)


def new_card(built, cfg: TrainConfig, data_root, **changes) -> ModelCard:
    from xray_core.training.pipeline import augmentation_record

    summary = {"train": {"patients": 10}, "validation": {"patients": 2}}
    args = {
        "data_root": data_root,
        "data_summary": summary,
        "calibration": {"method": "platt", "a": 1.5, "b": -0.2},
        "threshold": 0.31,
        "validation": {"auc": 0.9, "n": 20},
        "train_seconds": 12.34,
        "augmentation": augmentation_record(cfg),
    }
    return build_card(built, cfg.to_dict(), **{**args, **changes})


@pytest.mark.parametrize(
    "changes, augmentation",
    [
        ({"augment": False, "mixup": 0.2}, {"mixup_alpha": 0.2}),
        ({"augment": False, "ema": 0.9}, None),
        ({"augment": False}, None),
    ],
)
def test_the_card_records_the_run_config_verbatim(built, tmp_path, changes, augmentation):
    """What a mixup or EMA run writes on its card, without training: the config as plain JSON
    values, the augmentation record, the threshold rule from the sensitivity target."""
    cfg = TrainConfig(arch="cnn", sensitivity_target=0.95, calibration="shifted", **changes)
    card = new_card(built, cfg, tmp_path)
    written = json.loads(card.to_json())["training"]
    assert written["config"] == cfg.to_dict()
    assert written["config"]["calibration"] == "shifted" and written["augmentation"] == augmentation
    for key, value in changes.items():
        assert written["config"][key] == value
    assert card.threshold == 0.31 and card.validation == {"auc": 0.9, "n": 20}
    assert card.threshold_rule == "highest threshold with validation sensitivity >= 0.95"
    assert written["seconds"] == 12.3
    assert card.parameters == built.model.count_params() and card.architecture == "cnn"
    assert card.contract == built.contract.to_dict()
    assert card.robustness == robustness_text(cfg.to_dict(), built.contract.clahe)


def test_the_card_records_the_acquisition_preset_and_the_split_rule(built, tmp_path):
    cfg = TrainConfig(arch="cnn", acquisition="shape", seed=7, split_seed=3, val_fraction=0.2)
    card = new_card(built, cfg, tmp_path)
    written = json.loads(card.to_json())
    acquisition = written["training"]["augmentation"]["acquisition"]
    assert acquisition["preset"] == "shape" and acquisition["aspect"] == [0.67, 1.5]
    assert written["training"]["config"]["acquisition"] == "shape"
    assert written["data"]["split_rule"] == (
        "patient-level, class-stratified, seed 3, 20% of patients to validation"
    )
    assert written["data"]["manifest_sha256"] is None
    (tmp_path / "MANIFEST.csv").write_text("file,sha256\n")
    with_manifest = new_card(built, cfg, tmp_path).data["manifest_sha256"]
    assert with_manifest == hashlib.sha256(b"file,sha256\n").hexdigest()


def test_robustness_text_names_only_what_the_run_did():
    plain = robustness_text({"augment": True, "class_weights": True}, clahe=False)
    assert "CLAHE" not in plain and "acquisition" not in plain and "perturbed views" not in plain
    shifted = robustness_text(
        {"augment": True, "acquisition": "strong", "calibration": "shifted"}, clahe=True
    )
    assert "CLAHE" in shifted and "preset 'strong'" in shifted
    assert "width / height" not in shifted
    shape = robustness_text({"acquisition": "shape"}, clahe=True)
    assert "preset 'shape'" in shape and "the anatomy's width / height ×0.67-1.5" in shape
    balanced = robustness_text({"acquisition": "shape_balanced"}, clahe=True)
    assert "×0.67-1.19 for NORMAL and ×0.85-1.50 for PNEUMONIA" in balanced
    assert "different median shapes" in balanced and "median" not in shape
    half = robustness_text({"acquisition": "shape_balanced_half"}, clahe=True)
    assert "×0.67-1.33 for NORMAL and ×0.75-1.50 for PNEUMONIA" in half
    padded = robustness_text({"acquisition": "shape_pad"}, clahe=True)
    assert "×0.67-1.5 (50% of those changes by padding" in padded and "padding" not in shape
    assert "perturbed views" in shifted and shifted.startswith(SHIFT_NOTE)
    assert "standardised" not in shifted
    standardized = robustness_text({"options": {"standardize": True}}, clahe=True)
    assert "standardised over its own pixels" in standardized
    assert "moving average" not in standardized
    averaged = robustness_text({"ema": 0.995}, clahe=True)
    assert "moving average of the weights (momentum 0.995" in averaged
    assert "mixup" not in averaged and "label smoothing" not in averaged
    mixed = robustness_text({"mixup": 0.2, "label_smoothing": 0.1}, clahe=True)
    assert (
        "mixup (pairs of training images and their targets blended, weight ~ Beta(0.2, 0.2))"
        in mixed
    )
    assert "label smoothing (0.1: targets pulled to 0.5)" in mixed


def test_every_shipped_card_states_its_own_robustness_measures():
    for name in list_models():
        card = read_card(name)
        expected = robustness_text(card.training["config"], card.contract["clahe"])
        assert card.robustness == expected, name


def test_robustness_text_says_when_a_cohort_was_held_out():
    assert "NORMAL2" not in robustness_text({"seed": 1}, True)
    text = robustness_text({"seed": 1, "hold_out_cohort": "NORMAL2"}, True)
    assert "without the NORMAL2 file-name cohort" in text
    text = robustness_text({"seed": 1, "hold_out_cohort": "lowest-ids"}, True)
    assert "without the 15% of patients with the lowest ids in each id space" in text


def test_robustness_text_names_a_head_phase_only_acquisition():
    head = {"acquisition": "strong", "acquisition_phase": "head"}
    assert "preset 'strong': gamma" in robustness_text(head, clahe=False)
    assert "head phase only" in robustness_text(head, clahe=False)
    assert "head phase only" not in robustness_text({"acquisition": "strong"}, clahe=False)


def test_robustness_text_reads_enum_options_and_their_plain_strings_alike():
    """A run's config (enum members) and the card it writes (plain strings) give one text."""
    from dataclasses import asdict

    cfg = TrainConfig(acquisition="shape", acquisition_phase="head", calibration="shifted")
    assert robustness_text(asdict(cfg), True) == robustness_text(cfg.to_dict(), True)
    assert "perturbed views" in robustness_text(cfg.to_dict(), True)
