"""Review: create a session from a folder, uploaded files or a zip, or a sample set."""

import secrets

import streamlit as st

from xray_app import frame, loaders, review, state
from xray_app.review_access import OPEN_NOTE, app_base, as_text, plain
from xray_core.review.access import OWNER, link_url
from xray_core.review.db import ReviewError
from xray_core.review.sessions import create_session

frame.route_through_entry()

st.title("Review: new session")
model, threshold = state.current_model(), state.current_threshold()
st.caption(
    f"Every case is decoded, checked and scored once, now, by **{model.name}** at threshold "
    f"**{threshold:.3f}** (the sidebar's choice); readers see that AI result after their blinded "
    "read. Stored: the pixels (downscaled to 1024 px) and their SHA-256, labels, the AI's "
    f"result. Database: `{review.db_path()}`."
)
name = st.text_input("Session name", key="review_new_name", max_chars=60)
source = st.radio(
    "Cases from",
    ["folder", "uploads", "sample"],
    horizontal=True,
    key="review_new_source",
    format_func={
        "folder": "A folder (or .zip) on this computer",
        "uploads": "Uploaded files or a zip",
        "sample": "A sample set from the data folder",
    }.get,
)
folder = labels_path = ""
uploads, labels_upload, n = [], None, 40
if source == "folder":
    folder = st.text_input(
        "Folder or .zip path (any depth; PNG, JPEG, DICOM)", key="review_new_dir"
    )
    labels_path = st.text_input(
        "Labels CSV path (optional; columns file,label)", key="review_new_lab"
    )
elif source == "uploads":
    uploads = st.file_uploader(
        "X-rays (PNG, JPEG, DICOM) or one zip",
        accept_multiple_files=True,
        type=["png", "jpg", "jpeg", "dcm", "dicom", "zip"],
        key="review_new_files",
    )
    labels_upload = st.file_uploader("Labels CSV (optional)", type=["csv"], key="review_new_csv")
else:
    n = st.number_input("Number of cases (half NORMAL, half PNEUMONIA)", 2, 400, 40, 2)
    st.caption(
        "Drawn from the test split when present, else from every split (the AI trained "
        "on those: its figures will flatter it)."
    )
st.caption("Labels also come from NORMAL/ and PNEUMONIA/ folder names.")
default_seed = st.session_state.setdefault("review_new_default_seed", secrets.randbelow(10**6))
seed = int(
    st.number_input(
        "Case-order seed (same order for every reader)",
        0,
        2**31 - 1,
        default_seed,
        key="review_new_seed",
    )
)
keep_names = st.checkbox("Store file names (off: only pixels and their hash)", key="review_new_kn")
show_truth = st.checkbox("Show readers the ground truth after their aided read", key="review_new_t")
is_open = st.checkbox(
    "Open session: anyone may read under a typed name (off: each reader gets their own link)",
    key="review_new_open",
)
if is_open:
    st.warning(OPEN_NOTE, icon=":material/lock_open:")

if st.button("Create session", type="primary", disabled=not name.strip()):
    try:
        with st.spinner("Decoding, checking and scoring the cases…"):
            items, kind = review.collect_items(
                source, folder, labels_path, uploads or [], labels_upload, int(n), seed
            )
            report = create_session(
                review.db_path(),
                name,
                items,
                model,
                loaders.get_gatekeeper(model.name),
                threshold=threshold,
                seed=seed,
                source=kind,
                keep_names=keep_names,
                show_truth=show_truth,
                access="open" if is_open else "invite",
            )
    except ReviewError as exc:
        st.error(plain(str(exc)))
    else:
        st.success(
            f"Session **{as_text(report.session)}**: {report.n_cases} cases ({report.n_labelled} "
            f"labelled, {report.n_refused} refused by the input check and kept, marked)."
        )
        for line in report.errors + report.duplicates:
            st.text(f"Skipped: {line}")
        st.markdown(
            "**Your owner link** (shown once: keep it private). It opens the results, the "
            "exports, the settings, and the page where you create one link per reader."
        )
        st.code(link_url(report.owner_token, OWNER, app_base()), language=None)
