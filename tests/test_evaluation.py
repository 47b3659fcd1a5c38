"""xray_core.evaluation.folder: the JSON report keeps every key and gains 95% intervals (`ci`)."""

import numpy as np

from xray_core.dataset.folders import cohort_of
from xray_core.evaluation.folder import evaluate_folder
from xray_core.stats import uncertainty
from xray_core.training import shift


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
    for key, interval in r["ci"].items():  # 6 X-rays per class: too few for any interval
        assert interval == (None if r[key] is None else uncertainty.TOO_FEW), key
    assert "bootstrap" in r["ci_method"]
    assert np.isfinite(r["brier"])


def test_evaluate_reports_threshold_free_specificity_and_cohorts(tiny_model, small_eval_dir):
    """spec_at_sens95 is the shift tables' figure on these images; `cohorts` has a row per
    file-name cohort present, counts that add up, and no file name or patient id."""
    r = evaluate_folder(tiny_model, small_eval_dir, threshold=0.5)
    assert 0.0 <= r["spec_at_sens95"] <= 1.0
    names = [p.name for c in ("NORMAL", "PNEUMONIA") for p in (small_eval_dir / c).iterdir()]
    present = {cohort_of(n) for n in names}
    rows = r["cohorts"]
    assert {k.split()[1] for k in rows} == present - {"other"}
    assert sum(row["n"] for row in rows.values()) == r["n"]
    text = str(rows)
    assert not any(n.split("_")[0] in text or n[:7] in text for n in names)


def test_evaluate_without_the_datasets_names_reports_no_cohorts(
    tiny_model, small_eval_dir, tmp_path
):
    for cls in ("NORMAL", "PNEUMONIA"):
        (tmp_path / cls).mkdir()
        for i, p in enumerate(sorted((small_eval_dir / cls).iterdir())):
            (tmp_path / cls / f"study_{i}.jpeg").write_bytes(p.read_bytes())
    r = evaluate_folder(tiny_model, tmp_path, threshold=0.5)
    assert "cohorts" not in r
    assert r["spec_at_sens95"] == evaluate_folder(tiny_model, small_eval_dir, 0.5)["spec_at_sens95"]
    assert shift.spec_at_sensitivity([0, 1, 1], [0.2, 0.9, 0.1]) == 0.0
