"""The Model card's "Under a cohort shift" section: the card's perturbed-view figures and its
recipe's cohort hold-out (`xray_core.evaluation.cohort_evidence`), beside the plain validation."""

from __future__ import annotations

import streamlit as st

from xray_core.evaluation import external_test
from xray_core.evaluation.cohort_evidence import display_rows, robustness_rows

COLUMNS = {
    "evidence": "Validation",
    "n": "n",
    "auc": "AUC",
    "sensitivity": "Sensitivity",
    "specificity": "Specificity",
    "spec_at_sens95": "Spec @ sens 0.95",
    "ece": "ECE",
}


def card_section(card, name: str) -> None:
    """Draw the section for CARD (model NAME), its table (a plain table: long row names wrap
    inside the expander) and notes in an expander; an info line when the card measured
    neither."""
    st.subheader("Under a cohort shift")
    rows = robustness_rows(card)
    if not rows:
        st.info(
            "This model's card records no shifted validation: neither perturbed views nor a "
            "cohort hold-out of its recipe were measured for it."
        )
        return
    with st.expander(f"Figures: the plain validation, then each shifted set ({len(rows)} rows)"):
        _table_and_notes(card, rows)


def _table_and_notes(card, rows: list[dict]) -> None:
    st.table([{COLUMNS[k]: v for k, v in row.items()} for row in display_rows(rows)])
    notes = [
        "Sensitivity and specificity at the model's shipped threshold, chosen on its plain "
        "validation, so read the drop from the first row. Spec @ sens 0.95: specificity at the "
        "threshold that keeps sensitivity 0.95 on these images, the ranking's figure apart from "
        "where the shipped threshold lands. ECE: calibration error, 0-1."
    ]
    if card.get("shifted_validation"):
        notes.append(
            "Perturbed views: the same validation images under gamma, contrast, brightness, "
            "blur, noise, crop-and-resize, JPEG and a mix, each at a fixed strength."
        )
    if card.get("aspect_views"):
        notes.append(
            "Anatomy narrower / wider: every image of this dataset was squash-resized to a "
            "square from originals of different shapes, and the PNEUMONIA originals are wider "
            "(width / height 1.2-1.9 against 1.0-1.4 for NORMAL, 48 full-resolution samples), "
            "so a thorax that looks narrow is a cue to the label, not to the disease. These "
            "rows show how far the verdict follows that cue: a normal child's X-ray from a "
            "wider original looks like the narrower row."
        )
    hold = card.get("recipe_hold_out")
    if hold:
        notes.append(
            f"Cohort hold-out: this model's training recipe run again without the "
            f"{hold['cohort']} file-name cohort, then scored on those unseen cases (paired "
            "with its validation cases of the other class), at that run's own threshold. "
            "The shipped weights saw every cohort: this measures how the recipe carries to a "
            "cohort it never saw, the failure the official test split shows. Its ECE also "
            "counts a change of class mix: that run's probabilities were fitted on a "
            "validation split without those cases, so the unseen set's share of pneumonia "
            "differs from the one they were fitted for."
        )
        if hold.get("aspect_views"):
            notes.append(
                "The unseen cases with the anatomy narrower, wider or each shape changed: "
                "that run's unseen cases and its validation cases of the other class, both "
                "under the same change: a cohort it never saw whose originals were shaped "
                "differently."
            )
    test = external_test.figures(card)
    if test:
        notes.append(external_test.caption(test))
        notes.append(external_test.cohort_sentence(test))
    notes.append(external_test.closing_note(bool(test)))
    st.caption(" ".join(n for n in notes if n))
