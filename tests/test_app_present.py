"""AppTest: the presentation page (pages/present.py) and the figures with CIs elsewhere."""

from __future__ import annotations

import re

import pytest
from store_helpers import scored_model
from streamlit.testing.v1 import AppTest
from test_app import no_exceptions

from xray_app.present import GALLERY_PER_KIND
from xray_app.state import STUDY_KEY
from xray_core.evaluation import external_test
from xray_core.evaluation.figure_sheet import DEFAULT_PREVALENCE, figure_sheet
from xray_core.evaluation.shape_cue import limitations
from xray_core.evaluation.validation_figures import validation_figures
from xray_core.predict.validation_scores import load_scores
from xray_core.report.gallery import kind_counts
from xray_core.stats.uncertainty import format_interval
from xray_core.store.catalog import default_model, read_card


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
def page(shipped, open_app) -> AppTest:
    at = open_app().run()
    at.switch_page("pages/present.py").run()
    no_exceptions(at)
    return at


def test_the_defaults_headline_is_its_withheld_split_or_says_it_is_not_scored(page, shipped):
    card, scores = shipped
    head = figure_sheet(card, scores, card["threshold"], DEFAULT_PREVALENCE).headline
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["AUC"] == f"{head.values['auc']:.3f}"
    if external_test.figures(card) is None:
        assert head.key == "validation"
        assert "not scored on the withheld test split yet" in texts(page).lower()
    else:
        assert head.key == "test"


def test_headline_is_the_withheld_test_split_with_intervals_and_n(page):
    name = scored_model()
    page.selectbox(key="_sb_model").set_value(name).run()
    try:
        check_test_split_headline(page, read_card(name), load_scores(name))
    finally:
        page.selectbox(key="_sb_model").set_value(default_model()).run()


def check_test_split_headline(page, card, scores):
    """A scored model's Present page: the test split's figures, intervals and n."""
    no_exceptions(page)
    sheet = figure_sheet(card, scores, card["threshold"], DEFAULT_PREVALENCE)
    head = sheet.headline
    assert head.key == "test"
    assert any("Pneumonia on children's chest X-rays" in t.value for t in page.markdown)
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["AUC"] == head.parts("auc")[0] == f"{head.values['auc']:.3f}"
    assert metrics["Sensitivity"] == head.parts("sensitivity")[0]
    shown = texts(page)
    assert f"95% CI {head.parts('sensitivity')[1]}" in shown
    assert f"n = {head.n_pos:,} with pneumonia" in shown
    assert "The training hospital (its validation split" in shown  # beside the headline
    assert any("not a medical device" in w.value.lower() for w in page.warning)
    assert all(item in shown for item in limitations(card))  # in the "Use and limitations"


def test_prevalence_opens_at_the_stated_assumption_and_recomputes(page, shipped):
    card, scores = shipped
    slider = page.slider(key="present_prevalence")
    assert slider.value == round(100 * DEFAULT_PREVALENCE)  # an assumption, not the split's 74%
    assert "assumption" in slider.help
    slider.set_value(10).run()
    no_exceptions(page)
    at10 = figure_sheet(card, scores, card["threshold"], 0.10).at
    assert at10["headline"] in texts(page)
    assert f"PPV {format_interval(at10['ppv'], at10['ppv_ci'])}" in texts(page)


def test_gallery_opens_a_case_in_explain(page, shipped):
    card, scores = shipped
    counts = kind_counts(scores["labels"], scores["probabilities"], card["threshold"])
    shown = [min(GALLERY_PER_KIND, counts[k]) for k in ("tp", "fp", "fn")]
    assert shown[1] >= 1, "the default model has no false alarm on validation to show"
    captions = [c for img in page.get("image") for c in img.captions]
    assert len(captions) == sum(shown) and all(c.endswith("%") for c in captions)
    kinds = [c.value for c in page.caption if c.value.endswith("s**")]
    assert kinds == ["**True positives**", "**False positives**", "**False negatives**"]
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
    named = " ".join(m.value for m in page.markdown)
    assert "(Present gallery, validation image)" in named and "false positive" in named


def test_present_toggle_hides_the_sidebar(shipped, app):
    at = app
    at.switch_page("pages/present.py").run()
    assert "stSidebar" not in styles(at)
    at.toggle(key="present_mode").set_value(True).run()
    no_exceptions(at)
    assert '[data-testid="stSidebar"]' in styles(at) and "display: none" in styles(at)


def test_threshold_moves_the_model_card_figures(shipped, app):
    card, scores = shipped
    at = app
    at.slider(key="_sb_threshold").set_value(0.5).run()
    at.switch_page("pages/model_card.py").run()
    no_exceptions(at)
    fig = validation_figures(card, scores, 0.5)
    table = at.table[0].value
    column = next(c for c in table.columns if c.startswith("the training hospital"))
    values = dict(zip(table["figure"], table[column]))
    assert values["Sensitivity (95% CI)"] == fig.text("sensitivity", 2)
    assert values["AUC (95% CI)"] == fig.text("auc", 3)
    assert at.slider(key="card_prevalence").value == round(100 * DEFAULT_PREVALENCE)
