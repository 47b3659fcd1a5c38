"""The story a clinical lead tells about a model, as data: what, for whom, how well (with
95% intervals and n, from `figure_sheet`), what it means at a prevalence, what it gets wrong,
and its limits."""

from __future__ import annotations

import datetime as dt

from xray_core.evaluation import cohort_evidence
from xray_core.evaluation.figure_sheet import KEYS, Population, Sheet
from xray_core.evaluation.shape_cue import limitations
from xray_core.stats import prevalence
from xray_core.store.card import ModelCard
from xray_core.text.intended_use import HOSPITAL, POPULATION_SHORT

WHAT = (
    "Reads a child's frontal chest X-ray: a calibrated probability of pneumonia, a verdict at "
    "the decision threshold, and where on the image the evidence lies (a map checked for "
    "faithfulness)."
)
FOR_WHOM = (
    "For research and teaching: clinicians, managers and funders judging what such a tool "
    "could do and where it fails. Not for patient care."
)
POPULATION = f"Trained on {POPULATION_SHORT} ({HOSPITAL}); frontal views only."
SHA_PREFIX = 12
NAMES = {
    "auc": "AUC",
    "sensitivity": "Sensitivity",
    "specificity": "Specificity",
    "ppv": "PPV",
    "npv": "NPV",
    "accuracy": "Accuracy",
}


def prevalence_range(validation_prevalence: float) -> tuple[float, float]:
    """Range of the prevalence control: 1%-60%, widened to hold the validation prevalence
    (74% on the shipped split) rounded up to the next percent."""
    lo, hi = prevalence.PREVALENCE_RANGE
    return lo, max(hi, min(0.99, -(-round(validation_prevalence * 1000) // 10) / 100))


def version_text(card: ModelCard) -> str:
    """'sha256 1a2b3c4d5e6f, trained 2026-11-22'."""
    sha = card.model_sha256[:SHA_PREFIX] or "unknown"
    return f"sha256 {sha}, trained {card.created[:10] or 'unknown'}"


def figure_rows(pop: Population) -> list[dict]:
    """Rows {"figure", "value", "interval", "text", "n"} of one population (PPV and NPV at its
    own prevalence, so labelled)."""
    rows = []
    for k in KEYS:
        n, _ = pop.rests_on(k)
        label = NAMES[k] + (f" (at {pop.prevalence:.0%})" if k in ("ppv", "npv") else "")
        rows.append(
            {
                "figure": label,
                "value": pop.values.get(k),
                "interval": pop.intervals.get(k),
                "text": pop.text(k),
                "n": n,
            }
        )
    return rows


def beside_line(pop: Population) -> str:
    """'The training hospital (validation split ..., n = 783): AUC 0.997 (0.994–0.999),
    sensitivity ..., specificity ...'."""
    return (
        f"{pop.label[0].upper()}{pop.label[1:]} ({pop.line}): AUC {pop.text('auc')}, "
        f"sensitivity {pop.text('sensitivity')}, specificity {pop.text('specificity')}."
    )


def prevalence_rows(sheet: Sheet) -> list[dict]:
    """PPV and NPV (with 95% intervals) at a few prevalences and the chosen one, per 1,000."""
    return [
        {
            "prevalence": at["prevalence"],
            "ppv": at["ppv"],
            "ppv_ci": at["ppv_ci"],
            "npv": at["npv"],
            "npv_ci": at["npv_ci"],
            "flagged": at["frequencies"]["flagged"],
            "false_alarms": at["frequencies"]["fp"],
            "missed": at["frequencies"]["fn"],
            "chosen": at["prevalence"] == sheet.at["prevalence"],
        }
        for at in sheet.table
    ]


def errors_text(pop: Population) -> str:
    c = pop.confusion
    return (
        f"At {pop.label}'s threshold {pop.threshold:.3f} on its {pop.n:,} images: "
        f"{c['tp']:,} pneumonias flagged, {c['fn']:,} missed; {c['fp']:,} of "
        f"{pop.n_neg:,} normal studies flagged "
        f"({'a false alarm' if c['fp'] == 1 else 'false alarms'})."
    )


def build_story(
    card: ModelCard,
    sheet: Sheet,
    roc: dict | None = None,
    today=None,
    scored: dict | None = None,
) -> dict:
    """Everything the presentation page and the PDF show, as plain data, from SHEET
    (`figure_sheet.figure_sheet`: the one source of the numbers).

    Args:
        card: the model's shipped card. roc: the validation split's `metrics.roc_points`.
        today: report date (datetime.date; default today, UTC).
        scored: {name: card} of the store, for what other models showed on the withheld
            test split when this one was not scored there (default: none).
    """
    today = today or dt.datetime.now(dt.UTC).date()
    head = sheet.headline
    val = sheet.populations.get("validation")
    test_line = ""
    if "test" not in sheet.populations:
        test_line = cohort_evidence.withheld_split_line(card, scored or {})
    return {
        "title": "Pneumonia on children's chest X-rays",
        "model": card.name,
        "architecture": card.description or card.architecture,
        "version": version_text(card),
        "date": today.isoformat(),
        "threshold": sheet.threshold,
        "threshold_text": sheet.threshold_text,
        "shipped_threshold": sheet.shipped_threshold,
        "at_shipped": sheet.at_shipped,
        "what": WHAT,
        "for_whom": FOR_WHOM,
        "intended_use": card.intended_use,
        "population": card.population,
        "headline_title": f"How well: {head.label}, n = {head.n:,} ({head.n_pos:,} pneumonia, "
        f"{head.n_neg:,} normal)",
        "figures": figure_rows(head),
        "beside": [beside_line(p) for p in sheet.populations.values() if p.key != head.key],
        "missing": list(sheet.missing.values()),
        "roc": roc or {},
        "roc_point": (val.values["sensitivity"], val.values["specificity"]) if val else None,
        "source_note": sheet.source_line,
        "test_split": test_line,
        "ci_note": "95% intervals: stratified bootstrap or Wilson; PPV and NPV at a prevalence "
        "carry the sensitivity and specificity bounds through Bayes' rule.",
        "prevalence": sheet.at,
        "prevalence_table": prevalence_rows(sheet),
        "errors": dict(val.confusion) if val else {},
        "errors_text": errors_text(val) if val else "",
        "limitations": [card.population, *limitations(card)],
        "citation": card.citation,
    }
