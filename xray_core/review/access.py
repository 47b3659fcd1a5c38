"""Who may see a session: the owner link, one link per reader, and open sessions.

A session is 'invite' (the default) or 'open'. Every link carries a random token
(`secrets.token_urlsafe`, 192 bits); the database keeps only its SHA-256, so a copy of the
database file holds no usable link. A link is bound to its session and role: the owner's
(results, exports, settings, invitations) or one reader's (that reader's reads only). A reader
has at most one live link: inviting again revokes the old one; a revoked link opens nothing.
In an 'open' session anyone reaching the app may read under any name they type (the page says
so); results still need the owner link.

Whoever holds the database file is its owner: the CLI works on the file without links.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import quote

from xray_core.review import db
from xray_core.review.db import ReviewError
from xray_core.review.sessions import Session, check_reader, get_session, session_by_id
from xray_core.review.tokens import OWNER, READER, issue, issue_owner_link, token_hash

ACCESS_MODES = ("invite", "open")
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,128}")
APP_URL_ENV_VAR = "XRAY_APP_URL"
DEFAULT_APP_URL = "http://localhost:8501/"
PAGE_PATHS = {OWNER: "review_results", READER: "review"}


@dataclass(frozen=True)
class Grant:
    """What a valid link opens: its session, its role, and the reader (None for the owner)."""

    session: Session
    role: str
    reader: str | None


def app_url(base: str | None = None) -> str:
    """The app's address for links: `base`, else $XRAY_APP_URL, else localhost:8501."""
    url = base or os.environ.get(APP_URL_ENV_VAR) or DEFAULT_APP_URL
    return url if url.endswith("/") else url + "/"


def link_url(token: str, role: str, base: str | None = None) -> str:
    """The page a link opens: Results for the owner, Read cases for a reader."""
    return f"{app_url(base)}{PAGE_PATHS[role]}?token={quote(token)}"


def owner_link(path, session_name: str) -> str:
    """A new owner token for the session (the old owner link is revoked)."""
    with db.connect(path) as con, db.transaction(con):
        return issue_owner_link(con, get_session(con, session_name).id)


def invite(path, session_name: str, reader: str) -> str:
    """A new link for one reader (their previous link is revoked); returns the clear token,
    which is shown once and never stored."""
    reader = check_reader(reader)
    with db.connect(path) as con, db.transaction(con):
        return issue(con, get_session(con, session_name).id, READER, reader)


def revoke(path, session_name: str, reader: str) -> None:
    """Revoke a reader's live link; ReviewError when the reader has none."""
    with db.connect(path) as con, db.transaction(con):
        session = get_session(con, session_name)
        done = con.execute(
            "UPDATE links SET revoked_at = ? WHERE session_id = ? AND role = ? AND reader = ? "
            "AND revoked_at IS NULL",
            (db.now(), session.id, READER, reader),
        ).rowcount
        if not done:
            raise ReviewError(f"no live link for reader {reader[:40]!r} in this session.")
        db.audit(con, "revoked", session.id, reader, role=READER)


def grant(con, token: str | None) -> Grant | None:
    """What a token opens, or None (no token, malformed, unknown or revoked)."""
    if not token or not TOKEN_RE.fullmatch(token):
        return None
    row = con.execute(
        "SELECT session_id, role, reader FROM links WHERE token_sha256 = ? AND revoked_at IS NULL",
        (token_hash(token),),
    ).fetchone()
    if row is None:
        return None
    return Grant(session_by_id(con, row["session_id"]), row["role"], row["reader"])


def check_reader_token(con, token: str, session: Session, reader: str) -> None:
    """ReviewError unless `token` is a live link of `reader` in `session`."""
    g = grant(con, token)
    if g is None:
        raise ReviewError("this link is not valid (unknown or revoked); ask the owner for one.")
    if g.session.id != session.id or g.role != READER or g.reader != reader:
        raise ReviewError("this link belongs to another reader; reads are saved only as its own.")


def reader_links(con, session_id: int) -> list[dict]:
    """Every reader link of a session, newest first: {reader, created_at, revoked_at}."""
    rows = con.execute(
        "SELECT reader, created_at, revoked_at FROM links WHERE session_id = ? AND role = ? "
        "ORDER BY id DESC",
        (session_id, READER),
    )
    return [dict(r) for r in rows]


def set_access(path, session_name: str, mode: str) -> None:
    """The owner's choice: 'invite' (links only) or 'open' (any typed name)."""
    if mode not in ACCESS_MODES:
        raise ReviewError(f"access must be one of {', '.join(ACCESS_MODES)}, got {mode!r}.")
    with db.connect(path) as con, db.transaction(con):
        session = get_session(con, session_name)
        con.execute("UPDATE sessions SET access = ? WHERE id = ?", (mode, session.id))
        db.audit(con, "settings", session.id, None, access=mode)


def open_sessions(con) -> list[str]:
    """Names of the sessions anyone may read (newest first)."""
    rows = con.execute("SELECT name FROM sessions WHERE access = 'open' ORDER BY id DESC")
    return [r[0] for r in rows]
