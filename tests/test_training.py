"""Training: its steps on the tiny model, the checks before a run, and a real smoke run (the
tiny_store fixture)."""

import json

import numpy as np
import pytest

from xray_core.predict.validation_scores import load_scores
from xray_core.training.config import TrainConfig


def test_smoke_run_writes_a_complete_entry(tiny_store, tiny_model):
    history = json.loads((tiny_store / "tiny" / "history.json").read_text())
    assert len(history["epoch"]) == 1 and "val_auc" in history and "loss" in history
    card = tiny_model.card
    assert card["training"]["config"]["limit"] == 24
    v = card["validation"]
    # The threshold is the highest one meeting the target on the stored validation scores:
    # recomputed from those scores, not read back from the card.
    scores = load_scores("tiny", tiny_store)
    pos = scores["probabilities"][scores["labels"] == 1]
    target, t = card["training"]["config"]["sensitivity_target"], card["threshold"]
    assert v["sensitivity"] == pytest.approx(np.mean(pos >= t))
    assert np.mean(pos >= t) >= target
    assert np.mean(pos > pos[pos >= t].min()) < target  # any higher threshold misses the target
    assert card["data"]["splits"]["train"]["patients"] > 0
    assert card["data"]["splits"]["train"]["image_sizes"]["most_common"] == [224, 224]
    assert 0.0 <= card["threshold"] <= 1.0


def test_warm_start_refuses_another_split(tiny_store, tiny_model):
    from xray_core.models import build_model
    from xray_core.training.train import warm_start

    cfg = tiny_model.card["training"]["config"]
    built = build_model("cnn", **cfg["options"])
    other = TrainConfig(arch="cnn", seed=cfg["seed"] + 1, init_from="tiny")
    with pytest.raises(ValueError, match="leak"):
        warm_start(built.model, other, built.contract, tiny_store)
    same = TrainConfig(arch="cnn", seed=cfg["seed"], init_from="tiny")
    warm_start(built.model, same, built.contract, tiny_store)
    other_init = TrainConfig(arch="cnn", seed=7, split_seed=cfg["seed"], init_from="tiny")
    warm_start(built.model, other_init, built.contract, tiny_store)
    for a, b in zip(built.model.get_weights(), tiny_model.model.get_weights()):
        np.testing.assert_array_equal(a, b)


def like_tiny(tiny_model, **changes) -> TrainConfig:
    """A TrainConfig on the tiny model's architecture, options, seed and image limit."""
    base = tiny_model.card["training"]["config"]
    return TrainConfig(
        arch="cnn",
        epochs=1,
        limit=base["limit"],
        seed=base["seed"],
        batch_size=16,
        options=base["options"],
        **changes,
    )


def as_built(stored):
    """The stored tiny model as `train`'s steps see a freshly built one."""
    from xray_core.models.registry import BuiltModel

    card = stored.card
    return BuiltModel(stored.model, "cnn", stored.contract, card.last_conv_layer, None)


def tiny_operating_point(tiny_model, data):
    """The tiny model's stored calibration and threshold applied to DATA's validation images."""
    from xray_core.predict.assess import raw_probabilities
    from xray_core.stats.calibration import apply_calibration

    cal = tiny_model.card["calibration"]
    p_cal = apply_calibration(raw_probabilities(tiny_model.model, data.xv), cal)
    return cal, p_cal, tiny_model.card["threshold"]


def test_shifted_calibration_fits_on_perturbed_views_and_the_card_tables_them(
    tiny_model, data_root
):
    """`calibrate_and_threshold` with --calibration shifted, then `make_card`, on the tiny
    model (no training): Platt on validation + 8 perturbed views, the threshold meets the
    sensitivity target on the calibrated validation scores, the card tables every view."""
    from xray_core.training.train import calibrate_and_threshold, load_data, make_card

    cfg = like_tiny(tiny_model, calibration="shifted", sensitivity_target=0.9)
    data = load_data(cfg, data_root, tiny_model.contract)
    point = calibrate_and_threshold(tiny_model.model, data.xv, data, cfg, tiny_model.contract)
    assert point.calibration["fitted_on"].startswith("validation split + its perturbed views")
    assert 0.0 <= point.calibration["after"]["ece_perturbed"] <= 1.0
    assert "view_scores" not in point.calibration and "plain" in point.view_scores
    positives = point.p_cal[data.yv == 1]
    assert np.mean(positives >= point.threshold) >= 0.9
    assert np.mean(positives > positives[positives >= point.threshold].min()) < 0.9
    card = make_card(as_built(tiny_model), cfg, data_root, data, point, 1.0)
    rows, n = card["shifted_validation"], len(data.yv)
    assert card["validation"]["n"] == n and rows["plain"]["n"] == n
    assert rows["shifted (pooled)"]["n"] == 9 * n
    assert card["calibration"] == point.calibration and "held_out_cohort" not in card


def test_a_cohort_held_out_of_training_is_reported_on(tiny_store, tiny_model, data_root):
    """--hold-out-cohort: no NORMAL2 file in training or validation; `held_out_report` judges
    the model on them, the card carries it, and a warm start across different held-out
    cohorts is refused (no training: the tiny model stands in for the run's)."""
    from xray_core.predict.validation_scores import held_out_samples, split_samples
    from xray_core.training.train import (
        OperatingPoint,
        held_out_report,
        load_data,
        make_card,
        warm_start,
    )

    cfg = like_tiny(tiny_model, augment=False, hold_out_cohort="NORMAL2")
    card = tiny_model.card.updated(training={"config": cfg.to_dict()})
    train_part, val_part = split_samples(card, data_root)
    assert not any(s.path.name.startswith("NORMAL2-") for s in train_part + val_part)
    held_files = held_out_samples(card, data_root)
    assert len(held_files) == 744 and all(s.path.name.startswith("NORMAL2-") for s in held_files)
    assert held_out_samples(tiny_model.card, data_root) == []
    data = load_data(cfg, data_root, tiny_model.contract)
    assert not any(s.path.name.startswith("NORMAL2-") for s in data.val_samples)
    cal, p_cal, threshold = tiny_operating_point(tiny_model, data)
    report = held_out_report(
        tiny_model.model, data_root, cfg, tiny_model.contract, cal, data.yv, p_cal, threshold
    )
    assert report["cohort"] == "NORMAL2"
    held = report["held-out cohort"]
    assert held["n_held_out"] == cfg.limit
    assert held["n"] == cfg.limit + int(data.yv.sum())
    assert report["validation"]["n"] == len(data.yv)
    assert 0.0 <= held["specificity"] <= 1.0 and 0.0 <= held["auc"] <= 1.0
    point = OperatingPoint(p_cal, p_cal, cal, None, threshold, 1.0)
    new = make_card(as_built(tiny_model), cfg, data_root, data, point, 1.0)
    assert new["held_out_cohort"] == report and "without the NORMAL2" in new.robustness
    with pytest.raises(ValueError, match="leak"):
        warm_start(
            tiny_model.model,
            like_tiny(tiny_model, hold_out_cohort="NORMAL2", init_from="tiny"),
            tiny_model.contract,
            tiny_store,
        )


def test_a_hold_out_that_matches_no_image_is_refused_before_training(tmp_path):
    """A dataset without Kermany file names has no lowest-ids patients: refused at once."""
    import cv2

    from xray_core.models import build_model
    from xray_core.training.train import load_training_data

    for cls in ("NORMAL", "PNEUMONIA"):
        (tmp_path / "train" / cls).mkdir(parents=True)
        for i in range(3):
            cv2.imwrite(str(tmp_path / "train" / cls / f"scan{i}.png"), np.zeros((8, 8), np.uint8))
    contract = build_model("cnn", filters=[4], last_filters=4, size=32).contract
    with pytest.raises(ValueError, match="no training image falls in --hold-out-cohort"):
        load_training_data(
            tmp_path, TrainConfig(arch="cnn", hold_out_cohort="lowest-ids"), contract
        )


def test_an_id_range_held_out_of_training_is_judged_on_both_classes(tiny_model, data_root):
    """--hold-out-cohort lowest-ids: no patient of the lowest id range in training or
    validation; the report judges the model on those patients alone (both classes)."""
    from xray_core.dataset.folders import list_class_folder, lowest_id_patients
    from xray_core.predict.validation_scores import held_out_samples, split_samples
    from xray_core.training.train import held_out_report, load_data

    cfg = like_tiny(tiny_model, augment=False, hold_out_cohort="lowest-ids")
    card = tiny_model.card.updated(training={"config": cfg.to_dict()})
    train_part, val_part = split_samples(card, data_root)
    held_files = held_out_samples(card, data_root)
    low = lowest_id_patients(list_class_folder(data_root / "train"))
    assert {s.patient for s in held_files} == low
    assert low.isdisjoint({s.patient for s in train_part + val_part})
    data = load_data(cfg, data_root, tiny_model.contract)
    cal, p_cal, threshold = tiny_operating_point(tiny_model, data)
    report = held_out_report(
        tiny_model.model, data_root, cfg, tiny_model.contract, cal, data.yv, p_cal, threshold
    )
    assert report["cohort"] == "lowest-ids"
    held = report["held-out cohort"]
    assert held["n_held_out"] == held["n"] == 2 * cfg.limit
    assert 0.0 <= held["auc"] <= 1.0 and 0.0 <= held["specificity"] <= 1.0


def _linear_problem(seed: int = 0):
    """A one-layer logistic model and a separable problem on 8 features (64 examples)."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, 8)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32)
    inputs = keras.Input((8,))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    return model, ds


@pytest.mark.parametrize("ema", [0.0, 0.999999])
def test_ema_keeps_and_validates_the_averaged_weights(ema):
    """A momentum this close to 1 keeps the average at the first step's weights, so the saved
    model barely moves from its start while plain Adam moves it; and the validation logged at
    the epoch's end is the kept model's own (the averaged weights were the ones scored)."""
    from xray_core.training.train import compile_model, fit_phase

    model, ds = _linear_problem()
    start = [w.copy() for w in model.get_weights()]
    compile_model(model, 0.05, steps=16, ema=ema)
    history: dict = {"epoch": []}
    fit_phase(model, ds, ds, epochs=2, patience=5, weights=None, phase="t", history=history)
    moved = max(np.abs(a - b).max() for a, b in zip(model.get_weights(), start))
    if ema:
        assert moved < 0.06  # one Adam step of lr 0.05
    else:
        assert moved > 0.2  # 16 steps
    best = int(np.argmax(history["val_auc"]))
    loss = model.evaluate(ds, verbose=0, return_dict=True)["loss"]
    assert loss == pytest.approx(history["val_loss"][best], rel=1e-4)


def test_ema_momentum_out_of_range_is_refused():
    from xray_core.training.train import compile_model

    model, _ = _linear_problem()
    with pytest.raises(ValueError, match="EMA momentum"):
        compile_model(model, 1e-3, steps=1, ema=1.0)


def test_acquisition_phase_head_is_checked_and_recorded():
    from xray_core.text.wording import augmentation_text
    from xray_core.training.pipeline import augmentation_record
    from xray_core.training.train import check_acquisition_phase

    head = TrainConfig(arch="mobilenetv2_035", acquisition="strong", acquisition_phase="head")
    check_acquisition_phase(head)
    check_acquisition_phase(TrainConfig(arch="resnet", acquisition="strong"))
    for bad in (
        TrainConfig(arch="resnet", acquisition="strong", acquisition_phase="head"),
        TrainConfig(arch="mobilenetv2_035", acquisition_phase="head"),
        TrainConfig(
            arch="mobilenetv2_035",
            acquisition="strong",
            acquisition_phase="head",
            finetune_epochs=0,
        ),
    ):
        with pytest.raises(ValueError, match="needs --acquisition and a transfer model"):
            check_acquisition_phase(bad)
    with pytest.raises(ValueError, match="must be one of"):
        check_acquisition_phase(TrainConfig(acquisition="strong", acquisition_phase="tail"))
    record = augmentation_record(head)
    assert record["acquisition"]["phase"] == "head"
    assert "phase" not in augmentation_record(TrainConfig(acquisition="strong"))["acquisition"]
    assert "head phase only" in augmentation_text(record)
    assert "phase" not in augmentation_text(augmentation_record(TrainConfig(acquisition="strong")))


def test_a_transfer_models_description_says_whether_its_backbone_was_fine_tuned():
    from xray_core.training.train import transfer_phases_text

    frozen = transfer_phases_text(TrainConfig(arch="mobilenetv2_035", finetune_epochs=0))
    assert "frozen throughout" in frozen and "no fine-tuning" in frozen
    tuned = transfer_phases_text(
        TrainConfig(arch="mobilenetv2_035", finetune_epochs=4, finetune_from="block_10_expand")
    )
    assert "from block_10_expand on fine-tuned" in tuned and "4 epochs" in tuned
    default_start = transfer_phases_text(TrainConfig(arch="mobilenetv2_035"))
    assert "from block_13_expand on" in default_start
    assert transfer_phases_text(TrainConfig(arch="resnet_fast", finetune_epochs=0)) == ""
