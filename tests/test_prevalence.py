"""Tests for xray_core.stats.prevalence: Bayes' rule, natural frequencies, words and icons."""

import numpy as np
import pytest

from xray_core.stats import prevalence


@pytest.mark.parametrize(
    "sens,spec,prev",
    [(0.97, 0.97, 0.74), (0.9, 0.8, 0.05), (1.0, 0.5, 0.3), (0.5, 1.0, 0.01), (0.0, 0.0, 0.6)],
)
def test_predictive_values_match_counts_in_a_large_population(sens, spec, prev):
    n = 1_000_000
    sick = prev * n
    tp, fn = sens * sick, (1 - sens) * sick
    tn, fp = spec * (n - sick), (1 - spec) * (n - sick)
    ppv, npv = prevalence.predictive_values(sens, spec, prev)
    assert ppv == (pytest.approx(tp / (tp + fp)) if tp + fp else None)
    assert npv == (pytest.approx(tn / (tn + fn)) if tn + fn else None)


def test_predictive_values_vectorised():
    sens, spec = np.array([0.9, 0.95]), np.array([0.8, 0.99])
    ppv, npv = prevalence.predictive_values(sens, spec, 0.1)
    for i in range(2):
        assert ppv[i] == pytest.approx(prevalence.predictive_values(sens[i], spec[i], 0.1)[0])
        assert npv[i] == pytest.approx(prevalence.predictive_values(sens[i], spec[i], 0.1)[1])


@pytest.mark.parametrize("prev", [0.0, 1.0, -0.1, 1.5])
def test_prevalence_must_be_a_fraction(prev):
    with pytest.raises(ValueError, match="prevalence"):
        prevalence.predictive_values(0.9, 0.9, prev)


@pytest.mark.parametrize("sens", [0.0, 0.333, 0.5, 0.9705, 1.0])
@pytest.mark.parametrize("spec", [0.0, 0.1234, 0.97, 1.0])
@pytest.mark.parametrize("prev", [0.01, 0.015, 0.12, 0.3333, 0.6, 0.742])
def test_natural_frequencies_add_up_to_1000(sens, spec, prev):
    f = prevalence.natural_frequencies(sens, spec, prev)
    assert f["tp"] + f["fn"] + f["fp"] + f["tn"] == 1000
    assert f["with_pneumonia"] == round(prev * 1000)
    assert f["tp"] == round(sens * f["with_pneumonia"])
    assert f["tn"] == round(spec * f["without"])
    assert f["flagged"] == f["tp"] + f["fp"] and f["cleared"] == f["fn"] + f["tn"]
    assert min(f.values()) >= 0
    icons = prevalence.icon_array(f)
    assert len(icons["category"]) == len(icons["x"]) == len(icons["y"]) == 1000
    assert sum(icons["counts"].values()) == 1000
    for key in ("tp", "fn", "fp", "tn"):
        assert icons["category"].count(key) == f[key]


def test_icon_array_layout_is_row_major():
    f = prevalence.natural_frequencies(0.9, 0.8, 0.12)
    icons = prevalence.icon_array(f, columns=40)
    assert icons["rows"] == 25 and max(icons["x"]) == 39 and max(icons["y"]) == 24
    assert (icons["x"][41], icons["y"][41]) == (1, 1)
    assert icons["category"][0] == "tp" and icons["category"][-1] == "tn"


def test_icon_array_rejects_counts_that_do_not_add_up():
    bad = {"total": 1000, "tp": 10, "fn": 0, "fp": 0, "tn": 10}
    with pytest.raises(ValueError, match="add up"):
        prevalence.icon_array(bad)


def test_sentences_use_singular_and_plural():
    one = {"total": 1000, "with_pneumonia": 1, "tp": 1, "fn": 1, "fp": 1, "tn": 1, "flagged": 2}
    text = " ".join(prevalence.frequency_sentences(one))
    assert "1 has pneumonia" in text
    assert "1 of them has pneumonia and 1 does not (false alarm)" in text
    assert "1 child with pneumonia is missed" in text
    assert "1 child without pneumonia is correctly cleared" in text
    many = prevalence.natural_frequencies(110 / 120, 810 / 880, 0.12)
    assert prevalence.headline_sentence(many) == (
        "Of 1,000 children X-rayed, 120 have pneumonia; the model flags 180: 110 of them have "
        "it, 10 children with pneumonia are missed."
    )
    text = " ".join(prevalence.frequency_sentences(many))
    assert "70 do not (false alarms)" in text and "810 children without" in text
    assert prevalence.children(0) == "0 children" and prevalence.children(1000) == "1,000 children"
