"""Radiologist review sessions: blinded reads, the AI revealed, agreement measured.

Modules:
    db: the SQLite store (WAL, schema version, append-only audit log).
    sources: collecting a session's inputs (folder, zip, uploads, sample set) and labels.
    intake, images: decode, gate and score each input once; the stored PNG images.
    sessions: creating a session (fixed seeded case order, one transaction), reading it back.
    reads: recording reads (unaided, then aided), importing reads from CSV, reader progress.
    access: who may see a session: the owner link, one revocable link per reader (tokens
        stored as SHA-256), open sessions.
    stats: the review statistics (Cohen's and Fleiss' kappa, reader AUC, flips), pure numpy.
    summary: the session's results from the database, as one JSON-ready dict.
    explain: the map toward pneumonia (and LIME) for a case, the map cached in the database.
    imrmc, report (+ report_charts, report_images): the exports (iMRMC CSV, PDF report).
    viewing: window/level and zoom for the reading page.

Nothing here imports Streamlit; TensorFlow is imported only where a model is scored.
"""

from xray_core.review.db import ReviewError

__all__ = ["ReviewError"]
