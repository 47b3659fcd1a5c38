"""Model card: what the model is for, how well it scores and where it fails; the details of
card.json behind labelled expanders, with the operating point moving live."""

import streamlit as st

from xray_app import charts, cohort_view, faithfulness_view, frame, loaders, present, state
from xray_core.evaluation.clinician import operating_point_at
from xray_core.evaluation.figure_sheet import KEYS
from xray_core.evaluation.shape_cue import limitations
from xray_core.report.story import NAMES
from xray_core.stats import metrics
from xray_core.stats.prevalence import icon_array
from xray_core.stats.uncertainty import format_interval
from xray_core.store.catalog import read_history
from xray_core.text import wording

frame.route_through_entry()

model, threshold = state.current_model(), state.current_threshold()
# The card as shipped (a site profile changes only the figures, through the sheet below).
card, scores = loaders.get_model(model.name).card, loaders.get_scores(model.name)
st.title(f"Model card: {model.name}")
st.caption("What this model is for, how well it scores (95% intervals) and where it fails.")
st.warning(f"**Intended use.** {card['intended_use']} **Population.** {card['population']}")
with st.expander("About this model: architecture, size and training time"):
    st.markdown(
        f"**{card['description']}** Created {card['created']} · {card['parameters']:,} "
        f"parameters · {card.get('model_bytes', 0) / 1e6:.1f} MB · trained in "
        f"{card['training']['seconds'] / 60:.1f} min on {card['training']['machine']}"
        + (
            f", warm-started from **{src}** (whose own training time is on its card)."
            if (src := card["training"]["config"].get("init_from"))
            else "."
        )
    )

try:
    sheet = present.get_sheet(model.name, threshold)
except ValueError as exc:
    st.info(f"No figures to show: {exc}.")
    st.stop()
vt = sheet.validation_threshold
op = operating_point_at(scores, card, vt)
st.subheader(
    f"At the shipped {sheet.threshold_text}"
    if sheet.at_shipped
    else f"At {sheet.threshold_text}; shipped: {sheet.shipped_threshold:.3f} (shipped scale)"
)
pops = list(sheet.populations.values())
rows = ["n (pneumonia / normal)", *(f"{NAMES[k]} (95% CI)" for k in KEYS)]
table = {"figure": rows}
for p in pops:
    table[f"{p.label} (n = {p.n:,})"] = [
        f"{p.n:,} ({p.n_pos:,} / {p.n_neg:,})",
        *(p.text(k) + (f" at {p.prevalence:.0%}" if k in ("ppv", "npv") else "") for k in KEYS),
    ]
st.table(table)
st.caption(" ".join([sheet.source_line, *sheet.missing.values()]))
cal = card["calibration"]
with st.expander("Who these cases are, the threshold rule and calibration"):
    st.caption(
        " ".join(f"{p.label.capitalize()}: {p.line}." for p in pops)
        + " PPV and NPV at each population's own prevalence; below, at an assumed one."
    )
    st.markdown(
        "Calibration on the training hospital's validation split (shipped scale): Brier "
        + ", ECE ".join(f"{cal['before'][k]:.4f} → {cal['after'][k]:.4f}" for k in ("brier", "ece"))
        + " (before → after calibration)."
    )
    st.caption(f"Threshold rule: {card['threshold_rule']}. Split: {card['data']['split_rule']}.")
    st.columns(2)[0].plotly_chart(
        charts.reliability_figure(cal["before"]["reliability"], cal["after"]["reliability"]),
        width="stretch",
    )

st.subheader(f"At an assumed prevalence of {sheet.at['prevalence']:.0%} ({sheet.at['source']})")
left, right = st.columns([2, 3], gap="large")
with left:
    present.prevalence_slider("card_prevalence")
    at = sheet.at
    for sentence in at["sentences"]:
        st.markdown(f"- {sentence}")
    st.markdown(
        f"PPV {format_interval(at['ppv'], at['ppv_ci'])} · "
        f"NPV {format_interval(at['npv'], at['npv_ci'])} (95% CIs)"
    )
right.plotly_chart(
    charts.icon_array_figure(icon_array(at["frequencies"]), 380, 9, 12),
    width="stretch",
    theme=None,
    key="card_icons",
)

if scores is not None:
    y, p = scores["labels"], scores["probabilities"]
    st.caption(f"Curves: the training hospital's validation split, at threshold {vt:.3f} on the "
               "shipped scale.")  # fmt: skip
    c1, c2, c3 = st.columns(3)
    c1.plotly_chart(charts.roc_figure(metrics.roc_points(y, p), op), width="stretch")
    c2.plotly_chart(charts.pr_figure(metrics.pr_points(y, p), op), width="stretch")
    c3.plotly_chart(charts.confusion_figure(op["confusion"]), width="stretch")
else:
    st.info("This model has no stored validation scores, so its curves cannot be drawn.")
history = read_history(model.name)
if history:
    with st.expander("Training history: loss and AUC per epoch"):
        c1, c2 = st.columns(2)
        c1.plotly_chart(charts.learning_curves(history, "loss"), width="stretch")
        c2.plotly_chart(charts.learning_curves(history, "auc"), width="stretch")

with st.expander("Data, training and input contract"):
    st.markdown(
        f"- **Data:** {card['data']['dataset']} (manifest sha256 "
        f"`{str(card['data']['manifest_sha256'])[:12]}…`). {card['citation']}"
    )
    sizes = card["data"]["splits"]["train"].get("image_sizes", {})
    if sizes.get("n"):
        st.markdown(
            f"- **Training images:** {card['data']['splits']['train']['n']} from "
            f"{card['data']['splits']['train']['patients']} patients; width {sizes['width'][0]}–"
            f"{sizes['width'][1]} px, height {sizes['height'][0]}–{sizes['height'][1]} px "
            f"(most common {sizes['most_common'][0]}×{sizes['most_common'][1]})."
        )
    st.markdown(
        f"- **Input contract:** {wording.contract_text(card['contract'])}; last conv layer "
        f"{wording.last_conv_text(card['last_conv_layer'])}; "
        f"ImageNet weights: {card['imagenet_weights'] or 'none'}."
    )
    st.markdown(
        f"- **Augmentation:** {wording.augmentation_text(card['training']['augmentation'])} "
        "(no flips: anatomy is not symmetric)."
    )
faithfulness_view.card_section(card)
cohort_view.card_section(card, model.name)

st.subheader("Limitations")
items = limitations(card)
st.markdown(f"- {items[0]}" if items else "No limitations recorded on this card.")
with st.expander("Every limitation, and what was done about the shift"):
    for item in items[1:]:
        st.markdown(f"- {item}")
    if card.get("robustness"):
        st.markdown(card["robustness"])
with st.expander("Raw card.json"):
    st.json(card.to_dict(), expanded=False)
