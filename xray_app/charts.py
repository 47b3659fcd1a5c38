"""Plotly figures for the pages. Inputs are core results (dicts and lists); no computation."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from xray_core.config import CLASS_NAMES, NEGATIVE_CLASS, POSITIVE_CLASS
from xray_core.stats.prevalence import CATEGORIES

COLOURS = {NEGATIVE_CLASS: "#2b8cbe", POSITIVE_CLASS: "#e6550d", "point": "#d62728"}
# Okabe-Ito: distinguishable with colour-blindness (no red/green pair between traces).
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
LAYOUT = dict(
    margin=dict(l=10, r=10, t=40, b=10), height=360, template="plotly_white", colorway=OKABE_ITO
)


def roc_figure(roc: dict, op: dict, title: str = "ROC (validation)") -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=roc["fpr"],
            y=roc["tpr"],
            mode="lines",
            name="ROC",
            customdata=roc["thresholds"],
            hovertemplate="FPR %{x:.3f}<br>TPR %{y:.3f}<br>t %{customdata:.3f}",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dot", color="grey"), name="chance"
        )
    )
    if op.get("sensitivity") is not None:
        fig.add_trace(
            go.Scatter(
                x=[1 - op["specificity"]],
                y=[op["sensitivity"]],
                mode="markers",
                marker=dict(size=14, color=COLOURS["point"]),
                name=f"threshold {op['threshold']:.3f}",
            )
        )
    fig.update_layout(
        title=title, xaxis_title="1 − specificity", yaxis_title="sensitivity", **LAYOUT
    )
    return fig


def pr_figure(pr: dict, op: dict) -> go.Figure:
    fig = go.Figure(go.Scatter(x=pr["recall"], y=pr["precision"], mode="lines", name="PR"))
    if op.get("ppv") is not None:
        fig.add_trace(
            go.Scatter(
                x=[op["sensitivity"]],
                y=[op["ppv"]],
                mode="markers",
                marker=dict(size=14, color=COLOURS["point"]),
                name=f"threshold {op['threshold']:.3f}",
            )
        )
    ap = pr.get("average_precision")
    fig.update_layout(
        title=f"Precision–recall (AP {ap:.3f})" if ap else "Precision–recall",
        xaxis_title="recall (sensitivity)",
        yaxis_title="precision (PPV)",
        **LAYOUT,
    )
    return fig


def confusion_figure(c: dict) -> go.Figure:
    z = [[c["tn"], c["fp"]], [c["fn"], c["tp"]]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(CLASS_NAMES),
            y=list(CLASS_NAMES),
            text=z,
            texttemplate="%{text}",
            colorscale="Blues",
            showscale=False,
        )
    )
    fig.update_layout(
        title="Confusion matrix (validation)",
        xaxis_title="predicted",
        yaxis_title="true",
        yaxis_autorange="reversed",
        **LAYOUT,
    )
    return fig


def reliability_figure(before: dict, after: dict) -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=[0, 1], y=[0, 1], mode="lines", name="perfect", line=dict(dash="dot", color="grey")
        )
    )
    for label, r in (("before calibration", before), ("after calibration", after)):
        pts = [(m, o) for m, o in zip(r["mean_predicted"], r["observed"]) if m is not None]
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines+markers", name=label
            )
        )
    fig.update_layout(
        title="Reliability (validation)",
        xaxis_title="mean predicted P(pneumonia)",
        yaxis_title="observed fraction with pneumonia",
        **LAYOUT,
    )
    return fig


def learning_curves(history: dict, metric: str) -> go.Figure:
    fig = go.Figure()
    for key, name in ((metric, "training"), (f"val_{metric}", "validation")):
        if key in history:
            fig.add_trace(
                go.Scatter(x=history["epoch"], y=history[key], mode="lines+markers", name=name)
            )
    fig.update_layout(title=f"Learning curve: {metric}", xaxis_title="epoch", **LAYOUT)
    return fig


ROC_ZOOM = {"fpr": (0.0, 0.3), "tpr": (0.7, 1.0)}  # the top-left corner, where models differ


def overlaid_rocs(curves: dict[str, dict], zoom: bool = False) -> go.Figure:
    """ROC curves on one plot; `zoom` shows only the top-left corner (ROC_ZOOM)."""
    fig = go.Figure(
        go.Scatter(
            x=[0, 1], y=[0, 1], mode="lines", name="chance", line=dict(dash="dot", color="grey")
        )
    )
    for name, roc in curves.items():
        fig.add_trace(go.Scatter(x=roc["fpr"], y=roc["tpr"], mode="lines", name=name))
    fig.update_layout(
        title="ROC curves (same validation split)" + (", top-left corner" if zoom else ""),
        xaxis_title="1 − specificity",
        yaxis_title="sensitivity",
        **LAYOUT,
    )
    if zoom:
        fig.update_xaxes(range=list(ROC_ZOOM["fpr"]))
        fig.update_yaxes(range=list(ROC_ZOOM["tpr"]))
    return fig


def class_balance(overview: dict) -> go.Figure:
    """Images per class, one panel per split with its own y scale (16 val images stay visible
    beside 5,216 train images), counts written on the bars."""
    splits = list(overview["splits"])
    fig = make_subplots(rows=1, cols=len(splits), subplot_titles=[f"{s} split" for s in splits])
    for i, s in enumerate(splits, start=1):
        counts = overview["splits"][s]["summary"]["classes"]
        for cls in CLASS_NAMES:
            fig.add_trace(
                go.Bar(
                    x=[cls],
                    y=[counts[cls]],
                    name=cls,
                    marker_color=COLOURS[cls],
                    text=[counts[cls]],
                    textposition="auto",
                    showlegend=i == 1,
                    legendgroup=cls,
                ),
                row=1,
                col=i,
            )
    fig.update_layout(
        title="Images per class in each official split (own scale each)",
        **{**LAYOUT, "margin": dict(l=10, r=10, t=70, b=10)},
    )
    return fig


def size_scatter(points: list[dict], model_size: int = 224) -> go.Figure:
    """Full-resolution sizes [{"width", "height", "label"}] per class, and the one size of the
    dataset copies the models use (every one squash-resized to model_size × model_size)."""
    fig = go.Figure()
    for cls in CLASS_NAMES:
        pts = [p for p in points if p["label"] == cls]
        fig.add_trace(
            go.Scatter(
                x=[p["width"] for p in pts],
                y=[p["height"] for p in pts],
                mode="markers",
                name=f"{cls} (full resolution)",
                marker=dict(color=COLOURS[cls], size=9, opacity=0.75),
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[model_size],
            y=[model_size],
            mode="markers+text",
            name=f"every dataset copy ({model_size}×{model_size})",
            marker=dict(color="black", symbol="x", size=11),
            text=[f"{model_size}×{model_size}"],
            textposition="top right",
        )
    )
    fig.update_layout(
        title=f"Image sizes: {len(points)} full-resolution train images vs the copies used",
        xaxis_title="width (px)",
        yaxis_title="height (px)",
        **LAYOUT,
    )
    return fig


def subtype_bars(summary: dict, split: str = "train") -> go.Figure:
    sub = summary["subtypes"]
    fig = go.Figure(
        go.Bar(
            x=list(sub),
            y=list(sub.values()),
            marker_color=[
                COLOURS[NEGATIVE_CLASS if k == "normal" else POSITIVE_CLASS] for k in sub
            ],
        )
    )
    fig.update_layout(
        title=f"Normal, bacterial and viral: {split} split (from file names)", **LAYOUT
    )
    return fig


def icon_array_figure(
    icons: dict, height: int = 470, size: int = 12, legend_size: int = 15
) -> go.Figure:
    """One square per child (xray_core.stats.prevalence.icon_array), coloured by outcome; sizes
    in pixels (icons, legend text)."""
    fig = go.Figure()
    for key, label, colour in CATEGORIES:
        idx = [i for i, c in enumerate(icons["category"]) if c == key]
        fig.add_trace(
            go.Scatter(
                x=[icons["x"][i] for i in idx],
                y=[-icons["y"][i] for i in idx],
                mode="markers",
                marker=dict(symbol="square", size=size, color=colour),
                name=f"{label}: {icons['counts'][key]:,}",
                hoverinfo="name",
            )
        )
    hidden = dict(visible=False, fixedrange=True)
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin=dict(l=0, r=0, t=10, b=0),
        xaxis=hidden,
        yaxis={**hidden, "scaleanchor": "x"},
        legend=dict(
            orientation="h",
            y=-0.02,
            yanchor="top",
            font=dict(size=legend_size),
            entrywidth=0.5,
            entrywidthmode="fraction",
        ),
    )
    return fig


def interval_figure(rows: list[dict], title: str = "Validation figures with 95% intervals"):
    """Each figure as a dot with its 95% interval (rows: validation_figures.figures_table)."""
    shown = [r for r in rows if r["value"] is not None]
    lo = [r["value"] - (r["interval"] or [r["value"]] * 2)[0] for r in shown]
    hi = [(r["interval"] or [r["value"]] * 2)[1] - r["value"] for r in shown]
    fig = go.Figure(
        go.Scatter(
            x=[r["value"] for r in shown],
            y=[f"{r['figure']} (n = {r['n']:,})" for r in shown],
            mode="markers",
            marker=dict(size=12, color=COLOURS["point"]),
            error_x=dict(type="data", symmetric=False, array=hi, arrayminus=lo, thickness=3),
            customdata=[r["text"] for r in shown],
            hovertemplate="%{y}: %{customdata}<extra></extra>",
        )
    )
    fig.update_layout(title=title, xaxis_title="value (95% interval)", **LAYOUT)
    fig.update_yaxes(autorange="reversed")
    return fig
