"""The panel's verdicts and sentence follow the stated rules (thresholds from checks.py)."""

import json

import numpy as np
import pytest

from xray_core.explain import checks
from xray_core.explain.faithfulness import Curve

F = np.linspace(0, 0.5, 11)


def curve(kind: str, drop: float) -> Curve:
    """Map order loses `drop` in P linearly; random order stays at 0.9."""
    return Curve(kind, F, 0.9 - drop * F / 0.5, np.full_like(F, 0.9))


@pytest.mark.parametrize(
    ("rho", "passed"),
    [(0.0, True), (checks.RANDOMISATION_PASS, True), (0.31, False), (0.9, False)],
)
def test_randomisation_rule(rho, passed):
    assert checks.Faithfulness("gradcam", randomisation=rho).verdicts() == {"randomisation": passed}


def test_a_map_that_beats_random_passes_and_says_so():
    faith = checks.Faithfulness(
        "gradcam",
        randomisation=0.05,
        deletion=curve("deletion", 0.6),
        border={"mass": 0.2, "area": 0.29},
    )
    assert faith.deletion.ratio < checks.DELETION_PASS
    assert faith.verdicts() == {"randomisation": True, "deletion": True, "border": True}
    assert faith.sentence().startswith("This map passes every check")
    json.dumps(faith.to_dict())  # JSON-ready


def test_flat_curves_give_no_verdict_and_the_sentence_says_why():
    faith = checks.Faithfulness("gradcam", deletion=curve("deletion", 0.01))
    assert "deletion" not in faith.verdicts()
    assert "cannot tell" in faith.sentence()


@pytest.mark.parametrize(
    ("mass", "area", "passed"),
    [(0.04, 0.001, True), (0.2, 0.01, False), (0.4, 0.29, True), (0.6, 0.29, False)],
)
def test_shortcut_rule(mass, area, passed):
    faith = checks.Faithfulness("lime", markers={"mass": mass, "area": area})
    assert faith.verdicts()["markers"] is passed
    if not passed:
        assert "burned-in text or markers" in faith.sentence()
