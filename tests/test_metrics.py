"""Metrics at a threshold, recomputed by hand."""

import numpy as np
import pytest

from xray_core.stats import metrics

Y = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
P = np.array([0.1, 0.2, 0.6, 0.3, 0.4, 0.7, 0.8, 0.9, 0.95, 0.65])


@pytest.mark.parametrize("t", [0.0, 0.35, 0.5, 0.62, 0.9, 1.0])
def test_operating_point_matches_counts(t):
    op = metrics.operating_point(Y, P, t)
    tp = sum((p >= t) and y for p, y in zip(P, Y))
    fp = sum((p >= t) and not y for p, y in zip(P, Y))
    assert op["confusion"]["tp"] == tp and op["confusion"]["fp"] == fp
    assert op["sensitivity"] == pytest.approx(tp / 6)
    assert op["specificity"] == pytest.approx((4 - fp) / 4)


def test_undefined_ratios_are_none():
    op = metrics.operating_point(Y, P, 1.01)
    assert op["ppv"] is None and op["npv"] == pytest.approx(4 / 10)


def test_auc_against_pair_count():
    pairs = [(pp > pn) + 0.5 * (pp == pn) for pp in P[Y == 1] for pn in P[Y == 0]]
    assert metrics.auc(Y, P) == pytest.approx(np.mean(pairs))
    assert metrics.auc([1, 1], [0.2, 0.3]) is None


@pytest.mark.parametrize("target", [0.5, 0.8, 0.97, 1.0])
def test_threshold_for_sensitivity_meets_target_and_is_highest(target):
    t = metrics.threshold_for_sensitivity(Y, P, target)
    assert metrics.operating_point(Y, P, t)["sensitivity"] >= target
    higher = P[P > t]
    if len(higher):  # any threshold above the next score up flags one pneumonia fewer
        above = np.nextafter(higher.min(), 1.0)
        assert metrics.operating_point(Y, P, above)["sensitivity"] < target
    lower = P[P < t]
    expected = (higher.min() + lower.max()) / 2 if len(lower) else higher.min() / 2
    assert t == pytest.approx(expected)


def test_threshold_survives_float_noise():
    t = metrics.threshold_for_sensitivity(Y, P, 0.8)
    for noise in (-1e-6, 1e-6):
        assert metrics.operating_point(Y, P + noise, t) == metrics.operating_point(Y, P, t)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="differ in length"):
        metrics.confusion([0, 1], [0.5], 0.5)
    with pytest.raises(ValueError, match="0/1"):
        metrics.auc([0, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="no PNEUMONIA"):
        metrics.threshold_for_sensitivity([0, 0], [0.1, 0.2])


def test_summary_has_curves_and_counts():
    s = metrics.summary(Y, P, 0.5)
    assert s["n"] == 10 and s["counts"] == {"NORMAL": 4, "PNEUMONIA": 6}
    assert s["roc"]["fpr"][0] == 0.0 and s["roc"]["tpr"][-1] == 1.0
    assert 0 < s["pr"]["average_precision"] <= 1
