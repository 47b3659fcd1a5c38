"""Widgets and guards shared by pages: the banner, uploads, samples, the current assessment."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from xray_app import sites
from xray_app.loaders import get_assessment
from xray_app.state import MODEL_KEY, STUDY_KEY, current_threshold
from xray_core import config
from xray_core.io.decode import ImageError
from xray_core.io.study import Study, open_study
from xray_core.predict.assess import Assessment
from xray_core.text.intended_use import INTENDED_USE_SHORT, POPULATION_SHORT

PREDICT_PAGE = "pages/predict.py"


def intended_use_banner() -> None:
    st.warning(f"{INTENDED_USE_SHORT} Trained on {POPULATION_SHORT}.", icon=":material/warning:")


def load_upload(data: bytes, name: str) -> None:
    """Decode an upload into the session's current study, or show why it was refused."""
    try:
        st.session_state[STUDY_KEY] = open_study(data, name)
    except ImageError as exc:
        st.session_state.pop(STUDY_KEY, None)
        st.error(f"Cannot use this file. {exc}")


def sample_files() -> list[Path]:
    """The full-resolution sample X-rays (sorted), or [] when the folder is absent."""
    folder = config.samples_dir()
    return sorted(folder.rglob("*.jp*g")) if folder else []


def current_assessment(study: Study) -> Assessment:
    """The current model's assessment of `study` at the current threshold (cached: one
    forward pass per model and image; the threshold only relabels)."""
    name = st.session_state[MODEL_KEY]
    assessment = get_assessment(name, study.digest, study, *sites.active())
    return assessment.at_threshold(current_threshold())


def require_study() -> tuple[Study, Assessment]:
    """The current study and its assessment; else a pointer to Predict (or the refusal) and
    stop."""
    study = st.session_state.get(STUDY_KEY)
    if study is None:
        st.info("No X-ray loaded yet: upload one on the Predict page.")
        st.page_link(PREDICT_PAGE, label="Go to Predict", icon=":material/radiology:")
        st.stop()
    result = current_assessment(study)
    if not result.ok:
        st.error(
            "The input check refused the current image (see Predict): explanations of an "
            "image that is not a chest X-ray would mean nothing.",
            icon=":material/block:",
        )
        st.stop()
    return study, result
