"""xray_core.evaluation: the JSON report keeps every key and gains 95% intervals (`ci`)."""

import numpy as np
import pytest

from xray_core import uncertainty
from xray_core.evaluation import evaluate_folder


def test_evaluate_adds_intervals_around_its_figures(tiny_model, small_eval_dir):
    r = evaluate_folder(tiny_model, small_eval_dir, threshold=0.5)
    for key in (
        "n",
        "auc",
        "accuracy",
        "sensitivity",
        "specificity",
        "ppv",
        "npv",
        "threshold",
        "model",
        "counts",
        "confusion",
        "roc",
        "pr",
        "brier",
        "ece",
        "seconds",
    ):
        assert key in r, key
    assert set(r["ci"]) == {"auc", *uncertainty.PROPORTIONS}
    for key, interval in r["ci"].items():
        if r[key] is None:
            assert interval is None
            continue
        lo, hi = interval
        assert 0.0 <= lo <= r[key] + 1e-12 and r[key] - 1e-12 <= hi <= 1.0, key
    c = r["confusion"]
    k, n = c["tp"], c["tp"] + c["fn"]
    if k in (0, n):  # a degenerate bootstrap falls back to Wilson
        assert r["ci"]["sensitivity"] == pytest.approx(list(uncertainty.wilson_interval(k, n)))
    assert "bootstrap" in r["ci_method"]
    assert np.isfinite(r["brier"])
