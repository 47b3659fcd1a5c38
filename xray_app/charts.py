"""Plotly figures for the pages. Inputs are core results (dicts and lists); no computation."""

from __future__ import annotations

import plotly.graph_objects as go

COLOURS = {"NORMAL": "#2b8cbe", "PNEUMONIA": "#e6550d", "point": "#d62728"}
LAYOUT = dict(margin=dict(l=10, r=10, t=40, b=10), height=360, template="plotly_white")


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
            x=["NORMAL", "PNEUMONIA"],
            y=["NORMAL", "PNEUMONIA"],
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


def overlaid_rocs(curves: dict[str, dict]) -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=[0, 1], y=[0, 1], mode="lines", name="chance", line=dict(dash="dot", color="grey")
        )
    )
    for name, roc in curves.items():
        fig.add_trace(go.Scatter(x=roc["fpr"], y=roc["tpr"], mode="lines", name=name))
    fig.update_layout(
        title="ROC curves (same validation split)",
        xaxis_title="1 − specificity",
        yaxis_title="sensitivity",
        **LAYOUT,
    )
    return fig


def class_balance(overview: dict) -> go.Figure:
    splits = list(overview["splits"])
    fig = go.Figure(
        [
            go.Bar(
                name=cls,
                x=splits,
                marker_color=COLOURS[cls],
                y=[overview["splits"][s]["summary"]["classes"][cls] for s in splits],
            )
            for cls in ("NORMAL", "PNEUMONIA")
        ]
    )
    fig.update_layout(barmode="group", title="Images per class and split", **LAYOUT)
    return fig


def size_scatter(overview: dict) -> go.Figure:
    fig = go.Figure()
    for split, d in overview["splits"].items():
        fig.add_trace(
            go.Scatter(
                x=[w for w, _ in d["sizes"]],
                y=[h for _, h in d["sizes"]],
                mode="markers",
                name=split,
                opacity=0.6,
            )
        )
    fig.update_layout(
        title="Image sizes (sampled)", xaxis_title="width (px)", yaxis_title="height (px)", **LAYOUT
    )
    return fig


def subtype_bars(summary: dict) -> go.Figure:
    sub = summary["subtypes"]
    fig = go.Figure(
        go.Bar(
            x=list(sub),
            y=list(sub.values()),
            marker_color=["#2b8cbe" if k == "normal" else "#e6550d" for k in sub],
        )
    )
    fig.update_layout(title="Normal, bacterial and viral (from file names)", **LAYOUT)
    return fig
