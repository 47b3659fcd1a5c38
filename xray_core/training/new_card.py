"""The card of a freshly trained model: what the run did, on which data, with which figures.

Training calls `build_card`; the store then fills the name, the weights' sha256 and size.
"""

from __future__ import annotations

import datetime as dt
import platform
from pathlib import Path

from xray_core.dataset.folders import hold_out_text
from xray_core.models.registry import STANDARDIZE_NOTE
from xray_core.store.card import ModelCard, split_seed
from xray_core.training.augment import preset
from xray_core.training.config import AcquisitionPhase, CalibrationMode

SHIFT_NOTE = (
    "The official test split is shifted against train (other exposure and contrast; normal "
    "studies score higher)."
)
TRIED_NOTE = (
    "Tried and not used (research/EXPERIMENTS.md): test-time augmentation (7 views, +0.002 "
    "test AUC in a probe), re-estimating BatchNorm statistics on test images (worse), an "
    "ensemble of three seeds of the default's recipe (no gain on plain or perturbed "
    "validation). The validation figures here flatter every model."
)


def robustness_text(config: dict, clahe: bool) -> str:
    """What this model's training did against cohort shift, from its TrainConfig dict."""
    measures = []
    if clahe:
        measures.append(
            "CLAHE equalisation in the input contract (a from-scratch ResNet went from 0.954 "
            "to 0.971 test AUC with it in an earlier run here)"
        )
    if (config.get("options") or {}).get("standardize"):
        measures.append(STANDARDIZE_NOTE)
    if config.get("augment", True):
        measures.append("augmentation for positioning and exposure")
    if config.get("acquisition"):
        acq = preset(config["acquisition"])
        lo, hi = acq.aspect
        shape = f", the anatomy's width / height ×{lo}-{hi}" if (lo, hi) != (1.0, 1.0) else ""
        if acq.aspect_balance:
            (n_lo, n_hi), (p_lo, p_hi) = acq.aspect_range(0), acq.aspect_range(1)
            shape = (
                f", the anatomy's width / height ×{n_lo:.2f}-{n_hi:.2f} for NORMAL and "
                f"×{p_lo:.2f}-{p_hi:.2f} for PNEUMONIA, against the classes' different "
                "median shapes"
            )
        if acq.aspect_pad:
            shape += f" ({acq.aspect_pad:.0%} of those changes by padding, a wider field of view)"
        measures.append(
            f"acquisition-style augmentation (preset '{config['acquisition']}': gamma, "
            f"contrast, brightness, blur, noise, crop-and-resize, JPEG re-compression{shape})"
            + (
                " in the head phase only"
                if config.get("acquisition_phase") == AcquisitionPhase.HEAD
                else ""
            )
        )
    if config.get("mixup"):
        measures.append(
            f"mixup (pairs of training images and their targets blended, weight ~ "
            f"Beta({config['mixup']}, {config['mixup']}))"
        )
    if config.get("label_smoothing"):
        measures.append(f"label smoothing ({config['label_smoothing']}: targets pulled to 0.5)")
    if config.get("class_weights", True):
        measures.append("class weights")
    if config.get("ema"):
        measures.append(
            f"an exponential moving average of the weights (momentum {config['ema']} per "
            "step), validated and kept in place of the raw weights"
        )
    measures.append("early stopping on validation AUC")
    if config.get("calibration") == CalibrationMode.SHIFTED:
        measures.append(
            "Platt calibration and the threshold fitted on validation plus perturbed views of "
            "it, accepting lower specificity"
        )
    else:
        measures.append(
            "Platt calibration; a threshold set for sensitivity, accepting lower specificity"
        )
    text = f"{SHIFT_NOTE} Measures taken: {'; '.join(measures)}. {TRIED_NOTE}"
    if config.get("hold_out_cohort"):
        held = hold_out_text(config["hold_out_cohort"])
        text += (
            f" This run was trained and validated without {held}, to measure the model on "
            "patients it never saw (an experiment, not a model to use)."
        )
    return text


def _training_block(config: dict, augmentation: dict | None, train_seconds: float) -> dict:
    import keras
    import tensorflow as tf

    return {
        "config": config,
        "augmentation": augmentation,
        "seconds": round(train_seconds, 1),
        "machine": f"{platform.machine()} {platform.system()}, CPU",
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__},
    }


def _data_block(config: dict, data_root: Path, data_summary: dict) -> dict:
    from xray_core.io.hashing import sha256_file

    manifest = Path(data_root) / "MANIFEST.csv"
    return {
        "dataset": "Kermany et al. 2018, chest_xray (Kaggle layout), official train split",
        "manifest_sha256": sha256_file(manifest) if manifest.is_file() else None,
        "splits": data_summary,
        "split_rule": f"patient-level, class-stratified, seed {split_seed(config)}, "
        f"{config['val_fraction']:.0%} of patients to validation",
    }


def build_card(
    built,
    config: dict,
    *,
    data_root: Path,
    data_summary: dict,
    calibration: dict,
    threshold: float,
    validation: dict,
    train_seconds: float,
    augmentation: dict | None,
) -> ModelCard:
    """A freshly trained model's card (the store fills name, model_sha256 and model_bytes).

    Args:
        built: models.BuiltModel; config: TrainConfig as a dict (recorded verbatim).
    """
    return ModelCard(
        architecture=built.arch,
        description=built.description,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        contract=built.contract.to_dict(),
        last_conv_layer=built.last_conv,
        parameters=int(built.model.count_params()),
        imagenet_weights=built.imagenet_weights,
        threshold=float(threshold),
        threshold_rule=f"highest threshold with validation sensitivity >= "
        f"{config['sensitivity_target']}",
        calibration=calibration,
        validation=validation,
        training=_training_block(config, augmentation, train_seconds),
        data=_data_block(config, data_root, data_summary),
        robustness=robustness_text(config, built.contract.clahe),
    )
