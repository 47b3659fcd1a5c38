"""UI side of the stakeholder views (presentation page, model card, Compare, Predict).

Cached: the validation figures with their 95% intervals per (model, threshold) (one bootstrap,
~0.1-0.4 s), the gallery's file lists and decoded cases, and the Grad-CAM tiles (through
`explanations.cached_gradcam`, shared with the Explain page). The PDF is built on click, on
the download button's own thread, from data computed here (no Streamlit calls inside it).
"""

from __future__ import annotations

import streamlit as st

from xray_app import explanations
from xray_app.loaders import get_model, get_model_cards, get_scores
from xray_app.state import STUDY_KEY
from xray_core import config, gallery, store
from xray_core.explain import overlay
from xray_core.report.pdf import render_pdf
from xray_core.report.story import build_story, prevalence_range
from xray_core.study import Study, load_study
from xray_core.validation_figures import Figures, validation_figures
from xray_core.wording import percent

EXPLAIN_PAGE = "pages/explain.py"
GALLERY_PER_KIND = 2
PRESENT_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stSidebarNav"] {display: none !important;}
.block-container {padding-top: 1rem !important;}
</style>"""
LARGE_TYPE_CSS = """<style>
.block-container {max-width: 100% !important; padding-left: 2.5rem; padding-right: 2.5rem;}
.block-container p, .block-container li {font-size: 1.2rem;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {font-size: 3rem !important;
  font-weight: 600;}
[data-testid="stMetricLabel"] p {font-size: 1.3rem !important;}
</style>"""


@st.cache_data(show_spinner="Bootstrapping 95% intervals…", max_entries=64)
def get_figures(name: str, threshold: float) -> Figures | None:
    """Validation figures of model `name` at `threshold` with 95% intervals; None when the
    model has no stored validation scores."""
    return validation_figures(store.read_card(name), get_scores(name), threshold)


def rests_on(fig: Figures, key: str) -> str:
    """What a figure's n is: 'n = 581 with pneumonia' for sensitivity, etc."""
    c = fig.confusion
    n = {
        "auc": (fig.n, "X-rays"),
        "accuracy": (fig.n, "X-rays"),
        "sensitivity": (fig.n_pos, "with pneumonia"),
        "specificity": (fig.n_neg, "normal"),
        "ppv": (c["tp"] + c["fp"], "flagged"),
        "npv": (c["tn"] + c["fn"], "cleared"),
    }[key]
    return f"n = {n[0]:,} {n[1]}"


def story(name: str, fig: Figures, prevalence: float) -> dict:
    """The same story as the PDF (xray_core.report.story) for the page's words."""
    return build_story(get_model(name).card, fig, prevalence, scored=get_model_cards())


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
    """{"image": (H, W, 3) uint8 Grad-CAM toward the verdict over what the model sees,
    "target", "empty"}; models without a convolutional layer get the plain image."""
    model, study = get_model(name), case_study(str(case.path))
    display, target = study.display(model.contract), gallery.explain_target(case)
    plain = {"image": overlay.gray_to_rgb(display), "target": target, "empty": True}
    if model.last_conv is None:
        return {**plain, "explained": False}
    heat = explanations.cached_gradcam(name, "gradcam", target, study.digest, study)
    if float(heat.max()) == 0.0:
        return {**plain, "explained": True}
    image = overlay.blend_heatmap(display, heat, 0.45)
    return {"image": image, "target": target, "explained": True, "empty": False}


def tile_caption(case: gallery.GalleryCase, tile: dict) -> str:
    """'P(pneumonia) 0.94 · Grad-CAM toward PNEUMONIA · case 3f9a1c' (no file name)."""
    return f"P(pneumonia) {percent(case.probability)} · {gallery.tile_note(tile)} · {case.case_id}"


def open_in_explain(case: gallery.GalleryCase) -> None:
    """Make `case` the app's current study and go to the Explain page."""
    st.session_state[STUDY_KEY] = case_study(str(case.path))
    st.switch_page(EXPLAIN_PAGE)


def prevalence_slider(key: str, fig: Figures, label: str = "Prevalence of pneumonia") -> float:
    """A 1%-60% control (widened to hold the validation prevalence, its default); fraction."""
    lo, hi = (int(round(100 * x)) for x in prevalence_range(fig.prevalence))
    default = min(max(round(100 * fig.prevalence), lo), hi)
    percent = st.slider(
        label,
        lo,
        hi,
        default,
        format="%d%%",
        key=key,
        help=f"Among the children X-rayed. Default: the validation split's own {default}%; "
        "clinics usually see far less.",
    )
    return percent / 100


def report_callable(name: str, fig: Figures, prevalence: float, cases: dict):
    """A no-argument function returning the one-page PDF (bytes) for the download button."""
    text = story(name, fig, prevalence)
    tiles = []
    for case in (c for kind in cases.values() for c in kind):
        tile = gallery_tile(name, case)
        caption = tile_caption(case, tile).replace(" · ", "\n")
        tiles.append((case.title.split(":")[0], caption, tile["image"]))
    return lambda: render_pdf(text, tiles)


def style(present: bool) -> None:
    """Large type for the projector; in present mode also hide the sidebar and header."""
    st.markdown(LARGE_TYPE_CSS + (PRESENT_CSS if present else ""), unsafe_allow_html=True)
