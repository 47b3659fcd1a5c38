"""research.hold_out_prior: Bayes' prior shift and the ECE left once the class mix is removed."""

import numpy as np
import pytest

from research.hold_out_prior import class_mix_split, prior_shift
from xray_core.stats.calibration import ece


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


def test_subsampled_ece_keeps_the_smaller_class_whole_at_the_asked_mix(monkeypatch):
    import research.hold_out_prior as mod

    seen = []
    monkeypatch.setattr(
        "xray_core.stats.calibration.ece", lambda p, y: seen.append(np.mean(y)) or 0.1
    )
    y = np.array([1] * 30 + [0] * 70)
    p = np.linspace(0, 1, 100)
    assert mod.subsampled_ece(y, p, 0.6, draws=3) == pytest.approx(0.1)
    assert seen == [pytest.approx(30 / 50)] * 3  # all 30 positives, 20 of 70 negatives
    seen.clear()
    mod.subsampled_ece(y, p, 0.2, draws=1)  # 70 negatives kept whole would need 17.5 positives
    assert seen == [pytest.approx(18 / 88)]
