"""Every figure a page or PDF shows for one model, threshold, prevalence and site profile.

`figure_sheet` is the one source: the Predict, Model card and Present pages and the one-page
PDF read their numbers from the `Sheet` it returns, so equal quantities are equal everywhere.

Up to three populations, each a `Population` with its own n, figures and 95% intervals:
    * "site": the active site profile's report (local cases), at the profile's threshold (or,
      without a local recalibration, at the shipped one);
    * "test": the withheld official test split (a later cohort), bound to these weights
      (`external_test.figures`), measured at the shipped threshold only: display only, never
      used to choose anything;
    * "validation": the training hospital's validation split (stored scores), at the same cut.
The headline is the first of these that has figures at the threshold. PPV, NPV and the
natural frequencies at the chosen prevalence come from the headline's sensitivity and
specificity; their intervals map the sensitivity and specificity bounds through Bayes' rule
(both rise with each), so every estimate lies inside its interval.

The threshold is a cut on one probability scale: the shipped calibration, or a site's local
recalibration. `scale` names it; `validation_threshold` is the same cut on the shipped scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xray_core.evaluation import external_test
from xray_core.evaluation.validation_figures import Figures, rests_on, validation_figures
from xray_core.stats import prevalence, uncertainty
from xray_core.store.site_profiles import scale_name, site_card, to_shipped_scale

KEYS = ("auc", "sensitivity", "specificity", "ppv", "npv", "accuracy")
REFERENCE_PREVALENCES = (0.05, 0.10, 0.20, 0.40)  # the PPV/NPV table of the report
DEFAULT_PREVALENCE = 0.20  # an assumption the presenter states and changes, not a finding
SAME_THRESHOLD = 5e-4  # a cut this close to a population's own is the same operating point
LABELS = {
    "site": "this site's cases",
    "test": "the withheld test split",
    "validation": "the training hospital",  # Guangzhou (intended_use.HOSPITAL)
}


@dataclass(frozen=True)
class Population:
    """Figures of one population at one threshold; values in [0, 1] or None; intervals
    [lo, hi], uncertainty.TOO_FEW or None."""

    key: str  # "site", "test" or "validation"
    label: str  # short: "the training hospital"
    line: str  # one sentence: who the cases are
    n: int
    n_pos: int
    n_neg: int
    threshold: float  # on the population's own scale (see Sheet.scale)
    values: dict
    intervals: dict
    confusion: dict

    @property
    def prevalence(self) -> float:
        return self.n_pos / self.n

    def text(self, key: str, digits: int = 2) -> str:
        """'0.97 (0.94–0.99)' (AUC one digit more), or '—' where not measured."""
        return uncertainty.format_interval(
            self.values.get(key), self.intervals.get(key), digits + (key == "auc")
        )

    def parts(self, key: str, digits: int = 2) -> tuple[str, str]:
        """('0.97', '0.94–0.99'): the value and its interval's text ('too few cases', or
        'not available'), as `text` words them."""
        value, _, interval = self.text(key, digits).partition(" (")
        return value, interval[:-1] if interval else "not available"

    def rests_on(self, key: str) -> tuple[int, str]:
        """(n, what they are) behind figure KEY (`validation_figures.rests_on`)."""
        return rests_on(self, key)


@dataclass(frozen=True)
class Sheet:
    """What every view shows; see the module docstring."""

    model: str
    threshold: float
    scale: str  # "shipped scale" / "site north's recalibrated scale"
    shipped_threshold: float  # on the shipped scale
    validation_threshold: float  # `threshold` as the same cut on the shipped scale
    site: str  # "" without a profile
    populations: dict  # key -> Population, in headline order (missing ones left out)
    missing: dict  # key -> one sentence on why that population has no figures here
    at: dict  # the chosen prevalence (see `at_prevalence`)
    table: list = field(default_factory=list)  # `at_prevalence` at REFERENCE_PREVALENCES + it

    @property
    def headline(self) -> Population:
        return next(iter(self.populations.values()))

    @property
    def at_shipped(self) -> bool:
        """Whether the threshold is the shipped one, on the shipped scale."""
        same = abs(self.threshold - self.shipped_threshold) < SAME_THRESHOLD
        return same and self.scale == "shipped scale"

    @property
    def threshold_text(self) -> str:
        """'threshold 0.129 (site north's recalibrated scale)'."""
        return f"threshold {self.threshold:.3f} ({self.scale})"

    @property
    def source_line(self) -> str:
        """One sentence: which population the headline comes from, and what stands beside."""
        h = self.headline
        others = [p.label for p in self.populations.values() if p.key != h.key]
        beside = f"; beside it, {' and '.join(others)}" if others else ""
        return f"Headline: {h.label} ({h.line}){beside}."


def _contain(interval, value):
    """An interval widened to hold its estimate (TOO_FEW and None pass through)."""
    if value is None or not interval or isinstance(interval, str):
        return interval
    return [min(float(interval[0]), value), max(float(interval[1]), value)]


def _wilson(k: int, n: int):
    return list(uncertainty.wilson_interval(k, n)) if n else None


def _validation(fig: Figures) -> Population:
    return Population(
        key="validation",
        label=LABELS["validation"],
        line=f"its validation split, n = {fig.n:,}",
        n=fig.n,
        n_pos=fig.n_pos,
        n_neg=fig.n_neg,
        threshold=fig.threshold,
        values=dict(fig.values),
        intervals={k: _contain(fig.intervals.get(k), fig.values.get(k)) for k in KEYS},
        confusion=dict(fig.confusion),
    )


def _test(block: dict) -> Population:
    c = block["confusion"]
    ci = dict(block["ci"])
    ci.setdefault("ppv", _wilson(c["tp"], c["tp"] + c["fp"]))
    ci.setdefault("npv", _wilson(c["tn"], c["tn"] + c["fn"]))
    values = {k: block.get(k) for k in ("auc", "sensitivity", "specificity", "accuracy")}
    values["ppv"] = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else None
    values["npv"] = c["tn"] / (c["tn"] + c["fn"]) if c["tn"] + c["fn"] else None
    n_pos, n_neg = c["tp"] + c["fn"], c["tn"] + c["fp"]
    return Population(
        key="test",
        label=LABELS["test"],
        line=f"a later cohort of the same hospital, n = {block['n']:,}",
        n=block["n"],
        n_pos=n_pos,
        n_neg=n_neg,
        threshold=float(block["threshold"]),
        values=values,
        intervals={k: _contain(ci.get(k), values.get(k)) for k in KEYS},
        confusion=dict(c),
    )


def _site(profile: dict, at: dict) -> Population:
    r = profile["report"]
    values = {"auc": r["auc"], **{k: at.get(k) for k in KEYS if k != "auc"}}
    intervals = {"auc": r.get("auc_ci"), **{k: at.get(f"{k}_ci") for k in KEYS if k != "auc"}}
    return Population(
        key="site",
        label=LABELS["site"],
        line=f"site {profile['name']}'s labelled local cases, n = {r['n']:,}",
        n=r["n"],
        n_pos=r["counts"]["PNEUMONIA"],
        n_neg=r["counts"]["NORMAL"],
        threshold=float(at["threshold"]),
        values=values,
        intervals={k: _contain(intervals.get(k), values.get(k)) for k in KEYS},
        confusion=dict(at["confusion"]),
    )


def _site_at(profile: dict, threshold: float) -> dict | None:
    """The site report's operating point at THRESHOLD (on the profile's scale), if it has one."""
    r = profile["report"]
    for key in ("at_proposed_threshold", "at_shipped_threshold"):
        at = r.get(key)
        recal = key == "at_shipped_threshold" and profile.get("calibration")
        if at and not recal and abs(at["threshold"] - threshold) < SAME_THRESHOLD:
            return at
    return None


def at_prevalence(pop: Population, prev: float) -> dict:
    """PPV, NPV (with intervals that hold them) and natural frequencies per 1,000 at PREV,
    from POP's sensitivity and specificity."""
    prev = prevalence.check_prevalence(prev)
    sens, spec = pop.values["sensitivity"], pop.values["specificity"]
    ppv, npv = prevalence.predictive_values(sens, spec, prev)
    si, pi = pop.intervals["sensitivity"], pop.intervals["specificity"]
    if isinstance(si, str) or isinstance(pi, str):
        ci = {"ppv": uncertainty.TOO_FEW, "npv": uncertainty.TOO_FEW}
    elif si and pi:
        lo = prevalence.predictive_values(si[0], pi[0], prev)
        hi = prevalence.predictive_values(si[1], pi[1], prev)
        ci = {
            k: _contain([lo[i], hi[i]], v) for i, (k, v) in enumerate((("ppv", ppv), ("npv", npv)))
        }
    else:
        ci = {"ppv": None, "npv": None}
    freq = prevalence.natural_frequencies(sens, spec, prev)
    return {
        "prevalence": prev,
        "ppv": ppv,
        "npv": npv,
        "ppv_ci": ci["ppv"],
        "npv_ci": ci["npv"],
        "frequencies": freq,
        "headline": prevalence.headline_sentence(freq),
        "sentences": prevalence.frequency_sentences(freq),
        "source": pop.label,
    }


def validation_threshold(card, threshold: float, profile: dict | None = None) -> float:
    """THRESHOLD (on PROFILE's scale) as the same cut on CARD's shipped scale."""
    if not profile:
        return float(threshold)
    return to_shipped_scale(threshold, site_card(card, profile), card)


def figure_sheet(
    card,
    scores: dict | None,
    threshold: float,
    prev: float = DEFAULT_PREVALENCE,
    profile: dict | None = None,
    validation: Figures | None = None,
) -> Sheet:
    """The sheet for the shipped CARD (a ModelCard) at THRESHOLD (on the profile's scale when
    PROFILE, a site profile dict, is given) and prevalence PREV (fraction in (0, 1)).

    Args:
        scores: the model's stored validation scores (None: no training-hospital figures).
        validation: those figures at `validation_threshold`, if already computed (a cache).
    Raises:
        ValueError when no population has figures (no scores, no test split, no site).
    """
    shipped_t = float(card["threshold"])
    vt = validation_threshold(card, threshold, profile)
    pops, missing = {}, {}
    at_site = _site_at(profile, float(threshold)) if profile else None
    if at_site:
        pops["site"] = _site(profile, at_site)
    elif profile:
        missing["site"] = (
            f"Site {profile['name']}'s report has figures at its threshold "
            f"{profile['threshold']:.3f} only."
        )
    block = external_test.figures(card)
    if block and abs(vt - float(block["threshold"])) < SAME_THRESHOLD:
        pops["test"] = _test(block)
    else:
        missing["test"] = (
            "Not scored on the withheld test split yet."
            if not block
            else f"The withheld test split was scored at the shipped threshold "
            f"{block['threshold']:.3f} only."
        )
    fig = validation or validation_figures(card, scores, vt)
    if fig is not None:
        pops["validation"] = _validation(fig)
    else:
        missing["validation"] = "No stored validation scores (python -m xray_core rescore)."
    if not pops:
        raise ValueError(f"{card['name']}: no figures at threshold {threshold:.3f}")
    head = next(iter(pops.values()))
    prevs = sorted({*REFERENCE_PREVALENCES, float(prev)})
    return Sheet(
        model=card["name"],
        threshold=float(threshold),
        scale=scale_name(profile),
        shipped_threshold=shipped_t,
        validation_threshold=vt,
        site=profile["name"] if profile else "",
        populations=pops,
        missing=missing,
        at=at_prevalence(head, prev),
        table=[at_prevalence(head, p) for p in prevs],
    )
