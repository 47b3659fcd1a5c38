"""AppTest for the explanation panels: the faithfulness panel beside a map, nearest cases on
Predict and Explain, and the model card's "how far to trust the maps"."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from xray_core import config

APP = str(config.PROJECT_ROOT / "streamlit_app.py")
TIMEOUT = 300


@pytest.fixture(scope="module")
def xray(fullres_dir):
    path = fullres_dir / "PNEUMONIA" / "person1177_bacteria_3125.jpeg"
    return path, path.read_bytes()


@pytest.fixture
def uploaded(xray) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.file_uploader(key="predict_upload").set_value((xray[0].name, xray[1], "image/jpeg")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


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
    """The default's card: occlusion passes every line on PNEUMONIA calls, Grad-CAM fails
    deletion; the page opens on occlusion and labels each method with its own result."""
    from xray_core.explain import verdict
    from xray_core.store.catalog import default_model, read_card

    bench = read_card(default_model())["faithfulness"]
    assert verdict.passes_benchmark(bench, "occlusion", "PNEUMONIA")
    assert not verdict.passes_benchmark(bench, "gradcam", "PNEUMONIA")
    uploaded.switch_page("pages/explain.py").run()
    assert not uploaded.exception, [e.value for e in uploaded.exception]
    radio = uploaded.radio(key="explain_method")
    assert radio.value == "occlusion"
    assert "passed the checks" in radio.format_func("occlusion")
    assert "failed deletion" in radio.format_func("gradcam")


@pytest.mark.parametrize("method", ["occlusion", "gradcam"])
def test_one_verdict_per_map_before_and_after_the_checks(uploaded, method):
    """Banner and panel cannot disagree: the page shows exactly one verdict, and it is
    `verdict.map_verdict` of the card's benchmark and this image's checks."""
    from xray_core.explain import verdict
    from xray_core.store.catalog import default_model, read_card

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
    from xray_core.explain import checks
    from xray_core.store.catalog import default_model, read_card

    bench = read_card(default_model())["faithfulness"]
    uploaded.switch_page("pages/model_card.py").run()
    assert not uploaded.exception, [e.value for e in uploaded.exception]
    assert "How far to trust the maps" in [s.value for s in uploaded.subheader]
    tables = [t.value for t in uploaded.table if "result" in t.value.columns]
    assert tables, "the benchmark table with a result column"
    result = dict(zip(tables[0]["method"], tables[0]["result"]))
    assert result["Occlusion"] == "passes"
    expected = bench["by_target"]["PNEUMONIA"]["gradcam"]["deletion"]
    assert expected > checks.DELETION_PASS and result["Grad-CAM"].startswith("fails deletion")
    assert f"{expected:.2f}" in list(tables[0]["deletion ×random"])
    assert "bench_faithfulness" not in texts(uploaded)  # figures, never commands
