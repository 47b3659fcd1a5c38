"""Prediction: image -> calibrated P(PNEUMONIA) and a labelled verdict at a threshold."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from xray_core.config import CLASS_NAMES
from xray_core.gate import ood as gate
from xray_core.io.contract import from_display
from xray_core.io.study import Study
from xray_core.stats.calibration import apply_calibration
from xray_core.store.catalog import StoredModel
from xray_core.store.scorer import raw_probabilities

# raw_probabilities lives in xray_core.store.scorer (the one scoring loop); importable here too.
__all__ = [
    "Assessment",
    "Prediction",
    "assess",
    "calibrated_probabilities",
    "label_for",
    "raw_probabilities",
]


@dataclass(frozen=True)
class Prediction:
    """One scored image.

    probability: calibrated P(PNEUMONIA) in [0, 1]; raw_probability: the network's output.
    label: "PNEUMONIA" when probability >= threshold, else "NORMAL".
    """

    probability: float
    raw_probability: float
    label: str
    threshold: float
    model: str

    def to_dict(self) -> dict:
        return asdict(self)

    def at_threshold(self, threshold: float) -> Prediction:
        """The same scores read at another threshold (label and threshold change)."""
        t = float(threshold)
        return replace(self, label=label_for(self.probability, t), threshold=t)


def label_for(probability: float, threshold: float) -> str:
    """The verdict at a threshold: PNEUMONIA when probability >= threshold."""
    return CLASS_NAMES[int(probability >= threshold)]


def calibrated_probabilities(stored: StoredModel, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(calibrated, raw) probabilities for a preprocessed batch."""
    raw = stored.probabilities(x)
    return apply_calibration(raw, stored.card.calibration), raw


@dataclass(frozen=True)
class Assessment:
    """A prediction plus the out-of-distribution gate's judgement; show no verdict unless ok."""

    prediction: Prediction
    gate: gate.GateResult

    @property
    def ok(self) -> bool:
        return self.gate.ok

    def at_threshold(self, threshold: float) -> Assessment:
        """The same assessment read at another threshold (the gate does not depend on it)."""
        return replace(self, prediction=self.prediction.at_threshold(threshold))


def assess(
    stored: StoredModel,
    study: Study,
    threshold: float | None = None,
    gatekeeper: StoredModel | None = None,
) -> Assessment:
    """Gate and score a study.

    Args:
        gatekeeper: the model whose feature-space gate judges the input; default `stored`
            itself (then one forward pass gives both). The app and CLI pass the store's default
            model, so a weak model (the dense baseline's 64-d features catch only half of the
            non-X-ray corpus) never lowers the bar.
    """
    display = study.display(stored.contract)  # resize + CLAHE once, for the model and the gate
    raw, feats = stored.score(from_display(display[None], stored.contract))
    raw = float(raw[0])
    p = float(apply_calibration(np.array([raw]), stored.card.calibration)[0])
    t = stored.threshold if threshold is None else float(threshold)
    keeper = gatekeeper or stored
    if keeper is not stored:
        display = study.display(keeper.contract)
        feats = keeper.score(from_display(display[None], keeper.contract))[1]
    distance = cutoff = None
    scaled = False
    if keeper.gate is not None:
        distance = float(gate.distance(keeper.gate, np.asarray(feats))[0])
        cutoff = float(keeper.gate["cutoff"])
        scaled = gate.is_scaled(keeper.gate)
    verdict = gate.check(display, study.colourfulness, distance, cutoff, scaled)
    return Assessment(Prediction(p, raw, label_for(p, t), t, stored.name), verdict)
