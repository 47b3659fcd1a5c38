"""LIME: the foldover design, the surrogate, and the stability figure from its definition."""

from itertools import combinations

import numpy as np
import pytest

from xray_core.contract import ImageContract
from xray_core.explain import lime_explain as L

GRID = np.kron(np.arange(16).reshape(4, 4), np.ones((8, 8), int)).astype(np.int32)  # 16 equal


def run(top: list[int], seed: int = 0) -> L.LimeResult:
    """A LIME result on the 4x4 grid whose positive weights rank `top` first."""
    weights = {s: -0.1 for s in range(16)}
    weights.update({s: 1.0 - 0.1 * i for i, s in enumerate(top)})
    return L.LimeResult(GRID, weights, 0.9, seed)


def test_stability_is_the_mean_and_worst_pairwise_jaccard_of_top_k_sets():
    tops = [[0, 1, 2], [0, 1, 5], [0, 7, 8]]
    figure = L.stability([run(t, i) for i, t in enumerate(tops)], k=3)
    # equal-sized segments: the pixel Jaccard is the set Jaccard
    expected = [len(set(a) & set(b)) / len(set(a) | set(b)) for a, b in combinations(tops, 2)]
    assert figure["mean"] == pytest.approx(np.mean(expected))
    assert figure["worst"] == pytest.approx(min(expected))
    assert figure["pairs"] == 3
    with pytest.raises(ValueError, match="at least two"):
        L.stability([run([0])])


def test_consensus_splits_agreed_from_disputed_regions():
    agreed, disputed = L.consensus([run([0, 1]), run([0, 2])], k=2)
    np.testing.assert_array_equal(agreed, GRID == 0)
    np.testing.assert_array_equal(disputed, np.isin(GRID, [1, 2]))


@pytest.mark.parametrize(("segments", "samples"), [(5, 10), (50, 300), (16, 301)])
def test_foldover_design_balances_every_segment(segments, samples):
    keep = L.foldover_design(segments, samples, seed=3)
    assert keep.shape == (samples + samples % 2, segments)
    assert keep[0].all() and not keep[1].any()
    np.testing.assert_array_equal(keep[2::2], ~keep[3::2])  # each mask with its complement
    np.testing.assert_array_equal(keep.sum(axis=0), len(keep) // 2)


def test_surrogate_recovers_an_additive_model():
    keep = L.foldover_design(12, 400, seed=0)
    true = np.linspace(-1, 1, 12)
    z = 0.3 + np.where(keep, 1.0, -1.0) @ true
    w, r2 = L.fit_surrogate(keep, z, alpha=1e-6)
    np.testing.assert_allclose(w, true, atol=1e-6)
    assert r2 == pytest.approx(1.0)


def test_lime_finds_the_region_an_additive_model_reads():
    contract = ImageContract(size=32, channels=1, scaling="unit", clahe=False)
    rng = np.random.default_rng(0)
    display = rng.integers(60, 200, (32, 32)).astype(np.uint8)
    display[:8, :8] = 250  # bright patch that the 'model' reads

    def predict(x):
        return 1 / (1 + np.exp(-(x[:, :8, :8, 0].mean(axis=(1, 2)) - 0.5) * 8))

    result = L.explain_lime(predict, display, contract, 60, segments=GRID, seed=1)
    assert result.top(1, +1)[0] == 0
    assert result.heatmap().shape == (32, 32) and result.heatmap().max() == 1.0
