"""Words for clinicians: what a probability and a threshold mean, from validation figures."""

from __future__ import annotations

import numpy as np

from xray_core.store.card import ModelCard
from xray_core.text.wording import count_is, natural_frequency_base, out_of, percent


def operating_point_at(scores: dict | None, card: ModelCard, threshold: float) -> dict:
    """Validation sensitivity, specificity, PPV, NPV (and n) at `threshold`.

    Uses the stored validation scores when present; otherwise only the shipped threshold's
    figures from the card are known (other thresholds give None values).
    """
    if scores is not None:
        # Imported here: metrics pulls in scikit-learn (seconds on a busy CPU), and the Predict
        # page imports this module before it draws its frame.
        from xray_core.stats import metrics

        op = metrics.operating_point(scores["labels"], scores["probabilities"], threshold)
        return {
            **op,
            "n": int(len(scores["labels"])),
            "prevalence": float(np.mean(scores["labels"])),
        }
    v = card.validation
    same = abs(float(threshold) - float(card.threshold)) < 1e-9
    keys = ("sensitivity", "specificity", "ppv", "npv", "accuracy")
    return {
        "threshold": threshold,
        "n": v.get("n"),
        **{k: v.get(k) if same else None for k in keys},
    }


def _pct(x: float | None) -> str:
    return "n/a" if x is None else percent(x)


def explain_operating_point(op: dict) -> list[str]:
    """Plain sentences a clinician reads at a glance (per 100 children, or per 1,000 when a
    rate is too close to 0 or 1 for 100; validation split)."""
    sens, spec = op.get("sensitivity"), op.get("specificity")
    if sens is None or spec is None:
        return ["Validation figures are available only at the shipped threshold."]
    of = natural_frequency_base(sens, spec)
    (flagged, missed), (cleared, alarms) = out_of(sens, of), out_of(spec, of)
    return [
        f"Of {of:,} children with pneumonia, about {count_is(flagged, 'flagged')} "
        f"(sensitivity {_pct(sens)}); {count_is(missed, 'missed')}.",
        f"Of {of:,} children without pneumonia, about {count_is(cleared, 'cleared')} "
        f"(specificity {_pct(spec)}); {count_is(alarms, 'a false alarm', 'false alarms')}.",
        f"A PNEUMONIA verdict was right {_pct(op.get('ppv'))} of the time (PPV); a NORMAL verdict "
        f"{_pct(op.get('npv'))} (NPV), at this validation set's prevalence of "
        f"{_pct(op.get('prevalence'))}.",
    ]


def confidence_words(probability: float, threshold: float) -> str:
    """How far from the threshold the probability is, in words."""
    margin = abs(probability - threshold)
    if margin < 0.05:
        return "borderline: close to the decision threshold"
    return (
        "clearly above the threshold"
        if probability >= threshold and margin > 0.25
        else (
            "clearly below the threshold"
            if margin > 0.25
            else "above the threshold"
            if probability >= threshold
            else "below the threshold"
        )
    )
