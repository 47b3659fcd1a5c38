"""AppTest: pages a person can hold. What shows before anything is opened (text outside
collapsed expanders) stays short on the Model card, keeps its essentials in view, and the fine
print of Predict and Explain waits behind labelled expanders."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import element_tree as et
from test_app import no_exceptions

from xray_core.evaluation.figure_sheet import DEFAULT_PREVALENCE, figure_sheet
from xray_core.evaluation.shape_cue import limitations
from xray_core.explain import checks
from xray_core.predict.validation_scores import load_scores
from xray_core.store.catalog import default_model, list_models, read_card

MODEL_CARD_WORDS = 500
WORD = re.compile(r"[^\W_]+(?:[.,'’–/-][^\W_]+)*")  # "0.981", "1,000", "1–5" are one word each


def shown_texts(node, *, visible_only: bool = True):
    """The text of every element under `node` as the page draws it by default: markdown,
    headings and captions, alerts, metric labels and values, table and dataframe headers and
    cells, widget labels, image captions and expander labels; with `visible_only`, nothing
    inside a collapsed expander. Charts, images and JSON are not text."""
    if isinstance(node, et.Expander):
        yield node.label
        if visible_only and not node.proto.expanded:
            return
    if isinstance(node, et.Block):
        for child in node.children.values():
            yield from shown_texts(child, visible_only=visible_only)
    elif isinstance(node, (et.Table, et.Dataframe)):
        frame = node.value
        yield " ".join(str(c) for c in frame.columns)
        yield " ".join(str(v) for v in frame.to_numpy().ravel())
    elif isinstance(node, et.Metric):
        yield from (node.label, node.value)
    elif isinstance(node, (et.Markdown, et.HeadingBase, et.AlertBase)):
        yield node.value
    elif node.type == "image":
        yield from node.captions
    elif isinstance(getattr(node, "label", None), str):
        yield node.label


def visible(at: AppTest) -> str:
    """The main area's text by default (the sidebar apart)."""
    return " ".join(shown_texts(at.main))


def hidden(at: AppTest) -> str:
    """The main area's text inside collapsed expanders only (crudely: every text minus the
    visible ones, as whole strings)."""
    seen = set(shown_texts(at.main))
    return " ".join(t for t in shown_texts(at.main, visible_only=False) if t not in seen)


def word_count(text: str) -> int:
    return len(WORD.findall(text))


def test_words_inside_a_collapsed_expander_are_not_counted():
    def script():
        import streamlit as st

        st.title("One two")
        st.caption("three")
        st.metric("four five", "0.97")
        st.table({"six": ["seven eight"]})
        st.warning("1,000 children")
        with st.expander("nine"):
            st.markdown("these words are hidden until opened")
            st.table({"hidden": ["cells"]})
        with st.expander("ten", expanded=True):
            st.markdown("eleven")

    at = AppTest.from_function(script).run()
    no_exceptions(at)
    # One two | three | four five 0.97 | six seven eight | 1,000 children | nine | ten eleven
    assert word_count(visible(at)) == 2 + 1 + 3 + 3 + 2 + 1 + 2
    assert "hidden" not in visible(at) and "these words are hidden" in hidden(at)


@pytest.mark.parametrize("name", list_models())
def test_model_card_shows_at_most_500_words_by_default(app, name):
    app.selectbox(key="_sb_model").set_value(name).run()
    app.switch_page("pages/model_card.py").run()
    no_exceptions(app)
    n = word_count(visible(app))
    print(f"\nModel card of {name}, visible words by default: {n} (limit {MODEL_CARD_WORDS})")
    assert n <= MODEL_CARD_WORDS, visible(app)


def test_model_card_keeps_the_essentials_in_view(app):
    """Intended use, population, the headline figures with their source and intervals,
    sensitivity and specificity at the threshold, the main limitation: all outside expanders;
    the fine print (calibration, the benchmark's lines, the shift notes) behind them."""
    card = read_card(default_model())
    sheet = figure_sheet(
        card, load_scores(card["name"]), card["threshold"], DEFAULT_PREVALENCE
    )  # the shipped threshold, the default prevalence: the page's opening state
    app.switch_page("pages/model_card.py").run()
    no_exceptions(app)
    shown = visible(app)
    for essential in (card["intended_use"], card["population"], sheet.source_line):
        assert essential in shown
    head = sheet.headline
    for key in ("auc", "sensitivity", "specificity"):
        assert head.text(key) in shown, key  # value (95% interval)
    assert sheet.threshold_text in shown
    assert limitations(card)[0] in shown
    fine_print = hidden(app)
    assert "Brier" in fine_print and "Brier" not in shown
    assert checks.CAVEAT in fine_print and checks.CAVEAT not in shown
    assert card["robustness"] in fine_print and card["robustness"] not in shown


def test_predict_keeps_fine_print_behind_expanders(uploaded):
    shown = visible(uploaded)
    assert "Verdict" in shown and "Sensitivity" in shown and "95% CI" in shown
    assert "Of 1,000 children X-rayed" in shown
    fine_print = hidden(uploaded)
    for note in ("Headline:", "penultimate features", "official train split"):
        assert note in fine_print and note not in shown, note
    n = word_count(shown)
    print(f"\nPredict after an upload, visible words by default: {n}")


def test_explain_keeps_the_checks_reading_notes_behind_an_expander(uploaded):
    uploaded.switch_page("pages/explain.py").run()
    uploaded.toggle(key="explain_check").set_value(True).run()
    no_exceptions(uploaded)
    shown, fine_print = visible(uploaded), hidden(uploaded)
    assert "Model randomisation" in shown  # the table of this image's checks
    assert checks.CAVEAT in fine_print and checks.CAVEAT not in shown
    assert "low is good" in fine_print and "low is good" not in shown
    print(f"\nExplain with the checks on, visible words by default: {word_count(shown)}")
