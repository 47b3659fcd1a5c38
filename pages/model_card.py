"""Model card: everything in card.json, readable, with the operating point moving live."""

import streamlit as st

from xray_app import charts, frame, loaders, state
from xray_core import metrics
from xray_core.reporting import explain_operating_point, operating_point_at
from xray_core.store import read_history

frame.route_through_entry()

model, threshold = state.current_model(), state.current_threshold()
card, scores = model.card, loaders.get_scores(model.name)
cal = card["calibration"]
st.title(f"Model card: {model.name}")
st.markdown(
    f"**{card['description']}** Created {card['created']} · {card['parameters']:,} "
    f"parameters · {card.get('model_bytes', 0) / 1e6:.1f} MB · trained in "
    f"{card['training']['seconds'] / 60:.1f} min on {card['training']['machine']}."
)
st.warning(f"**Intended use.** {card['intended_use']} **Population.** {card['population']}")

op = operating_point_at(scores, card, threshold)
v = card["validation"]
st.subheader(f"Validation at threshold {threshold:.3f} (shipped: {card['threshold']:.3f})")
st.table(
    {
        "metric": [
            "n (NORMAL / PNEUMONIA)",
            "AUC",
            "sensitivity",
            "specificity",
            "PPV",
            "NPV",
            "Brier (before → after calibration)",
            "ECE (before → after calibration)",
        ],
        "value": [
            f"{v['n']} ({v['counts']['NORMAL']} / {v['counts']['PNEUMONIA']})",
            f"{v['auc']:.4f}",
            *[
                ("n/a" if op[k] is None else f"{op[k]:.3f}")
                for k in ("sensitivity", "specificity", "ppv", "npv")
            ],
            *[f"{cal['before'][k]:.4f} → {cal['after'][k]:.4f}" for k in ("brier", "ece")],
        ],
    }
)
for line in explain_operating_point(op):
    st.markdown(f"- {line}")
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
    f"- **Input contract:** `{card['contract']}`; last conv layer "
    f"`{card['last_conv_layer']}`; ImageNet weights: {card['imagenet_weights'] or 'none'}."
)
st.markdown(
    f"- **Augmentation:** `{card['training']['augmentation']}` (no flips: anatomy is "
    "not symmetric)."
)
st.subheader("Limitations and robustness")
if card.get("robustness"):
    st.markdown(card["robustness"])
for item in card["limitations"]:
    st.markdown(f"- {item}")
with st.expander("Raw card.json"):
    st.json(card, expanded=False)
