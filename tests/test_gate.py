"""The out-of-distribution gate: formulas, order of checks, and measured catch / refusal rates."""

import io

import numpy as np
import pytest
from PIL import Image

from xray_core.evaluation.ood_corpus import build_corpus, screen
from xray_core.gate import ood as gate
from xray_core.io.colour import colourfulness
from xray_core.io.study import open_study
from xray_core.predict.assess import assess
from xray_core.store.catalog import load_model


def png(arr) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


def test_colourfulness_is_zero_for_grey_and_high_for_colour():
    grey = np.random.default_rng(0).integers(0, 256, (100, 100), dtype=np.uint8)
    assert colourfulness(png(grey)) == pytest.approx(0.0, abs=1e-9)
    rgb = np.zeros((100, 100, 3), np.uint8)
    rgb[:, :50, 0] = 255  # half red, half blue
    rgb[:, 50:, 2] = 255
    assert colourfulness(png(rgb)) > gate.MAX_COLOURFULNESS
    assert colourfulness(b"not an image") == 0.0


def test_colourfulness_of_a_grey_image_saved_as_rgb_is_still_measured():
    """The gray-mode shortcut answers 0 without decoding; a grey RGB file is decoded and
    measured (also 0), and a gray 16-bit PNG takes the shortcut."""
    grey = np.random.default_rng(2).integers(0, 256, (64, 64), dtype=np.uint8)
    rgb_grey = np.repeat(grey[..., None], 3, axis=-1)
    assert colourfulness(png(rgb_grey)) == pytest.approx(0.0, abs=1e-9)
    assert colourfulness(png(grey.astype(np.uint16) * 257)) == 0.0
    tinted = rgb_grey.copy()
    tinted[..., 0] = 255
    assert colourfulness(png(tinted)) > gate.MAX_COLOURFULNESS


def test_the_grey_pixel_shortcut_needs_every_pixel_grey():
    """Grey RGB pixels return exactly 0 before any float work; one coloured pixel is enough
    to send the image through the formula (a small value, not 0)."""
    grey = np.random.default_rng(3).integers(0, 256, (64, 64), dtype=np.uint8)
    rgb_grey = np.repeat(grey[..., None], 3, axis=-1)
    assert colourfulness(png(rgb_grey)) == 0.0
    one_pixel = rgb_grey.copy()
    one_pixel[10, 10] = (255, 0, 0)
    assert 0.0 < colourfulness(png(one_pixel)) < gate.MAX_COLOURFULNESS


def test_mahalanobis_matches_formula():
    rng = np.random.default_rng(1)
    f, mean = rng.normal(size=(5, 3)), rng.normal(size=3)
    a = rng.normal(size=(3, 3))
    prec = a @ a.T + np.eye(3)
    expected = [np.sqrt((v - mean) @ prec @ (v - mean)) for v in f]
    np.testing.assert_allclose(gate.mahalanobis(f, mean, prec), expected)


def test_fit_gate_cutoff_is_the_validation_quantile():
    rng = np.random.default_rng(2)
    val = rng.normal(size=(200, 4))
    fitted = gate.fit_gate(rng.normal(size=(500, 4)), val)
    assert np.mean(gate.distance(fitted, val) > fitted["cutoff"]) == pytest.approx(0.005)
    d = gate.distance(fitted, rng.normal(size=(200, 4)))
    assert np.mean(d > fitted["cutoff"]) < 0.05
    assert fitted["quantile"] == gate.QUANTILE


def test_each_block_is_scaled_to_a_median_of_one_on_validation():
    """Blocks of very different widths and spreads are put on one scale (1.0 = a typical
    validation image), so the largest scaled distance is a fair score."""
    rng = np.random.default_rng(4)
    train = np.hstack([rng.normal(size=(600, 6)), 50.0 * rng.normal(size=(600, 20))])
    val = np.hstack([rng.normal(size=(300, 6)), 50.0 * rng.normal(size=(300, 20))])
    fitted = gate.fit_gate(train, val, sizes=[6, 20], layers=["pool_a"])
    scaled = gate.block_distances(fitted, val)
    assert scaled.shape == (300, 2)
    np.testing.assert_allclose(np.median(scaled, axis=0), [1.0, 1.0])
    assert gate.layers(fitted) == ["pool_a"]
    assert [(a, b) for a, b, _ in gate.blocks(fitted)] == [(0, 6), (6, 26)]


def test_an_input_far_in_one_block_only_is_refused():
    """The score is the largest block distance: an input typical in the penultimate block
    but far off in a pooled early layer (smooth noise for a shape-invariant model) is refused;
    the penultimate block alone would have let it through."""
    rng = np.random.default_rng(5)
    train, val = rng.normal(size=(800, 8)), rng.normal(size=(400, 8))
    fitted = gate.fit_gate(train, val, sizes=[4, 4], layers=["early"])
    odd = rng.normal(size=(10, 8))
    odd[:, 4:] += 8.0  # far only in the second block
    scaled = gate.block_distances(fitted, odd)
    assert np.all(scaled[:, 0] < fitted["block_cutoffs"][0])
    assert np.all(gate.distance(fitted, odd) > fitted["cutoff"])


def test_block_sizes_must_cover_the_features():
    rng = np.random.default_rng(6)
    with pytest.raises(ValueError, match="do not sum"):
        gate.fit_gate(rng.normal(size=(50, 5)), rng.normal(size=(20, 5)), sizes=[2, 2])


def test_a_gate_from_before_the_blocks_still_loads_and_scores(tmp_path):
    """Old gate.npz files (mean, precision, cutoff; no blocks) read as one unscaled block of
    the penultimate vector, so a store fitted before this change keeps working."""
    rng = np.random.default_rng(7)
    f = rng.normal(size=(5, 3))
    mean, prec = np.zeros(3), np.eye(3)
    old = {"mean": mean, "precision": prec, "cutoff": 2.0, "quantile": 0.995}
    gate.save_gate(tmp_path / "gate.npz", old)
    loaded = gate.load_gate(tmp_path / "gate.npz")
    assert gate.layers(loaded) == []
    np.testing.assert_allclose(gate.distance(loaded, f), np.linalg.norm(f, axis=1))


def test_upload_refusals_and_columns_pick_blocks():
    rng = np.random.default_rng(8)
    train, val = rng.normal(size=(600, 6)), rng.normal(size=(300, 6))
    fitted = gate.fit_gate(train, val, sizes=[2, 1, 3], layers=["a", "b"])
    uploads = rng.normal(size=(40, 6))
    uploads[:, 2] += 10.0  # the second block calls every upload foreign
    rates = gate.upload_refusals(fitted, uploads)
    assert rates[1] == 1.0 and rates[0] < 0.1 and rates[2] < 0.1
    np.testing.assert_array_equal(gate.columns(fitted, [0, 2]), [0, 1, 3, 4, 5])


@pytest.mark.parametrize(
    "colour, std, distance, reason",
    [
        (40.0, 50.0, 1.0, "colour image"),
        (0.0, 1.0, 1.0, "blank"),
        (0.0, 50.0, 99.0, "does not look like a frontal chest X-ray"),
        (0.0, 50.0, 1.0, None),
        (0.0, 50.0, None, None),
    ],
)
def test_check_order_and_messages(colour, std, distance, reason):
    display = np.full((64, 64), 128, np.uint8)
    display[:32] = np.uint8(min(128 + 2 * std, 255))
    result = gate.check(display, colour, distance, 10.0 if distance is not None else None)
    assert result.ok == (reason is None)
    assert result.verdict is (
        gate.GateVerdict.ACCEPTED if reason is None else gate.GateVerdict.REFUSED
    )
    if reason:
        assert reason in result.reason


def test_verdicts_are_the_words_rows_carry():
    assert [v.value for v in gate.GateVerdict] == ["accepted", "refused"]
    assert gate.GateVerdict.ACCEPTED == "accepted" and f"{gate.GateVerdict.REFUSED}" == "refused"


def test_the_refusal_says_what_a_typical_xray_scores_only_for_a_scaled_gate():
    rng = np.random.default_rng(5)
    fitted = gate.fit_gate(rng.normal(size=(300, 4)), rng.normal(size=(100, 4)))
    old = {"mean": fitted["b0_mean"], "precision": fitted["b0_precision"], "cutoff": 5.0}
    assert gate.is_scaled(fitted) and not gate.is_scaled(old)
    display = np.tile(np.arange(64, dtype=np.uint8) * 4, (64, 1))
    scaled = gate.check(display, 0.0, 3.8, 2.5, scaled=True)
    unscaled = gate.check(display, 0.0, 30.0, 12.0, scaled=False)
    assert "(feature distance 3.8 > cut-off 2.5; a typical chest X-ray scores 1.0)" in scaled.reason
    assert "typical" not in unscaled.reason and "30.0 > cut-off 12.0" in unscaled.reason


@pytest.fixture(scope="module")
def shipped():
    model = load_model()
    assert model.gate is not None, "the default model ships without gate.npz (run fit-gate)"
    return model


def test_real_xrays_pass_and_colour_photo_is_refused(shipped, fullres_files):
    refused = [
        r for r in screen(shipped, [(p.name, p.read_bytes()) for p in fullres_files]) if r[1]
    ]
    assert len(refused) <= 1, refused  # at most ~2% of 48 full-resolution uploads
    photo = np.zeros((300, 300, 3), np.uint8)
    photo[..., 1] = np.linspace(0, 255, 300, dtype=np.uint8)
    result = assess(shipped, open_study(png(photo), "photo.png"))
    assert not result.ok and "colour" in result.gate.reason


@pytest.fixture(scope="module")
def corpus_results(shipped):
    corpus = build_corpus()
    return corpus, screen(shipped, [(f"{k}: {n}", b) for k, n, b in corpus])


def test_catch_rate_on_non_xray_corpus(corpus_results):
    corpus, results = corpus_results
    rate = sum(r for _, r, _ in results) / len(results)
    assert len(corpus) > 150
    assert rate >= 0.95, [n for n, r, _ in results if not r]


def test_smooth_noise_is_refused_by_the_default_gate(shipped, corpus_results):
    """Soft grey blobs (8 x 8 noise enlarged) passed the penultimate-vector gate of the
    shape-invariant default (5 of 6 missed); the pooled early layers catch them."""
    assert gate.layers(shipped.gate), "the default's gate reads no pooled layer (run fit-gate)"
    corpus, results = corpus_results
    smooth = [r for (k, n, _), (_, r, _) in zip(corpus, results) if "smooth noise" in n]
    assert len(smooth) == 6 and all(smooth), smooth


def test_wide_features_are_projected_to_keep_the_gate_small():
    rng = np.random.default_rng(3)
    dims = gate.MAX_DIMS + 44
    fitted = gate.fit_gate(rng.normal(size=(600, dims)), rng.normal(size=(200, dims)))
    assert fitted["b0_projection"].shape == (dims, gate.MAX_DIMS)
    assert fitted["b0_precision"].shape == (gate.MAX_DIMS, gate.MAX_DIMS)
    far = gate.distance(fitted, rng.normal(size=(5, dims)) + 10.0)
    assert np.all(far > fitted["cutoff"])


def test_weak_model_is_screened_by_the_default_models_gate(shipped):
    from xray_core.store.catalog import list_models, load_gatekeeper

    assert "dense_baseline" in list_models()
    dense = load_model("dense_baseline")
    keeper = load_gatekeeper(dense)
    assert keeper.name == shipped.name
    page = np.full((400, 300), 245, np.uint8)
    page[40:360:20, 30:270] = 20  # lines of "text" on a grey document
    study = open_study(png(page), "page.png")
    result = assess(dense, study, gatekeeper=keeper)
    assert not result.ok and result.prediction.model == "dense_baseline"
    assert load_gatekeeper(shipped) is shipped
