"""AppTest: the presentation page (pages/present.py) and the figures with CIs elsewhere."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from xray_app.present import GALLERY_PER_KIND
from xray_app.state import STUDY_KEY
from xray_core import config, external_test, prevalence
from xray_core.cohort_evidence import withheld_split_line
from xray_core.gallery import kind_counts
from xray_core.scores import load_scores
from xray_core.store import default_model, list_models, read_card
from xray_core.validation_figures import validation_figures

APP = str(config.PROJECT_ROOT / "streamlit_app.py")
TIMEOUT = 300


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def texts(at: AppTest) -> str:
    return " ".join(
        [m.value for m in at.markdown]
        + [c.value for c in at.caption]
        + [h.value for h in at.header]
    )


def styles(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown if "<style>" in m.value)


@pytest.fixture(scope="module")
def shipped(data_root):
    card = read_card(default_model())
    return card, load_scores(card["name"])


@pytest.fixture(scope="module")
def page(shipped) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/present.py").run()
    no_exceptions(at)
    return at


def test_headline_figures_with_intervals_and_n(page, shipped):
    card, scores = shipped
    fig = validation_figures(card, scores)
    assert any("Pneumonia on children's chest X-rays" in t.value for t in page.title)
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["AUC"] == f"{fig.values['auc']:.3f}"
    assert metrics["Sensitivity"] == f"{fig.values['sensitivity']:.2f}"
    lo, hi = fig.intervals["sensitivity"]
    shown = texts(page)
    assert f"95% CI {lo:.2f}–{hi:.2f}" in shown
    assert f"n = {fig.n_pos:,} with pneumonia" in shown
    assert "flatters every model" in shown and "site validation report" in shown
    assert any("not a medical device" in w.value.lower() for w in page.warning)
    assert "Bacterial and viral pneumonia are not told apart." in shown  # limitations
    assert [i.value for i in page.info] == [
        withheld_split_line(card, {n: read_card(n) for n in list_models()})
    ]
    assert external_test.figures(card) is not None or "have not been scored" in page.info[0].value


def test_prevalence_control_recomputes_natural_frequencies(page, shipped):
    card, scores = shipped
    fig = validation_figures(card, scores)
    slider = page.slider(key="present_prevalence")
    assert slider.value == round(100 * fig.prevalence)  # default: the validation prevalence
    slider.set_value(10).run()
    no_exceptions(page)
    freq = prevalence.natural_frequencies(
        fig.values["sensitivity"], fig.values["specificity"], 0.10
    )
    for sentence in prevalence.frequency_sentences(freq):
        assert sentence in texts(page)
    at10 = fig.at_prevalence(0.10)
    assert f"PPV {at10['ppv']:.2f} ({at10['ppv_ci'][0]:.2f}–{at10['ppv_ci'][1]:.2f})" in texts(page)


def test_gallery_opens_a_case_in_explain(page, shipped):
    kinds = [s.value for s in page.subheader]
    assert kinds[:3] == ["True positive", "False positive", "False negative"]
    card, scores = shipped
    counts = kind_counts(scores["labels"], scores["probabilities"], card["threshold"])
    shown = [min(GALLERY_PER_KIND, counts[k]) for k in ("tp", "fp", "fn")]
    assert shown[1] >= 1, "the default model has no false alarm on validation to show"
    captions = [c for img in page.get("image") for c in img.captions]
    assert sum(c.startswith("P(pneumonia)") for c in captions) == sum(shown)
    assert not any(re.search(r"person\d+_|IM-\d{4}", c) for c in captions), captions
    assert page.get("download_button"), "no PDF download button"
    explain = [b for b in page.button if b.label == "Explain"]
    assert len(explain) == sum(shown)
    fp = explain[shown[0]]  # the most confident false alarm
    fp.click().run()
    no_exceptions(page)
    assert any(t.value == "Explain" for t in page.title)
    study = page.session_state[STUDY_KEY]
    assert study.kind == "image" and study.size == (224, 224)


def test_present_toggle_hides_the_sidebar(shipped):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/present.py").run()
    assert "stSidebar" not in styles(at)
    at.toggle(key="present_mode").set_value(True).run()
    no_exceptions(at)
    assert '[data-testid="stSidebar"]' in styles(at) and "display: none" in styles(at)


def test_threshold_moves_the_model_card_figures(shipped):
    card, scores = shipped
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.slider(key="_sb_threshold").set_value(0.5).run()
    at.switch_page("pages/model_card.py").run()
    no_exceptions(at)
    fig = validation_figures(card, scores, 0.5)
    table = at.table[0].value
    values = dict(zip(table["metric"], table["value"]))
    assert values["sensitivity (95% CI)"] == fig.text("sensitivity", 3)
    assert values["AUC (95% CI)"] == fig.text("auc", 4)
    assert at.slider(key="card_prevalence").value == round(100 * fig.prevalence)
