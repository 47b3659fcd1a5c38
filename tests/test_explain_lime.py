"""LIME: the foldover design, the surrogate (through the `lime` package), and the stability
figure from its definition."""

from itertools import combinations

import numpy as np
import pytest

from xray_core.explain import lime_explain as L
from xray_core.io.contract import ImageContract

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
    np.testing.assert_allclose(w, 2 * true, atol=1e-6)  # shown vs hidden: from -1 to +1
    assert r2 == pytest.approx(1.0)


def test_surrogate_is_the_ridge_solution_on_0_1_indicators():
    keep = L.foldover_design(3, 8, seed=5)  # 8 x 3
    z = np.array([1.2, -0.7, 0.4, 0.1, -0.3, 0.9, 0.0, 0.5])
    alpha = 0.5
    # by hand: centre the 0/1 design and z (the intercept is not penalised), then solve
    x = keep.astype(float)
    x_c, z_c = x - x.mean(axis=0), z - z.mean()
    expected = np.linalg.solve(x_c.T @ x_c + alpha * np.eye(3), x_c.T @ z_c)
    resid = z_c - x_c @ expected
    w, r2 = L.fit_surrogate(keep, z, alpha=alpha)
    np.testing.assert_allclose(w, expected, rtol=1e-9, atol=1e-12)
    assert r2 == pytest.approx(1 - resid @ resid / (z_c @ z_c))
    # the same fit as the +/-1 encoding with alpha x 4, weights doubled
    s_c = np.where(keep, 1.0, -1.0) - np.where(keep, 1.0, -1.0).mean(axis=0)
    pm = np.linalg.solve(s_c.T @ s_c + 4 * alpha * np.eye(3), s_c.T @ z_c)
    np.testing.assert_allclose(w, 2 * pm, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="first keep row"):
        L.fit_surrogate(keep[1:], z[1:])


def test_distances_are_lime_images_and_its_kernel_would_ignore_the_foldover_samples():
    keep = L.foldover_design(50, 300, seed=0)
    d = L.distances(keep)
    share = keep.sum(axis=1) / 50  # cosine to the all-ones row is sqrt(share kept)
    expected = np.where(share > 0, (1 - np.sqrt(share)) * 100, 100.0)
    np.testing.assert_allclose(d, expected, atol=1e-9)
    assert d[0] == pytest.approx(0, abs=1e-9) and d[1] == 100.0  # all kept, all hidden
    assert L.lime_image_kernel(d)[0] == pytest.approx(1.0)
    assert not L.lime_image_kernel(d)[1:].any()  # why the kernel is flat
    np.testing.assert_array_equal(L.flat_kernel(d), np.ones(300))


def test_lime_package_fits_the_surrogate_and_segments(monkeypatch):
    from lime.lime_base import LimeBase
    from lime.wrappers.scikit_image import SegmentationAlgorithm

    calls, segs = [], []
    fit = LimeBase.explain_instance_with_data
    cut = SegmentationAlgorithm.__call__

    def record(self, data, labels, dist, label, num_features, **kw):
        calls.append((data, labels, dist, label, num_features, kw, self.kernel_fn))
        return fit(self, data, labels, dist, label, num_features, **kw)

    def record_cut(self, *args):
        segs.append(self.target_params)
        return cut(self, *args)

    monkeypatch.setattr(LimeBase, "explain_instance_with_data", record)
    monkeypatch.setattr(SegmentationAlgorithm, "__call__", record_cut)
    contract = ImageContract(size=32, channels=1, scaling="unit", clahe=False)
    display = np.random.default_rng(0).integers(60, 200, (32, 32)).astype(np.uint8)

    def score(x):  # a logit
        return (x[:, :8, :8, 0].mean(axis=(1, 2)) - 0.5) * 8

    result = L.explain_lime(score, display, contract, 40, n_segments=9, seed=2)
    assert segs == [{"n_segments": 9, "compactness": 10, "sigma": 1, "start_label": 0}]
    assert len(calls) == 1
    data, labels, dist, label, num_features, kw, kernel = calls[0]
    n, s = data.shape
    assert n == 40 and s == len(result.weights) == num_features and label == 0
    assert data[0].all() and labels.shape == (n, 1) and dist[1] == 100.0
    assert kw["feature_selection"] == "none" and kernel is L.flat_kernel
    assert kw["model_regressor"].alpha == L.RIDGE_ALPHA


def test_lime_finds_the_region_an_additive_model_reads():
    contract = ImageContract(size=32, channels=1, scaling="unit", clahe=False)
    rng = np.random.default_rng(0)
    display = rng.integers(60, 200, (32, 32)).astype(np.uint8)
    display[:8, :8] = 250  # bright patch that the 'model' reads

    def score(x):  # a logit
        return (x[:, :8, :8, 0].mean(axis=(1, 2)) - 0.5) * 8

    result = L.explain_lime(score, display, contract, 60, segments=GRID, seed=1)
    assert result.top(1, +1)[0] == 0
    assert result.heatmap().shape == (32, 32) and result.heatmap().max() == 1.0


def test_segmentation_is_slic_on_the_rgb_image_densely_relabelled():
    from skimage.segmentation import slic

    display = np.random.default_rng(1).integers(0, 255, (48, 48)).astype(np.uint8)
    rgb = np.repeat(display[..., None], 3, axis=-1)
    direct = slic(rgb, n_segments=12, compactness=10, sigma=1, start_label=0)
    ids = L.segment(display, 12)
    assert ids.dtype == np.int32 and set(np.unique(ids)) == set(range(len(np.unique(direct))))
    _, dense = np.unique(direct, return_inverse=True)
    np.testing.assert_array_equal(ids, dense.reshape(direct.shape))
