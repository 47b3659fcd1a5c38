"""The headline figures of a stored model, each with its 95% interval, n and source.

One function feeds the model card, Compare, Predict, the presentation page and the PDF report,
so every screen shows the same numbers. The source is the model's own validation split (the
stored validation scores, `xray_core.predict.validation_scores`): a patient-level split
of the training hospital's data, which flatters every model; a site validation report, where
one exists, is the figure to believe.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from xray_core.stats import metrics, uncertainty
from xray_core.store.card import ModelCard

FIGURES = ("auc", "sensitivity", "specificity", "ppv", "npv", "accuracy")
SOURCE_NOTE = (
    "Project validation split: a patient-level split of the training hospital's own data "
    "(Guangzhou, children aged 1-5). It flatters every model; a site validation report, where "
    "one exists, is the figure to believe."
)


@dataclass(frozen=True)
class Figures:
    """Validation figures at one threshold; values in [0, 1], intervals [lo, hi] or None.
    Their value at another prevalence is `figure_sheet.at_prevalence` (the one source)."""

    model: str
    threshold: float
    n: int
    n_pos: int
    n_neg: int
    values: dict
    intervals: dict
    confusion: dict
    source: str = "validation split"
    note: str = SOURCE_NOTE
    n_resamples: int = uncertainty.N_RESAMPLES
    roc: dict = field(default_factory=dict, repr=False)  # metrics.roc_points

    @property
    def prevalence(self) -> float:
        """The validation split's own prevalence of pneumonia (fraction)."""
        return self.n_pos / self.n if self.n else float("nan")

    def text(self, name: str, digits: int = 2) -> str:
        """'0.97 (0.94–0.99)' for one of FIGURES."""
        return uncertainty.format_interval(self.values[name], self.intervals[name], digits)

    def n_text(self) -> str:
        """'n = 783 (581 pneumonia, 202 normal)'."""
        return f"n = {self.n:,} ({self.n_pos:,} pneumonia, {self.n_neg:,} normal)"


def figures_from_scores(
    name: str,
    y,
    p,
    threshold: float,
    n_resamples: int = uncertainty.N_RESAMPLES,
    seed: int = 0,
) -> Figures:
    """Figures for labels y (N,) 0/1 and calibrated scores p (N,) at `threshold`.

    Costs one vectorised bootstrap (~0.1-0.4 s for 1,000 cases and 2,000 resamples here).
    """
    y = np.asarray(y).astype(int)
    p = np.asarray(p, dtype=np.float64)
    op = metrics.operating_point(y, p, threshold)
    intervals, _ = uncertainty.bootstrap_figures(y, p, threshold, n_resamples, seed)
    values = {"auc": metrics.auc(y, p), **{k: op[k] for k in uncertainty.PROPORTIONS}}
    return Figures(
        model=name,
        threshold=float(threshold),
        n=int(len(y)),
        n_pos=int(y.sum()),
        n_neg=int(len(y) - y.sum()),
        values=values,
        intervals=intervals,
        confusion=op["confusion"],
        n_resamples=n_resamples,
        roc=metrics.roc_points(y, p),
    )


def validation_figures(
    card: ModelCard, scores: dict | None, threshold: float | None = None, **kwargs
) -> Figures | None:
    """The card's model on its stored validation scores at `threshold` (default: the card's).

    Returns None when the model has no stored scores (`python -m xray_core rescore`).
    """
    if scores is None:
        return None
    t = float(card.threshold) if threshold is None else float(threshold)
    return figures_from_scores(card.name, scores["labels"], scores["probabilities"], t, **kwargs)


def rests_on(fig, key: str) -> tuple[int, str]:
    """How many cases figure KEY of FIG (anything with n, n_pos, n_neg and confusion) rests
    on, and what they are: (581, 'with pneumonia') for sensitivity."""
    c = fig.confusion
    return {
        "auc": (fig.n, "X-rays"),
        "accuracy": (fig.n, "X-rays"),
        "sensitivity": (fig.n_pos, "with pneumonia"),
        "specificity": (fig.n_neg, "normal"),
        "ppv": (c["tp"] + c["fp"], "flagged"),
        "npv": (c["tn"] + c["fn"], "cleared"),
    }[key]


def figures_table(fig: Figures, digits: int = 2) -> list[dict]:
    """Rows {"figure", "value", "interval", "text", "n"}: what each figure rests on.

    AUC gets one more digit (0.997 would read 1.00).
    """
    labels = {
        "auc": "AUC",
        "sensitivity": "Sensitivity",
        "specificity": "Specificity",
        "ppv": f"PPV (at {fig.prevalence:.0%})",
        "npv": f"NPV (at {fig.prevalence:.0%})",
        "accuracy": "Accuracy",
    }
    return [
        {
            "figure": labels[k],
            "value": fig.values[k],
            "interval": fig.intervals.get(k),
            "text": fig.text(k, digits + (k == "auc")),
            "n": rests_on(fig, k)[0],
        }
        for k in FIGURES
    ]
