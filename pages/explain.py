"""Explain: where the evidence for the chosen class lies, one method at a time, opening on the
method that passed this model's faithfulness benchmark; one verdict beside the map, this
image's checks on demand, and the training cases most like this X-ray."""

import streamlit as st

from xray_app import cases_view, current, explanations, frame, state, widgets
from xray_app import faithfulness_view as view
from xray_core.config import CLASS_NAMES
from xray_core.explain import overlay, registry, verdict

frame.route_through_entry()

st.title("Explain")
st.caption("Where the evidence for a class lies on this X-ray, and how far to trust the map.")
model, (study, assessment) = state.current_model(), widgets.require_study()
display = study.display(model.contract)
st.markdown(f"{current.source_line()}  \n{current.verdict_line(assessment)}")
target = st.radio(
    "Explain the evidence for",
    CLASS_NAMES,
    index=CLASS_NAMES.index(assessment.prediction.label),
    horizontal=True,
    key=f"explain_target_{study.digest[:8]}",
    help="Defaults to the current verdict; every method below explains this class.",
)
handle = explanations.get_handle(model.name)
bench = model.card.get("faithfulness")
reasons = registry.available(handle)
usable = [m for m, why in reasons.items() if why is None]
opening = explanations.opening_method(model.name, target)

c1, c2 = st.columns([3, 1])
method = c1.radio(
    "Method",
    usable,
    index=usable.index(opening),
    horizontal=True,
    key="explain_method",
    format_func=lambda m: (
        f"{registry.get_explainer(m).title} ({verdict.benchmark_word(bench, m, target)})"
    ),
    help="Opens on the method that passed this model's faithfulness benchmark; each method is "
    "labelled with its own result there.",
)
alpha = c2.slider("Heatmap opacity", 0.0, 1.0, 0.7, 0.05, key="explain_alpha")
for why in filter(None, reasons.values()):
    st.caption(why)
st.info(overlay.LEGEND, icon=":material/palette:")
params = registry.get_explainer(method).params(handle)
with st.expander("Settings"):
    settings = view.settings_widgets(params, f"explain_{method}", {"target": target})
bar = st.progress(0.0, text=f"{registry.get_explainer(method).title} running…")
exp = explanations.explanation(
    model.name, method, settings, study, progress=lambda f: bar.progress(f, text=f"{f:.0%}")
)
bar.empty()

left, right = st.columns(2)
with right:
    st.markdown("#### This image's checks")
    checked = st.toggle(
        "Check this map (faithfulness)",
        key="explain_check",
        disabled=exp.blank,
        help="Runs the model-randomisation check, deletion and insertion curves against random "
        "maps, the border and marker shares and, for LIME, two more seeds (a few seconds; "
        "cached).",
    )
    faith = None
    if checked and not exp.blank:
        with st.spinner("Randomised network, deletion and insertion curves, shortcuts…"):
            faith = explanations.faithfulness(model.name, exp, study)
        view.faithfulness_panel(faith, display)
with left:
    st.image(exp.draw(display, alpha), caption=exp.caption, width="stretch")
    view.verdict_box(verdict.map_verdict(bench, exp, faith))
    st.caption("What the model sees: resized and contrast-equalised.")

st.subheader("Cases like this one")
cases_view.render(model.name, study)
