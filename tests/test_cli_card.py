"""xray_core.cli.card: `card external-test`, `hold-out`, `faithfulness` and `shift` write cards."""

import json
import shutil

import pytest

from xray_core.cli.main import main
from xray_core.evaluation import external_test
from xray_core.evaluation.cohort_evidence import hold_out_evidence
from xray_core.store.catalog import read_card, write_card
from xray_core.store.files import EXTERNAL_TEST_FILE

EVALUATION = {
    "n": 624,
    "counts": {"NORMAL": 234, "PNEUMONIA": 390},
    "auc": 0.958,
    "sensitivity": 0.987,
    "specificity": 0.722,
    "accuracy": 0.888,
    "ece": 0.138,
}
HELD = {
    "cohort": "NORMAL2",
    "validation": {"n": 10, "auc": 0.99, "sensitivity": 0.9, "specificity": 1.0, "ece": 0.01},
    "held-out cohort": {"n": 20, "auc": 0.95, "sensitivity": 0.9, "specificity": 0.8},
}


@pytest.fixture
def store(tiny_store, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(tiny_store, root)
    return root


def card(store, *args):
    return main(["--store", str(store), "card", *args])


def test_external_test_reads_the_entrys_record_and_writes_only_when_asked(store, capsys):
    assert card(store, "external-test", "--model", "tiny", "--source", "s") == 1
    assert "no external_test.json" in capsys.readouterr().err
    tiny = read_card("tiny", store)
    record = {**EVALUATION, "model": "tiny", "threshold": tiny["threshold"]}
    (store / "tiny" / EXTERNAL_TEST_FILE).write_text(json.dumps(record))
    assert card(store, "external-test", "--model", "tiny", "--source", "a report") == 0
    assert "AUC 0.958" in capsys.readouterr().out
    assert read_card("tiny", store).get("external_test") is None  # printed, not written
    assert card(store, "external-test", "--model", "tiny", "--source", "a report", "--write") == 0
    block = external_test.figures(read_card("tiny", store))
    assert block == external_test.attach(record, tiny, "a report")
    assert block["source"] == "a report" and block["auc"] == 0.958


def test_external_test_refuses_figures_at_another_threshold(store, tmp_path, capsys):
    tiny = read_card("tiny", store)
    wrong = tmp_path / "eval.json"
    wrong.write_text(json.dumps({**EVALUATION, "model": "tiny", "threshold": 0.123456}))
    args = ["external-test", "--model", "tiny", "--evaluation", str(wrong), "--source", "s"]
    assert card(store, *args, "--write") == 1
    assert "threshold" in capsys.readouterr().err
    assert read_card("tiny", store) == tiny


def test_hold_out_attaches_a_run_of_the_same_recipe(store, capsys):
    tiny = read_card("tiny", store)
    cfg = {**tiny.training["config"], "hold_out_cohort": "NORMAL2"}
    run = tiny.updated(training={**tiny.training, "config": cfg}, held_out_cohort=HELD)
    (store / "tiny_ho").mkdir()
    write_card("tiny_ho", run, store)
    run_path = str(store / "tiny_ho")
    assert card(store, "hold-out", "--model", "tiny", "--run", run_path) == 0
    assert "without the NORMAL2 cohort (tiny_ho)" in capsys.readouterr().out
    assert read_card("tiny", store).get("recipe_hold_out") is None
    assert card(store, "hold-out", "--model", "tiny", "--run", run_path, "--write") == 0
    assert read_card("tiny", store)["recipe_hold_out"] == hold_out_evidence(tiny, run, "tiny_ho")


def test_hold_out_refuses_a_run_without_a_held_out_cohort(store, capsys):
    run_path = str(store / "tiny")  # the model itself: trained on every cohort
    assert card(store, "hold-out", "--model", "tiny", "--run", run_path, "--write") == 1
    assert "--hold-out-cohort" in capsys.readouterr().err


def test_faithfulness_measures_every_method_and_writes_only_when_asked(
    store, data_root, monkeypatch, capsys
):
    from xray_core import config

    monkeypatch.setenv(config.DATA_ENV_VAR, str(data_root))
    before = read_card("tiny", store).get("faithfulness")
    args = ("faithfulness", "--model", "tiny", "--images", "2", "--seeds", "1")
    assert card(store, *args) == 0
    assert read_card("tiny", store).get("faithfulness") == before
    assert card(store, *args, "--write") == 0
    block = read_card("tiny", store)["faithfulness"]
    assert block["images"] == 2 and block["model"] == "tiny"
    assert block["command"].startswith("python -m xray_core card faithfulness --model tiny")
    assert "occlusion" in block["methods"] and "per_image" not in block


def test_a_long_measurement_keeps_what_another_command_wrote_meanwhile(
    store, data_root, monkeypatch
):
    from xray_core import config
    from xray_core.explain import benchmark

    monkeypatch.setenv(config.DATA_ENV_VAR, str(data_root))
    measure = benchmark.measure

    def measure_while_another_writes(*args, **kwargs):
        result = measure(*args, **kwargs)
        now = read_card("tiny", store)
        write_card("tiny", now.updated(recipe_hold_out={"cohort": "written meanwhile"}), store)
        return result

    monkeypatch.setattr(benchmark, "measure", measure_while_another_writes)
    args = ("faithfulness", "--model", "tiny", "--images", "2", "--seeds", "1", "--write")
    assert card(store, *args) == 0
    written = read_card("tiny", store)
    assert written["recipe_hold_out"] == {"cohort": "written meanwhile"}
    assert written["faithfulness"]["images"] == 2


def test_faithfulness_refuses_an_unseen_run_of_another_recipe(store, capsys):
    tiny = read_card("tiny", store)
    cfg = {**tiny.training["config"], "hold_out_cohort": "NORMAL2", "epochs": 99}
    run = tiny.updated(training={**tiny.training, "config": cfg}, held_out_cohort=HELD)
    (store / "tiny_other").mkdir()
    write_card("tiny_other", run, store)
    args = ("faithfulness", "--model", "tiny", "--unseen-run", str(store / "tiny_other"))
    assert card(store, *args, "--write") == 1
    assert "not tiny's recipe (epochs" in capsys.readouterr().err
    args = ("faithfulness", "--model", "tiny", "--unseen-run", str(store / "tiny"))
    assert card(store, *args, "--write") == 1
    assert "--hold-out-cohort" in capsys.readouterr().err
