"""A session's results from the database: one JSON-ready dict (the CLI's `summary --json`, the
results page and the PDF report all show these same numbers).

Which cases count where:
    - reader <-> AI kappa: the cases the reader read in that phase where the AI gave a verdict
      (gate-refused inputs have none);
    - sensitivity, specificity, AUC per reader: the reader's reads of cases with known truth;
    - reader-average AUC and Fleiss' kappa: the cases every reader read (fully crossed);
    - flips: each reader's cases with both reads.
Cases are named by their place in the session ('case-007'), never by file name or hash.
"""

from __future__ import annotations

import numpy as np

from xray_core.review import db, stats
from xray_core.review.reads import Read, readers, reads_by_case, session_reads
from xray_core.review.sessions import Case, get_session, import_errors, list_cases
from xray_core.stats import metrics
from xray_core.stats.uncertainty import metric_intervals, wilson_interval

PHASES = db.PHASES


def _verdict(label: str | None) -> float:
    return float("nan") if label is None else float(label == "PNEUMONIA")


def _proportion(k: int, n: int) -> tuple[float | None, list[float] | None]:
    if n == 0:
        return None, None
    ci = wilson_interval(k, n)
    return k / n, list(ci)


def phase_stats(cases: list[Case], mine: dict[str, dict[str, Read]], phase: str) -> dict:
    """One reader, one phase: kappa vs AI, sensitivity, specificity, AUC (with CIs)."""
    done = [(c, mine[c.sha256][phase]) for c in cases if phase in mine.get(c.sha256, {})]
    with_ai = [(c, r) for c, r in done if c.ai_label is not None]
    k = stats.cohen_kappa(
        [_verdict(r.verdict) for _, r in with_ai], [_verdict(c.ai_label) for c, _ in with_ai]
    )
    known = [(c.truth, _verdict(r.verdict), r.confidence) for c, r in done if c.truth is not None]
    y = np.array([t for t, _, _ in known], int)
    v = np.array([x for _, x, _ in known], int)
    conf = np.array([x for _, _, x in known], float)
    sens, sens_ci = _proportion(int((v[y == 1] == 1).sum()), int((y == 1).sum()))
    spec, spec_ci = _proportion(int((v[y == 0] == 0).sum()), int((y == 0).sum()))
    auc = metrics.auc(y, conf)
    seconds = [r.seconds for _, r in done if r.seconds is not None]
    return {
        "n_reads": len(done),
        "kappa_ai": k["kappa"],
        "kappa_ai_ci": k["ci"],
        "kappa_ai_n": k["n"],
        "sensitivity": sens,
        "sensitivity_ci": sens_ci,
        "specificity": spec,
        "specificity_ci": spec_ci,
        "auc": auc,
        "auc_ci": metric_intervals(y, conf)["auc"] if auc is not None else None,
        "n_truth": len(known),
        "median_seconds": float(np.median(seconds)) if seconds else None,
    }


def reader_flips(cases: list[Case], mine: dict[str, dict[str, Read]]) -> dict:
    """Flips of one reader over the cases with both reads."""
    both = [c for c in cases if len(mine.get(c.sha256, {})) == 2]
    return stats.flips(
        [_verdict(mine[c.sha256]["unaided"].verdict) for c in both],
        [_verdict(mine[c.sha256]["aided"].verdict) for c in both],
        truth=[np.nan if c.truth is None else c.truth for c in both],
        ai=[_verdict(c.ai_label) for c in both],
    )


def _crossed(cases: list[Case], table: dict[str, dict], names: list[str]) -> list[Case]:
    """Cases every reader read in both phases."""
    return [c for c in cases if all(len(table[n].get(c.sha256, {})) == 2 for n in names)]


def inter_reader(crossed: list[Case], table: dict, names: list[str]) -> dict | None:
    """Fleiss' kappa among readers, unaided and aided, over the fully crossed cases."""
    if len(names) < 2:
        return None
    out = {}
    for phase in PHASES:
        m = [[_verdict(table[n][c.sha256][phase].verdict) for n in names] for c in crossed]
        out[phase] = stats.fleiss_kappa(np.array(m, int).reshape(len(crossed), len(names)))
    return out


def reader_average(crossed: list[Case], table: dict, names: list[str]) -> dict | None:
    """Reader-average AUC unaided vs aided over labelled fully crossed cases."""
    labelled = [c for c in crossed if c.truth is not None]
    if not names or not labelled:
        return None
    conf = {
        p: [[table[n][c.sha256][p].confidence for c in labelled] for n in names] for p in PHASES
    }
    return stats.reader_average_auc([c.truth for c in labelled], conf["unaided"], conf["aided"])


def ai_stats(cases: list[Case]) -> dict:
    """The AI alone on labelled cases it gave a verdict for: AUC, sensitivity, specificity."""
    scored = [c for c in cases if c.truth is not None and c.probability is not None]
    y = np.array([c.truth for c in scored], int)
    v = np.array([_verdict(c.ai_label) for c in scored], int)
    sens, sens_ci = _proportion(int((v[y == 1] == 1).sum()), int((y == 1).sum()))
    spec, spec_ci = _proportion(int((v[y == 0] == 0).sum()), int((y == 0).sum()))
    p = np.array([c.probability for c in scored], float)
    auc = metrics.auc(y, p)
    return {
        "n": len(scored),
        "auc": auc,
        "auc_ci": metric_intervals(y, p)["auc"] if auc is not None else None,
        "sensitivity": sens,
        "sensitivity_ci": sens_ci,
        "specificity": spec,
        "specificity_ci": spec_ci,
    }


def discordant_cases(cases: list[Case], table: dict, names: list[str]) -> list[dict]:
    """Cases where a reader disagreed with the AI, or readers disagreed among themselves."""
    out = []
    for c in cases:
        verdicts = {n: {p: r.verdict for p, r in table[n].get(c.sha256, {}).items()} for n in names}
        verdicts = {n: v for n, v in verdicts.items() if v}
        kinds = []
        calls = [x for v in verdicts.values() for x in v.values()]
        if c.ai_label and any(x != c.ai_label for x in calls):
            kinds.append("reader vs AI")
        for phase in PHASES:
            calls = {v[phase] for v in verdicts.values() if phase in v}
            if len(calls) > 1:
                kinds.append(f"readers disagree ({phase})")
        if kinds:
            out.append(_discordant_row(c, verdicts, kinds))
    return out


def _discordant_row(c: Case, verdicts: dict, kinds: list[str]) -> dict:
    return {
        "case": c.case_id,
        "position": c.position,
        "truth": None if c.truth is None else ("PNEUMONIA" if c.truth else "NORMAL"),
        "ai_label": c.ai_label,
        "probability": c.probability,
        "gate_reason": c.gate_reason,
        "kinds": kinds,
        "readers": verdicts,
    }


def summarize(path, session_name: str) -> dict:
    """Every result of a session (see the module docstring for which cases count where)."""
    with db.connect(path) as con:
        session = get_session(con, session_name)
        cases = list_cases(con, session.id)
        names = readers(con, session.id)
        table = {n: reads_by_case(session_reads(con, session.id, n)) for n in names}
        errors = import_errors(con, session.id)
    crossed = _crossed(cases, table, names)
    return {
        "session": session.name,
        "model": session.model,
        "threshold": session.threshold,
        "created_at": session.created_at,
        "n_cases": len(cases),
        "n_labelled": sum(c.truth is not None for c in cases),
        "n_refused": sum(not c.gate_ok for c in cases),
        "n_import_errors": len(errors),
        "n_readers": len(names),
        "n_crossed": len(crossed),
        "ai": ai_stats(cases),
        "readers": {
            n: {
                **{p: phase_stats(cases, table[n], p) for p in PHASES},
                "flips": reader_flips(cases, table[n]),
            }
            for n in names
        },
        "inter_reader": inter_reader(crossed, table, names),
        "reader_average": reader_average(crossed, table, names),
        "flips": _total_flips([reader_flips(cases, table[n]) for n in names]),
        "discordant": discordant_cases(cases, table, names),
    }


def _total_flips(per_reader: list[dict]) -> dict:
    keys = ("n", "changed", "toward_truth", "away_from_truth", "toward_ai", "away_from_ai")
    out = {}
    for k in keys:
        values = [f[k] for f in per_reader if f[k] is not None]
        out[k] = int(sum(values)) if values else (0 if k in ("n", "changed") else None)
    return out
