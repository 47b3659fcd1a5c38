"""One colour language for explanations, colour-blind safe (no red/green pair)."""

import colorsys

import numpy as np
import pytest

from xray_core.explain import overlay


def hue_deg(rgb) -> float:
    return 360 * colorsys.rgb_to_hsv(*(c / 255 for c in rgb))[0]


def test_for_and_against_are_orange_and_blue_not_red_and_green():
    assert 25 <= hue_deg(overlay.FOR_COLOUR) <= 50  # orange
    assert 190 <= hue_deg(overlay.AGAINST_COLOUR) <= 215  # blue
    # Under red-green colour blindness the pair must still differ: compare the blue channel
    # against red+green (what dichromats keep), which is opposite for the two colours.
    f, a = np.array(overlay.FOR_COLOUR, float), np.array(overlay.AGAINST_COLOUR, float)
    assert (f[0] + f[1]) / 2 > f[2] and (a[0] + a[1]) / 2 < a[2]
    assert "green" not in overlay.LEGEND.lower() and "red" not in overlay.LEGEND.lower()


def test_heatmap_is_sequential_dark_to_bright_warm():
    ramp = overlay.colorize(np.linspace(0, 1, 256, dtype=np.float32)[None, :])[0].astype(float)
    luminance = ramp @ np.array([0.299, 0.587, 0.114])
    assert np.all(np.diff(luminance) >= -2)  # monotone (inferno), readable in greyscale
    top = ramp[-1]
    assert top[0] > top[2] and top[1] > top[2]  # the strongest evidence is warm yellow


def test_zero_evidence_keeps_the_grey_and_full_evidence_is_coloured():
    gray = np.full((32, 32), 120, np.uint8)
    heat = np.zeros((32, 32), np.float32)
    heat[:, 16:] = 1.0
    out = overlay.blend_heatmap(gray, heat, alpha=0.8)
    np.testing.assert_array_equal(out[:, :16], overlay.gray_to_rgb(gray)[:, :16])
    assert out[0, 20, 0] > out[0, 20, 2]  # warm where the evidence is


@pytest.mark.parametrize("which, colour", [(0, overlay.FOR_COLOUR), (1, overlay.AGAINST_COLOUR)])
def test_lime_tints_for_orange_and_against_blue(which, colour):
    gray = np.full((20, 20), 128, np.uint8)
    segments = np.zeros((20, 20), int)
    segments[:, 10:] = 1
    masks = [segments == 0, np.zeros_like(segments, bool)]
    out = overlay.draw_lime(gray, segments, *(masks if which == 0 else masks[::-1]))
    pixel = out[5, 3].astype(int)
    assert np.argmax(pixel) == int(np.argmax(colour))
