"""Explanations of a session's cases, on exactly the image the session's model scored.

The map toward PNEUMONIA is the one every page opens with (`explain.registry.opening_method`:
the method that passed the model's faithfulness benchmark). It is computed once per case and
cached in the database (`explanations`, 8-bit PNG, keyed by method), so the reveal, the results
page and the PDF report show the same map. LIME runs on demand (seconds) and is not stored.
"""

from __future__ import annotations

import numpy as np

from xray_core.io.contract import from_display
from xray_core.review import db
from xray_core.review.db import ReviewError
from xray_core.review.images import png_bytes, png_gray
from xray_core.review.sessions import Session, case_model_view, get_session

TARGET = "PNEUMONIA"  # a reveal shows where the evidence for pneumonia lies


def _check_model(session: Session, stored) -> None:
    if stored.name != session.model:
        raise ReviewError(
            f"session {session.name!r} was scored with model {session.model!r}, "
            f"not {stored.name!r}."
        )


def map_method(stored, handle=None) -> str:
    """The method a session's cases are explained with (registry key), for model `stored`."""
    from xray_core.explain import registry
    from xray_core.explain.handle import ModelHandle

    faithfulness = stored.card.get("faithfulness")
    return registry.opening_method(handle or ModelHandle(stored), faithfulness, TARGET)


def cached_heatmap(path, session_name: str, sha256: str, method: str):
    """The stored heatmap (size, size) float32 in [0, 1], or None when not computed yet."""
    with db.connect(path) as con:
        s = get_session(con, session_name)
        row = con.execute(
            "SELECT heatmap FROM explanations WHERE session_id = ? AND sha256 = ? AND method = ?",
            (s.id, sha256, method),
        ).fetchone()
    return None if row is None else png_gray(row[0]).astype(np.float32) / 255.0


def case_map(path, session_name: str, sha256: str, stored, handle=None) -> tuple:
    """The map toward PNEUMONIA for one case, cached: ((size, size) float32 in [0, 1], the
    method's title). An all-zero map means no region pushes toward pneumonia.

    Args:
        stored: the session's model (StoredModel); handle: its `ModelHandle` (built here
            when None; the app passes its cached one).
    Raises:
        ReviewError: wrong model or unknown case.
    """
    from xray_core.explain import registry
    from xray_core.explain.handle import ModelHandle

    handle = handle or ModelHandle(stored)
    method = map_method(stored, handle)
    title = registry.get_explainer(method).title
    heat = cached_heatmap(path, session_name, sha256, method)
    if heat is not None:
        return heat, title
    with db.connect(path) as con:
        session = get_session(con, session_name)
        _check_model(session, stored)
        view = case_model_view(con, session.id, sha256)
    x = from_display(view[None], stored.contract)[0]
    heat = registry.explain(handle, x, method, {"target": TARGET}).heatmap
    u8 = np.round(np.clip(heat, 0, 1) * 255).astype(np.uint8)
    with db.connect(path) as con:
        con.execute(
            "INSERT OR IGNORE INTO explanations (session_id, sha256, method, heatmap, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (session.id, sha256, method, png_bytes(u8), db.now()),
        )
    return u8.astype(np.float32) / 255.0, title


def case_lime(path, session_name: str, sha256: str, stored, handle=None, progress=None, **options):
    """LIME superpixels for one case (`lime_explain.explain_lime` options); not cached here.
    handle: the model's `ModelHandle` (built here when None)."""
    from xray_core.explain import lime_explain
    from xray_core.explain.handle import ModelHandle

    with db.connect(path) as con:
        session = get_session(con, session_name)
        _check_model(session, stored)
        view = case_model_view(con, session.id, sha256)
    scorer = (handle or ModelHandle(stored)).logits
    return lime_explain.explain_lime(scorer, view, stored.contract, progress=progress, **options)
