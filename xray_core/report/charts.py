"""Report charts drawn with matplotlib's Agg canvas (no browser, no pyplot state): PNG bytes.

Inputs are the story's data (`story.build_story`); colours match the app's icon array.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from xray_core.report.pdf_kit import figure_png
from xray_core.stats.prevalence import CATEGORIES, icon_array
from xray_core.stats.uncertainty import interval_or_none

DPI = 200
POINT = "#c0392b"


def _png(fig: Figure) -> bytes:
    return figure_png(fig, DPI)


def forest_png(rows: list[dict], size=(3.6, 2.0)) -> bytes:
    """Each figure as a dot with its 95% interval. rows: story["figures"]."""
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.add_subplot()
    shown = [r for r in rows if r["value"] is not None]
    for i, r in enumerate(shown):
        lo, hi = interval_or_none(r["interval"]) or (r["value"], r["value"])
        ax.plot([lo, hi], [i, i], color="#34495e", lw=2.2, solid_capstyle="butt")
        ax.plot([r["value"]], [i], "o", color=POINT, ms=4.5)
    ax.set_yticks(range(len(shown)), [r["figure"].split(" (")[0] for r in shown], fontsize=7)
    ax.invert_yaxis()
    low = min((interval_or_none(r["interval"]) or [r["value"]])[0] for r in shown)
    ax.set_xlim(max(0.0, min(0.8, low - 0.03)), 1.0)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    ax.set_xlabel("value with 95% interval", fontsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)


def roc_png(roc: dict, sensitivity: float, specificity: float, size=(2.2, 2.0)) -> bytes:
    """ROC curve with the operating point. roc: metrics.roc_points."""
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], ls=":", color="grey", lw=0.8)
    ax.plot(roc.get("fpr", []), roc.get("tpr", []), color="#2471a3", lw=1.5)
    ax.plot([1 - specificity], [sensitivity], "o", color=POINT, ms=5)
    ax.set_xlabel("1 − specificity", fontsize=7)
    ax.set_ylabel("sensitivity", fontsize=7)
    ax.set_title("ROC, training hospital", fontsize=8)
    ax.tick_params(labelsize=6)
    ax.set_aspect("equal")
    return _png(fig)


def icon_array_png(freq: dict, columns: int = 40, size=(3.6, 2.5)) -> bytes:
    """1,000 squares, one per child, coloured by outcome, with a legend of counts."""
    icons = icon_array(freq, columns)
    colours = {key: colour for key, _, colour in CATEGORIES}
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.add_subplot()
    for x, y, cat in zip(icons["x"], icons["y"], icons["category"]):
        ax.add_patch(Rectangle((x + 0.1, -y - 0.9), 0.8, 0.8, color=colours[cat], lw=0))
    ax.set_xlim(0, icons["columns"])
    ax.set_ylim(-icons["rows"], 0)
    ax.set_aspect("equal")
    ax.axis("off")
    handles = [
        Rectangle((0, 0), 1, 1, color=colour, label=f"{label}: {icons['counts'][key]:,}")
        for key, label, colour in CATEGORIES
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=6.5, frameon=False)
    return _png(fig)
