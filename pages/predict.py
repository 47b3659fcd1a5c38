"""Predict: upload or pick an X-ray; probability, verdict at the threshold, what it means."""

import streamlit as st

from xray_app import cases_view, current, frame, loaders, present, sites, state, widgets
from xray_core.cohort_evidence import new_cases_sentence
from xray_core.config import POSITIVE_CLASS
from xray_core.intended_use import POPULATION_SHORT
from xray_core.reporting import confidence_words, explain_operating_point, operating_point_at
from xray_core.shape_cue import shape_note
from xray_core.wording import percent, rate

frame.route_through_entry()

st.title("Predict")
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
        state.current_model()  # on a cold start: load now, with a spinner, under the frame
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
        help="Platt-calibrated on the validation split; whole percentages, and beyond 99% or "
        "below 1% only the bound, because a few hundred validation images support no more.",
    )
    st.progress(
        pred.probability,
        text=f"threshold {threshold:.3f}: {confidence_words(pred.probability, threshold)}",
    )
    vt = sites.validation_threshold(model.name, threshold)  # a site's scale -> the shipped one
    op = operating_point_at(loaders.get_scores(model.name), model.card, vt)
    fig = present.get_figures(model.name, vt)
    st.markdown(f"#### What threshold {threshold:.3f} means (validation, n = {op['n']})")
    cols = [c for _ in range(2) for c in st.columns(2)]
    for col, key, label in zip(
        cols,
        ("sensitivity", "specificity", "ppv", "npv"),
        ("Sensitivity", "Specificity", "PPV", "NPV"),
    ):
        col.metric(label, "n/a" if op[key] is None else rate(op[key]))
        if fig is not None and fig.intervals[key]:
            lo, hi = fig.intervals[key]
            col.caption(f"95% CI {lo:.2f}–{hi:.2f} · {present.rests_on(fig, key)}")
    for line in explain_operating_point(op):
        st.markdown(f"- {line}")
    st.caption(
        f"Model **{model.name}**, validated on {POPULATION_SHORT}. "
        + new_cases_sentence(model.card, loaders.get_model_cards())
    )
    if note := shape_note(study.size, model.card):
        st.warning(note, icon=":material/aspect_ratio:")

st.subheader("Cases like this one")
cases_view.render(model.name, study)
