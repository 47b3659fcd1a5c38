"""xray_core.evaluation.figure_sheet: one source for every figure, populations named,
estimates inside their intervals, counts that add up, the threshold's scale carried through
a site profile."""

from __future__ import annotations

import pytest
from store_helpers import scored_model

from xray_core.evaluation import external_test, figure_sheet
from xray_core.evaluation.validation_figures import validation_figures
from xray_core.predict.validation_scores import load_scores
from xray_core.site.report import site_report
from xray_core.stats import prevalence, uncertainty
from xray_core.stats.calibration import apply_calibration
from xray_core.stats.metrics import operating_point
from xray_core.store.catalog import read_card
from xray_core.store.site_profiles import make_profile


@pytest.fixture(scope="module")
def shipped():
    """A model scored on the withheld split: the sheet's headline is its test figures."""
    card = read_card(scored_model())
    return card, load_scores(card["name"])


@pytest.fixture(scope="module")
def profiles(shipped):
    """A plain profile (shipped calibration) and a recalibrated one (60 cases)."""
    card, s = shipped
    plain, _ = site_report(s["labels"], s["raw_probabilities"], card, n_resamples=200)
    recal, cal = site_report(
        s["labels"], s["raw_probabilities"], card, recalibrate=60, n_resamples=200
    )
    return make_profile("plain", card, plain, None), make_profile("recal", card, recal, cal)


def inside(value, interval) -> bool:
    return isinstance(interval, str) or not interval or interval[0] <= value <= interval[1]


def test_shipped_threshold_headlines_the_test_split_with_the_training_hospital_beside(shipped):
    card, s = shipped
    sheet = figure_sheet.figure_sheet(card, s, card["threshold"], 0.2)
    assert list(sheet.populations) == ["test", "validation"]
    test, val = sheet.headline, sheet.populations["validation"]
    block = external_test.figures(card)
    assert test.values["sensitivity"] == block["sensitivity"]
    assert test.values["specificity"] == block["specificity"]
    assert val.label == "the training hospital"
    fig = validation_figures(card, s)
    assert val.values == fig.values and val.n == fig.n
    assert sheet.threshold_text == f"threshold {card['threshold']:.3f} (shipped scale)"
    assert sheet.source_line.startswith("Headline: the withheld test split")


def test_another_threshold_falls_back_to_the_training_hospital_and_says_why(shipped):
    card, s = shipped
    sheet = figure_sheet.figure_sheet(card, s, 0.3, 0.2)
    assert list(sheet.populations) == ["validation"]
    assert "shipped threshold" in sheet.missing["test"]
    op = operating_point(s["labels"], s["probabilities"], 0.3)
    assert sheet.headline.values["specificity"] == op["specificity"]


@pytest.mark.parametrize("prev", [0.05, 0.2, 0.742])
def test_prevalence_figures_follow_bayes_hold_their_intervals_and_add_up(shipped, prev):
    card, s = shipped
    sheet = figure_sheet.figure_sheet(card, s, card["threshold"], prev)
    at, head = sheet.at, sheet.headline
    sens, spec = head.values["sensitivity"], head.values["specificity"]
    ppv = sens * prev / (sens * prev + (1 - spec) * (1 - prev))
    npv = spec * (1 - prev) / (spec * (1 - prev) + (1 - sens) * prev)
    assert at["ppv"] == pytest.approx(ppv) and at["npv"] == pytest.approx(npv)
    assert inside(at["ppv"], at["ppv_ci"]) and inside(at["npv"], at["npv_ci"])
    f = at["frequencies"]
    assert f["tp"] + f["fn"] + f["fp"] + f["tn"] == 1000 and f["flagged"] == f["tp"] + f["fp"]
    assert prevalence.icon_array(f)["counts"] == {k: f[k] for k in ("tp", "fn", "fp", "tn")}
    assert f"The model flags {f['flagged']:,}:" in " ".join(at["sentences"])
    chosen = [row for row in sheet.table if row["prevalence"] == prev]
    assert chosen == [at]  # the table's row of the chosen prevalence is the same figures
    for pop in sheet.populations.values():
        for key in figure_sheet.KEYS:
            assert inside(pop.values[key], pop.intervals[key]), (pop.key, key)


def test_a_recalibrated_profile_names_its_scale_and_moves_the_cut(shipped, profiles):
    card, s = shipped
    _, recal = profiles
    sheet = figure_sheet.figure_sheet(card, s, recal["threshold"], 0.2, recal)
    assert sheet.scale == "site recal's recalibrated scale"
    assert list(sheet.populations)[0] == "site"
    site = sheet.headline
    at = recal["report"]["at_proposed_threshold"]
    assert site.values["sensitivity"] == at["sensitivity"]
    # the same cut on the shipped scale flags exactly the same validation images
    raw = s["raw_probabilities"]
    on_site = apply_calibration(raw, recal["calibration"]) >= recal["threshold"]
    on_shipped = s["probabilities"] >= sheet.validation_threshold
    assert (on_site == on_shipped).mean() > 0.995
    val = sheet.populations["validation"]
    assert val.confusion["tp"] + val.confusion["fp"] == pytest.approx(on_site.sum(), abs=2)


def test_a_plain_profile_uses_the_shipped_scale(shipped, profiles):
    card, s = shipped
    plain, _ = profiles
    sheet = figure_sheet.figure_sheet(card, s, plain["threshold"], 0.2, plain)
    assert sheet.scale == "shipped scale" and sheet.validation_threshold == plain["threshold"]
    assert sheet.headline.key == "site"
    assert "site" in figure_sheet.figure_sheet(card, s, 0.5, 0.2, plain).missing


def test_too_few_cases_carry_through_to_the_predictive_values(shipped):
    card, _ = shipped
    pop = figure_sheet.Population(
        "site", "x", "y", 5, 3, 2, 0.5,
        {"auc": 1.0, "sensitivity": 1.0, "specificity": 1.0, "ppv": 1.0, "npv": 1.0,
         "accuracy": 1.0},
        {k: uncertainty.TOO_FEW for k in figure_sheet.KEYS},
        {"tp": 3, "fp": 0, "tn": 2, "fn": 0},
    )  # fmt: skip
    at = figure_sheet.at_prevalence(pop, 0.2)
    assert at["ppv_ci"] == uncertainty.TOO_FEW
    assert pop.text("auc") == "1.000 (too few cases)"
    assert pop.parts("sensitivity") == ("1.00", "too few cases")
