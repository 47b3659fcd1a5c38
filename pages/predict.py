"""Predict: upload or pick an X-ray; probability, verdict at the threshold, what it means."""

import streamlit as st

from xray_app import cases_view, current, frame, state, widgets
from xray_core.config import POSITIVE_CLASS
from xray_core.evaluation.clinician import confidence_words
from xray_core.evaluation.shape_cue import shape_note
from xray_core.text.wording import percent

frame.route_through_entry()

st.title("Predict")
st.caption(
    "Upload a child's frontal chest X-ray: the model's calibrated probability of pneumonia and "
    "its verdict."
)
widgets.intended_use_banner()

left, right = st.columns([1, 1], gap="large")
with left:
    upload_key = current.upload_key()
    st.file_uploader(
        current.UPLOAD_LABEL,
        type=current.UPLOAD_TYPES,
        key=upload_key,
        on_change=current.on_upload,
        args=(upload_key,),
        help="A new upload or sample pick replaces the current image.",
    )
    current.sample_picker()
    if st.session_state.get(current.REFUSED_KEY):
        st.error(st.session_state[current.REFUSED_KEY], icon=":material/error:")

study = st.session_state.get(state.STUDY_KEY)
if study is None:
    right.info("Upload an X-ray or pick a sample to get a prediction.")
    with right:
        state.load_model_under_frame()  # on a cold start: with a spinner, under the frame
    st.stop()

model, threshold = state.current_model(), state.current_threshold()
result = widgets.current_assessment(study)
pred = result.prediction
with left:
    st.markdown(current.source_line())
    current.reveal_label()
    st.image(
        study.gray, caption=f"{study.kind}, {study.size[0]}×{study.size[1]} px", width="stretch"
    )
    tags = {k: v for k, v in study.tags.items() if k != "notes"}
    if tags:
        st.caption("DICOM: " + " · ".join(f"{k} {v}" for k, v in tags.items()))
    for note in study.tags.get("notes", []):
        st.info(note)
if not result.ok:
    right.error(
        f"**No verdict.** The input check refused this image: {result.gate.reason}. "
        "Upload a frontal chest X-ray (PNG, JPEG, BMP, TIFF or DICOM).",
        icon=":material/block:",
    )
    st.stop()
with right:
    colour = "red" if pred.label == POSITIVE_CLASS else "blue"
    st.markdown(f"### Verdict: :{colour}[**{pred.label}**]")
    st.metric(
        "Calibrated probability of pneumonia",
        percent(pred.probability),
        help="Platt-calibrated (on the validation split, or on the site's cases for a site "
        "profile with a local recalibration); whole percentages, and beyond 99% or below 1% "
        "only the bound, because a few hundred images support no more.",
    )
    # After the verdict: the figures pull in SciPy and scikit-learn (seconds on a cold start).
    from xray_app import present
    from xray_core.stats.uncertainty import format_interval

    sheet = present.get_sheet(model.name, threshold)
    st.progress(
        pred.probability,
        text=f"{sheet.threshold_text}: {confidence_words(pred.probability, threshold)}",
    )
    head, at = sheet.headline, sheet.at
    st.markdown(f"**What {sheet.threshold_text} means**: {head.label}, n = {head.n:,}")
    cols = [c for _ in range(2) for c in st.columns(2)]
    for col, key in zip(cols[:2], ("sensitivity", "specificity")):
        (value, interval), (n, of) = head.parts(key), head.rests_on(key)
        col.metric(key.capitalize(), value)
        col.caption(f"95% CI {interval} · n = {n:,} {of}")
    for col, key in zip(cols[2:], ("ppv", "npv")):
        value, _, interval = format_interval(at[key], at[f"{key}_ci"]).partition(" (")
        col.metric(key.upper(), value)
        col.caption(f"95% CI {interval[:-1] or 'not available'} · at an assumed prevalence "
                    f"of {at['prevalence']:.0%} (set on Present)")  # fmt: skip
    for line in at["sentences"]:
        st.markdown(f"- {line}")
    if sheet.missing:
        st.caption(" ".join(sheet.missing.values()))
    with st.expander("Where these figures come from"):
        st.caption(f"Model **{model.name}**. On the {sheet.scale}. {sheet.source_line}")
    if note := shape_note(study.size, model.card):
        st.warning(note, icon=":material/aspect_ratio:")

st.subheader("Cases like this one")
cases_view.render(model.name, study)
