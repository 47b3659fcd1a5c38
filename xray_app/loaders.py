"""The cached loaders: the app's only hidden globals.

`st.cache_resource` objects (models, feature probes) are shared by every
session and thread: read-only once built. `st.cache_data` results are copied per caller.
"""

from __future__ import annotations

import streamlit as st

from xray_core.explain import feature_maps
from xray_core.io.study import Study
from xray_core.predict.assess import Assessment, assess
from xray_core.predict.validation_scores import load_scores
from xray_core.store import catalog as store


@st.cache_resource(show_spinner="Loading the model (first use after a start: a few seconds)…")
def get_model(name: str) -> store.StoredModel:
    """The stored model `name` (loaded once per process; shared, read-only)."""
    return store.load_model(name)


@st.cache_data(show_spinner=False)
def get_shipped_threshold(name: str) -> float:
    """Model `name`'s shipped threshold, read from its card without loading the model (so
    the sidebar and the page frame draw at once on a cold start)."""
    return float(store.read_card(name)["threshold"])


@st.cache_resource(show_spinner=False)
def get_site_model(name: str, site: str, version: float) -> store.StoredModel:
    """Model `name` as site profile `site` sees it: the profile's threshold and calibration
    (xray_core.store.site_profiles.apply_profile; the network is the cached one). `version`: the
    profile file's mtime, so a re-saved profile is read again."""
    from xray_core.store.site_profiles import apply_profile, load_profile

    return apply_profile(get_model(name), load_profile(site))


@st.cache_resource(show_spinner=False)
def get_gatekeeper(name: str) -> store.StoredModel:
    """The model whose gate screens inputs for `name`: the cached default model when it has a
    gate, else `name` itself (never a second copy of the default outside this cache)."""
    return store.load_gatekeeper(get_model(name), load=get_model)


@st.cache_resource(show_spinner=False)
def get_probe(name: str, layer: str):
    """A sub-model from the input to `layer` of model `name`, for feature maps."""
    return feature_maps.make_probe(get_model(name).model, layer)


@st.cache_data(show_spinner=False)
def get_scores(name: str) -> dict | None:
    """Model `name`'s stored validation scores (labels, probabilities), or None."""
    return load_scores(name)


@st.cache_data(show_spinner=False, max_entries=256)
def get_assessment(
    name: str, digest: str, _study: Study, site: str = "", version: float = 0.0
) -> Assessment:
    """Gate and score one study (by content digest) at the model's shipped threshold: one
    forward pass per model and image, whatever the page and however often it reruns. With a
    site profile, its calibration and threshold (`get_site_model`)."""
    stored = get_site_model(name, site, version) if site else get_model(name)
    return assess(stored, _study, None, get_gatekeeper(name))


def model_names() -> list[str]:
    """Names of the stored models, sorted."""
    return store.list_models()


@st.cache_data(show_spinner="Reading the dataset…")
def get_overview(root: str) -> dict:
    """Per-split summaries of the dataset at `root` (`dataset.overview.dataset_overview`)."""
    from xray_core.dataset.overview import dataset_overview

    return dataset_overview(root)


@st.cache_data(show_spinner=False)
def get_sample_grid(root: str, per_class: int, seed: int) -> dict:
    """{class: [(subtype, thumbnail)]}, `per_class` random thumbnails per class."""
    from xray_core.dataset.overview import sample_grid

    return sample_grid(root, per_class=per_class, seed=seed)


@st.cache_data(show_spinner=False)
def get_model_card(name: str) -> dict:
    """Model `name`'s card, read without loading the model."""
    return store.read_card(name)


def get_model_cards() -> dict:
    """{name: card} for every stored model (each read once, cached by `get_model_card`)."""
    return {name: get_model_card(name) for name in model_names()}


@st.cache_data(show_spinner=False)
def get_fullres_sizes() -> list[dict]:
    """Sizes of the full-resolution samples (xray_core.dataset.overview.fullres_sizes)."""
    from xray_core import config
    from xray_core.dataset.overview import fullres_sizes

    return fullres_sizes(config.samples_dir())
