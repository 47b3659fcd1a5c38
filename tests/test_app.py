"""AppTest: every page with a real full-resolution upload, the live threshold, the model picker."""

from __future__ import annotations

import re

import pytest
from store_helpers import scored_model
from streamlit.testing.v1 import AppTest

from xray_app import explanations, loaders
from xray_core import config
from xray_core.evaluation import external_test
from xray_core.explain import registry
from xray_core.explain.feature_maps import conv_layers
from xray_core.io.decode import load_image
from xray_core.io.study import load_study
from xray_core.predict.assess import assess
from xray_core.store import catalog as store
from xray_core.text.wording import percent

PAGES = sorted(
    re.findall(
        r'st\.Page\(\s*"(pages/[^"]+\.py)"', (config.PROJECT_ROOT / "streamlit_app.py").read_text()
    )
)


def verdict(at: AppTest) -> str:
    texts = [m.value for m in at.markdown if m.value.startswith("### Verdict")]
    assert texts, "no verdict shown"
    return "PNEUMONIA" if "PNEUMONIA" in texts[0] else "NORMAL"


def image_captions(at: AppTest) -> str:
    return " ".join(c for img in at.get("image") for c in img.captions)


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_predict_shows_calibrated_probability_and_verdict(uploaded, xray):
    expected = assess(store.load_model(), load_study(xray[0])).prediction
    metric = uploaded.metric[0]
    assert metric.value == percent(expected.probability)
    assert verdict(uploaded) == expected.label
    assert any("Sensitivity" == m.label for m in uploaded.metric)
    assert any(re.search(r"Of 1,000 children X-rayed", m.value) for m in uploaded.markdown)
    assert any("not a medical device" in w.value for w in uploaded.warning)


def test_predict_shows_the_withheld_test_split_and_names_the_population(uploaded):
    """At the shipped threshold the figures are the test split's (a later cohort), the
    training hospital's beside; at another threshold the training hospital's, and it says so.
    Read on a model scored there; the default's own headline is checked below."""
    name = scored_model()
    uploaded.selectbox(key="_sb_model").set_value(name).run()
    try:
        check_test_split_headline(uploaded, store.read_card(name))
    finally:
        uploaded.selectbox(key="_sb_model").set_value(store.default_model()).run()


def test_predict_headline_of_the_default_is_its_withheld_split_or_says_why_not(uploaded):
    card = store.read_card(store.default_model())
    test = external_test.figures(card)
    metrics = {m.label: m.value for m in uploaded.metric}
    captions = " ".join(c.value for c in uploaded.caption)
    if test is None:
        assert "Headline: the training hospital" in captions
        assert metrics["Specificity"] == f"{card['validation']['specificity']:.2f}"
    else:
        assert "Headline: the withheld test split" in captions


def check_test_split_headline(uploaded, card):
    no_exceptions(uploaded)
    test = external_test.figures(card)
    metrics = {m.label: m.value for m in uploaded.metric}
    assert metrics["Specificity"] == f"{test['specificity']:.2f}"
    captions = " ".join(c.value for c in uploaded.caption)
    assert "Headline: the withheld test split" in captions and "the training hospital" in captions
    uploaded.slider(key="_sb_threshold").set_value(0.3).run()
    captions = " ".join(c.value for c in uploaded.caption)
    assert "Headline: the training hospital" in captions
    assert "scored at the shipped threshold" in captions
    reset = [b for b in uploaded.button if b.label.startswith("Reset to shipped")][0]
    reset.click().run()


def test_threshold_slider_flips_the_verdict(uploaded, xray):
    p = assess(store.load_model(), load_study(xray[0])).prediction.probability
    slider = uploaded.slider(key="_sb_threshold")
    slider.set_value(round(max(p - 0.01, 0.0), 3)).run()
    assert verdict(uploaded) == "PNEUMONIA"
    above = min(round(p + 0.01, 3), 1.0)
    assert p < above  # calibrated probabilities stay below 1
    uploaded.slider(key="_sb_threshold").set_value(above).run()
    assert verdict(uploaded) == "NORMAL"
    reset = [b for b in uploaded.button if b.label.startswith("Reset to shipped")][0]
    reset.click().run()
    assert uploaded.slider(key="_sb_threshold").value == pytest.approx(
        store.load_model().threshold, abs=1e-3
    )


def test_model_picker_switches_models_and_threshold(uploaded):
    names = store.list_models()
    if len(names) < 2:
        pytest.fail("the store should ship at least two models to compare")
    other = [n for n in names if n != store.default_model()][0]
    uploaded.selectbox(key="_sb_model").set_value(other).run()
    no_exceptions(uploaded)
    assert any(f"Model **{other}**" in c.value for c in uploaded.caption)
    assert uploaded.slider(key="_sb_threshold").value == pytest.approx(
        store.read_card(other)["threshold"], abs=1e-3
    )
    uploaded.switch_page("pages/model_card.py").run()
    assert any(other in t.value for t in uploaded.title)


def test_bad_upload_gives_message_and_app_keeps_working(app, xray):
    at = app
    at.file_uploader(key="predict_upload").set_value(("notes.png", b"hello", "image/png")).run()
    no_exceptions(at)
    assert any("Cannot use this file" in e.value for e in at.error)
    at.get("file_uploader")[0].set_value((xray[0].name, xray[1], "image/jpeg")).run()
    no_exceptions(at)
    assert verdict(at) in ("NORMAL", "PNEUMONIA") and not at.error


def test_explain_renders_every_method(uploaded):
    """Opens on the method that passed the card's faithfulness benchmark, then each one."""
    card = store.read_card(store.default_model())
    opening = registry.opening_method(
        explanations.get_handle(card["name"]), card.get("faithfulness"), verdict(uploaded)
    )
    uploaded.switch_page("pages/explain.py").run()
    no_exceptions(uploaded)
    assert uploaded.radio(key="explain_method").value == opening
    assert registry.get_explainer(opening).title in image_captions(uploaded)
    uploaded.radio(key="explain_method").set_value("gradcam").run()
    no_exceptions(uploaded)
    assert "Grad-CAM on layer" in image_captions(uploaded)
    uploaded.radio(key="explain_method").set_value("gradcam++").run()
    no_exceptions(uploaded)
    assert "Grad-CAM++ on layer" in image_captions(uploaded)
    uploaded.radio(key="explain_method").set_value("lime").run()
    no_exceptions(uploaded)
    assert "LIME: orange = for PNEUMONIA" in image_captions(uploaded)


def test_feature_maps_grid_for_a_chosen_layer(uploaded):
    uploaded.switch_page("pages/feature_maps.py").run()
    no_exceptions(uploaded)
    box = uploaded.selectbox(key="fm_layer")
    assert box.value == store.load_model().last_conv
    first = conv_layers(store.load_model().model)[0]["name"]
    box.set_value(first).run()
    assert uploaded.selectbox(key="fm_layer").value == first
    no_exceptions(uploaded)
    assert any("channels shown" in c.value for c in uploaded.caption)
    assert len(uploaded.get("image")) > 8  # the channel grid plus the enlarged pair


def test_explain_without_image_points_to_predict(app):
    at = app
    at.switch_page("pages/explain.py").run()
    no_exceptions(at)
    assert any("No X-ray loaded" in i.value for i in at.info)


@pytest.mark.parametrize(
    "page, expect",
    [
        ("pages/model_card.py", "Model card"),
        ("pages/compare.py", "Compare models"),
        ("pages/dataset.py", "Dataset"),
    ],
)
def test_model_pages_render(page, expect, data_root, app):
    at = app
    at.switch_page(page).run()
    no_exceptions(at)
    assert any(expect in t.value for t in at.title)
    assert not at.error


def test_non_xray_upload_gets_no_verdict(app):
    import io

    import numpy as np
    from PIL import Image

    photo = np.zeros((300, 400, 3), np.uint8)
    photo[..., 0] = np.linspace(0, 255, 400, dtype=np.uint8)
    photo[100:200, 100:300, 2] = 255
    buf = io.BytesIO()
    Image.fromarray(photo).save(buf, "PNG")
    at = app
    at.file_uploader(key="predict_upload").set_value(("holiday.png", buf.getvalue(), "image/png"))
    at.run()
    no_exceptions(at)
    assert any("No verdict" in e.value for e in at.error)
    assert not [m for m in at.markdown if m.value.startswith("### Verdict")]
    at.switch_page("pages/explain.py").run()
    assert any("refused" in e.value for e in at.error)


def test_dicom_upload_is_read_without_showing_identifiers(app, xray):
    import numpy as np
    from test_dicom import IDENTIFIERS, make_dicom  # tests/ is on sys.path (rootdir mode)

    pixels = load_image(xray[0]).astype(np.uint16) * 16  # 12-bit DX
    data = make_dicom(pixels, bits_stored=12)
    at = app
    at.file_uploader(key="predict_upload").set_value(("study.dcm", data, "application/dicom"))
    at.run()
    no_exceptions(at)
    assert verdict(at) in ("NORMAL", "PNEUMONIA")
    shown = " ".join(
        [c.value for c in at.caption] + [m.value for m in at.markdown] + [image_captions(at)]
    )
    assert "DICOM: Modality DX" in shown
    for value in IDENTIFIERS.values():
        assert str(value) not in shown


def test_pages_folder_holds_only_the_pages_the_entry_lists():
    on_disk = sorted(f"pages/{p.name}" for p in (config.PROJECT_ROOT / "pages").glob("*.py"))
    assert len(PAGES) >= 6
    assert on_disk == PAGES


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_inside_the_frame(page, app):
    """AppTest.switch_page runs a page file on its own (Streamlit's legacy pages/ mode); the
    page must hand over to the entry file, so the sidebar and shared state are there."""
    at = app
    at.switch_page(page).run()
    no_exceptions(at)
    assert at.selectbox(key="_sb_model").value == store.default_model()
    assert at.slider(key="_sb_threshold").value == pytest.approx(
        store.load_model().threshold, abs=1e-3
    )
    assert any("Intended use" in c.value for c in at.sidebar.caption)


def test_explain_reuses_the_assessment_from_predict(xray, monkeypatch, open_app):
    calls = []
    real = loaders.assess

    def counting(*args, **kwargs):
        calls.append(args[1].digest)
        return real(*args, **kwargs)

    monkeypatch.setattr(loaders, "assess", counting)
    loaders.get_assessment.clear()
    at = open_app().run()
    at.file_uploader(key="predict_upload").set_value((xray[0].name, xray[1], "image/jpeg")).run()
    assert len(calls) == 1
    at.switch_page("pages/explain.py").run()
    no_exceptions(at)
    at.slider(key="explain_alpha").set_value(0.6).run()
    at.slider(key="_sb_threshold").set_value(0.5).run()
    no_exceptions(at)
    assert len(calls) == 1  # one forward pass for this model and image, whatever reruns


def test_gate_reuses_the_cached_default_model():
    default = store.default_model()
    other = [n for n in store.list_models() if n != default][0]
    keeper = loaders.get_model(default)
    assert keeper.gate is not None, "the shipped default should carry a fitted gate"
    assert loaders.get_gatekeeper(other) is keeper


def test_model_card_says_when_a_model_was_warm_started(app):
    at = app
    at.switch_page("pages/model_card.py").run()
    no_exceptions(at)
    text = " ".join(m.value for m in at.markdown)
    source = store.read_card(store.default_model())["training"]["config"].get("init_from")
    assert (f"warm-started from **{source}**" in text) == bool(source)


def test_model_card_shows_the_default_under_a_cohort_shift(app):
    at = app
    at.switch_page("pages/model_card.py").run()
    no_exceptions(at)
    assert "Under a cohort shift" in [s.value for s in at.subheader]
    tables = [t.value for t in at.table if "Validation" in t.value.columns]
    assert len(tables) == 1
    evidence = list(tables[0]["Validation"])
    assert evidence[0] == "own validation"
    cohort = store.read_card(store.default_model())["recipe_hold_out"]["cohort"]
    assert any(f"unseen {cohort}" in e for e in evidence)
    assert any("perturbed views pooled" in e for e in evidence)


def test_compare_marks_the_default_and_shows_each_models_shift_figures(app):
    at = app
    at.switch_page("pages/compare.py").run()
    no_exceptions(at)
    main = [d.value for d in at.dataframe if "default" in d.value.columns][0]
    assert list(main.loc[main["default"], "model"]) == [store.default_model()]
    shift = [
        d.value for d in at.dataframe if list(d.value.columns)[:2] == ["model", "perturbed_auc"]
    ]
    shift = shift[0]
    row = shift[shift["model"] == f"{store.default_model()} (default)"].iloc[0]
    card = store.read_card(store.default_model())
    assert row["unseen_auc"] == f"{card['recipe_hold_out']['held-out cohort']['auc']:.3f}"
    pooled = card["shifted_validation"]["shifted (pooled)"]["auc"]
    assert row["perturbed_auc"] == f"{pooled:.3f}"
    seeds = [d.value for d in at.dataframe if "hold_out_seeds" in d.value.columns][0]
    default = seeds[seeds["model"] == f"{store.default_model()} (default)"].iloc[0]
    from xray_core.evaluation.compare import recipe_spreads

    runs = recipe_spreads()[store.default_model()]["runs"]
    full = sum(not r["hold-out run"] for r in runs)
    assert full >= 3, "the default's recipe needs at least 3 full-data seeds"
    assert default["plain_auc"].count("±") == 1 and default["seeds"] == str(full)
    assert default["hold_out_seeds"] == str(len(runs) - full)
    assert any("Across training seeds" in m.value for m in at.markdown)


def test_model_card_puts_test_split_figures_before_the_training_hospitals(app):
    """The figures table's first column is the withheld test split (a later cohort), the
    training hospital's validation beside it; the header names the threshold's scale."""
    at = app
    default = store.default_model()  # another model: the page follows the sidebar's model
    name = next(
        n for n in store.list_models() if n != default and store.read_card(n).get("external_test")
    )
    at.selectbox(key="_sb_model").set_value(name).run()
    at.switch_page("pages/model_card.py").run()
    no_exceptions(at)
    table = at.table[0].value
    columns = list(table.columns)
    card = store.read_card(name)
    test = card["external_test"]
    assert columns[1].startswith(f"the withheld test split (n = {test['n']})")
    assert columns[2].startswith("the training hospital")
    low, high = test["ci"]["auc"]
    assert table[columns[1]].iloc[1] == f"{test['auc']:.3f} ({low:.3f}–{high:.3f})"  # AUC
    header = at.subheader[0].value
    assert header == f"At the shipped threshold {card['threshold']:.3f} (shipped scale)"
    at.slider(key="_sb_threshold").set_value(0.5).run()
    assert at.subheader[0].value == (
        f"At threshold 0.500 (shipped scale); shipped: {card['threshold']:.3f} (shipped scale)"
    )
