"""AppTest: what a new user meets. The current image (last action wins, its source
always named, coherent after visiting another page), uploads that are refused, sample names,
honest percentages, the page frame before the model, Explain's verdict and colours, Compare,
Dataset and Feature maps."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest
from test_app import no_exceptions, verdict

from xray_app import current, state
from xray_core.dataset.samples import list_samples
from xray_core.io.study import load_study
from xray_core.predict.assess import assess
from xray_core.store import catalog as store
from xray_core.text.wording import percent


def source_text(at: AppTest) -> str:
    texts = [m.value for m in at.markdown if "Current image:" in m.value]
    assert len(texts) == 1, f"expected one 'Current image' line, got {texts}"
    return texts[0]


def uploader(at: AppTest):
    ups = at.get("file_uploader")
    assert len(ups) == 1
    return ups[0]


def pick_sample(at: AppTest, index: int):
    sample = list_samples(current.config.samples_dir())[index]
    at.selectbox(key=current.SAMPLE_KEY).set_value(str(sample.path)).run()
    no_exceptions(at)
    return sample


pytestmark = pytest.mark.usefixtures("fullres_dir")  # the samples: fail clearly without them


def upload(at: AppTest, name: str, data: bytes, mime: str = "image/jpeg") -> None:
    uploader(at).set_value((name, data, mime)).run()
    no_exceptions(at)


def test_last_action_wins_and_the_source_is_named(app, fullres_files):
    path = fullres_files[0]
    upload(app, "mine.jpeg", path.read_bytes())
    assert "uploaded file **mine.jpeg**" in source_text(app)
    first = app.session_state[state.STUDY_KEY].digest
    sample = pick_sample(app, 3)
    assert f"**{sample.name}**" in source_text(app) and "training image" in source_text(app)
    assert app.session_state[state.STUDY_KEY].digest != first
    assert uploader(app).value is None  # the picker replaced the upload: uploader emptied
    upload(app, "again.jpeg", path.read_bytes())
    assert "uploaded file **again.jpeg**" in source_text(app)
    assert app.selectbox(key=current.SAMPLE_KEY).value is None  # the upload replaced the sample
    assert app.session_state[state.STUDY_KEY].digest == first


def test_state_is_coherent_after_another_page(app):
    sample = pick_sample(app, 5)
    shown = verdict(app)
    app.switch_page("pages/model_card.py").run()
    app.switch_page("pages/predict.py").run()
    no_exceptions(app)
    assert f"**{sample.name}**" in source_text(app)
    assert app.selectbox(key=current.SAMPLE_KEY).value == str(sample.path)
    assert verdict(app) == shown


def test_refused_file_is_named_and_the_uploader_emptied(app, fullres_files):
    upload(app, "notes.png", b"hello", "image/png")
    assert any("Cannot use this file (notes.png)" in e.value for e in app.error)
    assert uploader(app).value is None  # not stuck: ready for the next file
    assert not [m for m in app.markdown if m.value.startswith("### Verdict")]
    upload(app, "x.jpeg", fullres_files[0].read_bytes())
    assert verdict(app) in ("NORMAL", "PNEUMONIA") and not app.error


@pytest.mark.parametrize(
    "fmt, ext, mime", [("BMP", "bmp", "image/bmp"), ("TIFF", "tif", "image/tiff")]
)
def test_bmp_and_tiff_uploads_are_accepted(app, fullres_files, fmt, ext, mime):
    assert ext in current.UPLOAD_TYPES and "dcm" in current.UPLOAD_TYPES
    buf = io.BytesIO()
    Image.open(fullres_files[-1]).save(buf, fmt)
    upload(app, f"scan.{ext}", buf.getvalue(), mime)
    assert verdict(app) in ("NORMAL", "PNEUMONIA")
    assert f"**scan.{ext}**" in source_text(app)


def test_samples_are_neutral_and_the_label_comes_on_request(app):
    box = app.selectbox(key=current.SAMPLE_KEY)
    names = box.options
    assert len(names) == 48 and all(n.startswith("Training X-ray") for n in names)
    assert any("train split" in c.value for c in app.caption)
    sample = pick_sample(app, 0)
    label_lines = [m.value for m in app.markdown if "Dataset label" in m.value]
    assert not label_lines
    app.toggle(key=f"predict_reveal_{sample.name}").set_value(True).run()
    label_lines = [m.value for m in app.markdown if "Dataset label" in m.value]
    assert label_lines and f"**{sample.label}**" in label_lines[0]


def test_probability_has_honest_precision(app, fullres_files):
    path = fullres_files[-1]
    upload(app, path.name, path.read_bytes())
    p = assess(store.load_model(), load_study(path)).prediction.probability
    assert app.metric[0].value == percent(p)
    assert not any(" 1 are " in m.value for m in app.markdown)


def test_frame_draws_before_the_model_loads(monkeypatch, open_app):
    """The title, uploader and sidebar do not need the model: with loading made to fail,
    they are all there and the failure comes after them."""

    def no_model(name):
        raise RuntimeError("model not loaded yet")

    monkeypatch.setattr(state, "get_model", no_model)
    at = open_app().run()
    assert [t.value for t in at.title] == ["Predict"]
    assert len(at.get("file_uploader")) == 1
    assert at.slider(key="_sb_threshold").value == pytest.approx(
        store.read_card(store.default_model())["threshold"], abs=1e-3
    )
    assert len(at.exception) == 1  # the load came after them (details hidden by config)


def test_explain_shows_verdict_colours_once_and_method_names(app):
    pick_sample(app, 2)
    app.switch_page("pages/explain.py").run()
    no_exceptions(app)
    text = " ".join(m.value for m in app.markdown)
    assert "Verdict **" in text and "P(pneumonia)" in text and "Current image:" in text
    legends = [i.value for i in app.info if "Colours on this page" in i.value]
    assert len(legends) == 1 and "green" not in legends[0].lower()
    app.radio(key="explain_method").set_value("occlusion").run()  # whichever it opened on
    captions = " ".join(c for img in app.get("image") for c in img.captions)
    assert "Occlusion: the brighter" in captions and "occlusion" not in captions
    app.radio(key="explain_method").set_value("lime").run()  # one method at a time
    no_exceptions(app)
    captions = " ".join(c for img in app.get("image") for c in img.captions)
    assert "orange = for" in captions and "blue = against" in captions
    assert len([i for i in app.info if "Colours on this page" in i.value]) == 1


def test_compare_says_what_each_model_says_and_zooms(app):
    pick_sample(app, 1)
    app.switch_page("pages/compare.py").run()
    no_exceptions(app)
    assert any("What each model says" in s.value for s in app.subheader)
    models = set(app.dataframe[-1].value["model"])
    assert models == set(store.list_models())
    fig = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert fig["layout"]["xaxis"]["range"] == [0.0, 0.3]
    app.toggle(key="compare_zoom").set_value(False).run()
    fig = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert "range" not in fig["layout"]["xaxis"]


def test_dataset_names_splits_and_shows_the_validation_split(app, data_root):
    app.switch_page("pages/dataset.py").run()
    no_exceptions(app)
    rows = app.table[0].value
    card = store.read_card(store.default_model())
    assert int(rows.loc["model validation", "images"]) == card["data"]["splits"]["validation"]["n"]
    assert "official val" in rows.index and "official test" in rows.index
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in app.get("plotly_chart")]
    assert any("own scale" in t for t in titles) and any("train split" in t for t in titles)
    assert any("full-resolution" in t for t in titles)


def test_feature_maps_say_the_cap_and_open_on_a_deep_layer(app):
    # the ImageNet model: its first layers' channels are mostly edges, some nearly black
    name = next(n for n in store.list_models() if store.read_card(n)["imagenet_weights"])
    app.selectbox(key="_sb_model").set_value(name).run()
    pick_sample(app, 4)
    app.switch_page("pages/feature_maps.py").run()
    no_exceptions(app)
    assert app.selectbox(key="fm_layer").index > 0  # not the first layer
    assert any("channels shown" in c.value and "A channel is" in c.value for c in app.caption)
