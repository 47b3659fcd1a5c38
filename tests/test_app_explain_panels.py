"""AppTest for the explanation panels: the faithfulness panel beside a map, nearest cases on
Predict and Explain, and the model card's "how far to trust the maps"."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from xray_app import explanations
from xray_core.explain import checks, registry, verdict
from xray_core.store.catalog import default_model, read_card
from xray_core.text import wording


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return " ".join(parts + [e.value for e in at.success] + [e.value for e in at.warning])


def test_predict_shows_cases_like_this_one(uploaded):
    assert "Cases like this one" in [s.value for s in uploaded.subheader]
    assert "training X-rays most like this one" in texts(uploaded)
    assert "distance" in texts(uploaded)


def verdict_texts(at: AppTest) -> list[str]:
    """Every success / warning / info box that states a verdict on the map."""
    boxes = [*at.success, *at.warning, *at.info]
    return [b.value for b in boxes if "benchmark" in b.value or "finds no evidence" in b.value]


def test_explain_faithfulness_panel_beside_the_map(uploaded):
    uploaded.switch_page("pages/explain.py").run()
    assert not uploaded.exception, [e.value for e in uploaded.exception]
    assert "Check this map" in uploaded.toggle(key="explain_check").label
    uploaded.toggle(key="explain_check").set_value(True).run()
    assert not uploaded.exception, [e.value for e in uploaded.exception]
    table = uploaded.table[0].value
    assert {"Model randomisation", "Deletion", "Insertion", "Image border"} <= set(table["check"])
    assert "not a diagnosis" in texts(uploaded)
    assert "training X-rays most like this one" in texts(uploaded)


def test_explain_opens_on_the_method_that_passed_the_models_benchmark(uploaded):
    """The page opens on the first method (registry order) that passes every line of the
    card's benchmark on PNEUMONIA maps, and labels each method with its own result there."""
    card = read_card(default_model())
    bench = card["faithfulness"]
    usable = [m for m, why in registry.available(explanations.get_handle(card["name"])).items()
              if why is None]  # fmt: skip
    passed = [m for m in usable if verdict.passes_benchmark(bench, m, "PNEUMONIA")]
    uploaded.switch_page("pages/explain.py").run()
    assert not uploaded.exception, [e.value for e in uploaded.exception]
    radio = uploaded.radio(key="explain_method")
    assert radio.value == (passed or usable)[0]
    for method in usable:
        lines = checks.benchmark_verdicts(verdict.benchmark_figures(bench, method, "PNEUMONIA"))
        failed = [verdict.SHORT_WORDS[k] for k, ok in lines.items() if not ok]
        word = "not benchmarked" if not lines else "failed" if failed else "passed the checks"
        assert word in radio.format_func(method), method
        assert all(f in radio.format_func(method) for f in failed), method


@pytest.mark.parametrize("method", ["occlusion", "gradcam"])
def test_one_verdict_per_map_before_and_after_the_checks(uploaded, method):
    """Banner and panel cannot disagree: the page shows exactly one verdict, and it is
    `verdict.map_verdict` of the card's benchmark and this image's checks."""
    bench = read_card(default_model())["faithfulness"]
    uploaded.switch_page("pages/explain.py").run()
    uploaded.radio(key="explain_method").set_value(method).run()
    assert not uploaded.exception, [e.value for e in uploaded.exception]
    shown = verdict_texts(uploaded)
    assert len(shown) == 1
    figures = verdict.benchmark_figures(bench, method, "PNEUMONIA")
    assert f"deletion {figures['deletion']:.2f}× random" in shown[0]
    uploaded.toggle(key="explain_check").set_value(True).run()
    assert not uploaded.exception, [e.value for e in uploaded.exception]
    after = verdict_texts(uploaded)
    assert len(after) == 1 and after[0].startswith(shown[0].split(".")[0])
    image_sentences = ("This map passes every check", "Read this map with care", "cannot tell")
    assert any(s in after[0] for s in image_sentences)  # this image's result, same box


def test_model_card_shows_how_far_to_trust_the_maps(uploaded):
    """Each method's result and deletion figure as the card's benchmark gives them, and one
    visible sentence naming the methods that pass."""
    bench = read_card(default_model())["faithfulness"]
    uploaded.switch_page("pages/model_card.py").run()
    assert not uploaded.exception, [e.value for e in uploaded.exception]
    assert "How far to trust the maps" in [s.value for s in uploaded.subheader]
    tables = [t.value for t in uploaded.table if "result" in t.value.columns]
    assert tables, "the benchmark table with a result column"
    table = tables[0]
    shown = dict(zip(table["method"], zip(table["result"], table["deletion ×random"])))
    passed = []
    for method in bench["methods"]:
        figures = verdict.benchmark_figures(bench, method, "PNEUMONIA")
        lines = checks.benchmark_verdicts(figures)
        result, deletion = shown[wording.method_name(method)]
        if lines and all(lines.values()):
            assert result == "passes", method
            passed.append(wording.method_name(method))
        elif lines:
            assert result.startswith("fails "), method
        if figures.get("deletion") is not None:
            assert deletion == f"{figures['deletion']:.2f}", method
    summary = [m.value for m in uploaded.markdown if "faithfulness benchmark" in m.value]
    assert len(summary) == 1 and all(m in summary[0] for m in passed)
    assert "bench_faithfulness" not in texts(uploaded)  # figures, never commands
