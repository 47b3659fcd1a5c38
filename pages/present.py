"""Present: the honest headline on one 1280×720 screen, and the one-page PDF."""

import streamlit as st

from xray_app import charts, frame, present, state
from xray_core.evaluation.shape_cue import limitations
from xray_core.report.gallery import KINDS
from xray_core.report.story import POPULATION, beside_line
from xray_core.stats.prevalence import icon_array
from xray_core.stats.uncertainty import format_interval
from xray_core.text.intended_use import INTENDED_USE_SHORT
from xray_core.text.wording import percent

frame.route_through_entry()

model, threshold = state.current_model(), state.current_threshold()
title, toggle = st.columns([5, 1], vertical_alignment="center")
on = toggle.toggle("Present", key="present_mode", help="Hide the sidebar and header to project.")
present.style(on)
title.markdown("### Pneumonia on children's chest X-rays")
st.warning(f"**{INTENDED_USE_SHORT}** {POPULATION}", icon=":material/warning:")
try:
    sheet = present.get_sheet(model.name, threshold)
except ValueError as exc:
    st.info(f"No figures to show: {exc}.")
    st.stop()
head, at = sheet.headline, sheet.at

left, right = st.columns([3, 2], gap="large")
with left:
    st.markdown(f"**How well: {head.label}, n = {head.n:,}** · {sheet.threshold_text}")
    for col, key in zip(st.columns(4), ("auc", "sensitivity", "specificity", "accuracy")):
        (value, interval), (n, of) = head.parts(key), head.rests_on(key)
        col.metric(key.upper() if key == "auc" else key.capitalize(), value)
        col.caption(f"95% CI {interval}  \nn = {n:,} {of}")
    lines = [beside_line(p) for p in sheet.populations.values() if p.key != head.key]
    untested = [sheet.missing["test"]] if "test" in sheet.missing else []
    st.caption(" ".join([f"{head.line[0].upper()}{head.line[1:]}.", *lines, *untested]))
    on_scale = "" if sheet.scale == "shipped scale" else ", P on the shipped scale"
    st.markdown(
        "**What it gets right and wrong** (training-hospital images; the map Explain opens "
        f"with{on_scale})",
        help="Toward the verdict; a plain tile: no region pushed toward it.",
    )
    cases, why = present.get_gallery(model.name, sheet.validation_threshold)
    if why:
        st.info(f"Gallery unavailable: {why}")
    for col, kind in zip(st.columns(3, gap="small"), cases):
        col.caption(f"**{KINDS[kind].split(':')[0]}s**")
        for tile_col, case in zip(col.columns(2, gap="small"), cases[kind]):
            tile = present.gallery_tile(model.name, case)
            tile_col.image(tile["image"], caption=percent(case.probability), width="stretch")
            if tile_col.button(
                "Explain",
                key=f"present_open_{case.path.stem}",
                help=f"Open {present.tile_caption(case, tile)} on the Explain page",
                width="stretch",
            ):
                present.open_in_explain(case)
with right:
    present.prevalence_slider("present_prevalence")  # its change reruns with the new sheet
    st.markdown(
        f"**PPV {format_interval(at['ppv'], at['ppv_ci'])}**: a flagged child has pneumonia. "
        f"**NPV {format_interval(at['npv'], at['npv_ci'])}**: a cleared child does not."
    )
    st.markdown(at["headline"])
    st.plotly_chart(
        charts.icon_array_figure(icon_array(at["frequencies"]), 250, 5, 11),
        width="stretch",
        key="present_icons",
        theme=None,
    )
    limits, pdf = st.columns([3, 2], vertical_alignment="center")
    with limits.expander("Use and limitations"):
        for item in [model.card.intended_use, *limitations(model.card)]:
            st.markdown(f"- {item}")
    pdf.download_button(
        "PDF",
        data=present.report_callable(model.name, sheet, cases),
        file_name=f"{model.name}_report.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        key="present_pdf",
        help="The one-page PDF report: these figures, the gallery and the limitations.",
        on_click="ignore",
        width="stretch",
    )
