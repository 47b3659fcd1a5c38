"""The out-of-distribution gate: formulas, order of checks, and measured catch / refusal rates."""

import io

import numpy as np
import pytest
from PIL import Image

from xray_core import gate
from xray_core.inference import assess
from xray_core.ood_corpus import build_corpus, screen
from xray_core.store import load_model
from xray_core.study import open_study


def png(arr) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


def test_colourfulness_is_zero_for_grey_and_high_for_colour():
    grey = np.random.default_rng(0).integers(0, 256, (100, 100), dtype=np.uint8)
    assert gate.colourfulness(png(grey)) == pytest.approx(0.0, abs=1e-9)
    rgb = np.zeros((100, 100, 3), np.uint8)
    rgb[:, :50, 0] = 255  # half red, half blue
    rgb[:, 50:, 2] = 255
    assert gate.colourfulness(png(rgb)) > gate.MAX_COLOURFULNESS
    assert gate.colourfulness(b"not an image") == 0.0


def test_colourfulness_of_a_grey_image_saved_as_rgb_is_still_measured():
    """The gray-mode shortcut answers 0 without decoding; a grey RGB file is decoded and
    measured (also 0), and a gray 16-bit PNG takes the shortcut."""
    grey = np.random.default_rng(2).integers(0, 256, (64, 64), dtype=np.uint8)
    rgb_grey = np.repeat(grey[..., None], 3, axis=-1)
    assert gate.colourfulness(png(rgb_grey)) == pytest.approx(0.0, abs=1e-9)
    assert gate.colourfulness(png(grey.astype(np.uint16) * 257)) == 0.0
    tinted = rgb_grey.copy()
    tinted[..., 0] = 255
    assert gate.colourfulness(png(tinted)) > gate.MAX_COLOURFULNESS


def test_the_grey_pixel_shortcut_needs_every_pixel_grey():
    """Grey RGB pixels return exactly 0 before any float work; one coloured pixel is enough
    to send the image through the formula (a small value, not 0)."""
    grey = np.random.default_rng(3).integers(0, 256, (64, 64), dtype=np.uint8)
    rgb_grey = np.repeat(grey[..., None], 3, axis=-1)
    assert gate.colourfulness(png(rgb_grey)) == 0.0
    one_pixel = rgb_grey.copy()
    one_pixel[10, 10] = (255, 0, 0)
    assert 0.0 < gate.colourfulness(png(one_pixel)) < gate.MAX_COLOURFULNESS


def test_mahalanobis_matches_formula():
    rng = np.random.default_rng(1)
    f, mean = rng.normal(size=(5, 3)), rng.normal(size=3)
    a = rng.normal(size=(3, 3))
    prec = a @ a.T + np.eye(3)
    expected = [np.sqrt((v - mean) @ prec @ (v - mean)) for v in f]
    np.testing.assert_allclose(gate.mahalanobis(f, mean, prec), expected)


def test_fit_gate_cutoff_is_the_validation_quantile():
    rng = np.random.default_rng(2)
    fitted = gate.fit_gate(rng.normal(size=(500, 4)), rng.normal(size=(200, 4)))
    d = gate.mahalanobis(rng.normal(size=(200, 4)), fitted["mean"], fitted["precision"])
    assert np.mean(d > fitted["cutoff"]) < 0.05
    assert fitted["quantile"] == gate.QUANTILE


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
    if reason:
        assert reason in result.reason


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


def test_catch_rate_on_non_xray_corpus(shipped):
    corpus = build_corpus()
    results = screen(shipped, [(f"{k}: {n}", b) for k, n, b in corpus])
    rate = sum(r for _, r, _ in results) / len(results)
    assert len(corpus) > 150
    assert rate >= 0.95, [n for n, r, _ in results if not r]


def test_wide_features_are_projected_to_keep_the_gate_small():
    rng = np.random.default_rng(3)
    dims = gate.MAX_DIMS + 44
    fitted = gate.fit_gate(rng.normal(size=(600, dims)), rng.normal(size=(200, dims)))
    assert fitted["projection"].shape == (dims, gate.MAX_DIMS)
    assert fitted["precision"].shape == (gate.MAX_DIMS, gate.MAX_DIMS)
    far = gate.distance(fitted, rng.normal(size=(5, dims)) + 10.0)
    assert np.all(far > fitted["cutoff"])


def test_weak_model_is_screened_by_the_default_models_gate(shipped):
    from xray_core.store import list_models, load_gatekeeper

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
