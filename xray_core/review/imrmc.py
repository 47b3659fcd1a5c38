"""iMRMC export: the reads as rows `readerID,caseID,modalityID,score` (FDA iMRMC's input).

One row per read: readerID the reader's pseudonym, caseID 'case-007', modalityID `unaided` or
`aided`, score the 1-5 confidence (higher = more likely pneumonia). One truth row per case:
readerID -1, modalityID `truth`, score 0 (NORMAL) or 1 (PNEUMONIA). iMRMC needs truth for
every case, so only labelled cases are exported. Nothing identifies a patient. A reader name
a spreadsheet would run as a formula (`=...`, `+`, `-`, `@`) is written with a leading quote
(`csv_safe.neutralise`); a reader named like the truth reader ('-1') too.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from xray_core.review import db
from xray_core.review.db import ReviewError
from xray_core.review.reads import session_reads
from xray_core.review.sessions import get_session, list_cases
from xray_core.text.csv_safe import QUOTE, neutralise

HEADER = ("readerID", "caseID", "modalityID", "score")
TRUTH_READER = "-1"
TRUTH_MODALITY = "truth"


def reader_cell(name: str) -> str:
    """A reader's pseudonym as an iMRMC readerID: safe in a spreadsheet, never the truth id."""
    cell = neutralise(name)
    return QUOTE + cell if cell == TRUTH_READER else cell


def imrmc_rows(con, session_id: int) -> list[tuple]:
    """Truth rows first (by case), then reads (by reader, case, modality)."""
    cases = {c.sha256: c for c in list_cases(con, session_id) if c.truth is not None}
    if not cases:
        raise ReviewError("the session has no ground truth; iMRMC needs truth for every case.")
    truth = [(TRUTH_READER, c.case_id, TRUTH_MODALITY, c.truth) for c in cases.values()]
    reads = [
        (reader_cell(r.reader), cases[r.sha256].case_id, r.phase, r.confidence)
        for r in session_reads(con, session_id)
        if r.sha256 in cases
    ]
    order = {p: k for k, p in enumerate(db.PHASES)}
    return sorted(truth, key=lambda t: t[1]) + sorted(
        reads, key=lambda t: (t[0], t[1], order[t[2]])
    )


def csv_text(rows: list[tuple]) -> str:
    """The CSV text: header, then the rows (readers' pseudonyms quoted when needed)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue()


def write_imrmc(path, session_name: str, out) -> dict:
    """Write the iMRMC CSV; returns {"rows", "truth_rows", "readers"}. Audited as 'exported'."""
    out = Path(out)
    with db.connect(path) as con:
        session = get_session(con, session_name)
        rows = imrmc_rows(con, session.id)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        tmp.write_text(csv_text(rows), newline="")
        tmp.replace(out)
        n_truth = sum(1 for r in rows if r[0] == TRUTH_READER)
        readers = sorted({r[0] for r in rows if r[0] != TRUTH_READER})
        with db.transaction(con):
            db.audit(con, "exported", session.id, None, format="imrmc-csv", rows=len(rows))
    return {"rows": len(rows), "truth_rows": n_truth, "readers": readers}
