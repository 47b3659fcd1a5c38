"""Review statistics against independent computations: sklearn's kappa and AUC, Fleiss' kappa
from its textbook formula written out case by case, flips on a hand-made table."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, roc_auc_score

from xray_core.review import stats
from xray_core.stats import metrics


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_cohen_kappa_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2, 40)
    b = np.where(rng.random(40) < 0.75, a, 1 - a)
    got = stats.cohen_kappa(a, b, n_resamples=500, seed=seed)
    assert got["kappa"] == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    lo, hi = got["ci"]
    assert lo <= got["kappa"] <= hi and hi - lo > 0.05
    assert got["n"] == 40
    assert stats.cohen_kappa(a, b, n_resamples=500, seed=seed) == got  # deterministic


def test_kappa_rows_agrees_with_sklearn_row_by_row():
    rng = np.random.default_rng(7)
    a, b = rng.integers(0, 2, (6, 25)), rng.integers(0, 2, (6, 25))
    expected = [cohen_kappa_score(x, y) for x, y in zip(a, b)]
    np.testing.assert_allclose(stats.kappa_rows(a, b), expected, atol=1e-12)


@pytest.mark.parametrize(
    "a, b, kappa",
    [
        ([1, 1, 0, 0], [1, 1, 0, 0], 1.0),
        ([1, 0, 1, 0], [0, 1, 0, 1], -1.0),
        ([1, 1, 1], [1, 1, 1], None),  # one verdict throughout: undefined
        ([], [], None),
    ],
)
def test_cohen_kappa_edge_cases(a, b, kappa):
    got = stats.cohen_kappa(a, b, n_resamples=200)
    assert got["kappa"] == (pytest.approx(kappa) if kappa is not None else None)


def fleiss_by_hand(ratings: np.ndarray) -> float:
    """Fleiss (1971), written out: agreement per case, category shares, chance agreement."""
    n_cases, n = ratings.shape
    agree, shares = [], np.zeros(2)
    for row in ratings:
        counts = [np.sum(row == 0), np.sum(row == 1)]
        shares += counts
        pairs = sum(c * (c - 1) for c in counts)
        agree.append(pairs / (n * (n - 1)))
    p_bar = np.mean(agree)
    p = shares / (n_cases * n)
    p_e = np.sum(p**2)
    return (p_bar - p_e) / (1 - p_e)


def test_fleiss_kappa_matches_the_formula():
    table = np.array(
        [[1, 1, 1], [0, 0, 0], [1, 0, 1], [0, 0, 1], [1, 1, 1], [0, 0, 0], [1, 1, 0], [0, 0, 0]]
    )
    got = stats.fleiss_kappa(table, n_resamples=300)
    assert got["kappa"] == pytest.approx(fleiss_by_hand(table), abs=1e-12)
    assert got["n_cases"] == 8 and got["n_readers"] == 3
    assert got["ci"][0] <= got["kappa"] <= got["ci"][1]


def test_fleiss_with_two_raters_is_scotts_pi():
    a = np.array([1, 1, 0, 0, 1, 0, 1, 0, 0, 0])
    b = np.array([1, 0, 0, 0, 1, 0, 1, 1, 0, 0])
    p_o = np.mean(a == b)
    m = (a.mean() + b.mean()) / 2
    pi = (p_o - (m**2 + (1 - m) ** 2)) / (1 - (m**2 + (1 - m) ** 2))
    assert stats.fleiss_kappa(np.stack([a, b], 1), n_resamples=50)["kappa"] == pytest.approx(pi)


def test_fleiss_needs_two_raters():
    assert stats.fleiss_kappa(np.zeros((5, 1), int)) is None
    with pytest.raises(ValueError, match="raters"):
        stats.fleiss_kappa(np.zeros(5, int))


def test_auc_from_confidence_matches_sklearn_with_ties():
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 0])
    conf = np.array([1, 2, 3, 3, 3, 4, 5, 5, 2, 1])
    assert metrics.auc(y, conf) == pytest.approx(roc_auc_score(y, conf))  # the one AUC
    assert metrics.auc([1, 1], [3, 4]) is None


def test_reader_average_auc_and_paired_difference():
    rng = np.random.default_rng(3)
    y = np.repeat([0, 1], 15)
    unaided = np.clip(np.round(2 + 2 * y + rng.normal(0, 1.2, (3, 30))), 1, 5)
    aided = np.clip(np.round(2 + 2 * y + rng.normal(0, 0.7, (3, 30))), 1, 5)
    got = stats.reader_average_auc(y, unaided, aided, n_resamples=400, seed=1)
    mean_u = np.mean([roc_auc_score(y, c) for c in unaided])
    mean_a = np.mean([roc_auc_score(y, c) for c in aided])
    assert got["unaided"]["auc"] == pytest.approx(mean_u)
    assert got["aided"]["auc"] == pytest.approx(mean_a)
    assert got["difference"]["auc"] == pytest.approx(mean_a - mean_u)
    for key in ("unaided", "aided", "difference"):
        lo, hi = got[key]["ci"]
        assert lo <= got[key]["auc"] <= hi
    assert (got["n_cases"], got["n_readers"]) == (30, 3)
    assert stats.reader_average_auc(np.ones(4), np.ones((2, 4)), np.ones((2, 4))) is None


def test_flips_on_a_hand_made_table():
    #            case:  0  1  2  3  4  5  6  7
    truth = np.array([1, 1, 0, 0, 1, 0, 1, np.nan])
    ai = np.array([1, 1, 1, 0, 0, np.nan, 1, 0])
    unaided = np.array([0, 1, 0, 1, 1, 1, 0, 1])
    aided = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    # changed: 0 (0->1, toward truth, toward AI), 2 (0->1, away from truth, toward AI),
    # 3 (1->0, toward truth, toward AI), 4 (1->0, away from truth, toward AI),
    # 5 (1->0, toward truth, AI refused), 7 (1->0, truth unknown, toward AI)
    got = stats.flips(unaided, aided, truth=truth, ai=ai)
    assert got == {
        "n": 8,
        "changed": 6,
        "toward_truth": 3,
        "away_from_truth": 2,
        "toward_ai": 5,
        "away_from_ai": 0,
    }


def test_flips_without_truth_or_ai():
    got = stats.flips([0, 1, 1], [1, 1, 0])
    assert got["changed"] == 2 and got["toward_truth"] is None and got["toward_ai"] is None
