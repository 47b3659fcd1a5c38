"""AppTest: the Site page (saved profiles, a loaded report) and the sidebar's site profile."""

from __future__ import annotations

import json

import pytest
from test_app import no_exceptions

from xray_core.predict.validation_scores import load_scores
from xray_core.site.report import site_report
from xray_core.stats.calibration import apply_calibration
from xray_core.store import catalog as store
from xray_core.store.site_profiles import make_profile, save_profile, sites_dir
from xray_core.text.wording import percent

PAGE = "pages/site.py"


@pytest.fixture(scope="module")
def report_and_cal():
    """A site report on the default model's validation scores, recalibrated on 120 cases."""
    name = store.default_model()
    s = load_scores(name)
    return site_report(
        s["labels"], s["raw_probabilities"], store.read_card(name), recalibrate=120, n_resamples=200
    )


@pytest.fixture
def profile(report_and_cal):
    report, cal = report_and_cal
    p = make_profile("north", store.read_card(store.default_model()), report, cal)
    save_profile(p)
    return p


def test_site_page_without_profiles_explains_how_to_make_one(open_app):
    at = open_app().run()
    at.switch_page(PAGE).run()
    no_exceptions(at)
    assert any("No site profiles saved yet" in i.value for i in at.info)
    assert at.selectbox(key="_sb_site").value == ""


def test_use_profile_sets_sidebar_threshold_and_calibration(profile, fullres_files, open_app):
    at = open_app().run()
    at.switch_page(PAGE).run()
    no_exceptions(at)
    assert any(m.label.startswith("AUC") for m in at.metric)
    at.button[0].click().run()  # "Use north in the sidebar"
    no_exceptions(at)
    assert at.selectbox(key="_sb_site").value == "north"
    assert at.slider[0].value == pytest.approx(profile["threshold"], abs=1e-3)
    assert any("Site profile: north" in s.value for s in at.sidebar.success)
    # Predict reads with the site's calibration and threshold
    from xray_core.io.study import load_study
    from xray_core.predict.assess import assess

    shipped = store.load_model()

    def shown(f):  # (shipped, site) probabilities as the page words them
        pred = assess(shipped, load_study(f)).prediction
        site = float(apply_calibration([pred.raw_probability], profile["calibration"])[0])
        return percent(pred.probability), percent(site)

    f = next(f for f in fullres_files if len(set(shown(f))) == 2)  # the site changes the figure
    at.switch_page("pages/predict.py").run()
    at.file_uploader(key="predict_upload").set_value((f.name, f.read_bytes(), "image/jpeg"))
    at.run()
    no_exceptions(at)
    assert at.metric[0].value == shown(f)[1]
    # changing the model clears the site
    names = store.list_models()
    other = next(n for n in names if n != store.default_model())
    at.selectbox(key="_sb_model").set_value(other).run()
    assert at.selectbox(key="_sb_site").value == ""


def test_profile_for_another_model_cannot_be_used(profile, open_app):
    path = sites_dir() / "north.json"
    path.write_text(json.dumps({**profile, "model_sha256": "0" * 64}))
    at = open_app().run()
    at.switch_page(PAGE).run()
    no_exceptions(at)
    assert at.button[0].disabled
    assert at.selectbox(key="_sb_site").options == ["none: shipped operating point"]


def test_loaded_report_is_shown_and_a_wrong_file_is_refused(report_and_cal, open_app):
    report, _ = report_and_cal
    at = open_app().run()
    at.switch_page(PAGE).run()
    up = at.get("file_uploader")[0]
    up.set_value(("site.json", json.dumps(report).encode(), "application/json")).run()
    no_exceptions(at)
    assert any(m.label.startswith("Proposed threshold") for m in at.metric)
    up = at.get("file_uploader")[0]
    up.set_value(("other.json", b'{"n": 3}', "application/json")).run()
    assert any("not a site report" in e.value for e in at.error)
