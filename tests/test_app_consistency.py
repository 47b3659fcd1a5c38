"""One source per figure: every page and the PDF show what `figure_sheet` says, for the default
model under {no profile, plain profile, recalibrated profile} x {two thresholds} x {5%, 20%,
74% prevalence}, with the Site page and the site PDF for each profile; every printed estimate
lies inside its printed interval; counts add up; the
threshold's scale is named wherever a threshold is shown; no page raises with a recalibrated
profile.

One AppTest per profile (the grid's cells change only the threshold and the prevalence), the
site profiles made once from the default's stored validation scores, each page rendered once
per cell; the PDF is built from the same sheet the pages read and read back with pdftotext.
"""

from __future__ import annotations

import json
import re

import pdf_helpers
import pytest
from streamlit.testing.v1 import AppTest

from xray_app.present import PREVALENCE_KEY
from xray_app.state import STUDY_KEY
from xray_core import config
from xray_core.evaluation.figure_sheet import KEYS, figure_sheet
from xray_core.evaluation.validation_figures import validation_figures
from xray_core.io.study import load_study
from xray_core.predict.validation_scores import load_scores
from xray_core.report.pdf import render_pdf
from xray_core.report.story import build_story
from xray_core.site.pdf import write_pdf
from xray_core.site.report import site_report
from xray_core.stats.uncertainty import format_interval
from xray_core.store import catalog as store
from xray_core.store.site_profiles import make_profile, save_profile

PAGES = ("pages/present.py", "pages/model_card.py", "pages/predict.py")
PREVALENCES = (0.05, 0.20, 0.74)
OTHER_THRESHOLD = 0.3  # beside each profile's own operating threshold
INTERVAL = re.compile(r"(?<![\d.])(\d+\.\d+) \((\d+\.\d+)–(\d+\.\d+)\)")
LISTED = re.findall(
    r'st\.Page\("(pages/\w+\.py)"', (config.PROJECT_ROOT / "streamlit_app.py").read_text()
)


@pytest.fixture(scope="module")
def shipped():
    name = store.default_model()
    return store.read_card(name), load_scores(name)


@pytest.fixture(scope="module")
def profiles(shipped, tmp_path_factory) -> dict:
    """{"": None, "plain": profile, "recal": profile} saved in one user-data folder."""
    card, s = shipped
    y, raw = s["labels"], s["raw_probabilities"]
    plain, _ = site_report(y, raw, card, n_resamples=300)
    recal, cal = site_report(y, raw, card, recalibrate=60, n_resamples=300)
    return {
        "": None,
        "plain": make_profile("plain", card, plain, None),
        "recal": make_profile("recal", card, recal, cal),
    }


@pytest.fixture
def saved(profiles, app_data):
    for p in profiles.values():
        if p:
            save_profile(p)
    return profiles


def page_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "subheader", "info") for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for table in at.table:
        parts += [str(v) for v in table.value.astype(str).to_numpy().ravel()]
        parts += [str(c) for c in table.value.columns]
    return " ".join(parts)


def assert_intervals_hold(text: str, where: str) -> None:
    for m in INTERVAL.finditer(text):
        x, lo, hi = (float(v) for v in m.groups())
        assert lo <= x <= hi, f"{where}: {m.group(0)}"


def icon_counts(at: AppTest) -> dict[str, int]:
    """The icon array's legend counts, as plotted."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    out = {}
    for trace in spec["data"]:
        label, _, n = trace["name"].rpartition(": ")
        out[label] = int(n.replace(",", ""))
    return out


def check_present(at: AppTest, sheet) -> None:
    head, at_prev = sheet.headline, sheet.at
    metrics = {m.label: m.value for m in at.metric}
    for key in ("auc", "sensitivity", "specificity", "accuracy"):
        label = "AUC" if key == "auc" else key.capitalize()
        assert metrics[label] == head.parts(key)[0], label
    text = page_text(at)
    for key in ("sensitivity", "specificity"):
        assert f"95% CI {head.parts(key)[1]}" in text
    assert sheet.threshold_text in text
    assert f"PPV {format_interval(at_prev['ppv'], at_prev['ppv_ci'])}" in text
    assert f"NPV {format_interval(at_prev['npv'], at_prev['npv_ci'])}" in text
    assert at_prev["headline"] in text
    f = at_prev["frequencies"]
    counts = icon_counts(at)
    assert counts == {
        "pneumonia, flagged": f["tp"],
        "pneumonia, missed": f["fn"],
        "false alarm": f["fp"],
        "no pneumonia, cleared": f["tn"],
    }
    assert sum(counts.values()) == 1000
    assert at.slider(key="present_prevalence").value == round(100 * at_prev["prevalence"])


def check_model_card(at: AppTest, sheet) -> None:
    table = at.table[0].value
    for pop, column in zip(sheet.populations.values(), list(table.columns)[1:]):
        assert column.startswith(f"{pop.label} (n = {pop.n:,})")
        shown = list(table[column])[1:]
        for key, cell in zip(KEYS, shown):
            assert cell.startswith(pop.text(key)), (pop.key, key, cell)
    text = page_text(at)
    assert sheet.threshold_text in text
    for sentence in sheet.at["sentences"]:
        assert sentence in text


def check_predict(at: AppTest, sheet) -> None:
    head, at_prev = sheet.headline, sheet.at
    metrics = {m.label: m.value for m in at.metric}
    for key in ("sensitivity", "specificity"):
        assert metrics[key.capitalize()] == head.parts(key)[0]
    for key in ("ppv", "npv"):
        assert (
            metrics[key.upper()]
            == format_interval(at_prev[key], at_prev[f"{key}_ci"]).split(" (")[0]
        )
    text = page_text(at)
    assert f"On the {sheet.scale}." in text, "the probability's scale unnamed"
    assert sheet.threshold_text in text
    for sentence in at_prev["sentences"]:
        assert sentence in text


def check_pdf(card, sheet, roc, tmp_path) -> None:
    out = tmp_path / "r.pdf"
    render_pdf(build_story(card, sheet, roc), None, out)
    text = re.sub(r"\s+", " ", pdf_helpers.pdf_text(out))
    for key in KEYS:
        assert sheet.headline.text(key) in text, key
    assert sheet.threshold_text in text
    at_prev = sheet.at
    assert f"PPV {format_interval(at_prev['ppv'], at_prev['ppv_ci'])}" in text
    for sentence in at_prev["sentences"]:
        assert sentence in text
    for x, lo, hi in pdf_helpers.intervals(text):
        assert lo <= x <= hi, f"PDF: {x} ({lo}–{hi})"
    flags = pdf_helpers.frequency_counts(out)
    f = at_prev["frequencies"]
    assert flags["sentence"] == flags["row"] == (f["flagged"], f["fp"], f["fn"])


def check_site(at: AppTest, profile: dict, card, scores, tmp_path) -> None:
    """The Site page and the site PDF show the figures the sheet's "site" population has."""
    site = figure_sheet(card, scores, profile["threshold"], 0.2, profile).populations["site"]
    at.switch_page("pages/site.py").run()
    at.selectbox(key="site_pick").set_value(profile["name"]).run()
    assert not at.exception, [e.value for e in at.exception]
    threshold = f"proposed threshold {profile['threshold']:.3f}"
    assert threshold in list(at.table[0].value.columns)
    metrics = {m.label: m.value for m in at.metric}
    value, interval = site.parts("auc")
    assert metrics["AUC (95% CI)"] == value
    text = page_text(at)
    assert f"95% CI {interval}" in text
    assert_intervals_hold(text, "site page")
    out = write_pdf(profile["report"], tmp_path / "site.pdf")
    pdf = " ".join(pdf_helpers.pdf_text(out).split())
    assert site.text("auc").replace("–", "-") in pdf
    for x, lo, hi in pdf_helpers.intervals(pdf):
        assert lo <= x <= hi, f"site PDF: {x} ({lo}-{hi})"


@pytest.mark.parametrize("site", ["", "plain", "recal"])
def test_every_page_and_the_pdf_show_the_sheet(
    site, saved, shipped, fullres_files, tmp_path, open_app
):
    card, scores = shipped
    profile = saved[site]
    at = open_app().run()
    if site:
        at.selectbox(key="_sb_site").set_value(site).run()
    at.session_state[STUDY_KEY] = load_study(fullres_files[0])
    own = profile["threshold"] if profile else card["threshold"]
    for threshold in (own, OTHER_THRESHOLD):
        at.slider(key="_sb_threshold").set_value(round(threshold, 3)).run()
        t = at.session_state["threshold"]
        scale = figure_sheet(card, scores, t, 0.2, profile).scale
        assert f"Decision threshold ({scale})" in at.slider(key="_sb_threshold").label
        fig = None
        for prev in PREVALENCES:
            at.session_state[PREVALENCE_KEY] = prev
            sheet = figure_sheet(card, scores, t, prev, profile)
            for page, check in zip(PAGES, (check_present, check_model_card, check_predict)):
                at.switch_page(page).run()
                assert not at.exception, (site, t, prev, page, [e.value for e in at.exception])
                check(at, sheet)
                assert_intervals_hold(page_text(at), f"{page} {site} {t} {prev}")
            fig = fig or validation_figures(card, scores, sheet.validation_threshold)
            check_pdf(card, sheet, fig.roc, tmp_path)
    if profile:
        check_site(at, profile, card, scores, tmp_path)


@pytest.mark.parametrize("site", ["plain", "recal"])
def test_no_page_raises_with_a_site_profile(site, saved, fullres_files, open_app):
    at = open_app().run()
    at.selectbox(key="_sb_site").set_value(site).run()
    at.session_state[STUDY_KEY] = load_study(fullres_files[0])
    assert len(LISTED) >= 10
    for page in LISTED:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        if page in ("pages/explain.py", "pages/feature_maps.py"):  # the verdict line
            scale = "(site recal's recalibrated scale)" if site == "recal" else "(shipped scale)"
            assert scale in page_text(at), page
