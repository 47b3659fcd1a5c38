"""Radiologist review sessions: blinded reads, the AI revealed, agreement measured.

Modules:
    db: the SQLite store (WAL, schema version, append-only audit log).
    sources: collecting a session's inputs (folder, zip, uploads, sample set) and labels.
    sessions: creating a session (decode, gate, score once, fixed seeded case order), reading it.
    reads: recording reads (unaided, then aided), importing reads from CSV, reader progress.
    stats: the review statistics (Cohen's and Fleiss' kappa, reader AUC, flips), pure numpy.
    summary: the session's results from the database, as one JSON-ready dict.
    explain: Grad-CAM / LIME for a case, cached in the database.
    imrmc, report: the exports (iMRMC CSV, PDF session report).

Nothing here imports Streamlit; TensorFlow is imported only where a model is scored.
"""

from xray_core.review.db import ReviewError

__all__ = ["ReviewError"]
