"""Review links' tokens: random, shown once, stored only as their SHA-256.

A link is (session, role, reader); issuing a new one revokes the live link of the same
(role, reader). `access` decides what a token opens; this module only makes and records them.
"""

from __future__ import annotations

import secrets

from xray_core.io.hashing import sha256_text
from xray_core.review import db

OWNER, READER = "owner", "reader"
TOKEN_BYTES = 24  # 192 bits, as `secrets.token_urlsafe` text


def token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256 (64 hex digits)."""
    return sha256_text(token)


def issue(con, session_id: int, role: str, reader: str | None) -> str:
    """Revoke the live link of (role, reader) and store a new one; returns the clear token."""
    con.execute(
        "UPDATE links SET revoked_at = ? WHERE session_id = ? AND role = ? "
        "AND ifnull(reader, '') = ? AND revoked_at IS NULL",
        (db.now(), session_id, role, reader or ""),
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    con.execute(
        "INSERT INTO links (session_id, role, reader, token_sha256, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (session_id, role, reader, token_hash(token), db.now()),
    )
    db.audit(con, "invited", session_id, reader, role=role)
    return token


def issue_owner_link(con, session_id: int) -> str:
    """A new owner link for a session (the previous one stops working). Call in a transaction."""
    return issue(con, session_id, OWNER, None)
