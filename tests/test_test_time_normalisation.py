"""research.test_time_normalisation: each grey-level normalisation does what its name says."""

import numpy as np
import pytest

from research.test_time_normalisation import (
    equalise,
    match_to,
    mean_cdf,
    none,
    standardise,
    stretch,
)


@pytest.fixture
def image():
    rng = np.random.default_rng(0)
    return rng.integers(60, 180, size=(64, 64)).astype(np.uint8)


def test_none_is_the_identity(image):
    assert none(image) is image


def test_stretch_spans_the_grey_range(image):
    out = stretch(image)
    assert out.dtype == np.uint8 and out.shape == image.shape
    lo, hi = np.percentile(out, (1, 99))
    assert lo <= 3 and hi >= 252
    flat = np.full((8, 8), 7, np.uint8)
    assert stretch(flat) is flat  # nothing to stretch


def test_standardise_moves_mean_and_sd(image):
    out = standardise(image).astype(float)
    assert out.mean() == pytest.approx(128, abs=1.5) and out.std() == pytest.approx(55, abs=1.5)


def test_equalise_flattens_the_histogram(image):
    out = equalise(image)
    assert out.max() == 255 and np.ptp(out) > np.ptp(image)


def test_matching_to_an_images_own_cdf_keeps_it(image):
    same = match_to(mean_cdf([image]))(image)
    assert np.abs(same.astype(int) - image.astype(int)).max() <= 1


def test_matching_moves_grey_levels_toward_the_reference(image):
    bright = np.clip(image.astype(int) + 60, 0, 255).astype(np.uint8)
    matched = match_to(mean_cdf([image]))(bright)
    assert abs(matched.mean() - image.mean()) < 2 < abs(bright.mean() - image.mean())
