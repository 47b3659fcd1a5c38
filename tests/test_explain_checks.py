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


BENCHMARK = {
    "images": 10,
    "methods": {
        "gradcam": {"randomisation": 0.13, "deletion": 0.85, "insertion": 0.99},
        "gradcam++": {"randomisation": 0.39, "deletion": 0.9049, "insertion": 0.97},
        "lime": {"randomisation": 0.60, "deletion": 0.63, "insertion": 1.17},
    },
}


def test_benchmark_caution_names_the_failed_checks_and_what_passed():
    plus = checks.benchmark_caution(BENCHMARK, "gradcam++")
    assert plus.startswith("On this model's faithfulness benchmark (10 validation images)")
    assert "Grad-CAM++ failed the model-randomisation check (median |ρ| 0.39 > 0.3" in plus
    assert "the deletion check (median 0.905× random > 0.9×" in plus  # not "0.90 > 0.9"
    assert plus.endswith("Grad-CAM passed both checks.")
    lime = checks.benchmark_caution(BENCHMARK, "lime")
    assert "LIME failed the model-randomisation check (median |ρ| 0.60" in lime
    assert "deletion" not in lime


@pytest.mark.parametrize(
    ("faithfulness", "method"),
    [(BENCHMARK, "gradcam"), (BENCHMARK, "feature_maps"), (None, "gradcam++"), ({}, "lime")],
)
def test_benchmark_caution_is_silent_when_passed_or_not_measured(faithfulness, method):
    assert checks.benchmark_caution(faithfulness, method) is None


def test_benchmark_caution_with_nothing_that_passed():
    failing = {"images": 10, "methods": {"gradcam": {"randomisation": 0.34, "deletion": 1.41}}}
    text = checks.benchmark_caution(failing, "gradcam")
    assert "1.41× random > 0.9×" in text and text.endswith("treat its maps as a rough guide.")


def test_benchmark_verdicts_follow_the_lines_and_skip_missing_figures():
    methods = BENCHMARK["methods"]
    assert checks.benchmark_verdicts(methods["gradcam"]) == {
        "randomisation": True,
        "deletion": True,
    }
    assert checks.benchmark_verdicts(methods["gradcam++"]) == {
        "randomisation": False,
        "deletion": False,
    }
    edge = {"randomisation": checks.RANDOMISATION_PASS, "deletion": None}
    assert checks.benchmark_verdicts(edge) == {"randomisation": True}
