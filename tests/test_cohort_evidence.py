"""Cohort evidence on the card: recipe checks for hold-out runs, and the Model card's rows."""

import pytest

from xray_core.evaluation import external_test
from xray_core.evaluation.cohort_evidence import (
    ASPECT_LABELS,
    TEST_ROW,
    display_rows,
    hold_out_evidence,
    new_cases_sentence,
    recipe_differences,
    robustness_rows,
    withheld_split_line,
)
from xray_core.store.catalog import default_model, list_models, read_card
from xray_core.text.wording import rate

RECIPE = {"arch": "resnet", "epochs": 14, "learning_rate": 2e-3, "seed": 42}
HELD = {
    "cohort": "NORMAL2",
    "validation": {"n": 10, "auc": 0.99, "sensitivity": 0.9, "specificity": 1.0, "ece": 0.01},
    "held-out cohort": {"n": 20, "auc": 0.95, "sensitivity": 0.9, "specificity": 0.8},
}


# A shipped model other than the default, scored on the withheld test split.
SCORED = "resnet_acq_scratch"


def shipped():
    """SCORED's card without its test-split figures and aspect views (tested on their own
    below)."""
    return read_card(SCORED).updated(external_test=None, aspect_views=None)


def run_card(card, **config):
    cfg = {**card.training["config"], "hold_out_cohort": "NORMAL2", **config}
    return card.updated(training={**card.training, "config": cfg}, held_out_cohort=HELD)


def test_recipe_differences_ignore_what_a_hold_out_run_must_change():
    run = {**RECIPE, "hold_out_cohort": "NORMAL2", "init_from": "base_ho", "split_seed": 42}
    assert recipe_differences(RECIPE, run) == []
    assert recipe_differences(RECIPE, {**RECIPE, "learning_rate": 1e-3}) == [
        "learning_rate: 0.002 != 0.001"
    ]
    # an older card without a key means the default then: the same recipe
    assert recipe_differences(RECIPE, {**RECIPE, "label_smoothing": 0.0}) == []
    assert recipe_differences(RECIPE, {**RECIPE, "split_seed": 7}) == ["split seed: 42 != 7"]


def test_hold_out_evidence_refuses_another_recipe_or_a_run_without_hold_out():
    card = shipped()
    block = hold_out_evidence(card, run_card(card), "ho_run")
    assert block["cohort"] == "NORMAL2" and block["run"] == "ho_run"
    assert block["held-out cohort"]["auc"] == 0.95
    with pytest.raises(ValueError, match="learning_rate"):
        hold_out_evidence(card, run_card(card, learning_rate=1.0), "other")
    with pytest.raises(ValueError, match="--hold-out-cohort"):
        hold_out_evidence(card, card, "plain_run")


def test_rows_start_from_the_plain_validation_and_end_on_the_unseen_cohort():
    card = shipped().updated(shifted_validation=None, recipe_hold_out=None)
    assert robustness_rows(card) == []
    rows = robustness_rows(card.updated(recipe_hold_out=HELD))
    assert [r["evidence"] for r in rows] == [
        "own validation",
        "recipe re-run without NORMAL2: its own validation",
        "recipe re-run without NORMAL2: unseen NORMAL2 cases",
    ]
    v = card["validation"]
    assert rows[0]["auc"] == v["auc"] and rows[0]["n"] == v["n"]
    assert v["specificity"] <= rows[0]["spec_at_sens95"] <= 1.0  # its threshold keeps >= 0.95
    assert rows[2]["specificity"] == 0.8 and rows[2]["ece"] is None


def test_every_shipped_model_shows_cohort_evidence_of_its_own_recipe():
    for name in list_models():
        card = read_card(name)
        rows = robustness_rows(card)
        assert rows, f"{name}: no shifted validation or cohort hold-out on its card"
        hold = card.get("recipe_hold_out")
        if hold:
            assert recipe_differences(card.training["config"], hold["run_config"]) == []
    assert read_card(default_model()).get("recipe_hold_out"), "the default needs a hold-out"


def test_worst_view_row_takes_each_figures_worst_ece_from_the_single_views():
    view = {"n": 5, "auc": 0.9, "sensitivity": 0.9, "specificity": 0.8, "spec_at_sens95": 0.7}
    shifted = {
        "plain": {**view, "ece": 0.01},
        "gamma 2.0": {**view, "ece": 0.20},
        "blur 2.0": {**view, "ece": 0.05},
        "shifted (pooled)": {**view, "n": 10, "ece": 0.30},  # pooled is not a single view
        "worst view": {k: v for k, v in view.items() if k != "n"},
    }
    rows = robustness_rows(shipped().updated(shifted_validation=shifted, recipe_hold_out=None))
    worst = rows[-1]
    assert worst["evidence"].startswith("own validation, worst perturbed view")
    assert worst["ece"] == 0.20 and worst["n"] == 5


def test_aspect_rows_follow_the_perturbed_views():
    view = {"n": 5, "auc": 0.99, "sensitivity": 1.0, "specificity": 0.51, "spec_at_sens95": 0.9}
    aspect = {
        "plain": view,
        "narrow 0.8": view,
        "wide 1.25": {**view, "sensitivity": 0.7},
        "shape mixed": {**view, "auc": 0.97},
    }
    card = shipped().updated(recipe_hold_out=None, aspect_views=aspect)
    rows = robustness_rows(card)
    labels = [r["evidence"] for r in rows]
    assert labels[-3:] == list(ASPECT_LABELS.values())
    assert labels[-4].startswith("own validation, worst perturbed view")
    assert rows[-3]["specificity"] == 0.51 and rows[-2]["sensitivity"] == 0.7
    assert rows[-1]["auc"] == 0.97
    only = robustness_rows(card.updated(shifted_validation=None))
    assert [r["evidence"] for r in only] == ["own validation", *ASPECT_LABELS.values()]


def test_unseen_cohort_under_the_aspect_views_follows_the_unseen_row():
    view = {"n": 30, "auc": 0.98, "sensitivity": 0.97, "specificity": 0.6, "spec_at_sens95": 0.9}
    report = {**HELD, "aspect_views": {"plain": view, "narrow 0.8": view, "shape mixed": view}}
    card = shipped().updated(shifted_validation=None)
    run = run_card(card).updated(held_out_cohort=report)
    block = hold_out_evidence(card, run, "ho_run")
    assert block["aspect_views"] == report["aspect_views"]
    assert "aspect_views" not in hold_out_evidence(card, run_card(card), "ho_run")
    labels = [r["evidence"] for r in robustness_rows(card.updated(recipe_hold_out=block))]
    run = "recipe re-run without NORMAL2"
    assert labels[-3:] == [
        f"{run}: unseen NORMAL2 cases",
        f"{run}: unseen, anatomy 20% narrower",
        f"{run}: unseen, shapes ×0.8-1.25",
    ]
    assert max(map(len, labels)) <= 60  # fits the Model card table's first column
    rows = robustness_rows(card.updated(recipe_hold_out=block))
    assert rows[-1]["specificity"] == 0.6 and rows[-1]["n"] == 30


def test_the_test_split_row_comes_last_and_only_for_these_weights():
    card = shipped().updated(shifted_validation=None, recipe_hold_out=None)
    block = {"model_sha256": card["model_sha256"], "n": 624, "auc": 0.958, "ece": 0.138}
    rows = robustness_rows(card.updated(external_test=block))
    assert [r["evidence"] for r in rows] == ["own validation", TEST_ROW]
    assert rows[-1]["auc"] == 0.958 and rows[-1]["spec_at_sens95"] is None
    other = {**block, "model_sha256": "retrained"}
    assert robustness_rows(card.updated(external_test=other)) == []
    newer = robustness_rows(card.updated(external_test={**block, "spec_at_sens95": 0.81}))
    assert newer[-1]["spec_at_sens95"] == 0.81  # a newer evaluation carries it


def test_display_rows_are_text_with_not_measured_for_a_missing_figure():
    rows = [{"evidence": TEST_ROW, "n": 624, "auc": 0.95812, "sensitivity": 0.987}]
    assert display_rows(rows) == [
        {
            "evidence": TEST_ROW,
            "n": "624",
            "auc": "0.958",
            "sensitivity": "0.987",
            "specificity": "not measured",
            "spec_at_sens95": "not measured",
            "ece": "not measured",
        }
    ]


def test_new_cases_sentence_prefers_the_weights_own_test_split():
    card = read_card(SCORED)
    assert card.get("external_test"), f"{SCORED} ships its test-split figures"
    test, plain = card["external_test"], card["validation"]
    line = new_cases_sentence(card, {SCORED: card})
    assert (
        f"specificity {rate(test['specificity'])} at sensitivity {rate(test['sensitivity'])} "
        f"(validation: {rate(plain['specificity'])} at {rate(plain['sensitivity'])})"
    ) in line
    assert "hold-out" not in line and "NORMAL2" not in line


def test_new_cases_sentence_without_own_figures_gives_hold_out_and_the_scored_model():
    scored = read_card(SCORED)
    default = read_card(default_model()).updated(external_test=None)  # as if not scored there
    assert default.get("recipe_hold_out") and not default.get("external_test")
    line = new_cases_sentence(default, {SCORED: scored, default["name"]: default})
    held = default["recipe_hold_out"]["held-out cohort"]["specificity"]
    assert f"without the NORMAL2 normals, had specificity {held:.2f}" in line
    assert f"{SCORED}, the one model scored on the withheld later cohort" in line
    test = scored["external_test"]["specificity"]
    plain = scored["validation"]["specificity"]
    its_held = scored["recipe_hold_out"]["held-out cohort"]["specificity"]
    assert (
        f"fell to specificity {rate(test)} there (validation {rate(plain)}, "
        f"its recipe's hold-out {rate(its_held)})"
    ) in line
    retrained = scored.updated(model_sha256="retrained")  # figures bound to other weights
    assert SCORED not in new_cases_sentence(default, {SCORED: retrained})


def test_new_cases_sentence_with_no_evidence_still_warns():
    bare = shipped().updated(recipe_hold_out=None)
    line = new_cases_sentence(bare, {})
    assert (
        line == "These figures come from the training cohort: expect lower specificity elsewhere."
    )


def test_test_split_line_states_own_figures_or_the_evidence_there_is():
    other = read_card(SCORED)
    default = read_card(default_model()).updated(external_test=None)  # as if not scored there
    scored = {SCORED: other, default["name"]: default}
    own = withheld_split_line(other, scored)
    assert own == external_test.headline(external_test.figures(other), other["validation"]["auc"])
    line = withheld_split_line(default, scored)
    assert line.startswith(external_test.NOT_MEASURED + " By how much: its recipe")
    assert f"{SCORED}, the one model scored" in line
    bare = shipped().updated(recipe_hold_out=None)
    assert withheld_split_line(bare, {}) == external_test.NOT_MEASURED
