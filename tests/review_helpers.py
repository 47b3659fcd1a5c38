"""Helpers for the review tests: a session written straight into the database (no model, no
TensorFlow), with hand-chosen truth and AI verdicts."""

from __future__ import annotations

import hashlib
import json

import numpy as np

from xray_core.review import db
from xray_core.review.images import png_bytes
from xray_core.review.sessions import _insert


def fake_rows(truths, ai_labels) -> list[dict]:
    """Rows as `sessions.score_items` makes them: tiny distinct images, given truth/AI."""
    rows = []
    for k, (t, a) in enumerate(zip(truths, ai_labels)):
        gray = np.full((8, 8), k, np.uint8)
        rows.append({
            "sha256": hashlib.sha256(f"case {k}".encode()).hexdigest(), "kind": "image",
            "width": 8, "height": 8, "view": png_bytes(gray), "model_view": png_bytes(gray),
            "truth": t, "gate_ok": int(a is not None),
            "gate_reason": None if a is not None else "does not look like a chest X-ray",
            "probability": None if a is None else (0.9 if a == "PNEUMONIA" else 0.1),
            "raw_probability": None if a is None else 0.5, "ai_label": a,
            "name": f"folder/file{k}.png",
        })  # fmt: skip
    return rows


def make_session(path, truths, ai_labels, name: str = "s", keep_names: bool = False) -> list:
    """Store a session whose case k (position k+1) has truths[k] and ai_labels[k]; returns
    the rows (in position order)."""
    rows = fake_rows(truths, ai_labels)
    with db.connect(path) as con, db.transaction(con):
        sid = con.execute(
            "INSERT INTO sessions (name, created_at, model, threshold, seed, source, contract) "
            "VALUES (?, ?, 'fake', 0.5, 1, 'folder', ?)",
            (name, db.now(), json.dumps({"size": 8, "channels": 1, "scaling": "unit"})),
        ).lastrowid
        if keep_names:
            con.execute("UPDATE sessions SET keep_names = 1 WHERE id = ?", (sid,))
        _insert(con, sid, rows, keep_names)
        db.audit(con, "created", sid, None, n_cases=len(rows))
    return rows


def dump(path) -> list[str]:
    """Every row of the database as SQL text (to prove a failed command changed nothing)."""
    with db.connect(path) as con:
        return list(con.iterdump())
