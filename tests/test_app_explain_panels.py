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


def test_explain_faithfulness_panel_beside_the_map(uploaded):
    uploaded.switch_page("pages/explain.py").run()
    assert not uploaded.exception, [e.value for e in uploaded.exception]
    assert "Check this map" in uploaded.toggle(key="explain_check").label
    uploaded.toggle(key="explain_check").set_value(True).run()
    assert not uploaded.exception, [e.value for e in uploaded.exception]
    table = uploaded.dataframe[0].value
    assert {"Model randomisation", "Deletion", "Insertion", "Image border"} <= set(table["check"])
    assert "not a diagnosis" in texts(uploaded)
    assert "training X-rays most like this one" in texts(uploaded)


def test_explain_warns_when_the_models_benchmark_failed_the_method(uploaded):
    """The default (resnet_fast_shape) passed both lines with Grad-CAM on its card's
    benchmark (40 images, stop 33) and failed the deletion line with Grad-CAM++ (0.97): the
    page warns above the Grad-CAM++ map only, in the card's own words, naming Grad-CAM as the
    method that passed."""
    from xray_core.explain.checks import benchmark_caution
    from xray_core.store import default_model, read_card

    faithfulness = read_card(default_model())["faithfulness"]
    uploaded.switch_page("pages/explain.py").run()
    assert not uploaded.exception, [e.value for e in uploaded.exception]
    assert uploaded.radio(key="explain_method").value == "gradcam"
    shown = {}
    for method in ("gradcam", "gradcam++"):
        uploaded.radio(key="explain_method").set_value(method).run()
        assert not uploaded.exception, [e.value for e in uploaded.exception]
        shown[method] = [w.value for w in uploaded.warning if "faithfulness benchmark" in w.value]
        expected = benchmark_caution(faithfulness, method)
        assert shown[method] == ([] if expected is None else [expected])
    assert shown["gradcam"] == []
    assert "Grad-CAM++ failed the deletion check (median 0.97×" in shown["gradcam++"][0]
    assert "Grad-CAM passed both checks" in shown["gradcam++"][0]


def test_model_card_shows_how_far_to_trust_the_maps(uploaded):
    uploaded.switch_page("pages/model_card.py").run()
    assert not uploaded.exception, [e.value for e in uploaded.exception]
    assert "How far to trust the maps" in [s.value for s in uploaded.subheader]
    tables = [d.value for d in uploaded.dataframe if "lines" in d.value.columns]
    assert len(tables) == 1, "the benchmark table with a pass/fail column"
    lines = dict(zip(tables[0]["method"], tables[0]["lines"]))
    assert lines["gradcam"] == "passes both"  # 0.19 / 0.83 on 40 images (stop 33)
    assert lines["gradcam++"] == "fails deletion"  # 0.97 against the 0.9 line
    assert lines["lime"] == "fails randomisation"
    assert "Lines: randomisation |ρ| ≤ 0.3" in texts(uploaded)
