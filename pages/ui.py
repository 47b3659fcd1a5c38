"""UI side of the app: the cached loaders (the only hidden globals) and shared widgets.

Models and explainers are built once per process (`st.cache_resource`, shared and read-only);
explanations are cached per image digest and settings (`st.cache_data`).
"""

from __future__ import annotations

import streamlit as st

from xray_core import config, store
from xray_core.card import INTENDED_USE, POPULATION
from xray_core.decode import ImageError
from xray_core.explain import feature_maps, gradcam, lime_explain
from xray_core.inference import assess
from xray_core.scores import load_scores
from xray_core.study import Study, open_study

STUDY_KEY = "study"  # the current image, shared by all pages
MODEL_KEY = "model"
THRESHOLD_KEY = "threshold"


# ---- cached loaders ---------------------------------------------------------------------
@st.cache_resource(show_spinner="Loading model…")
def get_model(name: str) -> store.StoredModel:
    return store.load_model(name)


@st.cache_resource(show_spinner=False)
def get_cam(name: str, method: str):
    return gradcam.make_cam(get_model(name).model, method)


@st.cache_resource(show_spinner=False)
def get_probe(name: str, layer: str):
    return feature_maps.make_probe(get_model(name).model, layer)


@st.cache_data(show_spinner=False)
def get_scores(name: str) -> dict | None:
    return load_scores(name)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_gradcam(name: str, method: str, target: str, digest: str, _study: Study):
    m = get_model(name)
    return gradcam.gradcam_heatmap(
        get_cam(name, method), _study.model_input(m.contract), m.last_conv, target
    )


@st.cache_resource(show_spinner=False)
def _lime_results() -> dict:
    """Process-wide LIME results keyed by (model, image digest, samples, segments)."""
    return {}


def cached_lime(name: str, study: Study, samples: int, segments: int, progress=None):
    """LIME for this image and settings, computed once (st.cache_data cannot drive a progress
    bar from inside the cached call, so results live in a shared, bounded dict instead)."""
    results, key = _lime_results(), (name, study.digest, samples, segments)
    if key not in results:
        m = get_model(name)
        results[key] = lime_explain.explain_lime(
            m.probabilities,
            study.display(m.contract),
            m.contract,
            num_samples=samples,
            n_segments=segments,
            progress=progress,
        )
        while len(results) > 32:
            results.pop(next(iter(results)))
    return results[key]


# ---- shared state and widgets -----------------------------------------------------------
@st.cache_resource(show_spinner=False)
def get_gatekeeper(name: str) -> store.StoredModel:
    return store.load_gatekeeper(get_model(name))


def assess_current(study: Study):
    """The current model's assessment at the current threshold, judged by the store's gate."""
    name = st.session_state[MODEL_KEY]
    return assess(get_model(name), study, current_threshold(), get_gatekeeper(name))


def model_names() -> list[str]:
    return store.list_models()


def current_model() -> store.StoredModel:
    return get_model(st.session_state[MODEL_KEY])


def current_threshold() -> float:
    return float(st.session_state[THRESHOLD_KEY])


def reset_threshold() -> None:
    st.session_state[THRESHOLD_KEY] = float(get_model(st.session_state[MODEL_KEY]).threshold)
    st.session_state[f"_sb_{THRESHOLD_KEY}"] = st.session_state[THRESHOLD_KEY]


def _pick_model() -> None:
    st.session_state[MODEL_KEY] = st.session_state[f"_sb_{MODEL_KEY}"]
    reset_threshold()


def _pick_threshold() -> None:
    st.session_state[THRESHOLD_KEY] = float(st.session_state[f"_sb_{THRESHOLD_KEY}"])


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
    """Model picker and threshold slider. The widgets mirror plain session keys (MODEL_KEY,
    THRESHOLD_KEY) so the choice survives page switches whatever page renders them."""
    names = init_state()
    default = store.default_model()
    st.session_state[f"_sb_{MODEL_KEY}"] = st.session_state[MODEL_KEY]
    st.session_state[f"_sb_{THRESHOLD_KEY}"] = st.session_state[THRESHOLD_KEY]
    st.sidebar.selectbox(
        "Model",
        names,
        key=f"_sb_{MODEL_KEY}",
        on_change=_pick_model,
        format_func=lambda n: f"{n} (default)" if n == default else n,
    )
    st.sidebar.slider(
        "Decision threshold: P(pneumonia) at or above it reads PNEUMONIA",
        0.0,
        1.0,
        step=0.001,
        format="%.3f",
        key=f"_sb_{THRESHOLD_KEY}",
        on_change=_pick_threshold,
    )
    shipped = current_model().threshold
    st.sidebar.button(
        f"Reset to shipped ({shipped:.3f})",
        on_click=reset_threshold,
        disabled=abs(current_threshold() - shipped) < 1e-9,
    )
    st.sidebar.caption(f"**Intended use.** {INTENDED_USE} {POPULATION}")


def ensure_frame() -> None:
    """First call on every page. When Streamlit ran this page directly (its legacy pages/ folder
    mode: a first visit straight to a page URL, or AppTest.switch_page), the entry file did not
    run, so render the sidebar here."""
    from streamlit.runtime.pages_manager import PagesManager  # noqa: PLC0415

    if PagesManager.uses_pages_directory:
        sidebar()
    else:
        init_state()


def intended_use_banner() -> None:
    st.warning(
        "Research and education only, not a medical device. Trained on children aged 1–5 "
        "from one hospital.",
        icon=":material/warning:",
    )


def load_upload(data: bytes, name: str) -> None:
    """Decode an upload into the session's current study, or show why it was refused."""
    try:
        st.session_state[STUDY_KEY] = open_study(data, name)
    except ImageError as exc:
        st.session_state.pop(STUDY_KEY, None)
        st.error(f"Cannot use this file. {exc}")


def sample_files() -> list:
    folder = config.samples_dir()
    return sorted(folder.rglob("*.jp*g")) if folder else []


def require_study() -> Study:
    """The current study, or a pointer to the Predict page and stop."""
    study = st.session_state.get(STUDY_KEY)
    if study is None:
        st.info("No X-ray loaded yet: upload one on the Predict page.")
        st.page_link("pages/predict.py", label="Go to Predict", icon=":material/radiology:")
        st.stop()
    if not assess_current(study).ok:
        st.error(
            "The input check refused the current image (see Predict): explanations of an "
            "image that is not a chest X-ray would mean nothing.",
            icon=":material/block:",
        )
        st.stop()
    return study


@st.cache_data(show_spinner="Reading the dataset…")
def get_overview(root: str) -> dict:
    from xray_core.overview import dataset_overview  # noqa: PLC0415

    return dataset_overview(root)


@st.cache_data(show_spinner=False)
def get_sample_grid(root: str, per_class: int, seed: int) -> dict:
    from xray_core.overview import sample_grid  # noqa: PLC0415

    return sample_grid(root, per_class=per_class, seed=seed)
