"""Compare models: every stored model on the same validation split."""

import streamlit as st

from xray_app import charts, frame, loaders
from xray_core.compare import compare_models, roc_curves, same_validation_data

frame.route_through_entry()

st.title("Compare models")
names = loaders.model_names()
rows = compare_models(names)
if not same_validation_data(rows):
    st.warning("These models were not all scored on the same validation files: compare with care.")
st.dataframe(
    rows,
    hide_index=True,
    column_order=[
        "model",
        "auc",
        "sensitivity",
        "specificity",
        "threshold",
        "ms_per_image",
        "size_mb",
        "parameters",
        "train_minutes",
        "n",
        "architecture",
    ],
    width="stretch",
    column_config={
        "auc": st.column_config.NumberColumn("AUC", format="%.4f"),
        "sensitivity": st.column_config.NumberColumn("Sensitivity", format="%.3f"),
        "specificity": st.column_config.NumberColumn("Specificity", format="%.3f"),
        "threshold": st.column_config.NumberColumn("Threshold", format="%.3f"),
        "size_mb": st.column_config.NumberColumn("Size (MB)", format="%.1f"),
        "ms_per_image": st.column_config.NumberColumn("ms / image", format="%.1f"),
        "parameters": st.column_config.NumberColumn("Parameters", format="%d"),
        "train_minutes": st.column_config.NumberColumn("Train (min)", format="%.1f"),
        "n": st.column_config.NumberColumn("Validation n"),
        "data": None,
    },
)
st.plotly_chart(charts.overlaid_rocs(roc_curves(names)), width="stretch")
st.caption(
    "Each model at its own shipped threshold (chosen on validation for sensitivity ≥ 0.97). "
    "Validation is a patient-level split of the official train split; the official test "
    "split is harder for every model (see each model card's limitations)."
)
