"""The explanation views: settings widgets from an explainer's params, the faithfulness panel
beside a map, and the model card's "how far to trust the maps" section.

Everything here draws results computed in `xray_core.explain` (no model calls of its own).
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from xray_core.explain import checks, overlay

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


def curves_figure(faith) -> go.Figure:
    """Deletion and insertion curves: the map's order (solid) against random order (dotted)."""
    fig = go.Figure()
    for curve, colour in ((faith.deletion, "#d62728"), (faith.insertion, "#2ca02c")):
        x = [100 * f for f in curve.fractions]
        fig.add_scatter(x=x, y=curve.scores, name=f"{curve.kind}: map", line=dict(color=colour))
        fig.add_scatter(
            x=x, y=curve.random, name=f"{curve.kind}: random", line=dict(color=colour, dash="dot")
        )
    fig.update_layout(
        title=f"P({faith.target}) as pixels are hidden / revealed",
        xaxis_title="% of pixels hidden (deletion) or revealed (insertion)",
        yaxis_title="probability",
        yaxis_range=[0, 1],
        height=300,
        margin=dict(l=10, r=10, t=40, b=10),
        template="plotly_white",
        legend=dict(orientation="h", y=-0.35),
    )
    return fig


READS = {
    "randomisation": "rank correlation with the same method's map from a randomly "
    "re-initialised copy of the network; low is good",
    "deletion": "P(target) while hiding the map's pixels first vs random pixels; below 1× is good",
    "insertion": "P(target) while revealing the map's pixels first on a blurred copy; above 1× "
    "is good",
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
            add(
                curve.kind, f"area {curve.area:.2f} vs {curve.random_area:.2f} (×{curve.ratio:.2f})"
            )
    for name in ("border", "markers"):
        share = getattr(faith, name)
        if share is not None:
            add(name, f"{share['mass']:.1%} of the map on {share['area']:.1%} of the image")
    if faith.stability is not None:
        s = faith.stability
        add("stability", f"top-{s['top_k']}: {s['mean']:.2f} mean, {s['worst']:.2f} worst")
    return table


def faithfulness_panel(faith, display) -> None:
    """The panel beside a map: the sentence, the table, the curves, LIME's consensus, caveat."""
    ok = all(faith.verdicts().values())
    (st.success if ok else st.warning)(faith.sentence())
    if "markers" in faith.checks_run and faith.markers is None:
        st.caption("No burned-in text or side markers detected on this image.")
    table = rows(faith)
    st.dataframe(table, hide_index=True, width="stretch")
    shown = [k for k, label in CHECK_NAMES.items() if label in table["check"]]
    st.caption(" · ".join(f"**{CHECK_NAMES[k]}**: {READS[k]}." for k in shown))
    if faith.deletion is not None:
        st.plotly_chart(curves_figure(faith), width="stretch")
    if faith.consensus is not None:
        agreed, disputed = faith.consensus
        st.image(
            overlay.draw_consensus(display, agreed, disputed),
            caption="Regions every seed chose (solid) and only some seeds chose (hatched)",
            width="stretch",
        )
    st.caption(f"**Caveat.** {checks.CAVEAT}")


def card_section(card: dict) -> None:
    """The model card's "How far to trust the maps": the faithfulness benchmark's figures."""
    st.subheader("How far to trust the maps")
    f = card.get("faithfulness")
    if not f:
        st.info(
            "Not measured for this model yet: run "
            "`python -m benchmarks.bench_faithfulness --model NAME --write-card`."
        )
        return
    table = {
        "method": [],
        "randomisation |ρ| (low good)": [],
        "deletion ×random (<1 good)": [],
        "insertion ×random (>1 good)": [],
        "lines": [],
    }
    for method, m in f["methods"].items():
        table["method"].append(method)
        table["randomisation |ρ| (low good)"].append(m["randomisation"])
        table["deletion ×random (<1 good)"].append(m["deletion"])
        table["insertion ×random (>1 good)"].append(m["insertion"])
        failed = [k for k, ok in checks.benchmark_verdicts(m).items() if not ok]
        table["lines"].append(
            "passes both"
            if not failed
            else "fails both"
            if len(failed) == 2
            else f"fails {failed[0]}"
        )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(
        f"Lines: randomisation |ρ| ≤ {checks.RANDOMISATION_PASS} (the map depends on what the "
        f"model learned), deletion ≤ {checks.DELETION_PASS}× random (hiding the marked pixels "
        "lowers the score faster than hiding random ones)."
    )
    lime = f.get("lime")
    if lime:
        st.markdown(
            f"- **LIME** at the app defaults ({f['lime_settings']['samples']} samples, "
            f"{f['lime_settings']['segments']} superpixels): median {lime['seconds_median']} s, "
            f"worst {lime['seconds_worst']} s (1-minute load average "
            f"{lime['load_average_1min'][0]}–{lime['load_average_1min'][1]} while measured)."
        )
        if "stability_verdict_mean" in lime:
            st.markdown(
                f"- **LIME agreement across {f['seeds']} seeds** (top-{f['lime_settings']['top_k']}"
                f" regions, Jaccard): for the verdict {lime['stability_verdict_mean']:.2f} mean, "
                f"{lime['stability_verdict_worst']:.2f} worst; for PNEUMONIA "
                f"{lime['stability_pneumonia_mean']:.2f} mean, "
                f"{lime['stability_pneumonia_worst']:.2f} worst."
            )
    st.caption(
        f"{f['images']} validation images ({f['targets']['NORMAL']} called NORMAL, "
        f"{f['targets']['PNEUMONIA']} PNEUMONIA), measured {f['measured']}; each map explains "
        f"the model's verdict; medians over images. Rerun: `{f['command']}`. {checks.CAVEAT}"
    )
