"""xray_core.site.threshold: the cautious proposal, its coverage, its interval."""

import math

import numpy as np
import pytest
from scipy.stats import beta

from xray_core.site.threshold import (
    cp_lower,
    flagged_needed,
    min_positives,
    propose_threshold,
    threshold_interval,
)

POS, NEG = (5.0, 2.0), (2.0, 5.0)  # known score distributions: Beta(a, b)


def synthetic(n_pos: int, n_neg: int, seed: int):
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.beta(*POS, n_pos), rng.beta(*NEG, n_neg)])
    return np.r_[np.ones(n_pos, int), np.zeros(n_neg, int)], p


@pytest.mark.parametrize("k, n", [(10, 10), (59, 59), (95, 100), (3, 40)])
def test_cp_lower_matches_definition(k, n):
    # one-sided: P(X >= k | p = LB) = 1 - confidence
    lb = float(cp_lower(k, n, 0.95))
    assert beta.sf(lb, k, n - k + 1) == pytest.approx(0.95)
    if k == n:
        assert lb == pytest.approx(0.05 ** (1 / n))
    assert cp_lower(0, n) == 0.0


@pytest.mark.parametrize("target, need", [(0.95, 59), (0.9, 29), (0.99, 299)])
def test_min_positives(target, need):
    assert min_positives(target) == need == math.ceil(math.log(0.05) / math.log(target))
    assert flagged_needed(need, target, 0.95) == need
    assert flagged_needed(need - 1, target, 0.95) is None


def test_too_few_positives_propose_nothing_and_say_why():
    y, p = synthetic(58, 100, 0)
    r = propose_threshold(y, p, 0.95)
    assert r["threshold"] is None and "at least 59 are needed" in r["note"]
    y, p = synthetic(59, 100, 0)
    r = propose_threshold(y, p, 0.95)
    assert r["flagged_positives"] == 59 and r["sensitivity"] == 1.0
    assert r["threshold"] < p[y == 1].min()


@pytest.mark.parametrize("seed", range(5))
def test_proposal_is_the_highest_threshold_whose_lower_bound_meets_the_target(seed):
    y, p = synthetic(150, 120, seed)
    r = propose_threshold(y, p, 0.9)
    n_pos = int(y.sum())
    feasible = [t for t in np.unique(p) if cp_lower(np.sum(p[y == 1] >= t), n_pos) >= 0.9]
    best = max(feasible)
    assert np.sum(p[y == 1] >= r["threshold"]) == np.sum(p[y == 1] >= best)
    assert r["sensitivity_lower_bound"] >= 0.9
    assert not (p[(p >= r["threshold"]) & (p < best)]).size  # nothing between them


def test_exact_coverage_of_the_rule_is_at_least_95_percent():
    # the k-th highest of n positive scores has true sensitivity ~ Beta(k, n - k + 1)
    for n_pos in range(59, 600):
        k = flagged_needed(n_pos, 0.95, 0.95)
        assert beta.sf(0.95, k, n_pos - k + 1) >= 0.95, n_pos


@pytest.mark.parametrize("n_pos", [80, 150, 300])
def test_meets_target_in_95_percent_of_seeded_repetitions(n_pos):
    hits, reps = 0, 1000
    for seed in range(reps):
        y, p = synthetic(n_pos, n_pos // 2, seed)
        t = propose_threshold(y, p, 0.95)["threshold"]
        hits += beta.sf(t, *POS) >= 0.95  # the true sensitivity at t
    assert hits / reps >= 0.95, hits / reps


def test_small_samples_give_more_cautious_thresholds():
    small = [propose_threshold(*synthetic(70, 40, s), 0.95)["threshold"] for s in range(40)]
    large = [propose_threshold(*synthetic(700, 400, s), 0.95)["threshold"] for s in range(40)]
    assert np.mean(small) < np.mean(large) < beta.isf(0.95, *POS)


def test_threshold_interval_brackets_the_proposal():
    y, p = synthetic(200, 150, 3)
    t = propose_threshold(y, p, 0.95)["threshold"]
    lo, hi = threshold_interval(y, p, 0.95, n_resamples=500)
    assert lo <= t <= hi and hi - lo < 0.3
    assert threshold_interval(*synthetic(20, 20, 0), 0.95) is None


def test_bad_arguments():
    with pytest.raises(ValueError, match="target"):
        propose_threshold([0, 1], [0.1, 0.9], 1.0)
    with pytest.raises(ValueError, match="length"):
        propose_threshold([0, 1], [0.1], 0.9)
