"""Present: the honest headline on one projector-friendly screen, and the one-page PDF."""

import streamlit as st

from xray_app import charts, frame, loaders, present, state
from xray_core.cohort_evidence import withheld_split_line
from xray_core.gallery import KINDS
from xray_core.intended_use import INTENDED_USE_SHORT
from xray_core.prevalence import icon_array
from xray_core.report.story import FOR_WHOM, POPULATION, WHAT, version_text
from xray_core.shape_cue import limitations
from xray_core.uncertainty import format_interval
from xray_core.wording import counted, percent, rate

frame.route_through_entry()

model, threshold = state.current_model(), state.current_threshold()
_, toggle = st.columns([4, 1])
on = toggle.toggle("Present", key="present_mode", help="Hide the sidebar and header to project.")
present.style(on)
st.title("Pneumonia on children's chest X-rays")
fig = present.get_figures(model.name, threshold)
if fig is None:
    st.info("This model has no stored validation scores: run `python -m xray_core rescore`.")
    st.stop()
st.markdown(f"{WHAT} {FOR_WHOM}")
st.warning(f"**{INTENDED_USE_SHORT}** {POPULATION}", icon=":material/warning:")

st.header(f"How well: {fig.n:,} validation X-rays")
for col, key, label in zip(
    st.columns(4),
    ("auc", "sensitivity", "specificity", "accuracy"),
    ("AUC", "Sensitivity", "Specificity", "Accuracy"),
):
    value, (lo, hi) = fig.values[key], fig.intervals[key]
    digits = 3 if key == "auc" else 2
    col.metric(label, rate(value, digits))
    col.markdown(f"95% CI {lo:.{digits}f}–{hi:.{digits}f}  \n{present.rests_on(fig, key)}")
st.caption(
    f"Model {model.name} ({version_text(model.card)}) at threshold {threshold:.3f}. "
    f"{fig.note} 95% intervals: stratified bootstrap ({fig.n_resamples:,} resamples)."
)
st.info(withheld_split_line(model.card, loaders.get_model_cards()), icon=":material/science:")

st.header("What it means where you work")
left, right = st.columns([2, 3], gap="large")
with left:
    prevalence = present.prevalence_slider("present_prevalence", fig)
    at = fig.at_prevalence(prevalence)
    for sentence in at["sentences"]:
        st.markdown(f"- {sentence}")
    st.markdown(
        f"**PPV {format_interval(at['ppv'], at['ppv_ci'])}**: a flagged child has pneumonia. "
        f"**NPV {format_interval(at['npv'], at['npv_ci'])}**: a cleared child does not."
    )
right.plotly_chart(
    charts.icon_array_figure(icon_array(at["frequencies"])),
    width="stretch",
    key="present_icons",
    theme=None,
)

st.header("What it gets right and wrong")
c = fig.confusion
st.markdown(
    f"On the {fig.n:,} validation images at this threshold: {c['tp']:,} pneumonias flagged, "
    f"**{c['fn']:,} missed**; **{counted(c['fp'], 'false alarm')}** among {fig.n_neg:,} normal "
    "studies. "
    "Grad-CAM: where the evidence for the verdict lies (a plain tile: no region pushed toward "
    "it). **Explain** opens the case on the Explain page."
)
cases, why = present.get_gallery(model.name, threshold)
if why:
    st.info(f"Gallery unavailable: {why}")
for col, (kind, items) in zip(st.columns(3, gap="medium"), cases.items()):
    col.subheader(KINDS[kind].split(":")[0])
    if not items:
        col.caption("None at this threshold.")
    for tile_col, case in zip(col.columns(2), items):
        tile = present.gallery_tile(model.name, case)
        tile_col.image(
            tile["image"], caption=f"P(pneumonia) {percent(case.probability)}", width="stretch"
        )
        if tile_col.button(
            "Explain",
            key=f"present_open_{case.path.stem}",
            help=present.tile_caption(case, tile),
            width="stretch",
        ):
            present.open_in_explain(case)

st.header("Intended use and limitations")
for item in [model.card.intended_use, *limitations(model.card)]:
    st.markdown(f"- {item}")
st.download_button(
    "Download the one-page PDF report",
    data=present.report_callable(model.name, fig, prevalence, cases),
    file_name=f"{model.name}_report.pdf",
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    key="present_pdf",
    on_click="ignore",
)
