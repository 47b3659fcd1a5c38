"""The panel's verdicts and sentence follow the stated rules (thresholds from checks.py)."""

import json

import numpy as np
import pytest

from xray_core.explain import checks
from xray_core.explain.faithfulness import Curve

F = np.linspace(0, 0.5, 11)


def curve(kind: str, drop: float, spread: float = 3.0) -> Curve:
    """Map order loses `drop` (normalised score) linearly; random order stays at 0.9; the
    logit moved `spread` in all."""
    return Curve(kind, F, 0.9 - drop * F / 0.5, np.full_like(F, 0.9), spread)


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
    # normalised curves always span [0, 1]; what is flat is the logit's own range
    faith = checks.Faithfulness("gradcam", deletion=curve("deletion", 0.6, spread=0.1))
    assert "deletion" not in faith.verdicts()
    assert "cannot tell" in faith.sentence()
    assert checks.flat(curve("deletion", 0.6, spread=checks.FLAT_LOGIT - 1e-9))
    assert not checks.flat(curve("deletion", 0.6, spread=checks.FLAT_LOGIT))


def test_a_blank_map_runs_no_check_and_says_so():
    faith = checks.Faithfulness("occlusion", blank=True)
    assert faith.verdicts() == {} and "empty" in faith.sentence()


@pytest.mark.parametrize(
    ("mass", "area", "passed"),
    [(0.04, 0.001, True), (0.2, 0.01, False), (0.4, 0.29, True), (0.6, 0.29, False)],
)
def test_shortcut_rule(mass, area, passed):
    faith = checks.Faithfulness("lime", markers={"mass": mass, "area": area})
    assert faith.verdicts()["markers"] is passed
    if not passed:
        assert "burned-in text or markers" in faith.sentence()


BENCHMARK = {
    "images": 10,
    "methods": {
        "gradcam": {"randomisation": 0.13, "deletion": 0.75, "insertion": 0.99, "alike": 0.4},
        "gradcam++": {"randomisation": 0.39, "deletion": 0.8049, "insertion": 0.97},
        "lime": {"randomisation": 0.60, "deletion": 0.63, "insertion": 1.17},
    },
}


def test_benchmark_verdicts_follow_the_lines_and_skip_missing_figures():
    methods = BENCHMARK["methods"]
    assert checks.benchmark_verdicts(methods["gradcam"]) == {
        "randomisation": True,
        "deletion": True,
        "alike": True,
    }
    assert checks.benchmark_verdicts(methods["gradcam++"]) == {
        "randomisation": False,
        "deletion": False,
    }
    edge = {"randomisation": checks.RANDOMISATION_PASS, "deletion": None, "alike": 0.61}
    assert checks.benchmark_verdicts(edge) == {"randomisation": True, "alike": False}
