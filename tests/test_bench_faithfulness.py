"""benchmarks.bench_faithfulness: the summary's medians, over all images and per verdict."""

import pytest

from benchmarks.bench_faithfulness import summarise


def row(target, rand, dele):
    figures = {"randomisation": rand, "deletion": dele, "insertion": 1.2}
    return {"target": target, "gradcam": figures}


def test_medians_overall_and_per_verdict():
    rows = [row("NORMAL", 0.1, 0.7), row("NORMAL", 0.3, 0.8), row("PNEUMONIA", 0.6, 1.0)]
    out = summarise(rows, seeds=1)
    assert out["images"] == 3 and out["targets"] == {"NORMAL": 2, "PNEUMONIA": 1}
    assert out["methods"]["gradcam"]["deletion"] == pytest.approx(0.8)
    assert out["by_target"]["NORMAL"]["gradcam"] == {"randomisation": 0.2, "deletion": 0.75}
    assert out["by_target"]["PNEUMONIA"]["gradcam"] == {"randomisation": 0.6, "deletion": 1.0}


def test_a_verdict_without_images_has_no_medians():
    out = summarise([row("NORMAL", 0.1, 0.7)], seeds=1)
    assert out["by_target"]["PNEUMONIA"] == {}
