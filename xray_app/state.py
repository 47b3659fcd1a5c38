"""Session state shared by all pages, and the sidebar that edits it.

Shared keys (initialised once per session by `init_state`, the sidebar runs it):
    MODEL_KEY: name of the current model (str).
    THRESHOLD_KEY: decision threshold, P(pneumonia) in [0, 1] (float).
    STUDY_KEY: the current image (xray_core.study.Study), set on the Predict page.
The sidebar widgets use their own keys (`widget_key(MODEL_KEY)`, ...) and copy into the plain
keys on change, so the choice survives page switches. Page-only keys are prefixed with the
page's name (`predict_`, `explain_`, `fm_`, `dataset_`).
"""

from __future__ import annotations

import streamlit as st

from xray_app.loaders import get_model, get_shipped_threshold, model_names
from xray_core import store
from xray_core.config import POSITIVE_CLASS
from xray_core.intended_use import INTENDED_USE, POPULATION

STUDY_KEY = "study"
MODEL_KEY = "model"
THRESHOLD_KEY = "threshold"


def widget_key(key: str) -> str:
    """The sidebar widget's own key for a shared key ("model" -> "_sb_model")."""
    return f"_sb_{key}"


def current_model() -> store.StoredModel:
    """The session's model (cached, shared, read-only)."""
    return get_model(st.session_state[MODEL_KEY])


def current_threshold() -> float:
    """The session's decision threshold in [0, 1]."""
    return float(st.session_state[THRESHOLD_KEY])


def reset_threshold() -> None:
    """Set the threshold back to the current model's shipped one (from its card)."""
    st.session_state[THRESHOLD_KEY] = get_shipped_threshold(st.session_state[MODEL_KEY])
    st.session_state[widget_key(THRESHOLD_KEY)] = st.session_state[THRESHOLD_KEY]


def _pick_model() -> None:
    st.session_state[MODEL_KEY] = st.session_state[widget_key(MODEL_KEY)]
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
        reset_threshold()
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
    st.sidebar.slider(
        f"Decision threshold: P(pneumonia) at or above it reads {POSITIVE_CLASS}",
        0.0,
        1.0,
        step=0.001,
        format="%.3f",
        key=widget_key(THRESHOLD_KEY),
        on_change=_pick_threshold,
    )
    shipped = get_shipped_threshold(st.session_state[MODEL_KEY])
    st.sidebar.button(
        f"Reset to shipped ({shipped:.3f})",
        on_click=reset_threshold,
        disabled=abs(current_threshold() - shipped) < 1e-9,
    )
    st.sidebar.caption(f"**Intended use.** {INTENDED_USE} {POPULATION}")
