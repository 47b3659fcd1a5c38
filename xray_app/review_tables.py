"""Rows for the review results page: the summary dict and the audit log as display tables
(strings, with column names a study lead reads without the code)."""

from __future__ import annotations

from xray_core.stats.uncertainty import format_interval

PHASE_NAMES = {"unaided": "Blinded (unaided)", "aided": "With the AI (aided)"}
FLIP_COLUMNS = {
    "n": "Cases read twice",
    "changed": "Verdict changed",
    "toward_truth": "Changed to the truth",
    "away_from_truth": "Changed away from the truth",
    "toward_ai": "Changed to the AI's verdict",
    "away_from_ai": "Changed away from the AI's verdict",
}
EVENT_NAMES = {
    "created": "Session created",
    "joined": "Reader joined",
    "read": "Blinded read saved",
    "revised": "Read revised with the AI",
    "confirmed": "Read kept with the AI",
    "imported": "Reads imported",
    "exported": "Exported",
    "settings": "Settings changed",
    "invited": "Link created",
    "revoked": "Link revoked",
}
DETAIL_NAMES = {
    "n_cases": "cases", "n_refused": "refused by the input check", "n_labelled": "labelled",
    "n_errors": "unreadable files", "n_reads": "reads", "show_truth": "readers see the truth",
    "access": "access", "format": "format", "rows": "rows", "pages": "pages", "role": "link for",
    "threshold": "threshold", "model": "model", "seed": "case-order seed", "source": "cases from",
}  # fmt: skip


def reader_rows(summary: dict) -> list[dict]:
    """One row per reader and phase: reads, agreement with the AI, sensitivity, specificity,
    AUC, median reading time."""
    rows = []
    for name, r in summary["readers"].items():
        for phase in ("unaided", "aided"):
            p = r[phase]
            secs = p["median_seconds"]
            rows.append({
                "Reader": name,
                "Read": PHASE_NAMES[phase],
                "Cases read": p["n_reads"],
                "Sensitivity (95% CI)": format_interval(p["sensitivity"], p["sensitivity_ci"]),
                "Specificity (95% CI)": format_interval(p["specificity"], p["specificity_ci"]),
                "AUC from confidence (95% CI)": format_interval(p["auc"], p["auc_ci"]),
                "Agreement with the AI, Cohen's κ (95% CI)": format_interval(
                    p["kappa_ai"], p["kappa_ai_ci"]
                ),
                "Median reading time (s)": "—" if secs is None else f"{secs:.0f}",
            })  # fmt: skip
    return rows


def flip_rows(summary: dict) -> list[dict]:
    """Changes of verdict once the AI was shown, per reader and in total ('—': unknown)."""
    rows = [("Reader", n, r["flips"]) for n, r in summary["readers"].items()]
    rows.append(("Reader", "All readers", summary["flips"]))
    return [
        {key: name, **{FLIP_COLUMNS[k]: "—" if f[k] is None else f[k] for k in FLIP_COLUMNS}}
        for key, name, f in rows
    ]


def group_rows(summary: dict) -> list[dict]:
    """Reader-average AUC and Fleiss' kappa per phase, and the AI alone."""
    avg, inter, ai = summary["reader_average"], summary["inter_reader"], summary["ai"]
    auc_col, kappa_col = "Reader-average AUC (95% CI)", "Agreement between readers, Fleiss' κ"
    rows = []
    for phase in ("unaided", "aided"):
        auc = format_interval(avg[phase]["auc"], avg[phase]["ci"]) if avg else "—"
        kappa = format_interval(inter[phase]["kappa"], inter[phase]["ci"]) if inter else "—"
        rows.append({"Read": PHASE_NAMES[phase], auc_col: auc, kappa_col: kappa})
    if avg:
        diff = format_interval(avg["difference"]["auc"], avg["difference"]["ci"], 3)
        rows.append({"Read": "Aided minus unaided", auc_col: diff, kappa_col: ""})
    ai_auc = format_interval(ai["auc"], ai["auc_ci"])
    rows.append({"Read": "The AI alone (its probability)", auc_col: ai_auc, kappa_col: ""})
    return rows


def _detail(detail: dict) -> str:
    parts = []
    for key, value in detail.items():
        if key == "case":
            parts.insert(0, str(value))
        elif key == "phase":
            parts.append(PHASE_NAMES.get(value, str(value)))
        else:
            parts.append(f"{DETAIL_NAMES.get(key, key.replace('_', ' '))}: {value}")
    return " · ".join(parts)


def audit_rows(log: list[dict]) -> list[dict]:
    """The audit log as a table: time (UTC, to the second), reader, what happened, details."""
    return [
        {
            "Time (UTC)": e["at"][:19].replace("T", " "),
            "Reader": e["reader"] or "",
            "Event": EVENT_NAMES.get(e["event"], e["event"]),
            "Details": _detail(e["detail"]),
        }
        for e in log
    ]


def discordant_rows(row: dict) -> list[dict]:
    """One discordant case's reads: reader, blinded and aided verdicts (text, never Markdown)."""
    return [
        {"Reader": name, PHASE_NAMES["unaided"]: calls.get("unaided", "—"),
         PHASE_NAMES["aided"]: calls.get("aided", "—")}
        for name, calls in row["readers"].items()
    ]  # fmt: skip
