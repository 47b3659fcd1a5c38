"""Explain: one method at a time (Grad-CAM, Grad-CAM++, LIME, feature maps) for the chosen
class, a faithfulness panel beside the map, and the training cases most like this X-ray."""

import streamlit as st

from xray_app import cases_view, current, explanations, frame, state, widgets
from xray_app import faithfulness_view as view
from xray_core.config import CLASS_NAMES
from xray_core.explain import checks, overlay, registry

frame.route_through_entry()

st.title("Explain")
model, (study, assessment) = state.current_model(), widgets.require_study()
display = study.display(model.contract)
verdict = assessment.prediction.label
st.markdown(f"{current.source_line()}  \n{current.verdict_line(assessment)} · model {model.name}")
target = st.radio(
    "Explain the evidence for",
    CLASS_NAMES,
    index=CLASS_NAMES.index(verdict),
    horizontal=True,
    key=f"explain_target_{study.digest[:8]}",
    help="Defaults to the current verdict; every method below explains this class.",
)
st.info(overlay.LEGEND, icon=":material/palette:")
handle = explanations.get_handle(model.name)
reasons = registry.available(handle)

c1, c2 = st.columns([3, 1])
method = c1.radio(
    "Method",
    [m for m, why in reasons.items() if why is None],
    horizontal=True,
    key="explain_method",
    format_func=lambda m: registry.get_explainer(m).title,
)
alpha = c2.slider("Heatmap opacity", 0.0, 1.0, 0.7, 0.05, key="explain_alpha")
for why in filter(None, reasons.values()):
    st.caption(why)
caution = checks.benchmark_caution(model.card.get("faithfulness"), method)
if caution:
    st.warning(caution, icon=":material/rule:")
params = registry.get_explainer(method).params(handle)
settings = view.settings_widgets(params, f"explain_{method}", {"target": target})
bar = st.progress(0.0, text=f"{registry.get_explainer(method).title} running…")
exp = explanations.explanation(
    model.name, method, settings, study, progress=lambda f: bar.progress(f, text=f"{f:.0%}")
)
bar.empty()

left, right = st.columns(2)
left.image(exp.draw(display, alpha), caption=exp.caption, width="stretch")
left.caption("What the model sees: resized and contrast-equalised.")
with right:
    st.markdown("#### Can this map be trusted?")
    if st.toggle("Check this map (faithfulness)", key="explain_check"):
        with st.spinner("Randomised network, deletion and insertion curves, shortcuts…"):
            faith = explanations.faithfulness(model.name, exp, study)
        view.faithfulness_panel(faith, display)
    else:
        st.caption(
            "Runs the model-randomisation check, deletion and insertion curves against random "
            "order, the border and marker shares and, for LIME, two more seeds (a few seconds; "
            "cached)."
        )

st.subheader("Cases like this one")
cases_view.render(model.name, study)
