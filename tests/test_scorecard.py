"""benchmarks.scorecard: every shipped model scored on one folder against its goals."""

import json
import shutil

import numpy as np
import pytest

from benchmarks import scorecard
from xray_core.cli import main as cli
from xray_core.store.files import DEFAULT_FILE


def evaluation(**figures) -> dict:
    base = {"n": 624, "auc": 0.98, "threshold": 0.5, "sensitivity": 0.96, "specificity": 0.9}
    return {**base, "accuracy": 0.93, "ece": 0.05, **figures}


def test_the_default_meets_its_goals_at_the_lines_themselves():
    rows = scorecard.goal_rows(
        {"a": evaluation(auc=0.975, sensitivity=0.95, specificity=0.85, ece=0.08)}, "a"
    )
    assert [r["met"] for r in rows] == [True] * 5


@pytest.mark.parametrize(
    "figures, failed",
    [
        ({"auc": 0.974}, "a (default): AUC >= 0.975"),
        ({"sensitivity": 0.949}, "a (default): sensitivity at the shipped threshold >= 0.95"),
        ({"specificity": 0.722}, "a (default): specificity at the shipped threshold >= 0.85"),
        ({"ece": 0.138}, "a (default): ECE <= 0.08"),
        ({"ece": None}, "a (default): ECE <= 0.08"),  # not measured is not met
    ],
)
def test_each_default_goal_can_fail_alone(figures, failed):
    rows = scorecard.goal_rows({"a": evaluation(**figures)}, "a")
    assert [r["goal"] for r in rows if not r["met"]] == [failed]


def test_every_model_must_be_strictly_above_093():
    evaluations = {"a": evaluation(), "b": evaluation(auc=0.93), "c": evaluation(auc=0.931)}
    rows = scorecard.goal_rows(evaluations, "a")
    assert [r["goal"] for r in rows if not r["met"]] == ["b: AUC > 0.93"]
    assert len(rows) == 4 + 3


def test_differences_pair_each_model_with_the_default_on_the_same_images():
    y = np.array([0, 0, 0, 1, 1, 1])
    scores = {"d": (y, np.array([0.1, 0.6, 0.2, 0.5, 0.9, 0.8])), "a": (y, y * 0.9 + 0.05)}
    out = scorecard.differences(scores, "d")
    assert list(out) == ["a"]
    diff, (lo, hi) = out["a"]
    assert diff == pytest.approx(1.0 - 8 / 9) and lo <= diff <= hi
    text = scorecard.table({"d": evaluation(), "a": evaluation()}, "d", out)
    assert f"| {scorecard.paired_text(out['a'])} |" in text.splitlines()[3]
    assert text.splitlines()[2].startswith("| d (default) | 624 | 0.980 | - |")
    with pytest.raises(ValueError, match="other images"):
        scorecard.differences({"d": scores["d"], "b": (y[::-1], y)}, "d")


def test_the_table_puts_the_default_first_and_shows_the_cohorts():
    cohorts = {
        "NORMAL NORMAL2": {"n": 165, "specificity": 0.67},
        "NORMAL IM": {"n": 69, "specificity": 0.84},
        "PNEUMONIA bacteria": {"n": 242, "sensitivity": 1.0},
    }
    text = scorecard.table({"a": evaluation(), "z": evaluation(cohorts=cohorts)}, "z")
    rows = text.splitlines()[2:]
    assert rows[0].startswith("| z (default) |") and rows[1].startswith("| a |")
    assert "NORMAL2 0.33 (n 165), IM 0.16 (n 69)" in rows[0]
    assert "bacteria" not in text


@pytest.fixture
def two_model_store(tiny_store, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(tiny_store, root)
    shutil.copytree(root / "tiny", root / "tiny_b")
    (root / DEFAULT_FILE).write_text("tiny_b\n")
    return root


def test_main_writes_what_evaluate_writes_for_every_model(
    two_model_store, small_eval_dir, tmp_path, capsys
):
    out = tmp_path / "card"
    args = ["--data", str(small_eval_dir), "--out", str(out), "--store", str(two_model_store)]
    evaluations = scorecard.main(args)
    assert set(evaluations) == {"tiny", "tiny_b"}
    reference = tmp_path / "evaluate.json"
    cli.main(
        ["--store", str(two_model_store), "evaluate", "--data", str(small_eval_dir)]
        + ["--model", "tiny", "--json", str(reference)]
    )
    expected = json.loads(reference.read_text())
    written = json.loads((out / "tiny.json").read_text())
    assert written.keys() == expected.keys()
    for key in ("n", "auc", "sensitivity", "specificity", "threshold", "counts", "ece", "model"):
        assert written[key] == expected[key], key
    text = (out / scorecard.SCORECARD_FILE).read_text()
    assert "| tiny_b (default) |" in text and "Goals: " in text
    assert "| tiny | 12 |" in text and scorecard.PAIRED_METHOD in text  # the twin: +0.000
    assert text in capsys.readouterr().out


def test_the_default_is_scored_even_when_not_named(two_model_store, small_eval_dir, tmp_path):
    args = ["--data", str(small_eval_dir), "--out", str(tmp_path / "o"), "--model", "tiny"]
    evaluations = scorecard.main([*args, "--store", str(two_model_store)])
    assert list(evaluations) == ["tiny_b", "tiny"]


@pytest.mark.parametrize(
    "extra, message",
    [(["--model", "nope"], "no stored model nope"), ([], "NORMAL/ and PNEUMONIA/ subfolders")],
)
def test_bad_input_is_one_clear_line(two_model_store, tmp_path, extra, message, capsys):
    data = tmp_path / "empty"
    data.mkdir()
    args = ["--data", str(data), "--out", str(tmp_path / "o"), "--store", str(two_model_store)]
    with pytest.raises(SystemExit) as e:
        scorecard.main(args + extra)
    assert message in str(e.value)
