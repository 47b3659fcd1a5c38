"""What an operating point means at a prevalence: PPV, NPV and natural frequencies.

Sensitivity and specificity belong to the model; PPV and NPV also depend on how common
pneumonia is among the children X-rayed (the prevalence, a fraction in (0, 1)). The
validation split's own prevalence (74% here) is far above most clinics', so the app lets the
audience choose one (1%-60%) and says what it means per 1,000 children, in counts that add
up to 1,000 exactly, and as an icon array (one icon per child).
"""

from __future__ import annotations

import numpy as np

PREVALENCE_RANGE = (0.01, 0.60)  # what the controls offer
PER = 1000  # natural frequencies are per 1,000 children X-rayed
# Icon-array categories in drawing order: (key, legend label, colour).
CATEGORIES = (
    ("tp", "pneumonia, flagged", "#c0392b"),
    ("fn", "pneumonia, missed", "#f5b041"),
    ("fp", "false alarm", "#5dade2"),
    ("tn", "no pneumonia, cleared", "#d5d8dc"),
)


def check_prevalence(prevalence: float) -> float:
    """The prevalence as a float, or ValueError unless 0 < prevalence < 1."""
    prevalence = float(prevalence)
    if not 0.0 < prevalence < 1.0:
        raise ValueError(f"prevalence must be a fraction in (0, 1), got {prevalence}")
    return prevalence


def predictive_values(sensitivity, specificity, prevalence: float):
    """PPV and NPV by Bayes' rule; works on floats or same-shaped arrays.

    PPV = sens·π / (sens·π + (1 − spec)(1 − π)); NPV = spec(1 − π) / (spec(1 − π) + (1 − sens)π).
    Returns (ppv, npv) as floats (None where the denominator is 0) or as float64 arrays (NaN).
    """
    prev = check_prevalence(prevalence)
    sens = np.asarray(sensitivity, dtype=np.float64)
    spec = np.asarray(specificity, dtype=np.float64)
    if np.any((sens < 0) | (sens > 1) | (spec < 0) | (spec > 1)):
        raise ValueError("sensitivity and specificity must lie in [0, 1]")
    tp, fp = sens * prev, (1 - spec) * (1 - prev)
    tn, fn = spec * (1 - prev), (1 - sens) * prev
    with np.errstate(invalid="ignore", divide="ignore"):
        ppv, npv = tp / (tp + fp), tn / (tn + fn)
    if ppv.ndim == 0:
        return (None if np.isnan(ppv) else float(ppv)), (None if np.isnan(npv) else float(npv))
    return ppv, npv


def natural_frequencies(
    sensitivity: float, specificity: float, prevalence: float, total: int = PER
) -> dict[str, int]:
    """Whole children out of `total`: tp + fn + fp + tn == total exactly.

    Children with pneumonia = round(π·total); of them tp = round(sens·with), fn the rest; of the
    others tn = round(spec·without), fp the rest. Also returns with_pneumonia, without,
    flagged (tp + fp), cleared (fn + tn) and total.
    """
    prev = check_prevalence(prevalence)
    if not (0 <= sensitivity <= 1 and 0 <= specificity <= 1):
        raise ValueError(f"need sensitivity, specificity in [0, 1]: {sensitivity}, {specificity}")
    sick = int(round(prev * total))
    well = total - sick
    tp = int(round(sensitivity * sick))
    tn = int(round(specificity * well))
    fn, fp = sick - tp, well - tn
    return {
        "total": total,
        "with_pneumonia": sick,
        "without": well,
        "tp": tp,
        "fn": fn,
        "fp": fp,
        "tn": tn,
        "flagged": tp + fp,
        "cleared": fn + tn,
    }


def children(n: int) -> str:
    """'1 child', '10 children', '1,000 children'."""
    return f"{n:,} child" if n == 1 else f"{n:,} children"


def _be(n: int, singular: str = "is", plural: str = "are") -> str:
    return singular if n == 1 else plural


def frequency_sentences(freq: dict[str, int]) -> list[str]:
    """The natural frequencies in words, with correct singular and plural forms."""
    sick, flagged = freq["with_pneumonia"], freq["flagged"]
    tp, fn, fp, tn = freq["tp"], freq["fn"], freq["fp"], freq["tn"]
    return [
        f"Of {children(freq['total'])} X-rayed, {sick:,} {_be(sick, 'has', 'have')} pneumonia.",
        f"The model flags {flagged:,}: {tp:,} of them {_be(tp, 'has', 'have')} pneumonia and "
        f"{fp:,} {_be(fp, 'does', 'do')} not (false {_be(fp, 'alarm', 'alarms')}).",
        f"{children(fn)} with pneumonia {_be(fn)} missed.",
        f"{children(tn)} without pneumonia {_be(tn)} correctly cleared.",
    ]


def headline_sentence(freq: dict[str, int]) -> str:
    """One line: 'Of 1,000 children X-rayed, 120 have pneumonia; the model flags 180: 110 of
    them have it, 10 children with pneumonia are missed.'"""
    sick, tp, fn = freq["with_pneumonia"], freq["tp"], freq["fn"]
    return (
        f"Of {children(freq['total'])} X-rayed, {sick:,} {_be(sick, 'has', 'have')} pneumonia; "
        f"the model flags {freq['flagged']:,}: {tp:,} of them {_be(tp, 'has', 'have')} it, "
        f"{children(fn)} with pneumonia {_be(fn)} missed."
    )


def icon_array(freq: dict[str, int], columns: int = 40) -> dict[str, list]:
    """One icon per child, filled row by row from the top-left in CATEGORIES order.

    Returns {"x": column index, "y": row index (0 = top), "category": key} lists of length
    freq["total"], plus "rows", "columns" and "counts" {key: n}.
    """
    if columns < 1:
        raise ValueError(f"columns must be >= 1, got {columns}")
    keys = [key for key, _, _ in CATEGORIES]
    counts = {k: int(freq[k]) for k in keys}
    if min(counts.values()) < 0 or sum(counts.values()) != freq["total"]:
        raise ValueError(f"counts {counts} must be >= 0 and add up to {freq['total']}")
    category = [k for k in keys for _ in range(counts[k])]
    index = np.arange(len(category))
    return {
        "x": (index % columns).tolist(),
        "y": (index // columns).tolist(),
        "category": category,
        "rows": int(-(-len(category) // columns)),
        "columns": columns,
        "counts": counts,
    }
