"""benchmarks.hold_out_prior: Bayes' prior shift and the ECE left once the class mix is removed."""

import numpy as np
import pytest

from benchmarks.hold_out_prior import class_mix_split, prior_shift
from xray_core.calibration import ece


def test_prior_shift_is_bayes_on_the_odds():
    p = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(prior_shift(p, 0.3, 0.3), p, atol=1e-9)
    assert prior_shift([0.5], 0.75, 0.5)[0] == pytest.approx(0.25)
    assert prior_shift([0.75], 0.75, 0.5)[0] == pytest.approx(0.5)
    back = prior_shift(prior_shift(p, 0.8, 0.4), 0.4, 0.8)
    np.testing.assert_allclose(back, p, atol=1e-9)


def test_class_mix_removed_leaves_the_models_own_miscalibration():
    """Scores calibrated on a 50/50 set, reported as if fitted at 0.86: the mix explains it."""
    rng = np.random.default_rng(0)
    truth = rng.uniform(0.02, 0.98, 20000)
    y = (rng.uniform(size=truth.size) < truth).astype(int)
    assert ece(truth, y) < 0.02
    skewed = prior_shift(truth, y.mean(), 0.86)
    split = class_mix_split(y, skewed, fitted_prevalence=0.86)
    assert split["judged prevalence"] == pytest.approx(y.mean())
    assert split["ece"] > 0.15
    assert split["ece, class mix removed"] == pytest.approx(ece(truth, y), abs=1e-6)
