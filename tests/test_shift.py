"""Shifted validation: metrics on tiny cases recomputed from their definitions."""

from __future__ import annotations

import numpy as np
import pytest

from xray_core.training import shift

# 4 normals (2 per cohort), 4 pneumonias (bacteria, virus); calibrated scores.
NAMES = [
    "NORMAL2-IM-0001-0001.jpeg",
    "NORMAL2-IM-0002-0001.jpeg",
    "IM-0003-0001.jpeg",
    "IM-0004-0001.jpeg",
    "person1_bacteria_1.jpeg",
    "person2_bacteria_2.jpeg",
    "person3_virus_3.jpeg",
    "person4_virus_4.jpeg",
]
Y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
P = np.array([0.6, 0.2, 0.1, 0.3, 0.9, 0.8, 0.4, 0.7])


@pytest.mark.parametrize(
    ("name", "cohort"),
    [
        ("NORMAL2-IM-1427-0001.jpeg", "NORMAL2"),
        ("IM-0640-0001-0001.jpeg", "IM"),
        ("person447_virus_921_1.jpeg", "virus"),
        ("person1_bacteria_1.jpeg", "bacteria"),
        ("odd.png", "other"),
    ],
)
def test_cohort_of(name, cohort):
    assert shift.cohort_of(name) == cohort


def test_view_row_from_definitions():
    row = shift.view_row(Y, P, 0.5)
    # flagged at 0.5: 0.6 (normal), 0.9, 0.8, 0.7 -> sens 3/4, spec 3/4
    assert row["sensitivity"] == 0.75 and row["specificity"] == 0.75
    # AUC: pairs (pos > neg) over 16: 0.9, 0.8, 0.7 beat all 4; 0.4 beats 0.2, 0.1, 0.3
    assert row["auc"] == pytest.approx(15 / 16)
    # sensitivity 0.95 of 4 positives needs all 4 flagged: threshold below 0.4 -> only the
    # normals at 0.1, 0.2 and 0.3 stay below: spec 3/4
    assert row["spec_at_sens95"] == 0.75 and row["n"] == 8


def test_perturbed_table_pools_the_shifted_views_only():
    raw = {"plain": P, "a": np.clip(P + 0.05, 0, 1), "b": P[::-1].copy()}
    rows = shift.perturbed_table(Y, raw, None, 0.5)
    assert set(rows) == {"plain", "a", "b", "shifted (pooled)", "worst view"}
    pooled = shift.view_row(np.tile(Y, 2), np.concatenate([raw["a"], raw["b"]]), 0.5)
    assert rows["shifted (pooled)"] == pooled and rows["shifted (pooled)"]["n"] == 16
    assert rows["worst view"]["auc"] == min(rows["a"]["auc"], rows["b"]["auc"])


def test_perturbed_table_applies_the_calibration():
    cal = {"method": "platt", "a": 1.0, "b": 0.0}  # identity in logit space
    rows = shift.perturbed_table(Y, {"plain": P}, cal, 0.5)
    assert rows["plain"]["sensitivity"] == 0.75


def test_cohort_table_from_definitions():
    rows = shift.cohort_table(Y, P, NAMES, 0.5)
    assert rows["NORMAL NORMAL2"]["specificity"] == 0.5  # 0.6 flagged, 0.2 not
    assert rows["NORMAL IM"]["specificity"] == 1.0
    assert rows["NORMAL NORMAL2"]["mean_p"] == pytest.approx(0.4)
    # NORMAL2 normals (0.6, 0.2) vs all pneumonias (0.9, 0.8, 0.4, 0.7): 7 of 8 pairs
    assert rows["NORMAL NORMAL2"]["auc_vs_all_pneumonia"] == pytest.approx(7 / 8)
    assert rows["PNEUMONIA bacteria"]["sensitivity"] == 1.0
    assert rows["PNEUMONIA virus"]["sensitivity"] == 0.5


def test_threshold_rules_keep_sensitivity_on_every_view():
    cal = {"plain": P, "a": np.clip(P - 0.15, 0, 1)}
    rules = shift.threshold_rules(Y, cal)
    t = rules["every view sens>=0.95"]
    for p in cal.values():
        assert np.mean(p[Y == 1] >= t) >= 0.95
    assert t <= rules["plain sens>=0.95"]
    table = shift.rule_table(Y, cal, NAMES, rules)
    assert table["every view sens>=0.95"]["shifted_sens"] == 1.0
    assert "held_out" not in table["plain sens>=0.95"]


def test_rule_table_reports_the_rate_kept_on_a_held_out_cohort():
    cal = {"plain": P}
    rules = {"low": 0.3, "high": 0.7}
    normals = np.array([0.1, 0.5, 0.9, 0.2])
    table = shift.rule_table(Y, cal, NAMES, rules, held=(normals, 0))
    assert table["low"]["held_out"] == 0.5 and table["high"]["held_out"] == 0.75
    pneumonias = shift.rule_table(Y, cal, NAMES, rules, held=(normals, 1))
    assert pneumonias["low"]["held_out"] == 0.5 and pneumonias["high"]["held_out"] == 0.25


def test_perturb_view_is_fixed_by_the_seed():
    x = np.random.default_rng(0).integers(0, 256, (2, 32, 32)).astype(np.uint8)
    for view in shift.VIEWS:
        a, b = shift.perturb_view(x, view), shift.perturb_view(x, view)
        assert np.array_equal(a, b) and a.shape == x.shape and a.dtype == np.uint8


def test_unknown_view_lists_the_valid_ones():
    with pytest.raises(ValueError, match="gamma"):
        shift.perturb_view(np.zeros((1, 8, 8), np.uint8), "fog")


def test_held_out_views_are_pooled_apart_and_not_calibrated_on():
    raw = {"plain": P, "gamma 2.0": np.clip(P + 0.1, 0, 1), "sharpen": P[::-1].copy()}
    rows = shift.perturbed_table(Y, raw, None, 0.5)
    assert rows["shifted (pooled)"] == shift.view_row(Y, raw["gamma 2.0"], 0.5)
    assert rows["held-out (pooled)"] == shift.view_row(Y, raw["sharpen"], 0.5)
    assert shift.perturbed_keys(raw) == ["gamma 2.0"]
    cal = shift.shifted_calibration(Y, raw)
    both = shift.shifted_calibration(Y, {"plain": P, "gamma 2.0": raw["gamma 2.0"]})
    assert (cal["a"], cal["b"]) == (both["a"], both["b"])


def test_aspect_views_stay_out_of_the_pooled_figures():
    raw = {"plain": P, "gamma 2.0": np.clip(P + 0.1, 0, 1), "narrow 0.8": np.clip(P + 0.3, 0, 1)}
    rows = shift.perturbed_table(Y, raw, None, 0.5)
    assert shift.perturbed_keys(raw) == ["gamma 2.0"]
    assert rows["shifted (pooled)"] == shift.view_row(Y, raw["gamma 2.0"], 0.5)
    assert rows["narrow 0.8"] == shift.view_row(Y, raw["narrow 0.8"], 0.5)
    assert set(shift.aspect_rows(rows)) == {"plain", "narrow 0.8"}
    kept = shift.without_aspect(rows)
    assert "narrow 0.8" not in kept and "gamma 2.0" in kept


def test_aspect_views_change_the_anatomy_shape():
    x = np.zeros((1, 64, 64), np.uint8)
    x[0, 20:44, 20:44] = 255
    narrow, wide = (shift.perturb_view(x, v)[0] > 127 for v in ("narrow 0.8", "wide 1.25"))
    assert narrow.any(1).sum() == 30 and narrow.any(0).sum() == 24  # taller: narrower anatomy
    assert wide.any(0).sum() == 30 and wide.any(1).sum() == 24


def test_shape_mixed_view_gives_each_image_its_own_seeded_change():
    x = np.zeros((6, 64, 64), np.uint8)
    x[:, 20:44, 20:44] = 255
    out = shift.perturb_view(x, "shape mixed")
    assert np.array_equal(out, shift.perturb_view(x, "shape mixed"))  # fixed by the seed
    ratios = [im.any(0).sum() / im.any(1).sum() for im in out > 127]
    assert len(set(np.round(ratios, 3))) > 1  # not one change for all
    assert all(0.75 <= r <= 1.3 for r in ratios)


def test_shifted_calibration_reports_plain_and_perturbed_ece():
    from xray_core.stats.calibration import apply_calibration, ece, fit_platt

    raw = {"plain": P, "blur 2.0": np.clip(P + 0.1, 0, 1)}
    cal = shift.shifted_calibration(Y, raw)
    fitted = fit_platt(np.concatenate([P, raw["blur 2.0"]]), np.tile(Y, 2))
    assert cal["a"] == pytest.approx(fitted["a"]) and cal["b"] == pytest.approx(fitted["b"])
    assert cal["before"]["ece"] == pytest.approx(ece(P, Y))
    after = apply_calibration(raw["blur 2.0"], fitted)
    assert cal["after"]["ece_perturbed"] == pytest.approx(ece(after, Y))


def test_sample_view_scores_reads_files_and_scores_each_view(tmp_path):
    """Files -> raw gray -> every view through the contract: same as `perturbed_scores` on
    the images decoded by hand; labels come back in the samples' order."""
    from PIL import Image

    from xray_core.dataset.folders import Sample, load_arrays
    from xray_core.io.contract import ImageContract
    from xray_core.training import augment

    rng = np.random.default_rng(5)
    samples = []
    for i, label in enumerate([1, 0, 1]):
        path = tmp_path / f"im{i}.png"
        Image.fromarray(rng.integers(0, 256, (80, 90), dtype=np.uint8)).save(path)
        samples.append(Sample(path, label, f"p{i}"))
    contract = ImageContract(64, 1, "unit", True)

    def predict(x):
        return x.reshape(len(x), -1).mean(axis=1)

    raw, y = shift.sample_view_scores(predict, samples, contract, ["gamma 2.0", "blur 2.0"])
    np.testing.assert_array_equal(y, [1, 0, 1])
    assert sorted(raw) == ["blur 2.0", "gamma 2.0", "plain"]
    x, _ = load_arrays(samples, augment.raw_contract(contract))
    expected = shift.perturbed_scores(predict, augment.unit_to_u8(x), contract, ["gamma 2.0"])
    np.testing.assert_allclose(raw["gamma 2.0"], expected["gamma 2.0"])
    np.testing.assert_allclose(raw["plain"], expected["plain"])
    assert not np.allclose(raw["gamma 2.0"], raw["plain"])


def test_held_out_set_table_judges_the_held_out_patients_on_their_own():
    """An id range holds both classes: its row is `view_row` of the held-out images alone."""
    y_held, p_held = [0, 1, 1], [0.6, 0.7, 0.3]
    table = shift.held_out_set_table(Y, P, y_held, p_held, threshold=0.5)
    assert table["validation"] == shift.view_row(Y, P, 0.5)
    row = table["held-out cohort"]
    assert row == {**shift.view_row(np.array(y_held), np.array(p_held), 0.5), "n_held_out": 3}
    assert row["n"] == 3 and row["specificity"] == 0.0 and row["sensitivity"] == 0.5
    assert row["auc"] == pytest.approx(0.5)  # 0.6 is below 0.7, above 0.3


def test_held_out_cohort_table_pairs_the_cohort_with_the_other_class():
    """Held-out normals at 0.2, 0.7 (one above 0.5) against validation's pneumonias."""
    table = shift.held_out_cohort_table(Y, P, [0.2, 0.7], held_label=0, threshold=0.5)
    assert table["validation"] == shift.view_row(Y, P, 0.5)
    row = table["held-out cohort"]
    assert row["n"] == 6 and row["n_held_out"] == 2
    assert row["specificity"] == pytest.approx(0.5)  # 0.7 >= 0.5 is a false alarm
    assert row["sensitivity"] == pytest.approx(0.75)  # validation pneumonias: 0.4 missed
    # AUC over (held normal, pneumonia) pairs: 0.2 is below all 4; 0.7 is below 0.9 and 0.8,
    # ties 0.7 (half a pair) and is above 0.4
    assert row["auc"] == pytest.approx((4 + 2.5) / 8)
