"""Creating a review session and reading it back.

A session is created once: every input is decoded, gated and scored by the session's model at
the session's threshold *at creation*, so every reader later sees the same AI result and the
statistics never depend on a model that may have changed since. What is stored per case:
    - `images.view`: the decoded image, downscaled to at most VIEW_MAX_SIDE px (aspect kept),
      lossless PNG; this is what readers see, so a session survives the source files being
      moved or deleted. Only pixels: no file metadata, no DICOM tags.
    - `cases.model_view`: the (size, size) image the model saw (squash-resized, CLAHE), PNG, so
      Grad-CAM / LIME later explain exactly the scored input.
    - the calibrated probability and the verdict at the threshold, or the gate's reason when the
      input was refused (the case stays in the session, read by humans, marked, no AI verdict).
Case order: sorted by SHA-256, then permuted by the session's stored seed (same for every
reader). Unreadable files are listed with their one-line error and never stop the import.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import PurePosixPath

import numpy as np

from xray_core.review import db
from xray_core.review.db import ReviewError
from xray_core.review.images import png_gray
from xray_core.review.intake import ImportReport, order_rows, score_items
from xray_core.review.sources import Item
from xray_core.review.tokens import issue_owner_link

MAX_READER_CHARS = 40

SOURCES = ("folder", "zip", "uploads", "sample")
MAX_NAME_CHARS = 60


@dataclass(frozen=True)
class Session:
    """A stored session's settings. threshold: P(PNEUMONIA) at or above it reads PNEUMONIA."""

    id: int
    name: str
    created_at: str
    model: str
    threshold: float
    seed: int
    source: str
    contract: dict
    show_truth: bool
    keep_names: bool
    n_cases: int
    access: str = "invite"  # 'invite': readers need their link; 'open': any typed name


@dataclass(frozen=True)
class Case:
    """One case. truth: 0 NORMAL / 1 PNEUMONIA / None; probability: calibrated, None if refused."""

    position: int
    sha256: str
    truth: int | None
    file_name: str | None
    gate_ok: bool
    gate_reason: str | None
    probability: float | None
    raw_probability: float | None
    ai_label: str | None

    @property
    def case_id(self) -> str:
        """Public id in exports: 'case-007' (its place in the session's order)."""
        return f"case-{self.position:03d}"


def _insert(con, session_id: int, rows: list[dict], keep_names: bool) -> None:
    for position, r in enumerate(rows, start=1):
        con.execute(
            "INSERT OR IGNORE INTO images (sha256, kind, width, height, view) VALUES (?,?,?,?,?)",
            (r["sha256"], r["kind"], r["width"], r["height"], r["view"]),
        )
        con.execute(
            "INSERT INTO cases (session_id, position, sha256, truth, file_name, gate_ok, "
            "gate_reason, probability, raw_probability, ai_label, model_view) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (session_id, position, r["sha256"], r["truth"], r["name"] if keep_names else None)
            + tuple(r[k] for k in ("gate_ok", "gate_reason", "probability", "raw_probability"))
            + (r["ai_label"], r["model_view"]),
        )


def _named(items: list[Item], k: int, message: str, keep_names: bool) -> str:
    """An error line for the importer's eyes (printed, never stored): with the file's name."""
    return message if keep_names else f"{items[k - 1].name}: {message.removeprefix(f'item {k}: ')}"


def check_session_name(name: str) -> str:
    """A session name: 1-60 printable characters (no tabs, newlines or NUL), trimmed."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME_CHARS or not name.isprintable():
        raise ReviewError(f"a session name must be 1-{MAX_NAME_CHARS} printable characters.")
    return name


def shown_name(name: str, limit: int = MAX_NAME_CHARS) -> str:
    """A name as echoed in a message: repr, cut to `limit` characters."""
    return repr(name) if len(name) <= limit else repr(name[:limit]) + "…"


def _check_settings(name: str, threshold: float, source: str, access: str) -> None:
    check_session_name(name)
    if access not in ("invite", "open"):
        raise ReviewError(f"access must be 'invite' or 'open', got {shown_name(access, 20)}.")
    if not 0.0 <= threshold <= 1.0:
        raise ReviewError(f"threshold must be in [0, 1], got {threshold}.")
    if source not in SOURCES:
        raise ReviewError(f"unknown source {source!r}; expected one of {SOURCES}.")


def create_session(
    path,
    name: str,
    items: list[Item],
    stored,
    keeper=None,
    threshold: float | None = None,
    seed: int | None = None,
    source: str = "folder",
    keep_names: bool = False,
    show_truth: bool = False,
    access: str = "invite",
) -> ImportReport:
    """Decode, gate and score `items` with `stored` and store them as a new session.

    Args:
        path: database file (None: the default). stored / keeper: StoredModel and the gate's
        model (store.load_gatekeeper). threshold: in [0, 1], default the model's own.
        seed: case-order seed, default random (stored either way). access: 'invite'
        (readers need their own link, the default) or 'open'. The report's `owner_token` is
        the owner link's token, returned once (only its hash is stored).
    Raises:
        ReviewError: name taken or empty, bad threshold or source, no readable image. The
        database is unchanged then (one transaction).
    """
    name = (name or "").strip()
    threshold = stored.threshold if threshold is None else float(threshold)
    _check_settings(name, threshold, source, access)
    with db.connect(path) as con:
        check_name_free(con, name)
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    report = ImportReport(name)
    scored = score_items(items, stored, keeper or stored, threshold, report, keep_names)
    rows = order_rows(scored, seed)
    if not rows:
        first = _named(items, *report.errors[0], keep_names) if report.errors else "no files"
        raise ReviewError(f"no readable image among {len(items)} files (first error: {first}).")
    settings = {"model": stored.name, "threshold": threshold, "seed": seed, "source": source,
                "contract": json.dumps(stored.contract.to_dict()), "show_truth": int(show_truth),
                "keep_names": int(keep_names), "access": access}  # fmt: skip
    errors = list(report.errors)  # stored: names only when kept (score_items)
    _store(path, name, settings, rows, errors, report)
    # the importer sees full names (printed, never stored)
    report.errors = [_named(items, k, m, keep_names) for k, m in errors]
    return report


def _store(path, name: str, settings: dict, rows: list[dict], errors, report) -> None:
    """Write the session, its cases and import errors, and the audit event: one transaction."""
    with db.connect(path) as con, db.transaction(con):
        check_name_free(con, name)
        keys = ("model", "threshold", "seed", "source", "contract", "show_truth", "keep_names",
                "access")  # fmt: skip
        sid = con.execute(
            f"INSERT INTO sessions (name, created_at, {', '.join(keys)}) "
            f"VALUES (?, ?, {', '.join('?' * len(keys))})",
            (name, db.now(), *(settings[k] for k in keys)),
        ).lastrowid
        _insert(con, sid, rows, bool(settings["keep_names"]))
        con.executemany(
            "INSERT INTO import_errors (session_id, item, message) VALUES (?, ?, ?)",
            [(sid, k, msg) for k, msg in errors],
        )
        report.n_cases = len(rows)
        report.n_refused = sum(1 for r in rows if not r["gate_ok"])
        report.n_labelled = sum(1 for r in rows if r["truth"] is not None)
        db.audit(
            con, "created", sid, None, model=settings["model"], threshold=settings["threshold"],
            seed=settings["seed"], source=settings["source"], n_cases=report.n_cases,
            n_refused=report.n_refused, n_labelled=report.n_labelled, n_errors=len(errors),
            access=settings["access"],
        )  # fmt: skip
        report.owner_token = issue_owner_link(con, sid)


def check_reader(name: str) -> str:
    """A reader pseudonym: 1-40 printable characters, trimmed."""
    name = (name or "").strip()
    if not name or len(name) > MAX_READER_CHARS or not name.isprintable():
        raise ReviewError(f"reader name must be 1-{MAX_READER_CHARS} printable characters.")
    return name


def check_name_free(con, name: str) -> None:
    """ReviewError when a session called `name` exists already."""
    if con.execute("SELECT 1 FROM sessions WHERE name = ?", (name,)).fetchone():
        raise ReviewError(f"a session named {shown_name(name)} already exists.")


def _session(con, row: sqlite3.Row) -> Session:
    n = con.execute("SELECT COUNT(*) FROM cases WHERE session_id = ?", (row["id"],)).fetchone()[0]
    return Session(
        row["id"], row["name"], row["created_at"], row["model"], float(row["threshold"]),
        int(row["seed"]), row["source"], json.loads(row["contract"]), bool(row["show_truth"]),
        bool(row["keep_names"]), int(n), row["access"],
    )  # fmt: skip


def list_sessions(con) -> list[Session]:
    """Every session, newest first."""
    rows = con.execute("SELECT * FROM sessions ORDER BY id DESC").fetchall()
    return [_session(con, r) for r in rows]


def get_session(con, name: str) -> Session:
    """The session called `name`; ReviewError otherwise (never listing the others' names:
    a session's name is for those who were given it)."""
    row = con.execute("SELECT * FROM sessions WHERE name = ?", (str(name),)).fetchone()
    if row is None:
        n = con.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        raise ReviewError(
            f"unknown session {shown_name(str(name))} ({n} session{'s' * (n != 1)} in this "
            "database)."
        )
    return _session(con, row)


def session_by_id(con, session_id: int) -> Session:
    """The session with this row id (ReviewError when none)."""
    row = con.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
    if row is None:
        raise ReviewError(f"no session with id {session_id}.")
    return _session(con, row)


def list_cases(con, session_id: int) -> list[Case]:
    """The session's cases in reading order (no image bytes)."""
    rows = con.execute(
        "SELECT position, sha256, truth, file_name, gate_ok, gate_reason, probability, "
        "raw_probability, ai_label FROM cases WHERE session_id = ? ORDER BY position",
        (session_id,),
    ).fetchall()
    return [Case(**{**dict(r), "gate_ok": bool(r["gate_ok"])}) for r in rows]


def case_view(con, sha256: str) -> np.ndarray:
    """The stored reading image (H, W) uint8 (longest side <= VIEW_MAX_SIDE)."""
    row = con.execute("SELECT view FROM images WHERE sha256 = ?", (sha256,)).fetchone()
    if row is None:
        raise ReviewError(f"no image {sha256[:12]}… in this database.")
    return png_gray(row[0])


def case_model_view(con, session_id: int, sha256: str) -> np.ndarray:
    """The (size, size) uint8 image the session's model scored (resized, CLAHE)."""
    row = con.execute(
        "SELECT model_view FROM cases WHERE session_id = ? AND sha256 = ?", (session_id, sha256)
    ).fetchone()
    if row is None:
        raise ReviewError(f"case {sha256[:12]}… is not in this session.")
    return png_gray(row[0])


def import_errors(con, session_id: int) -> list[str]:
    """The one-line errors of files that could not be read at creation."""
    rows = con.execute(
        "SELECT message FROM import_errors WHERE session_id = ? ORDER BY item", (session_id,)
    )
    return [r[0] for r in rows]


def set_show_truth(path, name: str, show: bool) -> None:
    """The owner's switch: show ground truth to readers after their aided read."""
    with db.connect(path) as con, db.transaction(con):
        s = get_session(con, name)
        con.execute("UPDATE sessions SET show_truth = ? WHERE id = ?", (int(show), s.id))
        db.audit(con, "settings", s.id, None, show_truth=bool(show))


def find_case(cases: list[Case], key: str, keep_names: bool) -> Case:
    """A case by SHA-256 (or a unique prefix of >= 8 hex digits), 'case-007' / '7', or its
    stored file name (relative path or unique base name; only when names were kept)."""
    key = key.strip()
    if key.isdigit() or key.startswith("case-"):
        pos = int(key.removeprefix("case-")) if key.removeprefix("case-").isdigit() else -1
        hits = [c for c in cases if c.position == pos]
    elif len(key) >= 8 and all(ch in "0123456789abcdef" for ch in key.lower()):
        hits = [c for c in cases if c.sha256.startswith(key.lower())]
    else:
        hits = [c for c in cases if c.file_name == key]
        hits = hits or [c for c in cases if c.file_name and PurePosixPath(c.file_name).name == key]
    if len(hits) == 1:
        return hits[0]
    if not hits and not keep_names and not key.isdigit():
        raise ReviewError(
            f"case {key!r} is not in the session (file names were not kept: use the SHA-256 "
            "or the case number)."
        )
    raise ReviewError(f"case {key!r} {'is ambiguous' if hits else 'is not in the session'}.")
