"""Training: patient-level split, class weights, augmentation, early stopping on val AUC.

After fitting, probabilities are calibrated and the operating threshold chosen on the
validation split; everything lands in the model's card (see `xray_core.store.card`).
`train` runs the steps in order: `build`, `load_data`, `make_pipelines`, `fit`,
`calibrate_and_threshold`, `make_card`, `save_entry`; the options are `config.TrainConfig`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from xray_core.dataset.folders import (
    LOWEST_IDS,
    find_splits,
    image_sizes,
    list_class_folder,
    load_arrays,
    size_summary,
    split_by_patient,
    split_cohort,
    summarize,
    train_cohort,
)
from xray_core.stats import calibration, metrics
from xray_core.store.card import split_seed
from xray_core.training.config import AcquisitionPhase, CalibrationMode, TrainConfig
from xray_core.training.pipeline import Pipelines, augmentation_record, make_pipelines


def check_acquisition_phase(cfg: TrainConfig) -> None:
    """Refuse an acquisition phase that cannot apply to CFG (ValueError, one line)."""
    from xray_core.models.transfer import BACKBONES

    if cfg.acquisition_phase == AcquisitionPhase.HEAD and not (
        cfg.acquisition and cfg.arch in BACKBONES and cfg.finetune_epochs > 0
    ):
        raise ValueError(
            "--acquisition-phase head needs --acquisition and a transfer model with "
            "fine-tune epochs (its head phase is the only one perturbed)"
        )


def transfer_phases_text(cfg: TrainConfig) -> str:
    """What a transfer model's training did to its ImageNet backbone, in one sentence for the
    card's description; "" for architectures without a backbone."""
    from xray_core.models.backbones import BACKBONES

    if cfg.arch not in BACKBONES:
        return ""
    if cfg.finetune_epochs <= 0:
        return "Backbone frozen throughout: only the head was trained (no fine-tuning)."
    start = cfg.finetune_from or BACKBONES[cfg.arch].finetune_from
    return (
        f"Head trained on the frozen backbone, then the backbone from {start} on fine-tuned "
        f"(up to {cfg.finetune_epochs} epochs) with BatchNorm frozen."
    )


def calibrate(
    model, p_val, yv, val_samples, contract, fitted_on: str = CalibrationMode.VALIDATION
) -> dict:
    """Platt calibration report on validation, or on validation + its perturbed views
    (`xray_core.training.shift`) when FITTED_ON is `CalibrationMode.SHIFTED`; then
    'view_scores' holds the raw scores per view (popped before the card is written)."""
    try:
        mode = CalibrationMode(fitted_on)
    except ValueError:
        raise ValueError(
            f"calibration must be 'validation' or 'shifted', got {fitted_on!r}"
        ) from None
    if mode == CalibrationMode.VALIDATION:
        return calibration.calibration_report(p_val, yv)
    from xray_core.predict.assess import raw_probabilities
    from xray_core.training import shift

    raw, _ = shift.sample_view_scores(lambda x: raw_probabilities(model, x), val_samples, contract)
    raw["plain"] = p_val
    return {**shift.shifted_calibration(yv, raw), "view_scores": raw}


def warm_start(model, cfg: TrainConfig, contract, store_root=None) -> None:
    """Start MODEL from the weights of stored model CFG.init_from.

    Refuses a source trained on another split (its training images would be in this
    validation) or with another contract.
    """
    from xray_core.store.catalog import load_model

    src = load_model(cfg.init_from, store_root)
    c = src.card["training"]["config"]
    theirs = (split_seed(c), c["val_fraction"], c.get("hold_out_cohort"))
    ours = (split_seed(cfg.to_dict()), cfg.val_fraction, cfg.hold_out_cohort)
    if theirs != ours:
        raise ValueError(
            f"--init-from {cfg.init_from}: trained on split seed / fraction / held-out cohort "
            f"{theirs}, this run uses {ours}: validation would leak; use the same split "
            "(--split-seed, --val-fraction, --hold-out-cohort)"
        )
    if src.card["contract"] != contract.to_dict():
        raise ValueError(f"--init-from {cfg.init_from}: contract {src.card['contract']} differs")
    model.set_weights(src.model.get_weights())


def load_training_data(root: Path, cfg: TrainConfig, contract):
    """Patient-level split of ROOT/train; returns arrays, split summaries, validation samples."""
    splits = find_splits(root)
    if "train" not in splits:
        raise ValueError(f"{root}: no train/ split folder to train from.")
    samples, held = split_cohort(list_class_folder(splits["train"]), cfg.hold_out_cohort)
    if cfg.hold_out_cohort and not held:
        raise ValueError(
            f"{root}: no training image falls in --hold-out-cohort {cfg.hold_out_cohort} "
            "(it reads Kermany file names: personN_…, IM-N-…, NORMAL2-IM-N-…)"
        )
    train, val = split_by_patient(samples, cfg.val_fraction, split_seed(cfg.to_dict()))
    if cfg.limit:
        rng = np.random.default_rng(cfg.seed)
        train = [
            s
            for c in (0, 1)
            for s in rng.permutation([s for s in train if s.label == c])[: cfg.limit]
        ]
        val = [
            s
            for c in (0, 1)
            for s in rng.permutation([s for s in val if s.label == c])[: max(cfg.limit // 2, 4)]
        ]
    xt, yt = load_arrays(train, contract)
    xv, yv = load_arrays(val, contract)
    summary = {
        name: {**summarize(part), "image_sizes": size_summary(image_sizes(part))}
        for name, part in (("train", train), ("validation", val))
    }
    return (xt, yt), (xv, yv), summary, val


def held_out_samples(root: Path, cfg: TrainConfig) -> list:
    """The images of ROOT/train in CFG.hold_out_cohort (at most CFG.limit per class with
    --limit)."""
    held = train_cohort(root, cfg.hold_out_cohort)
    if cfg.limit:
        rng = np.random.default_rng(cfg.seed)
        by_class = [[s for s in held if s.label == c] for c in (0, 1)]
        held = [s for part in by_class if part for s in rng.permutation(part)[: cfg.limit]]
    return held


def held_out_report(model, root: Path, cfg: TrainConfig, contract, cal, yv, p_cal, threshold):
    """`shift.held_out_cohort_table` (one class held out) or `shift.held_out_set_table` (both
    classes, `data.LOWEST_IDS`) for a model trained with CFG.hold_out_cohort."""
    from xray_core.predict.assess import raw_probabilities
    from xray_core.training.shift import held_out_cohort_table, held_out_set_table

    held = held_out_samples(root, cfg)
    if not held:
        raise ValueError(f"{root}: no training images in cohort {cfg.hold_out_cohort}")
    xh, yh = load_arrays(held, contract)
    p_held = calibration.apply_calibration(raw_probabilities(model, xh), cal)
    if cfg.hold_out_cohort == LOWEST_IDS:  # both classes: judged on their own
        table = held_out_set_table(yv, p_cal, yh, p_held, threshold)
    else:
        table = held_out_cohort_table(yv, p_cal, p_held, int(yh[0]), threshold)
    return {"cohort": cfg.hold_out_cohort, **table}


def compile_model(
    model, learning_rate: float, steps: int, label_smoothing: float = 0.0, ema: float = 0.0
):
    """Adam with cosine decay over `steps`, binary cross-entropy, AUC metric. EMA in (0, 1):
    the optimizer also keeps an exponential moving average of the weights, per step, with
    that momentum (Polyak averaging; `fit_phase` validates and keeps the averaged weights)."""
    import keras

    if not 0.0 <= ema < 1.0:
        raise ValueError(f"EMA momentum must be in [0, 1), got {ema}")
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, max(steps, 1), alpha=0.05)
    extra = {"use_ema": True, "ema_momentum": ema} if ema > 0 else {}
    model.compile(
        optimizer=keras.optimizers.Adam(schedule, **extra),
        loss=keras.losses.BinaryCrossentropy(label_smoothing=label_smoothing),
        metrics=[keras.metrics.AUC(name="auc")],
    )


def fit_phase(model, train_ds, val_ds, epochs, patience, weights, phase, history):
    """Fit with early stopping on val AUC (best weights restored); append to `history`.

    With an EMA optimizer (`compile_model`), validation scores the averaged weights and the
    weights kept at the end are the average at the best epoch."""
    import keras

    class EpochLog(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.time()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            row = {
                "phase": phase,
                "epoch": len(history["epoch"]) + 1,
                "seconds": round(time.time() - self.t0, 1),
                **{k: float(v) for k, v in logs.items() if k != "learning_rate"},
            }
            for k, v in row.items():
                history.setdefault(k, []).append(v)
            print(
                f"[{phase}] epoch {row['epoch']}: loss {row.get('loss', 0):.4f} "
                f"auc {row.get('auc', 0):.4f} val_loss {row.get('val_loss', 0):.4f} "
                f"val_auc {row.get('val_auc', 0):.4f} ({row['seconds']} s)",
                flush=True,
            )

    stop = keras.callbacks.EarlyStopping(
        monitor="val_auc", mode="max", patience=patience, restore_best_weights=True
    )
    # before EarlyStopping: at each epoch's end the averaged weights are in the model when it
    # keeps the best ones, and in every validation
    swap = [keras.callbacks.SwapEMAWeights(swap_on_epoch=True)] if model.optimizer.use_ema else []
    model.fit(
        train_ds,
        validation_data=val_ds,
        epochs=epochs,
        class_weight=weights,
        callbacks=[*swap, EpochLog(), stop],
        verbose=0,
    )


@dataclass
class TrainingData:
    """The images of one run, loaded under the load contract (`load_data`).

    xt, xv: (n, size, size, channels) float32 images; yt, yv: (n,) int labels, 1 = PNEUMONIA;
    summary: the card's per-split counts and image sizes; val_samples: the validation files.
    """

    xt: np.ndarray
    yt: np.ndarray
    xv: np.ndarray
    yv: np.ndarray
    summary: dict
    val_samples: list


@dataclass
class OperatingPoint:
    """Validation scores and the threshold chosen on them (`calibrate_and_threshold`).

    p_val / p_cal: (n,) raw / calibrated P(pneumonia) in [0, 1]; calibration: the card's
    block; view_scores: raw scores per perturbed view (shifted calibration) or None;
    threshold in [0, 1]; ms_per_image: scoring time per validation image, milliseconds.
    """

    p_val: np.ndarray
    p_cal: np.ndarray
    calibration: dict
    view_scores: dict | None
    threshold: float
    ms_per_image: float


def build(cfg: TrainConfig):
    """Check CFG, seed every generator with CFG.seed and build CFG.arch (`models.BuiltModel`);
    a transfer model's description says what its training does to the backbone."""
    import keras

    from xray_core.models import build_model

    check_acquisition_phase(cfg)
    keras.utils.set_random_seed(cfg.seed)
    built = build_model(cfg.arch, clahe=cfg.clahe, **cfg.options)
    if phases := transfer_phases_text(cfg):
        built.description = f"{built.description} {phases}"
    return built


def load_data(cfg: TrainConfig, data_root: Path, contract) -> TrainingData:
    """DATA_ROOT/train split by patient (`load_training_data`); with an acquisition preset
    the images stop before the contract's CLAHE (`augment.raw_contract`, values in [0, 1]) so
    the perturbations act on raw gray."""
    from xray_core.training.augment import raw_contract

    load_contract = raw_contract(contract) if cfg.acquisition else contract
    (xt, yt), (xv, yv), summary, val_samples = load_training_data(data_root, cfg, load_contract)
    return TrainingData(xt, yt, xv, yv, summary, val_samples)


def fit(built, cfg: TrainConfig, pipes: Pipelines, n_train: int, store_root=None, log=print):
    """Warm start BUILT.model (CFG.init_from), then fit it for up to CFG.epochs; transfer
    models then fine-tune their last backbone blocks for up to CFG.finetune_epochs. N_TRAIN
    images per epoch set the learning-rate schedule. Returns the history: per-epoch lists
    (phase, epoch, seconds, loss, auc, val_loss, val_auc)."""
    from xray_core.models.transfer import BACKBONES, set_finetune

    model = built.model
    steps = int(np.ceil(n_train / cfg.batch_size))
    history: dict = {"epoch": []}
    if cfg.init_from:
        warm_start(model, cfg, built.contract, store_root)
        log(f"weights initialised from {cfg.init_from}")
    compile_model(model, cfg.learning_rate, steps * cfg.epochs, cfg.label_smoothing, cfg.ema)
    fit_phase(
        model, pipes.train, pipes.val, cfg.epochs, cfg.patience, pipes.weights, "train", history
    )
    if cfg.arch in BACKBONES and cfg.finetune_epochs > 0:
        head = {"gap", "head_dropout", "head_dense", "pneumonia_probability"}
        start = cfg.finetune_from or BACKBONES[cfg.arch].finetune_from
        n = set_finetune(model, cfg.arch, head, start)
        log(f"fine-tuning {n} backbone layers from {start} on")
        compile_model(
            model,
            cfg.finetune_learning_rate,
            steps * cfg.finetune_epochs,
            cfg.label_smoothing,
            cfg.ema,
        )
        fit_phase(
            model,
            pipes.finetune,
            pipes.val,
            cfg.finetune_epochs,
            cfg.patience,
            pipes.weights,
            "finetune",
            history,
        )
    return history


def calibrate_and_threshold(
    model, xv, data: TrainingData, cfg: TrainConfig, contract
) -> OperatingPoint:
    """Score the validation images XV, fit Platt scaling (CFG.calibration) and pick the
    highest threshold whose validation sensitivity meets CFG.sensitivity_target."""
    from xray_core.predict.assess import raw_probabilities

    t0 = time.perf_counter()
    p_val = raw_probabilities(model, xv)
    ms = (time.perf_counter() - t0) * 1000 / max(len(xv), 1)
    cal = calibrate(model, p_val, data.yv, data.val_samples, contract, cfg.calibration)
    view_scores = cal.pop("view_scores", None)
    p_cal = calibration.apply_calibration(p_val, cal)
    threshold = metrics.threshold_for_sensitivity(data.yv, p_cal, cfg.sensitivity_target)
    return OperatingPoint(p_val, p_cal, cal, view_scores, threshold, ms)


def make_card(
    built,
    cfg: TrainConfig,
    data_root: Path,
    data: TrainingData,
    point: OperatingPoint,
    seconds: float,
):
    """The new model's card (`new_card.build_card`), with the held-out cohort's report
    (CFG.hold_out_cohort) and the perturbed validation table (shifted calibration)."""
    from xray_core.training.new_card import build_card

    card = build_card(
        built,
        cfg.to_dict(),
        data_root=data_root,
        data_summary=data.summary,
        calibration=point.calibration,
        threshold=point.threshold,
        validation=metrics.summary(data.yv, point.p_cal, point.threshold),
        train_seconds=seconds,
        augmentation=augmentation_record(cfg),
    )
    if cfg.hold_out_cohort:
        report = held_out_report(
            built.model,
            data_root,
            cfg,
            built.contract,
            point.calibration,
            data.yv,
            point.p_cal,
            point.threshold,
        )
        card = card.updated(held_out_cohort=report)
    if point.view_scores is not None:
        from xray_core.training.shift import perturbed_table

        table = perturbed_table(data.yv, point.view_scores, point.calibration, point.threshold)
        card = card.updated(shifted_validation=table)
    return card


def save_entry(model, card, history, name, store_root, data, point, data_root: Path) -> Path:
    """Write the store entry NAME: weights, card, history, the validation scores, and the
    out-of-distribution gate fitted on at most 2000 training images."""
    from xray_core.predict.validation_scores import (
        files_digest,
        fit_model_gate,
        make_scores,
        save_scores,
    )
    from xray_core.store.catalog import load_model, save_model

    entry = save_model(model, card, history, name, store_root)
    digest = files_digest(data.val_samples)
    scores = make_scores(data.yv, point.p_cal, point.p_val, digest, point.ms_per_image)
    save_scores(name, scores, store_root)
    fit_model_gate(load_model(name, store_root), data_root, max_train=min(2000, len(data.xt)))
    return entry


def train(cfg: TrainConfig, data_root: Path, name: str, store_root=None, log=print) -> Path:
    """Train `cfg.arch` on DATA_ROOT/train and save it to the store as `name`."""
    data_root, started = Path(data_root), time.time()
    built = build(cfg)
    data = load_data(cfg, data_root, built.contract)
    loaded = f"{len(data.xt)} train / {len(data.xv)} validation images"
    log(f"data: {loaded} ({time.time() - started:.0f} s)")
    pipes = make_pipelines(data.xt, data.yt, data.xv, data.yv, cfg, built.contract)
    history = fit(built, cfg, pipes, len(data.xt), store_root, log)
    seconds = time.time() - started
    point = calibrate_and_threshold(built.model, pipes.xv, data, cfg, built.contract)
    card = make_card(built, cfg, data_root, data, point, seconds)
    entry = save_entry(built.model, card, history, name, store_root, data, point, data_root)
    log(
        f"saved {entry} in {seconds:.0f} s: val AUC {card['validation']['auc']:.4f}, "
        f"threshold {point.threshold:.3f}"
    )
    return entry
