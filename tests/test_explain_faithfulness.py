"""Faithfulness measures: curves, areas, rank correlation, border and marker shares."""

import numpy as np
import pytest

from xray_core.explain import faithfulness as F

SIZE = 224
SQUARE = (slice(64, 128), slice(32, 96))  # the one region the synthetic model reads


def square_model(batch: np.ndarray) -> np.ndarray:
    """A 'model' whose logit is the texture (10 x standard deviation) inside SQUARE: hiding
    the square under its blurred copy lowers the score; nothing else matters."""
    return 10.0 * batch[:, SQUARE[0], SQUARE[1], 0].std(axis=(1, 2))


@pytest.fixture
def image() -> np.ndarray:
    """A smooth gradient with noise texture everywhere (so blurring changes every region)."""
    rng = np.random.default_rng(0)
    ramp = np.linspace(0.2, 0.8, SIZE)[None, :] * np.ones((SIZE, 1))
    return (ramp + rng.uniform(-0.15, 0.15, (SIZE, SIZE)))[..., None].astype(np.float32)


def square_map() -> np.ndarray:
    heat = np.zeros((SIZE, SIZE), np.float32)
    heat[SQUARE] = 1.0
    return heat


def test_area_is_the_curve_mean():
    f = np.linspace(0.0, 0.5, 11)
    curve = F.Curve("deletion", f, 1.0 - f, np.ones_like(f))
    # mean of 1 - f over [0, 0.5] = 1 - 0.25
    assert curve.area == pytest.approx(0.75)
    assert curve.random_area == pytest.approx(1.0)
    assert curve.ratio == pytest.approx(0.75)


def test_a_map_of_the_pixels_the_model_reads_beats_random(image):
    deletion, insertion = F.curves(square_model, image, square_map(), resolution=7)
    assert deletion.ratio < 0.5 and insertion.ratio > 1.5
    # min-max normalised over every deletion curve: the intact image is the top (1.0), and
    # the range is the model's own logit drop from hiding the square
    assert deletion.scores[0] == pytest.approx(1.0)
    full = square_model(image[None])[0] - square_model(F.blurred(image)[None])[0]
    assert deletion.spread == pytest.approx(full, rel=1e-5)
    assert len(deletion.fractions) == F.STEPS and deletion.fractions[-1] == F.MAX_FRACTION


def test_the_opposite_map_loses_to_random(image):
    deletion, insertion = F.curves(square_model, image, 1.0 - square_map(), resolution=7)
    assert deletion.ratio > 1.0 and insertion.ratio < 1.0


def test_on_a_model_that_ignores_the_input_deletion_equals_random(image):
    deletion, insertion = F.curves(lambda b: np.full(len(b), 0.7), image, square_map())
    np.testing.assert_allclose(deletion.scores, deletion.random)
    assert deletion.ratio == pytest.approx(1.0) and insertion.ratio == pytest.approx(1.0)
    assert deletion.spread == 0.0


def test_normal_target_reads_the_negated_logit(image):
    d_p, _ = F.curves(square_model, image, square_map(), "PNEUMONIA")
    d_n, _ = F.curves(square_model, image, square_map(), "NORMAL")
    np.testing.assert_allclose(d_n.scores, 1.0 - d_p.scores, atol=1e-12)


def test_hidden_pixels_take_the_blurred_copy_not_grey(image):
    seen = []
    F.curves(lambda b: seen.append(b.copy()) or np.zeros(len(b)), image, square_map())
    last_deletion_in_map_order = seen[0][F.STEPS - 1]
    np.testing.assert_allclose(last_deletion_in_map_order[SQUARE], F.blurred(image)[SQUARE])


def test_random_maps_are_blobs_at_the_given_resolution():
    rng = np.random.default_rng(0)
    coarse, fine = F.random_map((SIZE, SIZE), 2, rng), F.random_map((SIZE, SIZE), 56, rng)
    # a 2 x 2 grid upsampled varies slowly; a 56 x 56 one changes every few pixels
    assert np.abs(np.diff(coarse, axis=1)).mean() < np.abs(np.diff(fine, axis=1)).mean() / 5
    with pytest.raises(ValueError, match="resolution"):
        F.curves(square_model, np.zeros((SIZE, SIZE, 1), np.float32), square_map(), resolution=0)


def test_curves_check_shapes(image):
    with pytest.raises(ValueError, match="does not match"):
        F.curves(square_model, image, np.zeros((5, 5), np.float32))


def test_one_fixed_map_for_every_image_is_alike_1():
    fixed = square_map()
    assert F.maps_alike([fixed, fixed.copy(), fixed.copy()]) == pytest.approx(1.0)
    rng = np.random.default_rng(1)
    assert abs(F.maps_alike([rng.random((16, 16)) for _ in range(6)])) < 0.1
    assert F.maps_alike([fixed]) is None


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
