"""One verdict per map: what a page says about a map, in one place.

The model's faithfulness benchmark (its card's `faithfulness` entry: figures over its validation
images) says how far a method can be trusted on this model before any image is checked; this
image's own checks (`checks.run_checks`) test the very map on screen. `map_verdict` states both
together and, when they disagree, says which decides: this image's checks, because they test
the map being read, while the benchmark is an average over other images. The banner above a
map, the faithfulness panel beside it, Read cases and the gallery all call it, so no two places
can give a map two verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass

from xray_core.explain import checks

LINE_WORDS = {
    "randomisation": "model randomisation",
    "deletion": "deletion",
    "alike": "maps alike across images",
}


@dataclass(frozen=True)
class MapVerdict:
    """trust: "ok", "caution" or "blank"; sentence: one or two plain sentences; benchmark:
    {line: passed} on the model's card for this method and class; image: {check: passed} on
    this image, or None when its checks have not run."""

    trust: str
    sentence: str
    benchmark: dict
    image: dict | None


def benchmark_figures(faithfulness: dict | None, method: str, target: str) -> dict:
    """The card's benchmark figures for `method` on maps of `target` (the images the model
    called `target`), else over all images; {} when not measured."""
    f = faithfulness or {}
    per_target = ((f.get("by_target") or {}).get(target) or {}).get(method)
    return per_target or (f.get("methods") or {}).get(method) or {}


def _figure(line: str, value: float) -> str:
    if line == "deletion":
        return f"deletion {value:.2f}× random (line {checks.DELETION_PASS}×)"
    if line == "alike":
        return f"maps of different images alike ρ {value:.2f} (line {checks.ALIKE_PASS})"
    return f"randomisation |ρ| {value:.2f} (line {checks.RANDOMISATION_PASS})"


def _benchmark_text(title: str, faithfulness: dict, figures: dict, verdicts: dict) -> str:
    images = faithfulness.get("images", "its")
    failed = [k for k, ok in verdicts.items() if not ok]
    shown = "; ".join(_figure(k, figures[k]) for k in verdicts)
    if not failed:
        return f"On this model's benchmark ({images} validation images) {title} passed ({shown})."
    words = " and ".join(LINE_WORDS[k] for k in failed)
    return (
        f"On this model's benchmark ({images} validation images) {title} failed {words} ({shown})."
    )


def map_verdict(faithfulness: dict | None, explanation, faith=None) -> MapVerdict:
    """The one verdict on a map.

    Args:
        faithfulness: the model card's `faithfulness` entry (None when not measured).
        explanation: the `base.Explanation` on screen.
        faith: this image's `checks.Faithfulness` for it, or None when not run yet.
    """
    title, target = explanation.title, explanation.target
    if explanation.blank:
        why = explanation.extra.get("blank_reason") or (
            f"nothing in this image raises the model's score for {target}"
        )
        return MapVerdict(
            "blank",
            f"{title} finds no evidence for {target} on this image ({why}); the map is empty on "
            "purpose, not an error.",
            {},
            None,
        )
    figures = benchmark_figures(faithfulness, explanation.method, target)
    bench = checks.benchmark_verdicts(figures)
    image = faith.verdicts() if faith is not None else None
    parts = [_benchmark_text(title, faithfulness, figures, bench)] if bench else []
    if image is None:
        parts.append("Check this map on this image to be sure.")
        trust = "ok" if bench and all(bench.values()) else "caution"
        if not bench:
            parts.insert(0, f"{title} has not been benchmarked on this model.")
        return MapVerdict(trust, " ".join(parts), bench, None)
    image_ok = all(image.values())
    parts.append(faith.sentence())
    if bench and all(bench.values()) != image_ok:
        parts.append(
            "This image's checks decide: they test the map on screen, while the benchmark "
            "is an average over other images."
        )
    return MapVerdict("ok" if image_ok else "caution", " ".join(parts), bench, image)


def passes_benchmark(faithfulness: dict | None, method: str, target: str) -> bool:
    """True when `method` has figures for maps of `target` on the card and passes every line."""
    bench = checks.benchmark_verdicts(benchmark_figures(faithfulness, method, target))
    return bool(bench) and all(bench.values())


SHORT_WORDS = {"randomisation": "randomisation", "deletion": "deletion", "alike": "alike"}


def benchmark_word(faithfulness: dict | None, method: str, target: str) -> str:
    """A few words on `method`'s benchmark result for maps of `target`: "passed the checks",
    "failed deletion", "failed randomisation, deletion", or "not benchmarked"."""
    bench = checks.benchmark_verdicts(benchmark_figures(faithfulness, method, target))
    failed = [SHORT_WORDS[k] for k, ok in bench.items() if not ok]
    if not bench:
        return "not benchmarked"
    return f"failed {', '.join(failed)}" if failed else "passed the checks"
