"""Predict: upload or pick an X-ray; probability, verdict at the threshold, what it means."""

import streamlit as st

from xray_app import frame, loaders, state, widgets
from xray_core.reporting import confidence_words, explain_operating_point, operating_point_at

frame.route_through_entry()

st.title("Predict")
widgets.intended_use_banner()
model, threshold = state.current_model(), state.current_threshold()

left, right = st.columns([1, 1], gap="large")
with left:
    upload = st.file_uploader(
        "Upload a frontal chest X-ray (PNG, JPEG or DICOM)",
        type=["png", "jpg", "jpeg", "dcm", "dicom"],
        key="predict_upload",
    )
    samples = widgets.sample_files()
    if samples:
        pick = st.selectbox(
            "…or pick a sample X-ray",
            [None, *samples],
            key="predict_sample",
            format_func=lambda p: (
                "—" if p is None else f"{p.parent.name.title()} sample {samples.index(p) + 1}"
            ),
        )
    else:
        pick = None
        st.caption("No sample folder configured (../shared/data/fullres_samples).")
    if upload is not None:
        if st.session_state.get("predict_source") != upload.file_id:
            st.session_state["predict_source"] = upload.file_id
            widgets.load_upload(upload.getvalue(), upload.name)
    elif pick is not None and st.session_state.get("predict_source") != str(pick):
        st.session_state["predict_source"] = str(pick)
        widgets.load_upload(pick.read_bytes(), pick.name)

study = st.session_state.get(state.STUDY_KEY)
if study is None:
    right.info("Upload an X-ray or pick a sample to get a prediction.")
    st.stop()

result = widgets.current_assessment(study)
pred = result.prediction
with left:
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
        "Upload a frontal chest X-ray (PNG, JPEG or DICOM).",
        icon=":material/block:",
    )
    st.stop()
with right:
    colour = "red" if pred.label == "PNEUMONIA" else "blue"
    st.markdown(f"### Verdict: :{colour}[**{pred.label}**]")
    st.metric(
        "Calibrated probability of pneumonia",
        f"{pred.probability:.1%}",
        help="Platt-calibrated on the validation split.",
    )
    st.progress(
        pred.probability,
        text=f"threshold {threshold:.3f}: {confidence_words(pred.probability, threshold)}",
    )
    op = operating_point_at(loaders.get_scores(model.name), model.card, threshold)
    st.markdown(f"#### What threshold {threshold:.3f} means (validation, n = {op['n']})")
    cols = [c for _ in range(2) for c in st.columns(2)]
    for col, key, label in zip(
        cols,
        ("sensitivity", "specificity", "ppv", "npv"),
        ("Sensitivity", "Specificity", "PPV", "NPV"),
    ):
        col.metric(label, "n/a" if op[key] is None else f"{op[key]:.1%}")
    for line in explain_operating_point(op):
        st.markdown(f"- {line}")
    st.caption(
        f"Model **{model.name}**. Validation figures come from children aged 1–5 at one "
        "hospital; expect lower specificity elsewhere."
    )
