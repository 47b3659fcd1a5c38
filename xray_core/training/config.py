"""What defines a training run: `TrainConfig`, its options' types, flags and help text.

The config is recorded verbatim in the card (`training.config`). Options with a fixed set of
values are `StrEnum`s: a card holds the same plain strings ("strong", "shifted"), so older
cards load and compare equal. Each field's metadata (`option`) carries its help text and, where
the flag is not `--field-name`, its flag: the `train` command's parser is generated from it
(`xray_core.cli.main`). Importing this module imports no TensorFlow.
"""

from __future__ import annotations

import functools
import json
import typing
from dataclasses import asdict, dataclass, field, fields
from enum import Enum, StrEnum

from xray_core.dataset.folders import HOLD_OUTS
from xray_core.models.registry import ARCHITECTURES


class AcquisitionPreset(StrEnum):
    """Acquisition-style augmentation presets (ranges in `xray_core.training.augment.PRESETS`)."""

    DEFAULT = "default"
    STRONG = "strong"
    SHAPE = "shape"  # strong plus the anatomy's width / height x0.67-1.5
    SHAPE_MILD = "shape_mild"  # strong plus x0.8-1.25
    SHAPE_BALANCED = "shape_balanced"  # shape, NORMAL x0.67-1.19 and PNEUMONIA x0.85-1.5
    SHAPE_BALANCED_HALF = "shape_balanced_half"  # half that gap: x0.67-1.33 and x0.75-1.5
    SHAPE_PAD = "shape_pad"  # shape, half of the changes by padding instead of cropping


class AcquisitionPhase(StrEnum):
    """When acquisition perturbations are applied: every epoch, or only while a transfer
    model's backbone is frozen (its fine-tuning then sees plain images)."""

    ALL = "all"
    HEAD = "head"


class CalibrationMode(StrEnum):
    """What Platt scaling (and so the threshold) is fitted on."""

    VALIDATION = "validation"  # the validation split
    SHIFTED = "shifted"  # the validation split plus its perturbed views (`training.shift`)


def option(default=None, help: str = "", *, factory=None, **cli) -> typing.Any:
    """A TrainConfig field with its DEFAULT (or FACTORY) and its `train` flag's metadata.

    HELP is the flag's help text (argparse's `%(default)s` allowed). CLI keys, all optional:
    flag (default `--field-name`, or `--no-field-name` with negate), metavar, choices (a tuple
    of plain strings; an enum field's values by default), required, negate (a bool field on
    by default whose flag turns it off, e.g. `--no-clahe`), parse (a callable applied to the
    flag's text, e.g. `json.loads`).
    """
    metadata = {"help": help, **cli}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass
class TrainConfig:
    """Everything that defines a training run (recorded verbatim in the card).

    A wrong value of an enum option raises ValueError naming the valid ones.
    """

    arch: str = option(
        "resnet", "architecture to build", choices=tuple(ARCHITECTURES), required=True
    )
    epochs: int = option(14, "at most this many epochs (default %(default)s)")
    finetune_epochs: int = option(
        4, "transfer models: epochs with the last backbone blocks unfrozen (default %(default)s)"
    )
    batch_size: int = option(32, "images per step (default %(default)s)")
    learning_rate: float = option(2e-3, "Adam learning rate (default %(default)s)", flag="--lr")
    finetune_learning_rate: float = option(1e-4, "transfer models' 2nd phase", flag="--finetune-lr")
    finetune_from: str | None = option(
        None,
        "transfer models: first backbone layer to unfreeze (default: the backbone's own, "
        "e.g. block_13_expand); BatchNorm stays frozen",
        metavar="LAYER",
    )
    patience: int = option(
        4, "stop after this many epochs without a better validation AUC (default %(default)s)"
    )
    val_fraction: float = option(
        0.15, "share of patients held out for validation (default %(default)s)"
    )
    # initialisation, shuffling, augmentation (and the split, unless split_seed)
    seed: int = option(42, "initialisation, order (default %(default)s)")
    split_seed: int | None = option(
        None, "patient split seed (default: --seed); fix it across seeds"
    )
    augment: bool = option(True, "train without augmentation", negate=True)
    clahe: bool = option(True, "inputs without CLAHE equalisation", negate=True)
    class_weights: bool = option(True, "ignore the 1:3 class imbalance", negate=True)
    sensitivity_target: float = option(0.97, "threshold's sensitivity target", flag="--sensitivity")
    acquisition: AcquisitionPreset | None = option(
        None,
        "acquisition-style augmentation preset on raw gray, before CLAHE "
        "(xray_core.training.augment); shape: strong plus the original's aspect ratio "
        "x0.67-1.5; shape_mild: x0.8-1.25; shape_balanced: shape's range split by class "
        "(NORMAL x0.67-1.19, PNEUMONIA x0.85-1.5) so both classes end with the same median shape; "
        "shape_balanced_half: half that split (x0.67-1.33, x0.75-1.5); shape_pad: shape with half "
        "of the changes made by padding (dark margins) instead of cropping",
    )
    acquisition_phase: AcquisitionPhase = option(
        AcquisitionPhase.ALL,
        "perturb in every epoch, or (transfer models) only while the backbone is frozen",
    )
    label_smoothing: float = option(0.0, "targets pulled toward 0.5 by this")
    mixup: float = option(
        0.0,
        "mix training images and targets, weight ~ Beta(ALPHA, ALPHA), e.g. 0.2; 0: off",
        metavar="ALPHA",
    )
    ema: float = option(
        0.0,
        "keep an exponential moving average of the weights (e.g. 0.995), validated and "
        "saved in their place; 0: off",
        metavar="MOMENTUM",
    )
    init_from: str | None = option(None, "stored model to start from (same arch, contract, split)")
    calibration: CalibrationMode = option(
        CalibrationMode.VALIDATION,
        "fit Platt scaling on validation, or on validation + its perturbed views",
    )
    hold_out_cohort: str | None = option(
        None,
        "keep this file-name cohort (or lowest-ids: the 15%% of patients with the lowest "
        "ids in each id space) out of training and validation; the card reports the model on "
        "it (a cohort-shift validation; not for a model you ship)",
        choices=HOLD_OUTS,
    )
    limit: int | None = option(None, "at most N training images per class (smoke runs)")
    options: dict = option(
        help="builder options as JSON, e.g. '{\"dilation\": 2}'",
        factory=dict,
        parse=json.loads,
    )

    def __post_init__(self) -> None:
        for name, kind in enum_fields().items():
            value = getattr(self, name)
            if value is None or isinstance(value, kind):
                continue
            try:
                setattr(self, name, kind(value))
            except ValueError:
                valid = tuple(m.value for m in kind)
                raise ValueError(
                    f"{name.replace('_', ' ')} must be one of {valid}, got {value!r}"
                ) from None

    def to_dict(self) -> dict:
        """The card's `training.config`: every field, enums as their plain strings."""
        return {k: v.value if isinstance(v, Enum) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, config: dict) -> TrainConfig:
        """A config from a card's `training.config` (keys it does not know are ignored;
        those an older card lacks get their defaults)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in config.items() if k in names})


@functools.cache
def field_types() -> dict[str, type]:
    """Each TrainConfig field's value type, `X | None` read as X."""
    types = {}
    for name, hint in typing.get_type_hints(TrainConfig).items():
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        types[name] = args[0] if args else hint
    return types


def enum_fields() -> dict[str, type[Enum]]:
    """TrainConfig's fields whose values are an enum, and that enum."""
    return {
        name: kind
        for name, kind in field_types().items()
        if isinstance(kind, type) and issubclass(kind, Enum)
    }
