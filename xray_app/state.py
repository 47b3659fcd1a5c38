"""Session state shared by all pages, and the sidebar that edits it.

Shared keys (initialised once per session by `init_state`, the sidebar runs it):
    MODEL_KEY: name of the current model (str).
    THRESHOLD_KEY: decision threshold, P(pneumonia) in [0, 1] (float).
    STUDY_KEY: the current image (xray_core.io.study.Study), set on the Predict page.
The sidebar widgets use their own keys (`widget_key(MODEL_KEY)`, ...) and copy into the plain
keys on change, so the choice survives page switches. Page-only keys are prefixed with the
page's name (`predict_`, `explain_`, `fm_`, `dataset_`).
"""

from __future__ import annotations

import time

import streamlit as st

from xray_app import sites
from xray_app.loaders import get_model, get_shipped_threshold, get_site_model, model_names
from xray_core.config import POSITIVE_CLASS
from xray_core.store import catalog as store
from xray_core.store.site_profiles import load_profile, scale_name
from xray_core.text.intended_use import INTENDED_USE, POPULATION

STUDY_KEY = "study"
FRAME_PAUSE_S = 0.3
MODEL_KEY = "model"
THRESHOLD_KEY = "threshold"


def widget_key(key: str) -> str:
    """The sidebar widget's own key for a shared key ("model" -> "_sb_model")."""
    return f"_sb_{key}"


def current_model() -> store.StoredModel:
    """The session's model (cached, shared, read-only), seen through the active site profile
    (its threshold and calibration; xray_app.sites)."""
    name, (site, version) = st.session_state[MODEL_KEY], sites.active()
    return get_site_model(name, site, version) if site else get_model(name)


@st.cache_resource(show_spinner=False)
def _frame_sent() -> bool:
    """Once per server process: a pause (FRAME_PAUSE_S) that lets the server send the page
    drawn so far before TensorFlow's import holds the interpreter for seconds."""
    time.sleep(FRAME_PAUSE_S)
    return True


def load_model_under_frame() -> store.StoredModel:
    """The session's model, loaded (on a cold start) only after the frame above has reached
    the browser: without the pause the frame waited for the whole model load."""
    _frame_sent()
    return current_model()


def operating_threshold() -> float:
    """The threshold to reset to: the active site profile's, else the model's shipped one."""
    name, (site, version) = st.session_state[MODEL_KEY], sites.active()
    return get_site_model(name, site, version).threshold if site else get_shipped_threshold(name)


def current_threshold() -> float:
    """The session's decision threshold in [0, 1]."""
    return float(st.session_state[THRESHOLD_KEY])


def reset_threshold() -> None:
    """Set the threshold back to the site profile's or the model's shipped one."""
    st.session_state[THRESHOLD_KEY] = operating_threshold()
    st.session_state[widget_key(THRESHOLD_KEY)] = st.session_state[THRESHOLD_KEY]


def _pick_model() -> None:
    st.session_state[MODEL_KEY] = st.session_state[widget_key(MODEL_KEY)]
    st.session_state[sites.SITE_KEY] = ""
    reset_threshold()


def _pick_site() -> None:
    st.session_state[sites.SITE_KEY] = st.session_state[widget_key(sites.SITE_KEY)]
    reset_threshold()


def _pick_threshold() -> None:
    st.session_state[THRESHOLD_KEY] = float(st.session_state[widget_key(THRESHOLD_KEY)])


def init_state() -> list[str]:
    """Initialise the shared keys once per session; returns the stored model names."""
    names = model_names()
    if not names:
        st.error("No trained models in the store. Train one: `python -m xray_core train ...`.")
        st.stop()
    if st.session_state.get(MODEL_KEY) not in names:
        st.session_state[MODEL_KEY] = store.default_model()
        st.session_state[sites.SITE_KEY] = ""
        reset_threshold()
    sites.check_active(st.session_state[MODEL_KEY])
    return names


def sidebar() -> None:
    """Model picker, threshold slider, reset button and the intended-use note."""
    names = init_state()
    default = store.default_model()
    for key in (MODEL_KEY, THRESHOLD_KEY):
        st.session_state[widget_key(key)] = st.session_state[key]
    st.sidebar.selectbox(
        "Model",
        names,
        key=widget_key(MODEL_KEY),
        on_change=_pick_model,
        format_func=lambda n: f"{n} (default)" if n == default else n,
    )
    sites.site_picker(st.session_state[MODEL_KEY], _pick_site)
    site = sites.current_site()
    scale = scale_name(load_profile(site) if site else None)
    st.sidebar.slider(
        f"Decision threshold ({scale}): P(pneumonia) at or above it reads {POSITIVE_CLASS}",
        0.0,
        1.0,
        step=0.001,
        format="%.3f",
        key=widget_key(THRESHOLD_KEY),
        on_change=_pick_threshold,
    )
    shipped = operating_threshold()
    st.sidebar.button(
        f"Reset to {'site' if sites.current_site() else 'shipped'} ({shipped:.3f})",
        on_click=reset_threshold,
        disabled=abs(current_threshold() - shipped) < 1e-9,
    )
    st.sidebar.caption(f"**Intended use.** {INTENDED_USE} {POPULATION}")
