"""xray_core.explain.benchmark: the summary's figures, over all images and per verdict."""

import numpy as np
import pytest

from xray_core.explain.benchmark import summarise


def a_map(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random((8, 8)).astype(np.float32)


def row(target, rand, dele, seed=0, blank=False):
    figures = {"randomisation": rand, "deletion": dele, "insertion": 1.2, "blank": blank}
    return {"target": target, "occlusion": {**figures, "map": a_map(seed)}}


def test_means_overall_and_per_verdict():
    rows = [row("NORMAL", 0.1, 0.7), row("NORMAL", 0.3, 0.8), row("PNEUMONIA", 0.6, 1.3)]
    out = summarise(rows, seeds=1)
    assert out["images"] == 3 and out["targets"] == {"NORMAL": 2, "PNEUMONIA": 1}
    overall = out["methods"]["occlusion"]
    assert overall["deletion"] == pytest.approx(0.9333, abs=1e-4)  # the mean
    assert overall["deletion_median"] == pytest.approx(0.8)
    normal = out["by_target"]["NORMAL"]["occlusion"]
    assert normal["randomisation"] == pytest.approx(0.2) and normal["deletion"] == 0.75
    assert normal["alike"] == pytest.approx(1.0)  # the same map twice
    assert out["by_target"]["PNEUMONIA"]["occlusion"]["alike"] is None  # one map: no pair


def test_blank_maps_are_counted_not_averaged():
    rows = [row("PNEUMONIA", 0.1, 0.5, seed=1), row("PNEUMONIA", None, None, seed=2, blank=True)]
    out = summarise(rows, seeds=1)["methods"]["occlusion"]
    assert out["blank"] == 0.5 and out["deletion"] == 0.5 and out["alike"] is None


def test_different_maps_are_not_alike():
    rows = [row("PNEUMONIA", 0.1, 0.5, seed=s) for s in range(6)]
    assert abs(summarise(rows, seeds=1)["methods"]["occlusion"]["alike"]) < 0.3


def test_a_verdict_without_images_has_no_figures():
    out = summarise([row("NORMAL", 0.1, 0.7)], seeds=1)
    assert out["by_target"]["PNEUMONIA"] == {}


def test_a_labelled_folder_gives_half_of_each_class(tmp_path):
    from xray_core.explain.benchmark import pick_folder

    for cls, count in (("NORMAL", 5), ("PNEUMONIA", 7)):
        (tmp_path / cls).mkdir()
        for i in range(count):
            (tmp_path / cls / f"{cls.lower()}{i}.png").write_bytes(b"x")
    picked = pick_folder(tmp_path, 6)
    assert [s.label for s in picked] == [0, 0, 0, 1, 1, 1]
    assert picked == pick_folder(tmp_path, 6)  # seeded
    with pytest.raises(ValueError, match="NORMAL/ and PNEUMONIA/"):
        pick_folder(tmp_path / "NORMAL", 4)
