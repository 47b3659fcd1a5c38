"""The faithfulness panel's figures for one Explanation, and what they mean in words.

`run_checks(explanation, explainer, handle, x)` runs the checks the explanation lists:
    randomisation  |Spearman| between the map and the same method's map on the randomised twin
                   (`ModelHandle.randomised`); passes at or below RANDOMISATION_PASS; no
                   verdict when the twin's map is constant (nothing to rank against).
    deletion, insertion  the target's logit while the map's pixels are hidden (blurred fill)
                   or revealed, against random maps at the map's own resolution
                   (`faithfulness.curves`).
    shortcuts      map mass on the border band and on detected burned-in markers.
    stability      LIME only: STABILITY_SEEDS more runs with other seeds; mean / worst top-k
                   overlap and the consensus (regions every run agrees on).
A blank map (no evidence anywhere) runs no check: there is nothing to rank. What the page says
about a map, from these figures and the model's benchmark together, is `verdict.map_verdict`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from xray_core.explain import faithfulness as F
from xray_core.explain.base import input_to_display

RANDOMISATION_PASS = 0.3  # |rho| at or below: the map depends on what the model learned
DELETION_PASS = 0.8  # deletion area ratio at or below: hiding the map's pixels hurts faster
ALIKE_PASS = 0.6  # benchmark: maps of different images alike (mean rho) at or below
INSERTION_PASS = 1.1  # insertion area ratio at or above: revealing them helps faster
SHORTCUT_EXCESS = 1.5  # mass share above 1.5x the area share ...
SHORTCUT_MIN = 0.05  # ... and above 5% of the map: the map dwells there
FLAT_LOGIT = 0.25  # the logit moves less than this in every order: no verdict (logit units)
STABILITY_PASS = 0.85  # mean top-k overlap across seeds at or above: a stable mask
STABILITY_SEEDS = (1, 2)  # extra seeds beside the shown run's
CAVEAT = (
    "A faithful map shows what this model used, not what is in the lungs: it is not a "
    "diagnosis, and a model can be faithfully wrong."
)


BENCHMARK_LINES = {
    "randomisation": RANDOMISATION_PASS,
    "deletion": DELETION_PASS,
    "alike": ALIKE_PASS,
}


def benchmark_verdicts(figures: dict) -> dict[str, bool]:
    """Pass (True) or fail per line for one method's benchmark figures ({'randomisation':
    |rho|, 'deletion': ratio, 'alike': rho}); a figure that is missing gives no verdict."""
    return {
        k: figures[k] <= line for k, line in BENCHMARK_LINES.items() if figures.get(k) is not None
    }


@dataclass(frozen=True)
class Faithfulness:
    """Figures for one map. Fields are None when the check does not apply to the method."""

    method: str
    target: str = "PNEUMONIA"  # the class the map argues for; curves read its logit
    checks_run: tuple[str, ...] = ()
    blank: bool = False  # the map holds no evidence: no check ran
    randomisation: float | None = None  # |Spearman rho| in [0, 1]
    deletion: F.Curve | None = None
    insertion: F.Curve | None = None
    border: dict | None = None  # {'mass', 'area'}
    markers: dict | None = None  # {'mass', 'area'}
    stability: dict | None = None  # {'mean', 'worst', 'pairs', 'seeds', 'top_k'}
    consensus: tuple | None = field(default=None, repr=False)  # (agreed, disputed) (H, W) bool

    def verdicts(self) -> dict[str, bool]:
        """{check: passed} for the checks that ran."""
        out = {}
        if self.randomisation is not None:
            out["randomisation"] = self.randomisation <= RANDOMISATION_PASS
        if self.deletion is not None and not flat(self.deletion):
            out["deletion"] = self.deletion.ratio <= DELETION_PASS
        if self.insertion is not None and not flat(self.insertion):
            out["insertion"] = self.insertion.ratio >= INSERTION_PASS
        for key in ("border", "markers"):
            share = getattr(self, key)
            if share is not None and share["area"] > 0:
                m = share["mass"]
                out[key] = m <= SHORTCUT_EXCESS * share["area"] or m <= SHORTCUT_MIN
        if self.stability is not None:
            out["stability"] = self.stability["mean"] >= STABILITY_PASS
        return out

    def sentence(self) -> str:
        """One plain sentence on what the figures mean."""
        v = self.verdicts()
        failed = [k for k, ok in v.items() if not ok]
        flats = [c.kind for c in (self.deletion, self.insertion) if c is not None and flat(c)]
        flat_note = (
            f" The score hardly moves in any order, so {' and '.join(flats)} cannot tell here."
            if flats
            else ""
        )
        if self.blank:
            return "The map is empty, so there is nothing to check."
        if not v:
            return "No check applies to this map." + flat_note
        if not failed:
            return f"This map passes every check that could decide ({', '.join(v)})." + flat_note
        return (
            f"Read this map with care: it fails {', '.join(failed)} ({_WHY[failed[0]]})."
            + flat_note
        )

    def to_dict(self) -> dict:
        """JSON-ready figures (curves in full; consensus masks left out)."""
        curve = {k: getattr(self, k) for k in ("deletion", "insertion")}
        return {
            "method": self.method,
            "target": self.target,
            "blank": self.blank,
            "randomisation_abs_spearman": self.randomisation,
            **{k: c.to_dict() if c else None for k, c in curve.items()},
            "border": self.border,
            "markers": self.markers,
            "stability": self.stability,
            "verdicts": self.verdicts(),
        }


def flat(curve) -> bool:
    """True when the target's logit moves less than FLAT_LOGIT over every order on the image."""
    return curve.spread < FLAT_LOGIT


_WHY = {
    "randomisation": "it looks much the same from a network with random weights",
    "deletion": "hiding its pixels lowers the score no faster than hiding random ones",
    "insertion": "revealing its pixels raises the score no faster than random ones",
    "border": "much of its weight sits on the image border",
    "markers": "much of its weight sits on burned-in text or markers",
    "stability": "runs with other random seeds pick different regions",
}


def run_checks(explanation, explainer, handle, x: np.ndarray, seed: int = 0) -> Faithfulness:
    """All checks `explanation.checks` names, on model input x (H, W, C) float32. EXPLAINER
    made the explanation (`registry.check` looks it up): the randomisation and stability
    checks run it again."""
    names, heat, out = explanation.checks, explanation.heatmap, {}
    if explanation.blank:
        return Faithfulness(explanation.method, explanation.target, (), blank=True)
    if "randomisation" in names:
        twin = explainer.explain(handle.randomised(), x, explanation.settings)
        if np.ptp(twin.ranking) > 0:  # a constant map on the random network ranks nothing
            out["randomisation"] = abs(F.rank_correlation(explanation.ranking, twin.ranking))
    if "deletion" in names or "insertion" in names:
        deletion, insertion = F.curves(
            handle.logits, x, heat, explanation.target, explanation.resolution, seed
        )
        out.update(deletion=deletion, insertion=insertion)
    if "shortcuts" in names:
        out["border"] = F.border_share(heat)
        markers = F.detect_markers(input_to_display(x, handle.contract))
        out["markers"] = F.mask_share(heat, markers) if markers.any() else None
    if "stability" in names:
        out.update(_stability(explanation, explainer, handle, x))
    return Faithfulness(explanation.method, explanation.target, tuple(names), **out)


def _stability(explanation, explainer, handle, x) -> dict:
    from xray_core.explain.lime_explain import consensus, stability

    shown = explanation.settings
    runs = [explanation.extra["lime"]] + [
        explainer.explain(handle, x, {**shown, "seed": s}).extra["lime"]
        for s in STABILITY_SEEDS
        if s != shown["seed"]
    ]
    k, sign = shown["top_k"], explanation.sign
    figure = {**stability(runs, k, sign), "seeds": [r.seed for r in runs], "top_k": k}
    return {"stability": figure, "consensus": consensus(runs, k, sign)}
