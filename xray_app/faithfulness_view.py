"""The explanation views: settings widgets from an explainer's params, the faithfulness panel
beside a map, and the model card's "how far to trust the maps" section.

Everything here draws results computed in `xray_core.explain` (no model calls of its own).
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from xray_core.explain import checks, overlay, verdict
from xray_core.text import wording

CHECK_NAMES = {
    "randomisation": "Model randomisation",
    "deletion": "Deletion",
    "insertion": "Insertion",
    "border": "Image border",
    "markers": "Burned-in markers",
    "stability": "Agreement across seeds",
}


def settings_widgets(params, key_prefix: str, fixed: dict, columns: int = 4) -> dict:
    """One widget per explainer Param not in `fixed` (radio for <= 3 choices, else
    select_slider) -> the settings, with `fixed`'s values (e.g. the page's target class) for
    the params it names."""
    shown = [p for p in params if p.name not in fixed]
    cols = st.columns(columns) if shown else []
    out = {p.name: fixed[p.name] for p in params if p.name in fixed}
    for i, p in enumerate(shown):
        col, key = cols[i % columns], f"{key_prefix}_{p.name}"
        if len(p.choices) <= 3:
            index = list(p.choices).index(p.default)
            out[p.name] = col.radio(p.label, p.choices, index, key=key, help=p.help or None)
        else:
            out[p.name] = col.select_slider(
                p.label, p.choices, p.default, key=key, help=p.help or None
            )
    return out


MAP_ORDER_COLOUR, RANDOM_COLOUR = "#E69F00", "#7f7f7f"  # Okabe-Ito orange; grey


def curves_figure(faith) -> go.Figure:
    """Deletion (solid) and insertion (dashed) curves: the map's order in orange, random maps
    in grey; the target's logit, normalised over the image's curves (1 = its highest)."""
    fig = go.Figure()
    for curve, dash in ((faith.deletion, "solid"), (faith.insertion, "dash")):
        x = [100 * f for f in curve.fractions]
        for name, y, colour in (
            ("map order", curve.scores, MAP_ORDER_COLOUR),
            ("random maps", curve.random, RANDOM_COLOUR),
        ):
            line = dict(color=colour, dash=dash)
            fig.add_scatter(x=x, y=y, name=f"{curve.kind}, {name}", line=line)
    fig.update_layout(
        title=f"Score for {faith.target}, map order vs random",
        xaxis_title="% of pixels hidden (deletion) or revealed (insertion)",
        yaxis_title="score (normalised)",
        yaxis_range=[-0.02, 1.02],
        height=320,
        margin=dict(l=10, r=10, t=40, b=10),
        template="plotly_white",
        legend=dict(orientation="h", y=-0.35),
    )
    return fig


READS = {
    "randomisation": "rank correlation with the same method's map from a randomly "
    "re-initialised copy of the network; low is good",
    "deletion": "the model's score (its logit) while the map's regions are hidden under a "
    "blurred copy first, against random regions of the same size; below 1× is good",
    "insertion": "the same while revealing the map's regions first on the blurred copy; above "
    "1× is good",
    "border": "share of the map on the outer 8% band; a shortcut warning when well above the "
    "band's area",
    "markers": "share of the map on detected burned-in text and side markers",
    "stability": "overlap (Jaccard) of the top regions across random seeds; 1.0 = identical",
}


def rows(faith) -> dict:
    """The panel's table: check, figure, passes ("yes", "no", or "can't tell")."""
    verdicts, table = faith.verdicts(), {"check": [], "figure": [], "passes": []}

    def add(name, figure):
        ok = verdicts.get(name)
        table["check"].append(CHECK_NAMES[name])
        table["figure"].append(figure)
        table["passes"].append("can't tell" if ok is None else "yes" if ok else "no")

    if faith.randomisation is not None:
        add("randomisation", f"|ρ| = {faith.randomisation:.2f}")
    for curve in (faith.deletion, faith.insertion):
        if curve is not None:
            add(curve.kind, f"×{curve.ratio:.2f} ({curve.area:.2f} vs {curve.random_area:.2f})")
    for name in ("border", "markers"):
        share = getattr(faith, name)
        if share is not None:
            add(name, f"{share['mass']:.1%} of the map on {share['area']:.1%} of the image")
    if faith.stability is not None:
        s = faith.stability
        add("stability", f"top-{s['top_k']}: {s['mean']:.2f} mean, {s['worst']:.2f} worst")
    return table


def verdict_box(v) -> None:
    """The one verdict on a map (`xray_core.explain.verdict.map_verdict`), beside the map."""
    box = {"ok": st.success, "caution": st.warning, "blank": st.info}[v.trust]
    icon = {"ok": ":material/verified:", "caution": ":material/rule:", "blank": ":material/block:"}
    box(v.sentence, icon=icon[v.trust])


def faithfulness_panel(faith, display) -> None:
    """This image's figures beside a map: the table (how to read it and the caveat in an
    expander), the curves, LIME's consensus. What they mean for the map is said once, in its
    `verdict_box`."""
    if "markers" in faith.checks_run and faith.markers is None:
        st.caption("No burned-in text or side markers detected on this image.")
    table = rows(faith)
    st.table(table)
    shown = [k for k, label in CHECK_NAMES.items() if label in table["check"]]
    with st.expander("How to read these checks"):
        st.caption(" · ".join(f"**{CHECK_NAMES[k]}**: {READS[k]}." for k in shown))
        st.caption(f"**Caveat.** {checks.CAVEAT}")
    if faith.deletion is not None:
        st.plotly_chart(curves_figure(faith), width="stretch")
    if faith.consensus is not None:
        agreed, disputed = faith.consensus
        st.image(
            overlay.draw_consensus(display, agreed, disputed),
            caption="Orange: regions every seed chose (solid) and only some seeds chose (hatched)",
            width="stretch",
        )


def benchmark_table(f: dict, target: str = "PNEUMONIA") -> dict:
    """The benchmark's figures per method on the maps of `target` calls, with each line's
    verdict (`verdict.benchmark_figures`, `checks.benchmark_verdicts`)."""
    table = {
        "method": [],
        "randomisation |ρ|": [],
        "deletion ×random": [],
        "maps alike ρ": [],
        "empty maps": [],
        "result": [],
    }
    for method in f.get("methods", {}):
        figures = verdict.benchmark_figures(f, method, target)
        lines = checks.benchmark_verdicts(figures)
        failed = [verdict.LINE_WORDS[k] for k, ok in lines.items() if not ok]
        table["method"].append(wording.method_name(method))
        for column, key in (
            ("randomisation |ρ|", "randomisation"),
            ("deletion ×random", "deletion"),
            ("maps alike ρ", "alike"),
        ):
            value = figures.get(key)
            table[column].append("–" if value is None else f"{value:.2f}")
        blank = figures.get("blank")
        table["empty maps"].append("–" if blank is None else f"{blank:.0%}")
        table["result"].append(
            "not measured" if not lines else "fails " + ", ".join(failed) if failed else "passes"
        )
    return table


def _listed(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def benchmark_summary(table: dict) -> str:
    """One sentence from `benchmark_table`'s rows: which methods pass, which fail."""
    results = dict(zip(table["method"], table["result"]))
    passed = [m for m, r in results.items() if r == "passes"]
    failed = [m for m, r in results.items() if r.startswith("fails")]

    def verb(methods, one, many):
        return f"{_listed(methods)} {one if len(methods) == 1 else many}"

    bench, said = "the faithfulness benchmark", []
    if passed:
        said.append(f"{verb(passed, 'passes', 'pass')} {bench}")
    if failed:
        said.append(f"{verb(failed, 'fails', 'fail')} {'it' if passed else bench}")
    if not said:
        return "No method's maps were measured against the faithfulness benchmark's lines."
    return f"On the model's PNEUMONIA calls, {'; '.join(said)}."


def card_section(card: dict) -> None:
    """The model card's "How far to trust the maps": one sentence on which methods pass the
    faithfulness benchmark on the model's validation images; its figures and lines, and where
    measured the same on a cohort its recipe never saw, in expanders."""
    st.subheader("How far to trust the maps")
    f = card.get("faithfulness")
    if not f:
        st.info("The maps of this model have not been benchmarked: read them as a rough guide.")
        return
    table = benchmark_table(f)
    st.markdown(benchmark_summary(table))
    n = f["targets"]["PNEUMONIA"]
    with st.expander("The faithfulness benchmark: figures per method and their lines"):
        st.markdown(
            f"Maps of the model's **PNEUMONIA calls** on {n} of {f['images']} validation images. "
            f"Lines: randomisation ≤ {checks.RANDOMISATION_PASS} (the map depends on what the "
            f"model learned), deletion ≤ {checks.DELETION_PASS}× random (hiding the marked "
            f"regions lowers the score faster than hiding random ones), maps alike ≤ "
            f"{checks.ALIKE_PASS} (the map depends on the image)."
        )
        st.table(table)
        lime = f.get("lime")
        if lime and "stability_verdict_mean" in lime:
            s = f["lime_settings"]
            st.caption(
                f"LIME ({s['samples']} samples, {s['segments']} superpixels): top-{s['top_k']} "
                f"regions for the verdict agree across {f['seeds']} seeds at "
                f"{lime['stability_verdict_mean']:.2f} (Jaccard; worst "
                f"{lime['stability_verdict_worst']:.2f}); median {lime['seconds_median']} s a map."
            )
        st.caption(f"Measured {f['measured']}. {checks.CAVEAT}")
    unseen = card.get("faithfulness_unseen")
    if unseen:
        with st.expander(f"The same on a cohort the recipe never saw ({unseen['images']} images)"):
            st.caption(
                "The same recipe trained without one cohort of normal X-rays, its maps measured "
                f"on that cohort and on pneumonias: {unseen['split']}."
            )
            st.table(benchmark_table(unseen))
