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
import json
from dataclasses import dataclass, field

from xray_core.text.intended_use import CITATION, INTENDED_USE, POPULATION

SCHEMA_VERSION = 2  # 1: cards written before this field existed (same keys, no version)
REQUIRED_KEYS = ("name", "architecture", "contract", "threshold", "model_sha256")
LIMITATIONS = [
    "Validation figures come from a patient-level split of the official train split; the "
    "official test split is distribution-shifted and scores lower, specificity especially.",
    "The threshold was chosen for high sensitivity: expect false alarms on normal studies.",
    "Two classes only (NORMAL / PNEUMONIA); other findings are not recognised.",
    "Bacterial and viral pneumonia are not told apart.",
]


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


def split_seed(config: dict) -> int:
    """The patient-split seed of a training config (`split_seed`, else the run's `seed`)."""
    value = config.get("split_seed")
    return int(config["seed"] if value is None else value)
