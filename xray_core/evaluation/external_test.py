"""Figures measured on the withheld official test split, outside this project.

The official test split (624 X-rays of a later cohort: 234 NORMAL, 390 PNEUMONIA) is not in
the development data: someone who holds it scores a shipped model with `python -m xray_core
evaluate --data TEST --json OUT` and the figures come back as that JSON or as text. `attach`
turns them into the card's `external_test` block, bound to the model file's SHA-256: retrained
weights under the same name do not inherit them (`figures` returns None then).

Intervals: those of the evaluation when it has them (stratified bootstrap); otherwise, from
the counts, Wilson intervals for the rates and the Hanley-McNeil interval for the AUC.
"""

from __future__ import annotations

from xray_core.config import CLASS_NAMES, NEGATIVE_CLASS, POSITIVE_CLASS
from xray_core.stats.uncertainty import hanley_mcneil_interval, wilson_interval

SPLIT = "withheld official test split (a later cohort; scored outside this project)"
RATES = ("sensitivity", "specificity", "accuracy")
REQUIRED = ("model", "n", "auc", *RATES, "threshold", "counts")
# How far the evaluation's threshold may sit from the card's: figures at another operating
# point are not the shipped model's.
THRESHOLD_TOLERANCE = 5e-4
# Kept when the evaluation has them: the threshold-free specificity at sensitivity 0.95, the
# per-file-name-cohort rows, and the confusion counts (what the rates rest on).
OPTIONAL = ("spec_at_sens95", "cohorts", "confusion")
COUNT_CI_METHOD = "Wilson (rates) and Hanley-McNeil (AUC), from the counts"


def check_evaluation(evaluation: dict, name: str, threshold: float) -> None:
    """Raise ValueError unless EVALUATION (an `evaluate --json` object) scored model NAME at
    THRESHOLD with consistent counts and figures in range."""
    missing = [k for k in REQUIRED if evaluation.get(k) is None]
    if missing:
        raise ValueError(f"the evaluation lacks {', '.join(missing)}")
    if evaluation["model"] != name:
        raise ValueError(f"the evaluation scored {evaluation['model']!r}, not {name!r}")
    if abs(float(evaluation["threshold"]) - threshold) > THRESHOLD_TOLERANCE:
        raise ValueError(
            f"the evaluation's threshold {evaluation['threshold']} is not the card's "
            f"{threshold:.4f}: its sensitivity and specificity belong to another operating point"
        )
    counts = evaluation["counts"]
    if sorted(counts) != sorted(CLASS_NAMES) or sum(counts.values()) != evaluation["n"]:
        raise ValueError(f"counts {counts} must give {', '.join(CLASS_NAMES)} summing to n")
    for key in ("auc", *RATES, "ece", "spec_at_sens95"):
        value = evaluation.get(key)
        if value is not None and not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"{key} {value} is outside [0, 1]")


def count_intervals(evaluation: dict) -> dict:
    """95% intervals from the counts: Wilson for the rates (k rounded from rate x n), and
    Hanley-McNeil for the AUC. {name: [lo, hi]}."""
    n_pos, n_neg = evaluation["counts"][POSITIVE_CLASS], evaluation["counts"][NEGATIVE_CLASS]
    sizes = {"sensitivity": n_pos, "specificity": n_neg, "accuracy": n_pos + n_neg}
    out = {"auc": list(hanley_mcneil_interval(float(evaluation["auc"]), n_pos, n_neg))}
    for key, n in sizes.items():
        out[key] = list(wilson_interval(round(float(evaluation[key]) * n), n))
    return out


def attach(evaluation: dict, card, source: str) -> dict:
    """The `external_test` block for CARD (a ModelCard or dict) from EVALUATION; SOURCE says
    where the figures came from (e.g. 'scored by the test split's holder'). Raises ValueError."""
    check_evaluation(evaluation, card["name"], float(card["threshold"]))
    if not card.get("model_sha256"):
        raise ValueError("the card records no model_sha256 to bind the figures to")
    given = evaluation.get("ci") or {}
    has_ci = all(isinstance(given.get(k), list) for k in ("auc", *RATES))
    ci = {k: list(given[k]) for k in ("auc", *RATES)} if has_ci else count_intervals(evaluation)
    keys = ("n", "counts", "auc", *RATES, "ece", "threshold")
    return {
        "split": SPLIT,
        "source": source,
        "model_sha256": card["model_sha256"],
        **{k: evaluation.get(k) for k in keys},
        **{k: evaluation[k] for k in OPTIONAL if evaluation.get(k) is not None},
        "ci": ci,
        "ci_method": evaluation.get("ci_method", "") if has_ci else COUNT_CI_METHOD,
    }


def figures(card) -> dict | None:
    """CARD's `external_test` block when it belongs to the card's own weights, else None."""
    block = card.get("external_test")
    if not block or block.get("model_sha256") != card.get("model_sha256"):
        return None
    return block


def caption(block: dict) -> str:
    """One sentence on a card's test-split row: source, counts and 95% intervals."""
    ci, c = block["ci"], block["counts"]
    return (
        f"Withheld official test split ({block['source']}): {c[NEGATIVE_CLASS]} normal and "
        f"{c[POSITIVE_CLASS]} pneumonia X-rays of a later cohort, at threshold "
        f"{block['threshold']:.3f}; 95% intervals AUC {ci['auc'][0]:.3f}-{ci['auc'][1]:.3f}, "
        f"sensitivity {ci['sensitivity'][0]:.2f}-{ci['sensitivity'][1]:.2f}, specificity "
        f"{ci['specificity'][0]:.2f}-{ci['specificity'][1]:.2f} ({block['ci_method']})."
    )


def cohort_sentence(block: dict) -> str:
    """Where the test-split errors fall by file-name cohort ('' when the evaluation had no
    `cohorts`): share of each normal cohort flagged, share of each pneumonia cohort missed."""
    rows = block.get("cohorts") or {}
    parts = []
    for name, row in rows.items():
        kind, cohort = name.split(" ", 1)
        if kind == NEGATIVE_CLASS and row.get("specificity") is not None:
            parts.append(f"{cohort} normals flagged {1 - row['specificity']:.0%} (n = {row['n']})")
        elif kind == POSITIVE_CLASS and row.get("sensitivity") is not None:
            parts.append(
                f"{cohort} pneumonias missed {1 - row['sensitivity']:.0%} (n = {row['n']})"
            )
    return f"By file-name cohort: {'; '.join(parts)}." if parts else ""


def closing_note(has_test: bool) -> str:
    """The last words under a card's shift table: what is and is not the test split."""
    first = (
        "The other rows are not the withheld test split"
        if has_test
        else "None of these is the withheld official test split (not scored there yet)"
    )
    return (
        f"{first}, and all are from the same hospital: a site should validate on its own "
        "cases (Site validation)."
    )


NOT_MEASURED = (
    "These weights have not been scored on the withheld official test split (a later cohort) "
    "yet: the validation figures come from the training cohort and flatter a model under a "
    "cohort shift."
)


def headline(block: dict, validation_auc: float) -> str:
    """One sentence: the weights' own test-split figures beside the validation AUC
    (VALIDATION_AUC in [0, 1]). Plain text (the card page, the Present page and the PDF)."""
    ece = "" if block.get("ece") is None else f", ECE {block['ece']:.3f}"
    return (
        f"On the withheld official test split (a later cohort, n = {block['n']}) these weights "
        f"scored AUC {block['auc']:.3f} (validation: {validation_auc:.3f}), sensitivity "
        f"{block['sensitivity']:.3f} and specificity {block['specificity']:.3f} at threshold "
        f"{block['threshold']:.3f}{ece}."
    )
