"""Explanations of a session's cases, on exactly the image the session's model scored.

Grad-CAM heatmaps are computed once per case and cached in the database (`explanations`,
8-bit PNG), so the reveal, the results page and the PDF report show the same map. LIME runs
on demand (seconds) and is not stored.
"""

from __future__ import annotations

import numpy as np

from xray_core.contract import from_display
from xray_core.review import db
from xray_core.review.db import ReviewError
from xray_core.review.images import png_bytes, png_gray
from xray_core.review.sessions import Session, case_model_view, get_session

GRADCAM = "gradcam"


def _check_model(session: Session, stored) -> None:
    if stored.name != session.model:
        raise ReviewError(
            f"session {session.name!r} was scored with model {session.model!r}, "
            f"not {stored.name!r}."
        )


def cached_heatmap(path, session_name: str, sha256: str, method: str = GRADCAM):
    """The stored heatmap (size, size) float32 in [0, 1], or None when not computed yet."""
    with db.connect(path) as con:
        s = get_session(con, session_name)
        row = con.execute(
            "SELECT heatmap FROM explanations WHERE session_id = ? AND sha256 = ? AND method = ?",
            (s.id, sha256, method),
        ).fetchone()
    return None if row is None else png_gray(row[0]).astype(np.float32) / 255.0


def case_gradcam(path, session_name: str, sha256: str, stored, cam=None) -> np.ndarray:
    """Grad-CAM toward PNEUMONIA for one case: (size, size) float32 in [0, 1], cached.

    Args:
        stored: the session's model (StoredModel); cam: a reusable explainer from
            `gradcam.make_cam(stored.model)` (built here when None).
    Raises:
        ReviewError: wrong model or unknown case. gradcam.NoConvLayerError for a model
        without convolutions.
    """
    from xray_core.explain import gradcam

    heat = cached_heatmap(path, session_name, sha256)
    if heat is not None:
        return heat
    with db.connect(path) as con:
        session = get_session(con, session_name)
        _check_model(session, stored)
        view = case_model_view(con, session.id, sha256)
    x = from_display(view[None], stored.contract)[0]
    heat = gradcam.gradcam_heatmap(
        cam or gradcam.make_cam(stored.model), x, stored.last_conv, "PNEUMONIA"
    )
    u8 = np.round(np.clip(heat, 0, 1) * 255).astype(np.uint8)
    with db.connect(path) as con:
        con.execute(
            "INSERT OR IGNORE INTO explanations (session_id, sha256, method, heatmap, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (session.id, sha256, GRADCAM, png_bytes(u8), db.now()),
        )
    return u8.astype(np.float32) / 255.0


def case_lime(path, session_name: str, sha256: str, stored, progress=None, **options):
    """LIME superpixels for one case (`lime_explain.explain_lime` options); not cached here."""
    from xray_core.explain import lime_explain

    with db.connect(path) as con:
        session = get_session(con, session_name)
        _check_model(session, stored)
        view = case_model_view(con, session.id, sha256)
    return lime_explain.explain_lime(
        stored.probabilities, view, stored.contract, progress=progress, **options
    )
