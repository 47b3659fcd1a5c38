"""Tests for xray_core.stats.uncertainty: values recomputed from their definitions."""

import time

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.metrics import roc_auc_score

from xray_core.stats import uncertainty


def _scores(n_pos=80, n_neg=60, shift=1.0, seed=0):
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.normal(shift, 1, n_pos), rng.normal(0, 1, n_neg)])
    y = np.concatenate([np.ones(n_pos, int), np.zeros(n_neg, int)])
    return y, 1 / (1 + np.exp(-p))


@pytest.mark.parametrize("k,n", [(0, 10), (10, 10), (7, 20), (95, 100), (1, 1)])
def test_wilson_matches_formula(k, n):
    z = norm.ppf(0.975)
    ph = k / n
    centre = (ph + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo, hi = uncertainty.wilson_interval(k, n)
    assert lo == pytest.approx(max(0, centre - half))
    assert hi == pytest.approx(min(1, centre + half))
    assert lo <= ph <= hi


def test_wilson_rejects_bad_counts_and_empty():
    assert uncertainty.wilson_interval(0, 0) is None
    with pytest.raises(ValueError, match="0 <= k <= n"):
        uncertainty.wilson_interval(5, 3)


def test_auc_rows_equal_sklearn_with_ties():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, size=(5, 40))
    y[:, :2] = [0, 1]  # both classes in every row
    p = rng.integers(0, 6, size=(5, 40)) / 5  # heavy ties
    got = uncertainty.auc_rows(y, p)
    want = [roc_auc_score(y[i], p[i]) for i in range(5)]
    np.testing.assert_allclose(got, want)


def test_stratified_indices_keep_class_counts():
    y = np.array([1, 1, 1, 0, 0])
    idx = uncertainty.stratified_indices(y, 50, seed=3)
    assert idx.shape == (50, 5)
    assert (y[idx].sum(axis=1) == 3).all()


def test_intervals_contain_point_estimates_and_are_seeded():
    y, p = _scores()
    a = uncertainty.metric_intervals(y, p, threshold=0.5, n_resamples=500, seed=7)
    b = uncertainty.metric_intervals(y, p, threshold=0.5, n_resamples=500, seed=7)
    assert a == b
    auc = roc_auc_score(y, p)
    assert a["auc"][0] <= auc <= a["auc"][1]
    sens = np.mean(p[y == 1] >= 0.5)
    assert a["sensitivity"][0] <= sens <= a["sensitivity"][1]
    assert set(a) == {"auc", *uncertainty.PROPORTIONS}


def test_degenerate_bootstrap_falls_back_to_wilson():
    y = np.array([1] * 30 + [0] * 30)
    p = np.array([0.9] * 30 + [0.1] * 30)  # perfect: every resample gives sensitivity 1.0
    ci = uncertainty.metric_intervals(y, p, threshold=0.5, n_resamples=200)
    assert ci["sensitivity"] == list(uncertainty.wilson_interval(30, 30))
    assert ci["sensitivity"][0] < 1.0


def test_one_class_has_no_auc_interval():
    ci = uncertainty.metric_intervals(np.ones(10, int), np.linspace(0, 1, 10), threshold=0.5)
    assert ci["auc"] is None
    assert ci["specificity"] is None  # no negatives: undefined, not invented


@pytest.mark.parametrize("n_neg,n_pos", [(1, 2), (9, 30), (30, 9)])
def test_fewer_than_ten_cases_of_a_class_give_no_interval_but_say_so(n_neg, n_pos):
    y = np.r_[np.zeros(n_neg, int), np.ones(n_pos, int)]
    p = np.r_[np.linspace(0.0, 0.4, n_neg), np.linspace(0.6, 1.0, n_pos)]
    ci = uncertainty.metric_intervals(y, p, threshold=0.5, n_resamples=100)
    assert ci["auc"] == uncertainty.TOO_FEW  # not "1.000 (1.000–1.000)"
    assert (ci["sensitivity"] == uncertainty.TOO_FEW) == (n_pos < uncertainty.MIN_PER_CLASS)
    assert (ci["specificity"] == uncertainty.TOO_FEW) == (n_neg < uncertainty.MIN_PER_CLASS)
    assert uncertainty.format_interval(1.0, ci["auc"], 3) == "1.000 (too few cases)"


def test_ten_cases_per_class_get_an_interval():
    y = np.r_[np.zeros(10, int), np.ones(10, int)]
    ci = uncertainty.metric_intervals(y, np.linspace(0, 1, 20), threshold=0.5, n_resamples=100)
    assert all(isinstance(v, list) for v in ci.values())


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="differ in length"):
        uncertainty.metric_intervals([0, 1], [0.5])


@pytest.mark.parametrize(
    "value,interval,text",
    [
        (0.971, (0.94, 0.99), "0.97 (0.94–0.99)"),
        (None, None, "—"),
        (0.5, None, "0.50"),
        (703 / 704, (0.99, 1.0), "0.999 (0.990–1.000)"),  # bounds get the value's digits
        (1.0, (0.98, 1.0), "1.00 (0.98–1.00)"),
        (0.997, (0.9975, 0.9999), "0.997 (0.997–1.000)"),  # widened to hold the estimate
        (0.40, (0.10, 0.35), "0.40 (0.10–0.40)"),
        (0.9934, (0.9901, 0.9942), "0.993 (0.990–0.994)"),  # not "0.99 (0.99–0.99)"
        (0.5, (0.5, 0.5), "0.50 (0.50–0.50)"),
        (1.0, uncertainty.TOO_FEW, "1.00 (too few cases)"),
    ],
)
def test_format_interval(value, interval, text):
    assert uncertainty.format_interval(value, interval) == text


def test_auc_interval_covers_the_true_auc_in_93_to_97_percent_of_200_repetitions():
    """Binormal scores: positives N(d, 1), negatives N(0, 1) have AUC = Φ(d / √2) exactly.

    200 seeded samples of 150 positives and 100 negatives (d = 1.2, AUC 0.80), each with a
    1,000-resample stratified bootstrap; the 95% interval should hold the truth 93-97% of the
    time (the binomial spread of a coverage estimate over 200 runs is about ±1.5%)."""
    d, n_pos, n_neg = 1.2, 150, 100
    truth = norm.cdf(d / np.sqrt(2))
    y = np.r_[np.ones(n_pos, int), np.zeros(n_neg, int)]
    covered = 0
    for rep in range(200):
        rng = np.random.default_rng([2026, rep])
        p = np.r_[rng.normal(d, 1, n_pos), rng.normal(0, 1, n_neg)]
        lo, hi = uncertainty.metric_intervals(y, p, n_resamples=1000, seed=rep)["auc"]
        covered += lo <= truth <= hi
    assert 0.93 <= covered / 200 <= 0.97, f"coverage {covered / 200:.3f}"


def test_bootstrap_figures_rows_are_the_resamples_behind_the_intervals():
    y, p = _scores()
    intervals, rows = uncertainty.bootstrap_figures(y, p, 0.5, n_resamples=300, seed=2)
    assert intervals == uncertainty.metric_intervals(y, p, 0.5, n_resamples=300, seed=2)
    assert set(rows) == {"auc", *uncertainty.PROPORTIONS}
    assert all(r.shape == (300,) for r in rows.values())
    lo, hi = np.percentile(rows["sensitivity"], [2.5, 97.5])
    assert intervals["sensitivity"] == pytest.approx([lo, hi])
    idx = uncertainty.stratified_indices(y, 300, 2)
    yr, pr = y[idx[0]], p[idx[0]]
    assert rows["specificity"][0] == pytest.approx(np.mean(pr[yr == 0] < 0.5))


def test_auc_from_counts_equals_ranks_on_the_same_resamples():
    rng = np.random.default_rng(4)
    y = np.r_[np.ones(30, int), np.zeros(20, int)]
    p = rng.integers(0, 8, size=50) / 7  # heavy ties
    idx = uncertainty.stratified_indices(y, 40, seed=1)
    w = uncertainty.multiplicities(idx, len(y))
    assert (w.sum(axis=1) == 50).all() and (w[:, y == 1].sum(axis=1) == 30).all()
    got = uncertainty.auc_from_counts(w[:, y == 1], w[:, y == 0], p[y == 1], p[y == 0])
    np.testing.assert_allclose(got, uncertainty.auc_rows(y[idx], p[idx]))


def test_bootstrap_of_1000_cases_is_fast():
    """2,000 resamples of 1,000 cases: ~0.2 s here; the bound leaves room for a busy CPU."""
    y, p = _scores(n_pos=740, n_neg=260)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        uncertainty.metric_intervals(y, p, threshold=0.5)
        times.append(time.perf_counter() - t0)
    assert min(times) < 2.0, f"bootstrap took {min(times):.2f} s"


def test_hanley_mcneil_at_chance_is_the_mann_whitney_null_interval():
    """At AUC 0.5 the Hanley-McNeil variance is (n1 + n2 + 1) / (12 n1 n2)."""
    lo, hi = uncertainty.hanley_mcneil_interval(0.5, 390, 234)
    half = norm.ppf(0.975) * np.sqrt((390 + 234 + 1) / (12 * 390 * 234))
    assert (lo, hi) == pytest.approx((0.5 - half, 0.5 + half))
    narrow = uncertainty.hanley_mcneil_interval(0.958, 390, 234)
    assert hi - lo > narrow[1] - narrow[0] > 0
    assert uncertainty.hanley_mcneil_interval(1.0, 5, 5) == (1.0, 1.0)
    with pytest.raises(ValueError):
        uncertainty.hanley_mcneil_interval(0.9, 0, 5)


def test_paired_auc_difference_shares_the_resamples():
    """Two models on the same cases: the difference is AUC(b) - AUC(a), and its interval comes
    from the same resamples, so a uniform gain on every case gives a narrow interval that an
    unpaired comparison of the two AUC intervals would not."""
    rng = np.random.default_rng(4)
    y = np.r_[np.zeros(60), np.ones(60)].astype(int)
    p_a = np.clip(0.5 + 0.15 * (2 * y - 1) + rng.normal(0, 0.2, 120), 0, 1)
    p_b = np.clip(p_a + 0.05 * (2 * y - 1), 0, 1)  # every case pushed the right way
    diff, (lo, hi) = uncertainty.auc_difference_interval(y, p_a, p_b)
    assert diff == pytest.approx(roc_auc_score(y, p_b) - roc_auc_score(y, p_a))
    assert 0 <= lo <= diff <= hi
    a = uncertainty.metric_intervals(y, p_a)["auc"]
    assert hi - lo < (a[1] - a[0]) / 2
    same = uncertainty.auc_difference_interval(y, p_a, p_a)
    assert same == (0.0, [0.0, 0.0])
    assert uncertainty.auc_difference_interval(np.ones(5, int), p_a[:5], p_b[:5]) is None
