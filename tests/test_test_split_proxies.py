"""research.test_split_proxies: proxies paired with the test figures of the same weights."""

import json

import pytest

from research.test_split_proxies import (
    card_proxies,
    proxy_table,
    rank_correlation,
    summary,
)
from xray_core.store.catalog import read_card


def test_rank_correlation_uses_only_known_pairs():
    assert rank_correlation([1, 2, 3, None], [10, 20, 30, 5]) == pytest.approx(1.0)
    assert rank_correlation([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert rank_correlation([1, None], [1, 2]) is None


def test_card_proxies_read_the_card_blocks():
    card = {
        "aspect_views": {"narrow 0.8": {"specificity": 0.9}},
        "shifted_validation": {"worst view": {"auc": 0.95}},
        "recipe_hold_out": {"held-out cohort": {"auc": 0.97}},
    }
    assert card_proxies(card) == (0.9, 0.95, 0.97)
    assert card_proxies({}) == (None, None, None)


def test_summary_fits_the_line_and_forecasts_from_it():
    rows = [
        {"narrow_spec": x, "test_spec": 0.4 + 0.5 * x, "worst_view_auc": None,
         "hold_out_auc": None, "test_auc": 0.9}
        for x in (0.1, 0.5, 0.9)
    ]  # fmt: skip
    out = summary(rows, [{"model": "m", "narrow_spec": 0.3}])
    assert out["line"]["slope"] == pytest.approx(0.5) and out["r"] == pytest.approx(1.0)
    assert out["forecast test spec"] == {"m": pytest.approx(0.55)}
    assert out["spearman narrow spec ~ test spec"] == pytest.approx(1.0)


def test_a_record_of_other_weights_is_not_paired_with_the_current_card(tiny_store, tmp_path):
    tiny = read_card("tiny", tiny_store)
    record = {"model": "tiny", "auc": 0.9, "specificity": 0.8}
    (tmp_path / "tiny.json").write_text(json.dumps({**record, "threshold": tiny.threshold}))
    rows, unscored = proxy_table(tmp_path, tiny_store)
    assert rows[0]["model"] == "tiny" and unscored == []
    (tmp_path / "tiny.json").write_text(json.dumps({**record, "threshold": 0.123}))
    rows, unscored = proxy_table(tmp_path, tiny_store)
    assert rows[0]["model"] == "tiny (former weights)" and rows[0]["narrow_spec"] is None
    assert [u["model"] for u in unscored] == ["tiny"]
