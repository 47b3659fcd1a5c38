"""xray_core.evaluation.shifted_views and `card shift`: the perturbed table lands in the card
as training records it (the nine training views, pooled), the aspect views beside it."""

import json
import shutil

import pytest

from xray_core import config
from xray_core.cli.main import main as cli
from xray_core.evaluation.shifted_views import (
    held_out_scores,
    held_out_view_rows,
    shift_report,
    views_for,
)
from xray_core.store.catalog import read_card
from xray_core.training import shift


@pytest.fixture
def store(tiny_store, tmp_path, data_root, monkeypatch):
    root = tmp_path / "s"
    shutil.copytree(tiny_store, root)
    monkeypatch.setenv(config.STORE_ENV_VAR, str(root))
    monkeypatch.setenv(config.DATA_ENV_VAR, str(data_root))
    return root


def report_of(store, data_root, perturbed=True, aspect=True):
    from xray_core.store.catalog import load_model

    return shift_report(load_model("tiny", store), data_root, views_for(perturbed, aspect))


def test_card_shift_stores_the_nine_training_views_pooled(store, data_root):
    assert read_card("tiny", store).get("shifted_validation") is None
    assert cli(["card", "shift", "--model", "tiny", "--only", "perturbed", "--write"]) == 0
    report = report_of(store, data_root, aspect=False)
    table = read_card("tiny", store)["shifted_validation"]
    assert table == json.loads(json.dumps(report["perturbed"]))  # as stored
    n = table["plain"]["n"]
    assert set(shift.VIEWS) < set(table) and table["shifted (pooled)"]["n"] == len(shift.VIEWS) * n
    assert not set(shift.HELD_OUT_VIEWS) & set(table)


def test_card_shift_without_write_changes_nothing(store, capsys):
    before = (store / "tiny" / "card.json").read_bytes()
    assert cli(["card", "shift", "--model", "tiny"]) == 0
    assert "shifted (pooled)" in capsys.readouterr().out
    assert (store / "tiny" / "card.json").read_bytes() == before


def test_card_shift_stores_the_aspect_views_beside_the_training_views(store):
    cli(["card", "shift", "--model", "tiny", "--only", "aspect", "--write"])
    card = read_card("tiny", store)
    assert set(card["aspect_views"]) == {"plain", *shift.ASPECT_VIEWS}
    assert card.get("shifted_validation") is None
    cli(["card", "shift", "--model", "tiny", "--write"])
    card = read_card("tiny", store)
    assert not set(shift.ASPECT_VIEWS) & set(card["shifted_validation"])
    table = card["shifted_validation"]
    assert table["shifted (pooled)"]["n"] == len(shift.VIEWS) * table["plain"]["n"]
    assert set(card["aspect_views"]) == {"plain", *shift.ASPECT_VIEWS}


def test_held_out_cohort_is_scored_under_each_aspect_view(store, data_root):
    import numpy as np

    from xray_core.dataset.folders import load_arrays, train_cohort
    from xray_core.stats.calibration import apply_calibration
    from xray_core.store.catalog import load_model

    stored = load_model("tiny", store)
    held = train_cohort(data_root, "NORMAL2")[:6]
    y = np.array([0, 0, 1, 1, 1])  # validation: only its PNEUMONIA part joins the held normals
    cal = {v: np.array([0.1, 0.2, 0.7, 0.8, 0.9]) for v in ["plain", *shift.ASPECT_VIEWS]}
    views = ["gamma 0.5", "narrow 0.8", "shape mixed"]
    rows = held_out_view_rows(y, cal, *held_out_scores(stored, held, views), 0.5)
    assert set(rows) == {"plain", "narrow 0.8", "shape mixed"}
    assert all(r["n"] == 6 + 3 for r in rows.values())
    x, _ = load_arrays(held, stored.contract)
    p = apply_calibration(stored.probabilities(x), stored.card.get("calibration"))
    expected = shift.view_row(np.r_[np.zeros(6), np.ones(3)], np.r_[p, 0.7, 0.8, 0.9], 0.5)
    assert rows["plain"] == pytest.approx(expected)
    assert held_out_view_rows(y, cal, *held_out_scores(stored, held, ["gamma 0.5"]), 0.5) == {}


def test_card_shift_on_a_hold_out_run_stores_its_unseen_views(store, data_root, monkeypatch):
    from xray_core.dataset.folders import train_cohort
    from xray_core.predict import validation_scores as scores
    from xray_core.store.catalog import write_card

    card = read_card("tiny", store)
    cfg = {**card.training["config"], "hold_out_cohort": "NORMAL2"}
    held = {"cohort": "NORMAL2", "validation": {"n": 1}, "held-out cohort": {"n": 1}}
    training = {**card.training, "config": cfg}
    write_card("tiny", card.updated(training=training, held_out_cohort=held))
    few = train_cohort(data_root, "NORMAL2")[:5]
    monkeypatch.setattr(scores, "held_out_samples", lambda card, root: few)
    cli(["card", "shift", "--model", "tiny", "--only", "aspect", "--write"])
    report = report_of(store, data_root, perturbed=False)
    stored = read_card("tiny", store)["held_out_cohort"]
    assert set(stored["aspect_views"]) == {"plain", *shift.ASPECT_VIEWS}
    assert stored["aspect_views"] == json.loads(json.dumps(report["held_out_views"]))
    assert stored["held-out cohort"] == {"n": 1}  # the training's own block is kept
