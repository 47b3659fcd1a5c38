"""research.padded_aspect_view: the narrow view made by padding, not by a crop."""

from __future__ import annotations

import numpy as np
import pytest

from research.padded_aspect_view import pad_narrow


def box(size: int = 64, side: int = 32) -> np.ndarray:
    """A centred bright SIDE x SIDE square on a mid-grey (size, size) uint8 image."""
    x = np.full((size, size), 60, np.uint8)
    lo = (size - side) // 2
    x[lo : lo + side, lo : lo + side] = 250
    return x


def extent(x: np.ndarray) -> tuple[int, int]:
    """(width, height) in pixels of the bright area."""
    rows, cols = np.flatnonzero((x > 150).any(1)), np.flatnonzero((x > 150).any(0))
    return len(cols), len(rows)


@pytest.mark.parametrize("dark", [False, True])
def test_pad_narrow_makes_the_anatomy_a_fifth_narrower_at_full_height(dark):
    out = pad_narrow(box(), dark)
    assert out.shape == (64, 64) and out.dtype == np.uint8
    w, h = extent(out)
    assert h == 32 and abs(w - 32 * 0.8) <= 1


def test_dark_padding_takes_the_darkest_grey_and_mirroring_copies_the_image():
    x = box()
    x[:, :2] = 0  # a dark border column: the 1st-percentile grey is 0
    assert pad_narrow(x, dark=True)[:, 0].max() == 0
    mirrored = pad_narrow(box(), dark=False)
    assert mirrored[:, 0].min() == 60  # the mid-grey surround, mirrored outward
