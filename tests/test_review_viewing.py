"""Window/level and zoom, recomputed from their definitions."""

from __future__ import annotations

import numpy as np
import pytest

from xray_core.review.viewing import window_level, zoom


def test_full_window_is_the_identity_and_a_narrow_one_stretches():
    gray = np.arange(256, dtype=np.uint8).reshape(16, 16)
    np.testing.assert_array_equal(window_level(gray, 127.5, 255), gray)
    out = window_level(gray, level=100, width=50)  # [75, 125] -> [0, 255]
    expected = np.clip(np.round((gray.astype(float) - 75) * 255 / 50), 0, 255)
    np.testing.assert_array_equal(out, expected.astype(np.uint8))
    assert out[0, 0] == 0 and out[-1, -1] == 255 and out.dtype == np.uint8


def test_zoom_crops_around_the_centre_and_keeps_the_shape():
    gray = np.zeros((100, 200), np.uint8)
    gray[:50, :100] = 255  # top-left quarter white
    assert zoom(gray, 1.0) is gray
    top_left = zoom(gray, 2.0, cx=0.0, cy=0.0)  # the crop is exactly the white quarter
    assert top_left.shape == gray.shape and top_left.min() == 255
    bottom_right = zoom(gray, 2.0, cx=1.0, cy=1.0)
    assert bottom_right.max() == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda g: window_level(g, 300, 10),
        lambda g: window_level(g, 100, 0),
        lambda g: zoom(g, 0.5),
        lambda g: zoom(g, 2, cx=1.5),
        lambda g: zoom(g.astype(float), 2),
    ],
)
def test_bad_settings_are_refused(call):
    with pytest.raises(ValueError):
        call(np.zeros((10, 10), np.uint8))
