"""xray_core.evaluation.external_test: test-split figures on a card."""

import json

import pytest

from xray_core.evaluation import external_test
from xray_core.stats.uncertainty import hanley_mcneil_interval, wilson_interval
from xray_core.store.catalog import list_models, read_card

CARD = {"name": "m", "threshold": 0.77, "model_sha256": "abc"}
EVALUATION = {
    "model": "m",
    "n": 624,
    "counts": {"NORMAL": 234, "PNEUMONIA": 390},
    "auc": 0.958,
    "sensitivity": 0.987,
    "specificity": 0.722,
    "accuracy": 0.888,
    "ece": 0.138,
    "threshold": 0.7702,
}


def test_attach_binds_the_figures_to_the_weights_with_intervals_from_the_counts():
    block = external_test.attach(EVALUATION, CARD, "a report")
    assert block["model_sha256"] == "abc" and block["source"] == "a report"
    assert (block["auc"], block["specificity"], block["n"]) == (0.958, 0.722, 624)
    ci = block["ci"]
    assert ci["sensitivity"] == list(wilson_interval(385, 390))  # 0.987 x 390 = 384.9
    assert ci["specificity"] == list(wilson_interval(169, 234))
    assert ci["accuracy"] == list(wilson_interval(554, 624))
    assert ci["auc"] == list(hanley_mcneil_interval(0.958, 390, 234))
    assert ci["auc"][0] < 0.958 < ci["auc"][1] and "Hanley-McNeil" in block["ci_method"]


def test_attach_keeps_the_evaluations_own_intervals():
    ci = {k: [0.1, 0.9] for k in ("auc", "sensitivity", "specificity", "accuracy")}
    given = {**EVALUATION, "ci": ci, "ci_method": "stratified bootstrap"}
    block = external_test.attach(given, CARD, "s")
    assert block["ci"] == ci and block["ci_method"] == "stratified bootstrap"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"model": "other"}, "scored 'other', not 'm'"),
        ({"threshold": 0.5}, "another operating point"),
        ({"counts": {"NORMAL": 234, "PNEUMONIA": 389}}, "summing to n"),
        ({"specificity": 72.2}, "outside"),
        ({"auc": None}, "lacks auc"),
    ],
)
def test_attach_refuses_figures_of_another_model_or_operating_point(change, message):
    with pytest.raises(ValueError, match=message):
        external_test.attach({**EVALUATION, **change}, CARD, "s")


def test_figures_of_other_weights_are_not_shown():
    block = external_test.attach(EVALUATION, CARD, "s")
    assert external_test.figures({**CARD, "external_test": block}) == block
    assert (
        external_test.figures({**CARD, "model_sha256": "retrained", "external_test": block}) is None
    )
    assert external_test.figures(CARD) is None


def test_wording_names_the_split_the_source_and_the_intervals():
    block = external_test.attach(EVALUATION, CARD, "a report")
    line = external_test.headline(block, 0.997)
    assert "AUC 0.958 (validation: 0.997)" in line and "specificity 0.722" in line
    assert "ECE 0.138" in line
    caption = external_test.caption(block)
    assert "a report" in caption and "234 normal and 390 pneumonia" in caption
    assert external_test.closing_note(True).startswith("The other rows are not")
    assert "not scored there yet" in external_test.closing_note(False)


@pytest.mark.parametrize("name", list_models())
def test_every_shipped_block_is_the_withheld_evaluation_attached(name, external_test_dir):
    """Each shipped card carries its own weights' test-split evaluation, re-made exactly; a
    model retrained since the split was scored (its record is at another threshold) carries
    none until it is scored again."""
    folder = external_test_dir
    card = read_card(name)
    block = external_test.figures(card)
    if not (folder / f"{name}.json").is_file():  # shipped since the split was last scored
        assert block is None, f"{name}: test-split figures without a record"
        return
    record = json.loads((folder / f"{name}.json").read_text())
    try:
        external_test.check_evaluation(record, name, float(card["threshold"]))
    except ValueError:  # the record is of earlier weights
        assert block is None, f"{name}: test-split figures of other weights on the card"
        return
    assert block is not None, f"{name}: no test-split figures bound to its weights"
    assert block == external_test.attach(record, card, block["source"])
    c = block["confusion"]
    assert c["tp"] + c["fn"] == block["counts"]["PNEUMONIA"]
    assert c["tn"] + c["fp"] == block["counts"]["NORMAL"]
    assert block["specificity"] == pytest.approx(c["tn"] / (c["tn"] + c["fp"]))


def test_the_former_default_keeps_its_test_split_figures():
    """The recipe the default refines stays in the store with the withheld split's figures."""
    assert external_test.figures(read_card("resnet_fast_shape")) is not None


def test_attach_keeps_the_threshold_free_figure_and_cohorts_when_given():
    rows = {"NORMAL NORMAL2": {"n": 100, "specificity": 0.67, "mean_p": 0.6}}
    block = external_test.attach(
        {**EVALUATION, "spec_at_sens95": 0.81, "cohorts": rows}, CARD, "a report"
    )
    assert block["spec_at_sens95"] == 0.81 and block["cohorts"] == rows
    assert external_test.cohort_sentence(block) == (
        "By file-name cohort: NORMAL2 normals flagged 33% (n = 100)."
    )
    virus = {"PNEUMONIA virus": {"n": 148, "sensitivity": 0.97, "mean_p": 0.9}}
    both = {**block, "cohorts": {**rows, **virus}}
    assert "; virus pneumonias missed 3% (n = 148)." in external_test.cohort_sentence(both)
    assert external_test.cohort_sentence(external_test.attach(EVALUATION, CARD, "s")) == ""
    assert "cohorts" not in external_test.attach(EVALUATION, CARD, "a report")
    with pytest.raises(ValueError, match="spec_at_sens95"):
        external_test.attach({**EVALUATION, "spec_at_sens95": 1.2}, CARD, "s")
