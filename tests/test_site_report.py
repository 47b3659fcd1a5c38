"""xray_core.site.report on the project's own validation data (raw outputs of the shipped
default model on its patient-level validation split), as is and with a simulated shift."""

import numpy as np
import pytest

from xray_core.predict.validation_scores import load_scores
from xray_core.site.report import calibration_subset, site_report
from xray_core.stats import metrics
from xray_core.stats.calibration import apply_calibration, ece, logit, sigmoid
from xray_core.store.catalog import default_model, read_card

REQUIRED = (
    "n",
    "auc",
    "auc_ci",
    "shipped_threshold",
    "proposed_threshold",
    "expected_sensitivity",
    "expected_specificity",
)


@pytest.fixture(scope="module")
def validation():
    name = default_model()
    s = load_scores(name)
    return s["labels"], s["raw_probabilities"], read_card(name)


def shifted(y, raw):
    """A site where every study, normal ones most, scores higher (as on the official test
    split): logit + 3.5 for NORMAL, + 1.5 for PNEUMONIA. Strong enough to miscalibrate a
    model whose Platt scaling was already fitted on perturbed views (+2.5 / +0.5 left such a
    model's ECE at 0.03, nothing for a 120-case recalibration to fix)."""
    return sigmoid(logit(raw) + np.where(y == 0, 3.5, 1.5))


def test_report_recomputes_the_cards_validation_figures(validation):
    y, raw, card = validation
    r, cal = site_report(y, raw, card, target=0.95, n_resamples=500)
    assert cal is None and all(k in r for k in REQUIRED)
    p = apply_calibration(raw, card["calibration"])
    assert r["n"] == len(y) and r["counts"]["PNEUMONIA"] == int(y.sum())
    assert r["auc"] == pytest.approx(metrics.auc(y, p))
    assert r["auc_ci"][0] <= r["auc"] <= r["auc_ci"][1]
    s = r["at_shipped_threshold"]
    assert s["sensitivity"] == pytest.approx(card["validation"]["sensitivity"])
    assert s["specificity"] == pytest.approx(card["validation"]["specificity"])
    assert r["calibration"]["ece"] == pytest.approx(ece(p, y))
    t = r["proposed_threshold"]
    assert r["expected_sensitivity"] == pytest.approx(np.mean(p[y == 1] >= t))
    assert r["expected_specificity"] == pytest.approx(np.mean(p[y == 0] < t))
    assert r["proposal"]["sensitivity_lower_bound"] >= 0.95
    lo, hi = r["proposed_threshold_ci"]
    assert lo <= t <= hi
    assert len(r["summary"]) == 5


def test_recalibrate_on_120_cases_then_hold_on_the_rest(validation):
    y, raw, card = validation
    site = shifted(y, raw)
    r, cal = site_report(y, site, card, recalibrate=120, n_resamples=300)
    rc = r["recalibration"]
    assert rc["fitted_n"] == 120 and rc["after"]["n"] == len(y) - 120
    assert rc["after"]["ece"] < 0.8 * rc["before"]["ece"]
    assert rc["after"]["brier"] < rc["before"]["brier"]
    assert cal["a"] > 0 and r["probability_scale"] == "local recalibration"
    # the shift costs specificity at the shipped threshold; the local threshold wins it back
    assert r["at_shipped_threshold"]["specificity"] < card["validation"]["specificity"] - 0.05
    assert r["expected_sensitivity"] >= 0.95
    assert r["expected_specificity"] > r["at_shipped_threshold"]["specificity"]


@pytest.mark.parametrize("seed", range(5))
def test_a_small_sample_alone_gives_a_threshold_that_holds(validation, seed):
    """Only 120 labelled local cases: recalibrate and propose on them; judge on the rest."""
    y, raw, card = validation
    site = shifted(y, raw)
    small = calibration_subset(y, 120, seed)
    r, cal = site_report(y[small], site[small], card, recalibrate=True, n_resamples=300, seed=seed)
    assert r["proposed_threshold"] is not None
    held = apply_calibration(site[~small], cal)
    op = metrics.operating_point(y[~small], held, r["proposed_threshold"])
    assert op["sensitivity"] >= 0.95
    assert ece(held, y[~small]) < ece(
        apply_calibration(site[~small], card["calibration"]), y[~small]
    )


def test_too_few_positives_and_one_class(validation):
    y, raw, card = validation
    idx = np.r_[np.flatnonzero(y == 1)[:30], np.flatnonzero(y == 0)[:30]]
    r, _ = site_report(y[idx], raw[idx], card, n_resamples=200)
    assert r["proposed_threshold"] is None and r["expected_specificity"] is None
    assert "at least 59" in r["summary"][-1]
    with pytest.raises(ValueError, match="both classes"):
        site_report(np.ones(10), raw[:10], card)


def test_calibration_subset_is_stratified_and_seeded():
    y = np.r_[np.ones(300, int), np.zeros(100, int)]
    m = calibration_subset(y, 120, 1)
    assert m.sum() == 120 and y[m].sum() == 90
    assert np.array_equal(m, calibration_subset(y, 120, 1))
    assert not np.array_equal(m, calibration_subset(y, 120, 2))


def test_three_images_say_too_few_cases_not_a_perfect_interval(validation, tmp_path):
    """'AUC 1.000 (95% CI 1.000–1.000)' from 3 images claimed a certainty they cannot give."""
    from pdf_helpers import pdf_text

    from xray_core.site.pdf import write_pdf
    from xray_core.stats.uncertainty import TOO_FEW

    y, raw, card = validation
    idx = np.r_[np.flatnonzero(y == 1)[:2], np.flatnonzero(y == 0)[:1]]
    r, _ = site_report(y[idx], raw[idx], card, n_resamples=200)
    assert r["auc_ci"] == TOO_FEW and r["at_shipped_threshold"]["sensitivity_ci"] == TOO_FEW
    assert r["summary"][1] == f"AUC {r['auc']:.3f} (95% CI: too few cases)."
    text = " ".join(pdf_text(write_pdf(r, tmp_path / "site.pdf")).split())
    assert "(too few cases)" in text and "1.000 (1.000-1.000)" not in text
