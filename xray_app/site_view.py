"""Showing a site validation report (xray_core.site.report) on the Site page."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from xray_app.charts import LAYOUT
from xray_core.stats.uncertainty import format_interval
from xray_core.store.site_profiles import list_profiles, load_profile


def reliability_figure(rel: dict, title: str) -> go.Figure:
    """Observed share with pneumonia against the mean predicted probability, per bin."""
    pts = [
        (m, o, c)
        for m, o, c in zip(rel["mean_predicted"], rel["observed"], rel["count"])
        if m is not None
    ]
    fig = go.Figure(
        go.Scatter(
            x=[p[0] for p in pts],
            y=[p[1] for p in pts],
            customdata=[p[2] for p in pts],
            mode="lines+markers",
            name="local cases",
            hovertemplate="predicted %{x:.2f}<br>observed %{y:.2f}<br>n %{customdata}",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dot", color="grey"), name="perfect"
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title="mean predicted P(pneumonia)",
        yaxis_title="observed share with pneumonia",
        **LAYOUT,
    )
    return fig


def profile_rows(model_sha256: str) -> list[dict]:
    """One row per saved profile (any model), for a table."""
    rows = []
    for name in list_profiles():
        p = load_profile(name)
        rows.append(
            {
                "profile": name,
                "model": p["model"],
                "for this model": p["model_sha256"] == model_sha256,
                "threshold": p["threshold"],
                "local calibration": bool(p.get("calibration")),
                "cases": p.get("report", {}).get("n"),
                "created": p.get("created", ""),
            }
        )
    return rows


def operating_table(r: dict) -> dict:
    """Sensitivity, specificity, PPV, NPV with 95% CIs at the shipped and proposed thresholds."""
    at = {f"shipped threshold {r['shipped_threshold']:.3f}": r["at_shipped_threshold"]}
    if r.get("at_proposed_threshold"):
        at[f"proposed threshold {r['proposed_threshold']:.3f}"] = r["at_proposed_threshold"]
    keys = ("sensitivity", "specificity", "ppv", "npv")
    table = {"": ["sensitivity", "specificity", "PPV", "NPV"]}
    for name, op in at.items():
        table[name] = [format_interval(op[k], op.get(f"{k}_ci"), 3) for k in keys]
    return table


def _metric(col, label: str, value, ci, help_text: str | None = None) -> None:
    """The value as the metric, its interval on a caption below (a metric cuts long text)."""
    text, _, interval = format_interval(value, ci, 3).partition(" (")
    col.metric(label, text, help=help_text)
    col.caption(f"95% CI {interval[:-1] or 'not available'}")


def calibration_charts(r: dict) -> None:
    """Reliability of the shipped calibration and, after a local recalibration, of both on
    the same cases (the held-out ones), so the two ECEs compare like with like."""
    left, right = st.columns(2)
    rc = r.get("recalibration")
    if rc:
        on = f"{rc['judged_on']}, n = {rc['after']['n']}"
        left.plotly_chart(
            reliability_figure(
                rc["before"]["reliability"],
                f"Shipped calibration, {on} (ECE {rc['before']['ece']:.3f})",
            ),
            width="stretch",
        )
        right.plotly_chart(
            reliability_figure(
                rc["after"]["reliability"],
                f"Local recalibration, {on} (ECE {rc['after']['ece']:.3f})",
            ),
            width="stretch",
        )
        left.caption(
            f"On all {r['n']} local cases the shipped calibration's ECE is "
            f"{r['calibration']['ece']:.3f}; both charts above use the same "
            f"{rc['after']['n']} cases the recalibration was not fitted on."
        )
    else:
        left.plotly_chart(
            reliability_figure(
                r["calibration"]["reliability"],
                f"Shipped calibration, all {r['n']} local cases "
                f"(ECE {r['calibration']['ece']:.3f})",
            ),
            width="stretch",
        )
    ex = r.get("excluded") or {}
    if ex:
        refused = ex.get("refused", {})
        right.markdown(
            f"**Left out:** {sum(refused.values())} refused by the input check "
            f"({', '.join(f'{k} {v}' for k, v in refused.items())}), "
            f"{ex.get('unreadable', 0)} unreadable, {ex.get('unlabelled', 0)} without a label."
        )


def show_report(r: dict) -> None:
    """The report: headline figures with 95% CIs, the sentences, calibration, exclusions."""
    st.caption(
        f"Model **{r['model']}** (sha256 {r['model_sha256'][:12]}) · "
        f"created {r.get('created', '?')}"
    )
    a, b, c = st.columns(3)
    a.metric(
        "Local cases (NORMAL / PNEUMONIA)",
        f"{r['n']} ({r['counts']['NORMAL']} / {r['counts']['PNEUMONIA']})",
    )
    _metric(b, "AUC (95% CI)", r["auc"], r["auc_ci"])
    _metric(
        c,
        "Proposed threshold (95% CI)",
        r["proposed_threshold"],
        r.get("proposed_threshold_ci"),
        "Highest threshold whose sensitivity's lower confidence bound meets the target.",
    )
    st.table(operating_table(r))
    for line in r["summary"]:
        st.markdown(f"- {line}")
    calibration_charts(r)
    with st.expander("The full report (JSON)"):
        st.json(r, expanded=False)
