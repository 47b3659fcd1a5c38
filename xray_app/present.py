"""UI side of the stakeholder views (presentation page, model card, Compare, Predict).

Every figure these pages show comes from `get_sheet` (`xray_core.evaluation.figure_sheet`: the
model, the threshold, the shared prevalence and the active site profile). Cached: the validation
figures with their 95% intervals per (model, threshold) (one bootstrap, ~0.1-0.4 s), the sheet, the
gallery's file lists and decoded cases, and the map tiles (through `gallery_map`, the one call to
the explainer). The PDF is built on click, on the download button's own thread, from data computed
here (no Streamlit calls inside it).

Shared key PREVALENCE_KEY: the assumed prevalence of pneumonia (fraction), set by the
prevalence sliders of the Present and Model card pages and read by Predict; it starts at
`figure_sheet.DEFAULT_PREVALENCE` (20%), never at the validation split's 74%.
"""

from __future__ import annotations

import streamlit as st

from xray_app import current, explanations, sites
from xray_app.loaders import get_model, get_model_cards, get_scores
from xray_app.state import STUDY_KEY
from xray_core import config
from xray_core.evaluation.figure_sheet import (
    DEFAULT_PREVALENCE,
    Sheet,
    figure_sheet,
    validation_threshold,
)
from xray_core.evaluation.validation_figures import Figures, validation_figures
from xray_core.explain import overlay
from xray_core.io.study import Study, load_study
from xray_core.report import gallery
from xray_core.report.story import build_story, prevalence_range
from xray_core.store import catalog as store
from xray_core.store.site_profiles import load_profile
from xray_core.text.wording import percent

PREVALENCE_KEY = "prevalence"

EXPLAIN_PAGE = "pages/explain.py"
GALLERY_PER_KIND = 2
PRESENT_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stSidebarNav"] {display: none !important;}
.block-container {padding-top: 0.5rem !important;}
</style>"""
LARGE_TYPE_CSS = """<style>
.block-container {max-width: 100% !important; padding: 1rem 2rem 0.5rem 2rem !important;}
.block-container p, .block-container li {font-size: 1.05rem;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {font-size: 2.2rem !important;
  font-weight: 600;}
[data-testid="stMetricLabel"] p {font-size: 1.1rem !important;}
.block-container [data-testid="stVerticalBlock"] {gap: 0.5rem;}
</style>"""


@st.cache_data(show_spinner="Bootstrapping 95% intervals…", max_entries=64)
def get_figures(name: str, threshold: float) -> Figures | None:
    """Validation figures of model `name` at `threshold` with 95% intervals; None when the
    model has no stored validation scores."""
    return validation_figures(store.read_card(name), get_scores(name), threshold)


@st.cache_data(show_spinner=False, max_entries=128)
def _sheet(name: str, threshold: float, prevalence: float, site: str, version: float) -> Sheet:
    card = get_model(name).card
    profile = load_profile(site) if site else None
    fig = get_figures(name, validation_threshold(card, threshold, profile))
    return figure_sheet(card, get_scores(name), threshold, prevalence, profile, validation=fig)


def get_sheet(name: str, threshold: float, prevalence: float | None = None) -> Sheet:
    """Every figure for model NAME at THRESHOLD (on the active site's scale) and PREVALENCE
    (default: the session's shared prevalence)."""
    prev = current_prevalence() if prevalence is None else prevalence
    return _sheet(name, float(threshold), float(prev), *sites.active())


def current_prevalence() -> float:
    """The session's assumed prevalence (fraction)."""
    return float(st.session_state.get(PREVALENCE_KEY, DEFAULT_PREVALENCE))


def story(name: str, sheet: Sheet) -> dict:
    """The same story as the PDF (xray_core.report.story) for the page's words."""
    fig = get_figures(name, sheet.validation_threshold)
    roc = fig.roc if fig is not None else None
    return build_story(get_model(name).card, sheet, roc, scored=get_model_cards())


@st.cache_data(show_spinner="Finding validation cases…", max_entries=32)
def get_gallery(name: str, threshold: float) -> tuple[dict, str | None]:
    """({kind: [GalleryCase]}, None), or ({}, why) when the validation images are missing."""
    root, scores = config.data_dir(), get_scores(name)
    if root is None or scores is None:
        return {}, "no data folder configured (XRAY_DATA_DIR or ../shared/data/chest_xray)"
    try:
        return gallery.gallery_cases(
            get_model(name).card, scores, root, threshold, GALLERY_PER_KIND
        ), None
    except gallery.GalleryError as exc:
        return {}, str(exc)


@st.cache_data(show_spinner=False, max_entries=64)
def case_study(path: str) -> Study:
    """A validation image as a Study (decoded once per file)."""
    return load_study(path)


def gallery_tile(name: str, case: gallery.GalleryCase) -> dict:
    """{"image": (H, W, 3) uint8 map toward the verdict over what the model sees, "target",
    "method", "explained", "empty"}; a blank map leaves the plain image."""
    model, study = get_model(name), case_study(str(case.path))
    display, target = study.display(model.contract), gallery.explain_target(case)
    exp = gallery_map(name, target, study)
    tile = {"target": target, "method": exp.title, "explained": True, "empty": exp.blank}
    return {**tile, "image": overlay.gray_to_rgb(display) if exp.blank else exp.draw(display, 0.45)}


def gallery_map(name: str, target: str, study: Study):
    """The gallery's Explanation (the map Explain opens with: the method that passed the
    model's faithfulness benchmark): the one place the Present gallery (page and PDF) calls an
    explainer."""
    return explanations.opening_explanation(name, target, study)


def tile_caption(case: gallery.GalleryCase, tile: dict) -> str:
    """'P(pneumonia) 94% · Occlusion toward PNEUMONIA · case 3f9a1c' (no file name)."""
    return f"P(pneumonia) {percent(case.probability)} · {gallery.tile_note(tile)} · {case.case_id}"


def open_in_explain(case: gallery.GalleryCase) -> None:
    """Make `case` the app's current study, named (neutral id, gallery kind, truth), and go to
    the Explain page."""
    st.session_state[STUDY_KEY] = case_study(str(case.path))
    truth = "pneumonia" if case.label else "normal"
    name = f"{case.case_id}, {case.title.split(':')[0].lower()} (truth: {truth})"
    st.session_state[current.SOURCE_KEY] = {"kind": "gallery", "name": name}
    st.switch_page(EXPLAIN_PAGE)


def prevalence_slider(key: str, label: str = "Assumed prevalence of pneumonia") -> float:
    """The shared prevalence control (1%-75%; default 20%, an assumption to set to the
    clinic's own); fraction."""
    lo, hi = (int(round(100 * x)) for x in prevalence_range(0.742))

    def copy() -> None:
        st.session_state[PREVALENCE_KEY] = st.session_state[key] / 100

    st.session_state[key] = int(round(100 * current_prevalence()))
    percent = st.slider(
        label,
        lo,
        hi,
        format="%d%%",
        key=key,
        on_change=copy,
        help=f"Among the children X-rayed where the tool would be used: an assumption "
        f"(default {DEFAULT_PREVALENCE:.0%}); the validation split's own 74% is far above most "
        "clinics'. PPV, NPV and the counts per 1,000 follow it.",
    )
    return percent / 100


def report_callable(name: str, sheet: Sheet, cases: dict):
    """A no-argument function returning the one-page PDF (bytes) for the download button."""
    text = story(name, sheet)
    tiles = []
    for case in (c for kind in cases.values() for c in kind):
        tile = gallery_tile(name, case)
        caption = tile_caption(case, tile).replace(" · ", "\n")
        tiles.append((case.title.split(":")[0], caption, tile["image"]))

    def pdf() -> bytes:
        from xray_core.report.pdf import render_pdf  # fpdf2 and matplotlib: on click only

        return render_pdf(text, tiles)

    return pdf


def style(present: bool) -> None:
    """Large type for the projector; in present mode also hide the sidebar and header."""
    st.markdown(LARGE_TYPE_CSS + (PRESENT_CSS if present else ""), unsafe_allow_html=True)
