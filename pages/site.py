"""Site: a hospital's own validation report, and its site profile for the sidebar."""

import json

import streamlit as st

from xray_app import frame, site_view, sites, state
from xray_core.site.report import check_report
from xray_core.store.site_profiles import load_profile

frame.route_through_entry()

st.title("Site validation")
st.markdown(
    "Does the model hold on **your** patients and scanners? Score a labelled local sample, "
    "read the report, and save a **site profile**: a local threshold (and, optionally, a "
    "local recalibration) for this model file. The shipped model is never changed."
)
st.code(
    "python -m xray_core validate-site --data DIR --target-sensitivity 0.95 \\\n"
    "    --recalibrate 120 --json site.json --pdf site.pdf --save-profile NAME",
    language="bash",
    wrap_lines=True,
)
model = state.current_model()
saved, loaded = st.tabs(["Saved site profiles", "Load a report"])


def use_profile(name: str) -> None:
    error = sites.activate(name, st.session_state[state.MODEL_KEY])
    st.session_state["site_error"] = error
    if error is None:
        state.reset_threshold()


with saved:
    rows = site_view.profile_rows(model.card["model_sha256"])
    if not rows:
        st.info("No site profiles saved yet: run the command above with --save-profile.")
    else:
        st.dataframe(rows, hide_index=True, width="stretch")
        pick = st.selectbox("Profile", [r["profile"] for r in rows], key="site_pick")
        fits = next(r for r in rows if r["profile"] == pick)["for this model"]
        st.button(
            f"Use {pick} in the sidebar",
            on_click=use_profile,
            args=(pick,),
            disabled=not fits or sites.current_site() == pick,
            help=None if fits else "Made for another model file: pick that model first.",
        )
        if st.session_state.get("site_error"):
            st.error(st.session_state["site_error"])
        site_view.show_report(load_profile(pick)["report"])

with loaded:
    upload = st.file_uploader(
        "A site report (validate-site --json)", type=["json"], key="site_upload"
    )
    if upload is not None:
        try:
            report = check_report(json.loads(upload.getvalue()))
        except ValueError as exc:  # JSONDecodeError is a ValueError
            st.error(f"Cannot read this report: {exc}")
        else:
            site_view.show_report(report)
