"""The story a clinical lead tells about a model, as data: what, for whom, how well (with
95% intervals and n), what it means at a prevalence, what it gets wrong, and its limits."""

from __future__ import annotations

import datetime as dt

from xray_core import cohort_evidence, prevalence
from xray_core.card import ModelCard
from xray_core.intended_use import HOSPITAL, POPULATION_SHORT
from xray_core.shape_cue import limitations
from xray_core.validation_figures import Figures, figures_table

WHAT = (
    "Reads a child's frontal chest X-ray: a calibrated probability of pneumonia, a verdict at "
    "the decision threshold, and where on the image the evidence lies (Grad-CAM)."
)
FOR_WHOM = (
    "For research and teaching: clinicians, managers and funders judging what such a tool "
    "could do and where it fails. Not for patient care."
)
POPULATION = f"Trained on {POPULATION_SHORT} ({HOSPITAL}); frontal views only."
REFERENCE_PREVALENCES = (0.05, 0.10, 0.20, 0.40)  # the PPV/NPV table of the report
SHA_PREFIX = 12


def prevalence_range(validation_prevalence: float) -> tuple[float, float]:
    """Range of the prevalence control: 1%-60%, widened to hold the validation prevalence
    (the default: 74% on the shipped split) rounded up to the next percent."""
    lo, hi = prevalence.PREVALENCE_RANGE
    return lo, max(hi, min(0.99, -(-round(validation_prevalence * 1000) // 10) / 100))


def version_text(card: ModelCard) -> str:
    """'sha256 1a2b3c4d5e6f, trained 2026-11-22'."""
    sha = card.model_sha256[:SHA_PREFIX] or "unknown"
    return f"sha256 {sha}, trained {card.created[:10] or 'unknown'}"


def prevalence_rows(fig: Figures, prevalences=REFERENCE_PREVALENCES) -> list[dict]:
    """PPV and NPV (with 95% intervals) at a few prevalences, and per 1,000 children."""
    rows = []
    for prev in (*prevalences, round(fig.prevalence, 3)):
        at = fig.at_prevalence(prev)
        f = at["frequencies"]
        rows.append(
            {
                "prevalence": prev,
                "ppv": at["ppv"],
                "ppv_ci": at["ppv_ci"],
                "npv": at["npv"],
                "npv_ci": at["npv_ci"],
                "flagged": f["flagged"],
                "false_alarms": f["fp"],
                "missed": f["fn"],
                "validation": prev == round(fig.prevalence, 3),
            }
        )
    return rows


def build_story(
    card: ModelCard,
    fig: Figures,
    prev: float | None = None,
    today=None,
    scored: dict | None = None,
) -> dict:
    """Everything the presentation page and the PDF show, as plain data.

    Args:
        card: the model's card.json content. fig: its validation figures at the threshold.
        prev: prevalence for the natural frequencies (fraction; default the validation one).
        today: report date (datetime.date; default today, UTC).
        scored: {name: card} of the store, for what other models showed on the withheld
            test split when this one was not scored there (default: none).
    """
    prev = fig.prevalence if prev is None else prevalence.check_prevalence(prev)
    today = today or dt.datetime.now(dt.UTC).date()
    c = fig.confusion
    return {
        "title": "Pneumonia on children's chest X-rays",
        "model": card.name,
        "architecture": card.description or card.architecture,
        "version": version_text(card),
        "date": today.isoformat(),
        "threshold": fig.threshold,
        "shipped_threshold": float(card.threshold),
        "what": WHAT,
        "for_whom": FOR_WHOM,
        "intended_use": card.intended_use,
        "population": card.population,
        "figures": figures_table(fig),
        "roc": fig.roc,
        "n_text": fig.n_text(),
        "source_note": fig.note,
        "test_split": cohort_evidence.withheld_split_line(card, scored or {}),
        "ci_note": f"95% intervals: stratified bootstrap ({fig.n_resamples:,} resamples), "
        "Wilson where the bootstrap is degenerate.",
        "prevalence": fig.at_prevalence(prev),
        "validation_prevalence": fig.prevalence,
        "prevalence_table": prevalence_rows(fig),
        "errors": {"tp": c["tp"], "fp": c["fp"], "fn": c["fn"], "tn": c["tn"]},
        "errors_text": (
            f"At threshold {fig.threshold:.3f} on the {fig.n:,} validation images: "
            f"{c['tp']:,} pneumonias flagged, {c['fn']:,} missed; {c['fp']:,} of "
            f"{fig.n_neg:,} normal studies flagged "
            f"({'a false alarm' if c['fp'] == 1 else 'false alarms'})."
        ),
        "limitations": [card.population, *limitations(card)],
        "citation": card.citation,
    }
