"""Compare: one row per model from its card and stored scores, recomputed from the scores."""

import json
import shutil

import numpy as np
import pytest

from research import seed_spread
from xray_core.evaluation.compare import (
    SPREAD_VIEWS,
    cohort_name,
    compare_models,
    model_family,
    recipe_spreads,
    roc_curves,
    same_validation_data,
    shift_rows,
    spread_rows,
    targets_text,
)
from xray_core.predict.validation_scores import load_scores
from xray_core.stats import metrics
from xray_core.store.catalog import read_card, set_default, write_card
from xray_core.store.files import SCORES_FILE, SEED_SPREAD_FILE


@pytest.fixture
def two_models(tiny_store, tmp_path):
    """The tiny model twice; the copy scored on other files (digest changed), one without scores."""
    root = tmp_path / "s"
    shutil.copytree(tiny_store, root)
    shutil.copytree(root / "tiny", root / "tiny_b")
    scores = json.loads((root / "tiny_b" / SCORES_FILE).read_text())
    (root / "tiny_b" / SCORES_FILE).write_text(json.dumps({**scores, "files_digest": "other"}))
    shutil.copytree(root / "tiny", root / "unscored")
    (root / "unscored" / SCORES_FILE).unlink()
    return root


def test_rows_recompute_the_operating_point_from_the_scores(two_models):
    row = compare_models(["tiny"], two_models)[0]
    card, s = read_card("tiny", two_models), load_scores("tiny", two_models)
    y, p = s["labels"], s["probabilities"]
    flagged = p >= card.threshold
    assert row["sensitivity"] == pytest.approx(np.mean(flagged[y == 1]))
    assert row["specificity"] == pytest.approx(np.mean(~flagged[y == 0]))
    assert row["auc"] == pytest.approx(metrics.auc(y, p))
    assert row["n"] == len(y) and row["size_mb"] == round(card.model_bytes / 1e6, 2)


def test_a_model_without_scores_has_only_card_figures(two_models):
    row = compare_models(["unscored"], two_models)[0]
    assert "auc" not in row and row["threshold"] == read_card("unscored", two_models).threshold


def test_same_validation_data_compares_digests(two_models):
    assert same_validation_data(compare_models(["tiny", "tiny"], two_models))
    assert not same_validation_data(compare_models(["tiny", "tiny_b"], two_models))


def test_roc_curves_skip_models_without_scores(two_models):
    curves = roc_curves(["tiny", "unscored"], two_models)
    assert list(curves) == ["tiny"] and set(curves["tiny"]) >= {"fpr", "tpr"}


def test_targets_text_groups_models_by_their_sensitivity_target():
    rows = [
        {"model": "a", "sensitivity_target": 0.97},
        {"model": "b", "sensitivity_target": 0.95},
        {"model": "c", "sensitivity_target": 0.95},
        {"model": "d"},
    ]
    assert targets_text(rows) == ("sensitivity >= 0.95 for b, c; >= 0.97 for a; not recorded for d")
    assert targets_text([]) == ""


def test_rows_carry_the_cards_sensitivity_target(two_models):
    row = compare_models(["tiny"], two_models)[0]
    assert row["sensitivity_target"] == 0.97


def test_rows_mark_the_stores_default(two_models):
    set_default("tiny_b", two_models)
    rows = compare_models(["tiny", "tiny_b"], two_models)
    assert [r["default"] for r in rows] == [False, True]
    assert [r["label"] for r in rows] == ["tiny", "tiny_b (default)"]


def test_rows_carry_the_cards_shift_figures_or_none(two_models):
    row = compare_models(["tiny"], two_models)[0]
    assert row["perturbed_auc"] is None and row["unseen_auc"] is None
    assert row["narrow_specificity"] is None
    card = read_card("tiny", two_models)
    pooled = {"n": 90, "auc": 0.91, "spec_at_sens95": 0.5}
    held = {"n": 30, "auc": 0.88, "spec_at_sens95": 0.61}
    write_card(
        "tiny",
        card.updated(
            shifted_validation={"plain": {"auc": 0.99}, "shifted (pooled)": pooled},
            recipe_hold_out={"cohort": "NORMAL2", "held-out cohort": held},
            aspect_views={"narrow 0.8": {"specificity": 0.51}, "wide 1.25": {"specificity": 1}},
        ),
        two_models,
    )
    row = compare_models(["tiny"], two_models)[0]
    assert (row["perturbed_auc"], row["unseen_auc"], row["unseen_spec95"]) == (0.91, 0.88, 0.61)
    assert row["narrow_specificity"] == 0.51
    assert row["unseen_cohort"] == "NORMAL2"


def test_rows_carry_test_split_figures_only_for_the_weights_they_were_measured_on(two_models):
    card = read_card("tiny", two_models)
    block = {"model_sha256": card["model_sha256"], "auc": 0.958, "specificity": 0.722}
    write_card("tiny", card.updated(external_test=block), two_models)
    row = compare_models(["tiny"], two_models)[0]
    assert (row["test_auc"], row["test_specificity"]) == (0.958, 0.722)
    retrained = {**block, "model_sha256": "weights since replaced"}
    write_card("tiny", card.updated(external_test=retrained), two_models)
    row = compare_models(["tiny"], two_models)[0]
    assert row["test_auc"] is None and row["test_specificity"] is None


def test_cohort_name_is_named_only_when_every_row_agrees():
    assert cohort_name([{"unseen_cohort": "NORMAL2"}, {"unseen_cohort": None}]) == "NORMAL2"
    assert cohort_name([{"unseen_cohort": "NORMAL2"}, {"unseen_cohort": "IM"}]) == "cohort"
    assert cohort_name([]) == "cohort"


def test_shift_rows_say_not_measured_instead_of_a_blank():
    rows = [
        {"label": "a (default)", "perturbed_auc": 0.99512, "unseen_auc": None},
        {"label": "b", "perturbed_auc": None, "unseen_spec95": 0.5},
    ]
    assert shift_rows(rows) == [
        {
            "model": "a (default)",
            "perturbed_auc": "0.995",
            "narrow_specificity": "—",
            "unseen_auc": "—",
            "unseen_spec95": "—",
            "test_auc": "—",
            "test_specificity": "—",
        },
        {
            "model": "b",
            "perturbed_auc": "—",
            "narrow_specificity": "—",
            "unseen_auc": "—",
            "unseen_spec95": "0.500",
            "test_auc": "—",
            "test_specificity": "—",
        },
    ]


def _run_card(folder, seed, auc, held_auc=None):
    card = {
        "validation": {"auc": auc, "sensitivity": 0.95, "specificity": 0.9},
        "threshold": 0.5,
        "training": {"config": {"seed": seed}, "seconds": 60.0},
    }
    if held_auc is not None:
        held = {"auc": held_auc, "specificity": 0.8, "spec_at_sens95": 0.9, "ece": 0.07}
        card["held_out_cohort"] = {"cohort": "NORMAL2", "held-out cohort": held}
    folder.mkdir(parents=True)
    (folder / "card.json").write_text(json.dumps(card))
    return str(folder)


def test_spread_rows_read_what_seed_spread_writes(tmp_path):
    """The file research.seed_spread writes is the one the Compare page reads."""
    store = tmp_path / "model_store"
    entries = [
        _run_card(store / "a", 42, 0.990),
        _run_card(tmp_path / "a_s1", 1, 0.994),
        _run_card(tmp_path / "a_ho", 42, 0.999, held_auc=0.97),
    ]
    seed_spread.main(
        [
            "--recipe", "a's recipe=" + ",".join(entries),
            "--recipe", "unshipped=" + entries[1],
            "--json", str(store / SEED_SPREAD_FILE),
        ]
    )  # fmt: skip
    spreads = recipe_spreads(store)
    assert list(spreads) == ["a"]
    rows = spread_rows(
        [{"model": "a", "label": "a (default)"}, {"model": "b", "label": "b"}], spreads
    )
    assert rows[0]["model"] == "a (default)"
    assert (rows[0]["seeds"], rows[0]["hold_out_seeds"]) == ("2", "1")
    assert rows[0]["plain_auc"] == f"0.992 ± {np.std([0.990, 0.994], ddof=1):.3f}"
    assert rows[0]["unseen_auc"] == "0.970 (1 run)"
    assert rows[0]["perturbed_auc"] == "not measured"
    assert set(rows[1].values()) == {"b", "none", "not measured"}
    assert all(set(cols) <= set(rows[0]) for cols in SPREAD_VIEWS.values())


@pytest.mark.parametrize("text", [None, "not json", "[1, 2]", '{"r": 3}'])
def test_a_missing_or_broken_spread_file_gives_no_spreads(tmp_path, text):
    if text is not None:
        (tmp_path / SEED_SPREAD_FILE).write_text(text)
    assert recipe_spreads(tmp_path) == {}


def test_model_family_places_each_model_in_the_line_up(two_models):
    assert model_family("dense", {}) == "dense baseline"
    assert model_family("cnn", {}) == "CNN from scratch"
    assert model_family("resnet_fast", {}) == "ResNet from scratch"
    assert model_family("mobilenetv2_035", {"finetune_epochs": 0}) == "ImageNet, frozen"
    assert model_family("mobilenetv2_035", {"finetune_epochs": 4}) == "ImageNet, fine-tuned"
    assert model_family("someday_net", {}) == "someday_net"
    rows = compare_models(["tiny"], two_models)
    assert rows[0]["family"] == "CNN from scratch"  # the tiny fixture model is a `cnn`


def test_a_figure_fewer_runs_measured_says_how_many():
    spreads = {
        "a": {
            "runs": [{"hold-out run": True}] * 4 + [{"hold-out run": False}],
            "spread": {
                "unseen cohort AUC": {"mean": 0.978, "sd": 0.002, "n": 4},
                "unseen narrow 0.8 spec": {"mean": 0.84, "sd": 0.05, "n": 3},
                "plain AUC": {"mean": 0.99, "sd": None, "n": 1},
            },
        }
    }
    row = spread_rows([{"model": "a", "label": "a"}], spreads)[0]
    assert row["unseen_auc"] == "0.978 ± 0.002"
    assert row["unseen_narrow_spec"] == "0.840 ± 0.050 (3 of 4 runs)"
    assert row["plain_auc"] == "0.990 (1 run)"
    assert "unseen_narrow_spec" in SPREAD_VIEWS["on the unseen cohort"]
