"""The model card: one typed object (ModelCard), built by training, written by the store.

card.json is `ModelCard.to_json()`; `ModelCard.from_json` reads every card this project has
written (schema 1: the untyped dicts before `schema_version` existed) and keeps keys it does
not know in `extra`, so a feature can add a block (e.g. "faithfulness") without a schema change:
`card.updated(faithfulness={...})`, then `store.write_card`.

Nested blocks (`calibration`, `validation`, `training`, `data`) stay plain JSON dicts; a card
loaded by the store is shared by sessions, so treat it and its blocks as read-only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import platform
from dataclasses import dataclass, field
from pathlib import Path

from xray_core.data import hold_out_text
from xray_core.intended_use import CITATION, INTENDED_USE, POPULATION
from xray_core.models.registry import STANDARDIZE_NOTE

SCHEMA_VERSION = 2  # 1: cards written before this field existed (same keys, no version)
REQUIRED_KEYS = ("name", "architecture", "contract", "threshold", "model_sha256")
LIMITATIONS = [
    "Validation figures come from a patient-level split of the official train split; the "
    "official test split is distribution-shifted and scores lower, specificity especially.",
    "The threshold was chosen for high sensitivity: expect false alarms on normal studies.",
    "Two classes only (NORMAL / PNEUMONIA); other findings are not recognised.",
    "Bacterial and viral pneumonia are not told apart.",
]
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
        from xray_core.augment import preset

        lo, hi = preset(config["acquisition"]).aspect
        shape = f", the anatomy's width / height ×{lo}-{hi}" if (lo, hi) != (1.0, 1.0) else ""
        measures.append(
            f"acquisition-style augmentation (preset '{config['acquisition']}': gamma, "
            f"contrast, brightness, blur, noise, crop-and-resize, JPEG re-compression{shape})"
            + (" in the head phase only" if config.get("acquisition_phase") == "head" else "")
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
    if config.get("calibration") == "shifted":
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


class CardError(ValueError):
    """A card.json that is not a card (not an object, or lacking REQUIRED_KEYS)."""


@dataclass(frozen=True)
class ModelCard:
    """Everything recorded about one stored model. `threshold` is P(pneumonia) in [0, 1];
    `contract` is `ImageContract.to_dict()`; `extra` holds keys this version does not know."""

    architecture: str
    contract: dict
    threshold: float
    name: str = ""
    model_sha256: str = ""
    description: str = ""
    created: str = ""
    last_conv_layer: str | None = None
    parameters: int = 0
    imagenet_weights: str | None = None
    threshold_rule: str = ""
    calibration: dict | None = None
    validation: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    intended_use: str = INTENDED_USE
    population: str = POPULATION
    limitations: list = field(default_factory=lambda: list(LIMITATIONS))
    robustness: str = ""
    citation: str = CITATION
    model_bytes: int = 0
    schema_version: int = SCHEMA_VERSION
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict) -> ModelCard:
        """A card from card.json's object. Raises CardError naming the missing keys."""
        if not isinstance(d, dict):
            raise CardError(f"card lacks ['all'] (expected a JSON object, got {type(d).__name__})")
        missing = [k for k in REQUIRED_KEYS if k not in d]
        if missing:
            raise CardError(f"card lacks {missing}")
        known = {f.name for f in dataclasses.fields(cls)} - {"extra", "schema_version"}
        return cls(
            **{k: v for k, v in d.items() if k in known},
            schema_version=int(d.get("schema_version", 1)),
            extra={k: v for k, v in d.items() if k not in known and k != "schema_version"},
        )

    @classmethod
    def from_json(cls, text: str) -> ModelCard:
        """Parse card.json text. Raises CardError (also for invalid JSON)."""
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise CardError(f"corrupt card ({exc.__class__.__name__})") from None

    def to_dict(self) -> dict:
        """card.json's object: the fields, then `extra`'s keys at the top level."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "extra"}
        d["schema_version"] = SCHEMA_VERSION
        return {**d, **self.extra}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def updated(self, **changes) -> ModelCard:
        """A copy with fields replaced; unknown names land in `extra`."""
        known = {f.name for f in dataclasses.fields(self)}
        extra = {**self.extra, **{k: v for k, v in changes.items() if k not in known}}
        return dataclasses.replace(
            self, **{k: v for k, v in changes.items() if k in known}, extra=extra
        )

    # Read-only mapping access, for code written against the dict card (`card["threshold"]`).
    def __getitem__(self, key: str):
        if key != "extra" and key in {f.name for f in dataclasses.fields(self)}:
            return getattr(self, key)
        return self.extra[key]

    def __contains__(self, key: str) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    def get(self, key: str, default=None):
        return self[key] if key in self else default


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


def split_seed(config: dict) -> int:
    """The patient-split seed of a training config (`split_seed`, else the run's `seed`)."""
    value = config.get("split_seed")
    return int(config["seed"] if value is None else value)


def _data_block(config: dict, data_root: Path, data_summary: dict) -> dict:
    from xray_core.hashing import sha256_file

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
