"""One verdict per map: the model's benchmark and this image's checks, stated together."""

import numpy as np
import pytest

from xray_core.explain import checks, verdict
from xray_core.explain.base import Explanation
from xray_core.explain.faithfulness import Curve

F = np.linspace(0, 0.5, 11)
PASSING = {"randomisation": 0.2, "deletion": 0.3, "alike": 0.5}
FAILING = {"randomisation": 0.1, "deletion": 2.5, "alike": 0.8}
CARD = {
    "images": 40,
    "methods": {"occlusion": PASSING, "gradcam": FAILING},
    "by_target": {"NORMAL": {"occlusion": FAILING}},
}


def explanation(method="occlusion", target="PNEUMONIA", blank=False, title="Occlusion"):
    heat = np.zeros((8, 8), np.float32)
    if not blank:
        heat[2:4, 2:4] = 1.0
    extra = {"blank_reason": "hiding any one region lowers its score by less than 0.05"}
    return Explanation(method, title, heat, target, {}, "", extra=extra if blank else {})


def image_checks(deletion_ratio: float) -> checks.Faithfulness:
    """This image's checks with a deletion curve of area ratio `deletion_ratio` to random."""
    curve = Curve("deletion", F, np.full_like(F, 0.5 * deletion_ratio), np.full_like(F, 0.5), 2.0)
    return checks.Faithfulness("occlusion", randomisation=0.1, deletion=curve)


def test_benchmark_figures_prefer_the_verdicts_own_half():
    assert verdict.benchmark_figures(CARD, "occlusion", "PNEUMONIA") == PASSING
    assert verdict.benchmark_figures(CARD, "occlusion", "NORMAL") == FAILING
    assert verdict.benchmark_figures(None, "occlusion", "NORMAL") == {}


def test_passed_benchmark_before_the_image_is_checked():
    v = verdict.map_verdict(CARD, explanation())
    assert v.trust == "ok" and v.image is None
    assert v.sentence.startswith(
        "On this model's benchmark (40 validation images) Occlusion passed"
    )
    assert "deletion 0.30× random (line 0.8×)" in v.sentence


def test_failed_benchmark_names_every_failed_line():
    v = verdict.map_verdict(CARD, explanation("gradcam", title="Grad-CAM"))
    assert v.trust == "caution"
    assert "Grad-CAM failed deletion and maps alike across images" in v.sentence


def test_when_benchmark_and_image_disagree_the_image_decides_and_it_says_why():
    failing_here = image_checks(2.0)
    assert failing_here.verdicts()["deletion"] is False
    v = verdict.map_verdict(CARD, explanation(), failing_here)
    assert v.trust == "caution" and v.benchmark == {k: True for k in PASSING}
    assert "passed" in v.sentence and "fails deletion" in v.sentence
    assert "This image's checks decide" in v.sentence
    agree = verdict.map_verdict(CARD, explanation(), image_checks(0.2))
    assert agree.trust == "ok" and "checks decide" not in agree.sentence


def test_a_blank_map_says_so_in_words_whatever_the_benchmark():
    v = verdict.map_verdict(CARD, explanation(blank=True))
    assert v.trust == "blank"
    assert v.sentence.startswith("Occlusion finds no evidence for PNEUMONIA on this image")
    assert "less than 0.05" in v.sentence


def test_not_benchmarked_says_so():
    v = verdict.map_verdict({}, explanation())
    assert v.trust == "caution" and "has not been benchmarked" in v.sentence


@pytest.mark.parametrize(
    ("method", "target", "expected"),
    [
        ("occlusion", "PNEUMONIA", True),
        ("occlusion", "NORMAL", False),
        ("gradcam", "PNEUMONIA", False),
    ],
)
def test_passes_benchmark(method, target, expected):
    assert verdict.passes_benchmark(CARD, method, target) is expected


def test_benchmark_word_is_short_and_names_each_failed_line():
    assert verdict.benchmark_word(CARD, "occlusion", "PNEUMONIA") == "passed the checks"
    assert verdict.benchmark_word(CARD, "gradcam", "PNEUMONIA") == "failed deletion, alike"
    assert verdict.benchmark_word(CARD, "lime", "PNEUMONIA") == "not benchmarked"
