"""xray_core.evaluation.validation_figures: the figures every screen and the report share."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from xray_core.evaluation.validation_figures import (
    figures_from_scores,
    figures_table,
    validation_figures,
)
from xray_core.predict.validation_scores import load_scores
from xray_core.stats import uncertainty
from xray_core.store.catalog import default_model, read_card


def _data(seed=0):
    rng = np.random.default_rng(seed)
    y = np.r_[np.ones(90, int), np.zeros(60, int)]
    p = 1 / (1 + np.exp(-np.r_[rng.normal(1.5, 1, 90), rng.normal(-1, 1, 60)]))
    return y, p


def test_values_recomputed_from_definitions_and_intervals_match_uncertainty():
    y, p = _data()
    fig = figures_from_scores("m", y, p, 0.5, n_resamples=400, seed=3)
    flagged = p >= 0.5
    assert fig.values["auc"] == pytest.approx(roc_auc_score(y, p))
    assert fig.values["sensitivity"] == pytest.approx(flagged[y == 1].mean())
    assert fig.values["specificity"] == pytest.approx((~flagged[y == 0]).mean())
    assert fig.values["ppv"] == pytest.approx(y[flagged].mean())
    assert fig.intervals == uncertainty.metric_intervals(y, p, 0.5, 400, 3)
    assert (fig.n, fig.n_pos, fig.n_neg) == (150, 90, 60)
    assert fig.prevalence == pytest.approx(0.6)
    assert fig.n_text() == "n = 150 (90 pneumonia, 60 normal)"


def test_table_states_what_each_figure_rests_on():
    y, p = _data(2)
    fig = figures_from_scores("m", y, p, 0.5, n_resamples=200)
    rows = {r["figure"].split(" (")[0]: r for r in figures_table(fig)}
    c = fig.confusion
    assert rows["Sensitivity"]["n"] == 90 and rows["Specificity"]["n"] == 60
    assert rows["PPV"]["n"] == c["tp"] + c["fp"] and rows["NPV"]["n"] == c["tn"] + c["fn"]
    assert rows["AUC"]["text"].count(".") == 3  # 0.997 (0.993–0.999): three digits
    assert rows["Sensitivity"]["text"] == uncertainty.format_interval(
        fig.values["sensitivity"], fig.intervals["sensitivity"]
    )


def test_shipped_default_model_figures_match_its_card():
    name = default_model()
    card, scores = read_card(name), load_scores(name)
    fig = validation_figures(card, scores, n_resamples=500)
    v = card["validation"]
    assert fig.threshold == card["threshold"] and fig.n == v["n"]
    for k in ("auc", "sensitivity", "specificity", "ppv", "npv"):
        assert fig.values[k] == pytest.approx(v[k])
        assert fig.intervals[k][0] <= fig.values[k] <= fig.intervals[k][1]
    assert validation_figures(card, None) is None
