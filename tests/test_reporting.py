"""Words for clinicians: operating point at a threshold, sentences, confidence words."""

import numpy as np
import pytest

from xray_core.evaluation.clinician import (
    confidence_words,
    explain_operating_point,
    operating_point_at,
)
from xray_core.store.card import ModelCard

Y = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
P = np.array([0.1, 0.2, 0.3, 0.6, 0.4, 0.7, 0.8, 0.9, 0.95, 0.99])
CARD = ModelCard(
    architecture="cnn",
    contract={"size": 64, "channels": 1, "scaling": "unit", "clahe": True},
    threshold=0.5,
    validation={"n": 10, "sensitivity": 0.8, "specificity": 0.75, "ppv": 0.9, "npv": 0.6},
)


@pytest.mark.parametrize("threshold", [0.05, 0.35, 0.5, 0.75, 0.97])
def test_operating_point_from_scores_matches_the_definitions(threshold):
    op = operating_point_at({"labels": Y, "probabilities": P}, CARD, threshold)
    flagged = P >= threshold
    tp, fn = np.sum(flagged & (Y == 1)), np.sum(~flagged & (Y == 1))
    tn, fp = np.sum(~flagged & (Y == 0)), np.sum(flagged & (Y == 0))
    assert op["sensitivity"] == pytest.approx(tp / (tp + fn))
    assert op["specificity"] == pytest.approx(tn / (tn + fp))
    assert op["ppv"] == (pytest.approx(tp / (tp + fp)) if tp + fp else None)
    assert op["n"] == 10 and op["prevalence"] == pytest.approx(0.6)


def test_without_scores_only_the_shipped_threshold_is_known():
    at_shipped = operating_point_at(None, CARD, 0.5)
    assert at_shipped["sensitivity"] == 0.8 and at_shipped["n"] == 10
    elsewhere = operating_point_at(None, CARD, 0.6)
    assert elsewhere["sensitivity"] is None and elsewhere["threshold"] == 0.6


def test_sentences_say_per_100_children():
    lines = explain_operating_point(
        {"sensitivity": 0.9, "specificity": 0.7, "ppv": 0.8, "npv": 0.85, "prevalence": 0.6}
    )
    assert "about 90 are flagged" in lines[0] and "10 are missed" in lines[0]
    assert "about 70 are cleared" in lines[1] and "30 are false alarms" in lines[1]
    assert "80%" in lines[2] and "85%" in lines[2] and "60%" in lines[2]
    assert explain_operating_point({"sensitivity": None, "specificity": None}) == [
        "Validation figures are available only at the shipped threshold."
    ]


@pytest.mark.parametrize(
    "p, t, words",
    [
        (0.52, 0.5, "borderline"),
        (0.48, 0.5, "borderline"),
        (0.9, 0.5, "clearly above"),
        (0.1, 0.5, "clearly below"),
        (0.65, 0.5, "above the threshold"),
        (0.35, 0.5, "below the threshold"),
    ],
)
def test_confidence_words(p, t, words):
    assert confidence_words(p, t).startswith(words)
