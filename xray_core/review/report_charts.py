"""Charts for the PDF session report, rendered without a browser to PNG bytes.

matplotlib's object API (`Figure`, drawn by the Agg canvas), never pyplot: no global figure
state, safe in the app's threads. Each function takes the `summary.summarize` dict and returns
PNG bytes, or None when there is nothing to draw (no readers, no truth). Reader names are
drawn as typed: matplotlib's `$...$` mathtext is switched off for them.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from xray_core.report.pdf_kit import figure_png

UNAIDED, AIDED, AI = "#7f7f7f", "#1f77b4", "#d62728"
DPI = 150


def _png(fig) -> bytes:
    return figure_png(fig, DPI, tight=True)


def _err(value, ci) -> list[list[float]]:
    lo, hi = ci if ci and not isinstance(ci, str) else (value, value)  # str: too few cases
    return [[value - lo], [hi - value]]


MAX_LABEL = 24  # characters of a reader name drawn on a chart


def _short(name: str) -> str:
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"


def _plain(texts) -> None:
    """Matplotlib Text objects shown literally (a name like '$x$' is not a formula)."""
    for t in texts:
        t.set_parse_math(False)


def _dumbbell(ax, names: list[str], points: dict, title: str, xlim=(0, 1), ms: float = 6) -> None:
    """Per reader: unaided (grey) and aided (blue) value with 95% CI bars, joined by a line."""
    for y, name in enumerate(names):
        u, a = points[name]
        if u[0] is not None and a[0] is not None:
            ax.plot([u[0], a[0]], [y, y], color="#bbbbbb", lw=2, zorder=1)
        for (v, ci), colour, dy in ((u, UNAIDED, 0.12), (a, AIDED, -0.12)):
            if v is not None:
                ax.errorbar(v, y + dy, xerr=_err(v, ci), fmt="o", color=colour, capsize=3, ms=ms)
    ax.set_yticks(range(len(names)), [_short(n) for n in names])
    _plain(ax.get_yticklabels())
    ax.invert_yaxis()
    ax.set_xlim(*xlim)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)


def auc_chart(summary: dict) -> bytes | None:
    """Reader AUC (1-5 confidence) unaided vs aided, the reader average, and the AI's AUC."""
    names = list(summary["readers"])
    if not names or all(summary["readers"][n]["unaided"]["auc"] is None for n in names):
        return None
    points = {
        n: tuple((summary["readers"][n][p]["auc"], summary["readers"][n][p]["auc_ci"])
                 for p in ("unaided", "aided"))
        for n in names
    }  # fmt: skip
    avg = summary.get("reader_average")
    if avg:
        names.append("reader average")
        points["reader average"] = ((avg["unaided"]["auc"], avg["unaided"]["ci"]),
                                    (avg["aided"]["auc"], avg["aided"]["ci"]))  # fmt: skip
    fig = Figure(figsize=(6.5, 0.5 * len(names) + 1.4))
    ax = fig.subplots()
    _dumbbell(ax, names, points, "AUC from the 1-5 confidence (95% CI)", (0.4, 1.03))
    if summary["ai"]["auc"] is not None:
        ax.axvline(summary["ai"]["auc"], color=AI, ls="--", lw=1, label="AI alone")
    ax.plot([], [], "o", color=UNAIDED, label="unaided")
    ax.plot([], [], "o", color=AIDED, label="aided")
    ax.legend(loc="lower left", fontsize=8)
    return _png(fig)


def kappa_chart(summary: dict) -> bytes | None:
    """Cohen's kappa reader vs AI, unaided vs aided, per reader."""
    names = [n for n in summary["readers"] if summary["readers"][n]["unaided"]["n_reads"]]
    if not names:
        return None
    points = {
        n: tuple((summary["readers"][n][p]["kappa_ai"], summary["readers"][n][p]["kappa_ai_ci"])
                 for p in ("unaided", "aided"))
        for n in names
    }  # fmt: skip
    fig = Figure(figsize=(6.5, 0.5 * len(names) + 1.2))
    ax = fig.subplots()
    _dumbbell(ax, names, points, "Agreement with the AI: Cohen's kappa (95% CI)", (-1.03, 1.03))
    ax.axvline(0, color="black", lw=0.5)
    return _png(fig)


def operating_points_chart(summary: dict) -> bytes | None:
    """Each reader's (1 - specificity, sensitivity), unaided -> aided arrows, and the AI's."""
    rows = []
    for name, r in summary["readers"].items():
        u, a = r["unaided"], r["aided"]
        if None not in (u["sensitivity"], u["specificity"]):
            rows.append((name, u, a))
    if not rows:
        return None
    fig = Figure(figsize=(4.6, 4.2))
    ax = fig.subplots()
    for name, u, a in rows:
        x0, y0 = 1 - u["specificity"], u["sensitivity"]
        ax.plot(x0, y0, "o", color=UNAIDED)
        if None not in (a["sensitivity"], a["specificity"]):
            x1, y1 = 1 - a["specificity"], a["sensitivity"]
            ax.annotate("", (x1, y1), (x0, y0), arrowprops={"arrowstyle": "->", "color": AIDED})
            ax.plot(x1, y1, "o", color=AIDED)
        label = ax.annotate(
            _short(name), (x0, y0), fontsize=7, xytext=(4, -8), textcoords="offset points"
        )
        label.set_parse_math(False)
    ai = summary["ai"]
    if None not in (ai["sensitivity"], ai["specificity"]):
        ax.plot(1 - ai["specificity"], ai["sensitivity"], "*", ms=12, color=AI, label="AI")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("1 - specificity")
    ax.set_ylabel("sensitivity")
    ax.set_title("Operating points: unaided (grey) -> aided (blue)", fontsize=10)
    ax.grid(alpha=0.3)
    return _png(fig)


def sens_spec_chart(summary: dict) -> bytes | None:
    """Each reader's sensitivity and specificity, blinded -> with the AI, 95% Wilson intervals,
    the AI's own as a dashed line: large type, for a slide or a screen."""
    keys = ("sensitivity", "specificity")
    readers = summary["readers"]
    names = [n for n in readers if any(readers[n]["unaided"][k] is not None for k in keys)]
    if not names:
        return None
    fig = Figure(figsize=(12, 0.7 * len(names) + 2.2))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, key in zip(axes, keys):
        points = {
            n: tuple((summary["readers"][n][p][key], summary["readers"][n][p][f"{key}_ci"])
                     for p in ("unaided", "aided"))
            for n in names
        }  # fmt: skip
        _dumbbell(ax, names, points, f"{key.capitalize()} (95% CI)", (-0.02, 1.02), ms=9)
        ax.title.set_fontsize(15)
        ax.tick_params(labelsize=12)
        if summary["ai"][key] is not None:
            ax.axvline(summary["ai"][key], color=AI, ls="--", lw=1.5, label="AI alone")
    axes[0].plot([], [], "o", color=UNAIDED, label="blinded (unaided)")
    axes[0].plot([], [], "o", color=AIDED, label="with the AI (aided)")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=3, fontsize=12,
               frameon=False, bbox_to_anchor=(0.5, -0.02))  # fmt: skip
    fig.subplots_adjust(bottom=0.25)
    return _png(fig)
