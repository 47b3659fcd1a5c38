"""Compare models: every stored model on the same validation split."""

import streamlit as st

from xray_app import charts, frame, loaders, present, state, views
from xray_core.evaluation.compare import (
    SPREAD_VIEWS,
    cohort_name,
    compare_models,
    recipe_spreads,
    roc_curves,
    same_validation_data,
    shift_rows,
    spread_rows,
    targets_text,
)
from xray_core.text.wording import speed_label

frame.route_through_entry()

st.title("Compare models")
st.caption("Every shipped model side by side: the same images, each at its own threshold.")
names = loaders.model_names()
rows = compare_models(names)
for row in rows:  # 95% intervals at each model's own threshold (stratified bootstrap)
    fig = present.get_figures(row["model"], row["threshold"])
    for key in ("auc", "sensitivity", "specificity") if fig is not None else ():
        row[f"{key}_ci"] = fig.text(key, 3 if key == "auc" else 2)
if not same_validation_data(rows):
    st.warning("These models were not all scored on the same validation files: compare with care.")
st.dataframe(
    rows,
    hide_index=True,
    column_order=[
        "label",
        "family",
        "auc_ci",
        "sensitivity_ci",
        "specificity_ci",
        "threshold",
    ],
    width="stretch",
    column_config={
        "label": st.column_config.TextColumn("model"),
        "family": st.column_config.TextColumn(
            "Kind",
            help="Its place in the classic line-up: a dense (MLP) baseline, a CNN or a small "
            "ResNet trained from scratch, or ImageNet transfer learning with the backbone "
            "frozen or fine-tuned.",
        ),
        "auc_ci": st.column_config.TextColumn("AUC (95% CI)"),
        "sensitivity_ci": st.column_config.TextColumn("Sensitivity (95% CI)"),
        "specificity_ci": st.column_config.TextColumn("Specificity (95% CI)"),
        "threshold": st.column_config.NumberColumn("Threshold", format="%.3f"),
    },
)
st.markdown(
    f"**Under a shift** (from each model card; narrow ×0.8: the anatomy 20% narrower, as a wider "
    f"original squashes it; unseen: the {cohort_name(rows)} cohort left out of training; test: "
    "the withheld official split, scored outside this project; —: not measured)"
)
st.dataframe(
    shift_rows(rows),
    hide_index=True,
    width="stretch",
    column_config={
        "model": st.column_config.TextColumn("model"),
        "perturbed_auc": st.column_config.TextColumn(
            "Perturbed AUC",
            help="The same validation images under nine acquisition perturbations, pooled "
            "(gamma, contrast, brightness, blur, noise, crop, JPEG, a mix).",
        ),
        "narrow_specificity": st.column_config.TextColumn(
            "Narrow ×0.8 spec",
            help="Specificity at the shipped threshold on the same validation images with the "
            "anatomy 20% narrower, as a normal child's X-ray from a wider original looks once "
            "squashed to a square (PNEUMONIA originals are wider in this dataset).",
        ),
        "unseen_auc": st.column_config.TextColumn(
            "Unseen AUC",
            help="The model's training recipe re-run without this file-name cohort, then "
            "scored on it: how the recipe carries to patients it never saw.",
        ),
        "unseen_spec95": st.column_config.TextColumn(
            "Unseen spec @ 0.95",
            help="Specificity on the unseen cohort at the threshold that keeps sensitivity 0.95.",
        ),
        "test_auc": st.column_config.TextColumn(
            "Test AUC",
            help="The official test split (a later cohort), scored outside this project on "
            "these very weights; '—' until its figures come back.",
        ),
        "test_specificity": st.column_config.TextColumn(
            "Test spec",
            help="Specificity on the withheld test split at the model's shipped threshold.",
        ),
    },
)
spreads = recipe_spreads()
if spreads:
    st.markdown("**Across training seeds** (each model's recipe retrained with other seeds)")
    view = st.radio(
        "Seed spread", list(SPREAD_VIEWS), horizontal=True, key="compare_seed_view",
        label_visibility="collapsed",
    )  # fmt: skip
    st.dataframe(
        spread_rows(rows, spreads),
        hide_index=True,
        width="stretch",
        column_order=SPREAD_VIEWS[view],
        column_config={
            "model": st.column_config.TextColumn("model"),
            "seeds": st.column_config.TextColumn(
                "Seeds", help="Training runs on the full data, judged on the same validation."
            ),
            "hold_out_seeds": st.column_config.TextColumn(
                "Hold-out seeds",
                help="Runs of the recipe trained without the cohort, then judged on it.",
            ),
            "plain_auc": st.column_config.TextColumn("Validation AUC"),
            "perturbed_auc": st.column_config.TextColumn(
                "Perturbed AUC", help="Validation under the nine acquisition perturbations."
            ),
            "perturbed_spec95": st.column_config.TextColumn(
                "Perturbed spec @ sens 0.95", help="Specificity at sensitivity 0.95, perturbed."
            ),
            "unseen_auc": st.column_config.TextColumn("Unseen AUC"),
            "unseen_spec95": st.column_config.TextColumn(
                "Unseen spec @ sens 0.95", help="Specificity at sensitivity 0.95, unseen cohort."
            ),
            "unseen_ece": st.column_config.TextColumn(
                "Unseen ECE",
                help="Expected calibration error, 10 bins; lower is better. It includes the "
                "hold-out's change of class mix (docs/models.md, Shipped models).",
            ),
            "unseen_narrow_spec": st.column_config.TextColumn(
                "Unseen narrow ×0.8 spec",
                help="Specificity at each run's own threshold on the unseen cohort viewed "
                "'narrow 0.8' (as normals from 25% wider originals look once squashed): how "
                "far the operating point moves if a new cohort's originals are shaped "
                "differently.",
            ),
        },
    )
    with st.expander("How to read the seed spread"):
        st.caption(
            "Mean ± sd (sample) over training runs that differ only in their seed: how much of "
            "a difference between two models one training run can explain. The bootstrap "
            "intervals above cover the validation images, not this. Read from each recipe's "
            "training runs' model cards."
        )
with st.expander("Speed, size, parameters and training of each model"):
    st.dataframe(
        rows,
        hide_index=True,
        column_order=[
            "model",
            "architecture",
            "ms_per_image",
            "size_mb",
            "parameters",
            "train_minutes",
        ],
        column_config={
            "ms_per_image": st.column_config.NumberColumn(
                speed_label(batched=True),
                format="%.1f",
                help="Median per image when the validation split is scored in batches on this "
                "CPU; one image alone (as on Predict) takes longer.",
            ),
            "size_mb": st.column_config.NumberColumn("Size (MB)", format="%.1f"),
            "parameters": st.column_config.NumberColumn("Parameters", format="%d"),
            "train_minutes": st.column_config.NumberColumn("Train (min)", format="%.1f"),
        },
    )
zoom = st.toggle("Zoom to the top-left corner", key="compare_zoom", value=True)
st.plotly_chart(charts.overlaid_rocs(roc_curves(names), zoom=zoom), width="stretch")
with st.expander("How these figures were computed"):
    st.caption(
        "Each model at its own shipped threshold, chosen on validation for the sensitivity "
        f"target in its card ({targets_text(rows)}); "
        f"95% intervals by stratified bootstrap over each model's validation images "
        f"(n = {', '.join(sorted({str(r['n']) for r in rows}))}). "
        "Validation is a patient-level split of the official train split; the official test "
        "split is harder for every model (see each model card's limitations). The shift table "
        "comes from each model card's *Under a cohort shift* section (one training run each; "
        "the seed table gives the spread over runs)."
    )

study = st.session_state.get(state.STUDY_KEY)
if study is not None:
    st.subheader("What each model says about the current image")
    assessments = {n: loaders.get_assessment(n, study.digest, study) for n in names}
    st.dataframe(views.model_verdict_rows(assessments), hide_index=True)
    st.caption(
        "Each model at its own shipped threshold (the sidebar threshold applies to the "
        "sidebar's model only). Models that agree on validation can disagree on one image."
    )
