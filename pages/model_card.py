"""Model card: everything in card.json, readable, with the operating point moving live."""

import streamlit as st

from xray_app import charts, cohort_view, faithfulness_view, frame, loaders, present, state
from xray_core import metrics, wording
from xray_core.cohort_evidence import withheld_split_line
from xray_core.config import CLASS_NAMES
from xray_core.prevalence import icon_array
from xray_core.reporting import explain_operating_point, operating_point_at
from xray_core.shape_cue import limitations
from xray_core.store import read_history
from xray_core.uncertainty import format_interval

frame.route_through_entry()

model, threshold = state.current_model(), state.current_threshold()
card, scores = model.card, loaders.get_scores(model.name)
cal = card["calibration"]
st.title(f"Model card: {model.name}")
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
st.warning(f"**Intended use.** {card['intended_use']} **Population.** {card['population']}")

op = operating_point_at(scores, card, threshold)
fig = present.get_figures(model.name, threshold)
v = card["validation"]


def with_ci(key: str, digits: int = 3) -> str:
    """Value and 95% interval at the current threshold ('n/a' where undefined)."""
    if fig is None:
        value = v["auc"] if key == "auc" else op[key]
        return "n/a" if value is None else f"{value:.{digits}f}"
    return format_interval(fig.values[key], fig.intervals[key], digits)


# The withheld test split's figures (a later cohort), or what is known without them, come
# before the validation's.
st.info(
    f"{withheld_split_line(card, loaders.get_model_cards())} Details under *Under a cohort shift*."
)
st.subheader(f"Validation at threshold {threshold:.3f} (shipped: {card['threshold']:.3f})")
c = op["confusion"] if fig is not None else None
st.table(
    {
        "metric": [
            f"n ({' / '.join(CLASS_NAMES)})",
            "AUC (95% CI)",
            "sensitivity (95% CI)",
            "specificity (95% CI)",
            "PPV (95% CI)",
            "NPV (95% CI)",
            "accuracy (95% CI)",
            "Brier (before → after calibration)",
            "ECE (before → after calibration)",
        ],
        "value": [
            f"{v['n']} ({' / '.join(str(v['counts'][c]) for c in CLASS_NAMES)})",
            with_ci("auc", 4),
            *[with_ci(k) for k in ("sensitivity", "specificity", "ppv", "npv", "accuracy")],
            *[f"{cal['before'][k]:.4f} → {cal['after'][k]:.4f}" for k in ("brier", "ece")],
        ],
        "rests on": [
            "validation split",
            f"{v['n']} X-rays",
            f"{v['counts']['PNEUMONIA']} with pneumonia",
            f"{v['counts']['NORMAL']} normal",
            "—" if c is None else f"{c['tp'] + c['fp']} flagged",
            "—" if c is None else f"{c['tn'] + c['fn']} cleared",
            f"{v['n']} X-rays",
            f"{v['n']} X-rays",
            f"{v['n']} X-rays",
        ],
    }
)
for line in explain_operating_point(op):
    st.markdown(f"- {line}")
if fig is not None:
    st.caption(f"{fig.note} 95% intervals: stratified bootstrap ({fig.n_resamples:,} resamples).")
    st.subheader("At another prevalence")
    left, right = st.columns([2, 3], gap="large")
    with left:
        at = fig.at_prevalence(present.prevalence_slider("card_prevalence", fig))
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
st.caption(f"Threshold rule: {card['threshold_rule']}. Split: {card['data']['split_rule']}.")

if scores is not None:
    y, p = scores["labels"], scores["probabilities"]
    c1, c2 = st.columns(2)
    c1.plotly_chart(charts.roc_figure(metrics.roc_points(y, p), op), width="stretch")
    c2.plotly_chart(charts.pr_figure(metrics.pr_points(y, p), op), width="stretch")
    c1.plotly_chart(charts.confusion_figure(op["confusion"]), width="stretch")
else:
    c1, c2 = st.columns(2)
    st.info("Validation scores not stored: run `python -m xray_core rescore` for live curves.")
c2.plotly_chart(
    charts.reliability_figure(
        card["calibration"]["before"]["reliability"], card["calibration"]["after"]["reliability"]
    ),
    width="stretch",
)
history = read_history(model.name)
if history:
    c1, c2 = st.columns(2)
    c1.plotly_chart(charts.learning_curves(history, "loss"), width="stretch")
    c2.plotly_chart(charts.learning_curves(history, "auc"), width="stretch")

st.subheader("Data, training and input contract")
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

st.subheader("Limitations and robustness")
if card.get("robustness"):
    st.markdown(card["robustness"])
for item in limitations(card):
    st.markdown(f"- {item}")
with st.expander("Raw card.json"):
    st.json(card.to_dict(), expanded=False)
