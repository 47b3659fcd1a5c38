"""Faithfulness measures: curves, areas, rank correlation, border and marker shares."""

import numpy as np
import pytest

from xray_core.explain import faithfulness as F

SIZE = 32


def quadrant_model(batch: np.ndarray) -> np.ndarray:
    """A 'model' whose P(PNEUMONIA) is the mean brightness of the top-left quadrant."""
    return batch[:, : SIZE // 2, : SIZE // 2, 0].mean(axis=(1, 2))


@pytest.fixture
def image() -> np.ndarray:
    """Dark noise with a bright top-left quadrant: hiding that quadrant lowers the score."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0.0, 0.4, (SIZE, SIZE, 1))
    x[: SIZE // 2, : SIZE // 2] = rng.uniform(0.8, 1.0, (SIZE // 2, SIZE // 2, 1))
    return x.astype(np.float32)


def quadrant_map() -> np.ndarray:
    heat = np.zeros((SIZE, SIZE), np.float32)
    heat[: SIZE // 2, : SIZE // 2] = 1.0
    return heat


def test_area_is_the_curve_mean():
    f = np.linspace(0.0, 0.5, 11)
    curve = F.Curve("deletion", f, 1.0 - f, np.ones_like(f))
    # mean of 1 - f over [0, 0.5] = 1 - 0.25
    assert curve.area == pytest.approx(0.75)
    assert curve.random_area == pytest.approx(1.0)
    assert curve.ratio == pytest.approx(0.75)


def test_a_map_of_the_pixels_the_model_reads_beats_random(image):
    deletion, insertion = F.curves(quadrant_model, image, quadrant_map())
    assert deletion.ratio < 0.9 and insertion.ratio > 1.05
    assert deletion.scores[0] == pytest.approx(quadrant_model(image[None])[0])
    assert len(deletion.fractions) == F.STEPS and deletion.fractions[-1] == F.MAX_FRACTION


def test_the_opposite_map_loses_to_random(image):
    deletion, insertion = F.curves(quadrant_model, image, 1.0 - quadrant_map())
    assert deletion.ratio > 1.0 and insertion.ratio < 1.0


def test_on_a_model_that_ignores_the_input_deletion_equals_random(image):
    deletion, insertion = F.curves(lambda b: np.full(len(b), 0.7), image, quadrant_map())
    np.testing.assert_allclose(deletion.scores, deletion.random)
    assert deletion.ratio == pytest.approx(1.0) and insertion.ratio == pytest.approx(1.0)


def test_normal_target_reads_the_complement(image):
    d_p, _ = F.curves(quadrant_model, image, quadrant_map(), "PNEUMONIA")
    d_n, _ = F.curves(quadrant_model, image, quadrant_map(), "NORMAL")
    np.testing.assert_allclose(d_n.scores, 1.0 - d_p.scores)


def test_curves_check_shapes(image):
    with pytest.raises(ValueError, match="does not match"):
        F.curves(quadrant_model, image, np.zeros((5, 5), np.float32))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (np.arange(16.0), np.arange(16.0) * 3 + 1, 1.0),
        (np.arange(16.0), -np.arange(16.0), -1.0),
        (np.arange(16.0), np.ones(16), 0.0),
    ],
)
def test_rank_correlation(a, b, expected):
    assert F.rank_correlation(a.reshape(4, 4), b.reshape(4, 4)) == pytest.approx(expected)


def test_border_share_of_a_uniform_map_equals_the_band_area():
    share = F.border_share(np.ones((100, 100), np.float32), band=0.1)
    assert share["area"] == pytest.approx(1 - 0.8 * 0.8)
    assert share["mass"] == pytest.approx(share["area"])
    inner = np.zeros((100, 100), np.float32)
    inner[40:60, 40:60] = 1
    assert F.border_share(inner, band=0.1)["mass"] == 0.0


def test_marker_heuristic_flags_small_bright_marks_near_edges_only():
    img = np.full((224, 224), 90, np.uint8)
    img[10:22, 190:200] = 255  # a side marker in the top-right corner
    img[100:124, 100:124] = 255  # bright but central: anatomy, not a marker
    img[200:220, 5:8] = 200  # near the edge but not saturated
    mask = F.detect_markers(img)
    assert mask[15, 195] and not mask[110, 110] and not mask[210, 6]
    assert mask.sum() == (12 + 2 * F.MARKER_PAD) * (10 + 2 * F.MARKER_PAD)
    assert not F.detect_markers(np.full((64, 64), 255, np.uint8)).any()  # too large
