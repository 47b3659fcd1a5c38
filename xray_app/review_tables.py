"""Rows for the review results page: the summary dict as small display tables (strings)."""

from __future__ import annotations

from xray_core.uncertainty import format_interval

FLIP_KEYS = ("n", "changed", "toward_truth", "away_from_truth", "toward_ai", "away_from_ai")


def reader_rows(summary: dict) -> list[dict]:
    """One row per reader and phase: reads, kappa vs AI, sensitivity, specificity, AUC, time."""
    rows = []
    for name, r in summary["readers"].items():
        for phase in ("unaided", "aided"):
            p = r[phase]
            rows.append(
                {
                    "reader": name,
                    "phase": phase,
                    "reads": p["n_reads"],
                    "kappa vs AI": format_interval(p["kappa_ai"], p["kappa_ai_ci"]),
                    "sensitivity": format_interval(p["sensitivity"], p["sensitivity_ci"]),
                    "specificity": format_interval(p["specificity"], p["specificity_ci"]),
                    "AUC (1-5)": format_interval(p["auc"], p["auc_ci"]),
                    "median s": "—"
                    if p["median_seconds"] is None
                    else f"{p['median_seconds']:.0f}",
                }
            )
    return rows


def flip_rows(summary: dict) -> list[dict]:
    """Flips per reader and in total ('—' where truth or the AI is unknown)."""
    rows = [{"reader": n, **r["flips"]} for n, r in summary["readers"].items()]
    rows.append({"reader": "all readers", **summary["flips"]})
    return [{k: ("—" if v is None else v) for k, v in row.items()} for row in rows]


def group_rows(summary: dict) -> list[dict]:
    """Reader-average AUC and Fleiss' kappa per phase, and the AI alone."""
    avg, inter, ai = summary["reader_average"], summary["inter_reader"], summary["ai"]
    rows = []
    for phase in ("unaided", "aided"):
        auc = format_interval(avg[phase]["auc"], avg[phase]["ci"]) if avg else "—"
        kappa = format_interval(inter[phase]["kappa"], inter[phase]["ci"]) if inter else "—"
        rows.append({"phase": phase, "reader-average AUC": auc, "Fleiss' kappa": kappa})
    if avg:
        diff = format_interval(avg["difference"]["auc"], avg["difference"]["ci"], 3)
        rows.append({"phase": "aided - unaided", "reader-average AUC": diff, "Fleiss' kappa": ""})
    ai_auc = format_interval(ai["auc"], ai["auc_ci"])
    rows.append({"phase": "AI alone", "reader-average AUC": ai_auc, "Fleiss' kappa": ""})
    return rows
