"""Site profiles in the app: the sidebar's picker and the session's active profile.

Shared key SITE_KEY: the active site profile's name, "" for none (the shipped operating
point). Only profiles made for the current model file (same sha256) are offered; picking one
sets the threshold to the profile's, and the model's probabilities use its local calibration
when it has one (`loaders.get_site_model`). Changing the model clears the site.
"""

from __future__ import annotations

import streamlit as st

from xray_app.loaders import get_model, get_model_card, get_site_model
from xray_core.store.site_profiles import (
    SiteError,
    list_profiles,
    load_profile,
    sites_dir,
    to_shipped_scale,
)

SITE_KEY = "site"
NONE_LABEL = "none: shipped operating point"


def current_site() -> str:
    """The active site profile's name, or ""."""
    return st.session_state.get(SITE_KEY) or ""


def profile_version(site: str) -> float:
    """The profile file's modification time (cache key: a re-saved profile is reloaded)."""
    try:
        return (sites_dir() / f"{site}.json").stat().st_mtime
    except OSError:
        return 0.0


def active() -> tuple[str, float]:
    """(site, version) for the cached loaders; ("", 0.0) when no profile is active."""
    site = current_site()
    return (site, profile_version(site)) if site else ("", 0.0)


def validation_threshold(model_name: str, threshold: float) -> float:
    """`threshold` (on the active site's probability scale) as the same cut on the shipped
    scale, for figures computed from the model's stored validation scores."""
    site, version = active()
    if not site:
        return float(threshold)
    site_card = get_site_model(model_name, site, version).card
    return to_shipped_scale(threshold, site_card, get_model(model_name).card)


def profiles_for(model_name: str) -> list[str]:
    """Saved profiles made for this model file (from its card: the sidebar draws without
    loading the model)."""
    return list_profiles(get_model_card(model_name)["model_sha256"])


def activate(site: str, model_name: str) -> str | None:
    """Make `site` active for `model_name`; returns an error message instead when the
    profile is missing or belongs to another model file."""
    try:
        profile = load_profile(site)
    except SiteError as exc:
        return str(exc)
    if profile["model_sha256"] != get_model_card(model_name)["model_sha256"]:
        return (
            f"site profile {site!r} belongs to model {profile['model']} "
            f"(sha256 {profile['model_sha256'][:12]}), not to {model_name}."
        )
    st.session_state[SITE_KEY] = site
    return None


def check_active(model_name: str) -> None:
    """Drop an active profile that vanished or no longer fits the model (once per run)."""
    site = current_site()
    if site and site not in profiles_for(model_name):
        st.session_state[SITE_KEY] = ""


def site_picker(model_name: str, on_change) -> None:
    """The sidebar's site profile selectbox and, when one is active, a notice saying so."""
    names = ["", *profiles_for(model_name)]
    key = f"_sb_{SITE_KEY}"
    st.session_state[key] = current_site() if current_site() in names else ""
    st.sidebar.selectbox(
        "Site profile",
        names,
        key=key,
        on_change=on_change,
        format_func=lambda n: n or NONE_LABEL,
        help="Profiles are made by `python -m xray_core validate-site --save-profile NAME` "
        "(see the Site page).",
    )
    site = current_site()
    if site:
        profile = load_profile(site)
        cal = "local calibration" if profile.get("calibration") else "shipped calibration"
        st.sidebar.success(
            f"**Site profile: {site}**  \nthreshold {profile['threshold']:.3f} ({cal}), from "
            f"{profile['report']['n']} local cases",
            icon=":material/local_hospital:",
        )
