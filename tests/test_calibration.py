"""Platt calibration, ECE and Brier, checked against their formulas."""

import numpy as np
import pytest

from xray_core.stats import calibration as cal


def test_brier_formula():
    assert cal.brier([0.2, 0.9], [0, 1]) == pytest.approx((0.04 + 0.01) / 2)


def test_ece_of_hand_made_bins():
    p = np.array([0.15, 0.15, 0.85, 0.85])
    y = np.array([0, 0, 1, 0])
    # bin 1: predicted 0.15, observed 0 -> 0.15; bin 8: predicted 0.85, observed 0.5 -> 0.35
    assert cal.ece(p, y) == pytest.approx((2 * 0.15 + 2 * 0.35) / 4)


def test_platt_recovers_a_known_distortion():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 2, 20000)
    y = (rng.random(20000) < cal.sigmoid(z)).astype(int)
    overconfident = cal.sigmoid(3.0 * z + 1.0)  # true logit = (logit - 1) / 3
    fit = cal.fit_platt(overconfident, y)
    assert fit["a"] == pytest.approx(1 / 3, abs=0.03) and fit["b"] == pytest.approx(
        -1 / 3, abs=0.05
    )
    report = cal.calibration_report(overconfident, y)
    assert report["after"]["ece"] < report["before"]["ece"]
    assert report["after"]["brier"] <= report["before"]["brier"]


def test_identity_without_calibration():
    p = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(cal.apply_calibration(p, None), p)
