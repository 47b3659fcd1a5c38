"""Links to a session: the owner's, one per reader, revoked on demand; only hashes stored."""

from __future__ import annotations

import sqlite3

import pytest
from review_helpers import dump, make_session

from xray_core.io.hashing import sha256_text
from xray_core.review import access, db, reads
from xray_core.review.db import ReviewError
from xray_core.review.sessions import get_session


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "r.sqlite"
    make_session(path, [1, 0], ["PNEUMONIA", "NORMAL"])
    access.set_access(path, "s", "invite")
    return path


def grant_of(path, token):
    with db.connect(path) as con:
        return access.grant(con, token)


def test_a_reader_link_opens_its_own_session_as_its_own_reader(path):
    token = access.invite(path, "s", "drA")
    g = grant_of(path, token)
    assert (g.session.name, g.role, g.reader) == ("s", "reader", "drA")
    assert len(token) >= 32  # 192 random bits
    owner = access.owner_link(path, "s")
    assert grant_of(path, owner).role == "owner" and grant_of(path, owner).reader is None


def test_tokens_are_stored_only_as_their_sha256(path):
    tokens = [access.invite(path, "s", "drA"), access.owner_link(path, "s")]
    stored = "\n".join(dump(path))
    for token in tokens:
        assert token not in stored and sha256_text(token) in stored


@pytest.mark.parametrize("token", [None, "", "x" * 40, "not a token!", "a" * 500])
def test_no_or_unknown_token_opens_nothing(path, token):
    assert grant_of(path, token) is None


def test_revoked_and_replaced_links_open_nothing(path):
    first = access.invite(path, "s", "drA")
    second = access.invite(path, "s", "drA")  # one live link per reader
    assert grant_of(path, first) is None and grant_of(path, second).reader == "drA"
    access.revoke(path, "s", "drA")
    assert grant_of(path, second) is None
    with pytest.raises(ReviewError, match="no live link"):
        access.revoke(path, "s", "drA")
    with db.connect(path) as con:
        events = [e["event"] for e in db.audit_log(con, 1)]
        assert [r["revoked_at"] is not None for r in access.reader_links(con, 1)] == [True, True]
    assert events.count("invited") == 2 and events.count("revoked") == 1


def test_a_read_with_a_link_is_stored_only_as_that_links_reader(path, tmp_path):
    rows = make_session(tmp_path / "other.sqlite", [1], ["NORMAL"])  # same hashes, other db
    sha = rows[0]["sha256"]
    token = access.invite(path, "s", "drA")
    before = dump(path)
    with pytest.raises(ReviewError, match="another reader"):
        reads.record_read(path, "s", "drB", sha, "unaided", "NORMAL", 2, token=token)
    assert dump(path) == before
    access.revoke(path, "s", "drA")
    before = dump(path)
    with pytest.raises(ReviewError, match="not valid"):
        reads.record_read(path, "s", "drA", sha, "unaided", "NORMAL", 2, token=token)
    assert dump(path) == before
    token = access.invite(path, "s", "drA")
    reads.record_read(path, "s", "drA", sha, "unaided", "NORMAL", 2, token=token)


def test_without_a_link_the_app_saves_only_into_an_open_session(path):
    sha = make_session(path.with_name("o.sqlite"), [1], ["NORMAL"])[0]["sha256"]
    before = dump(path)
    with pytest.raises(ReviewError, match="invite-only now"):
        reads.record_read(path, "s", "drA", sha, "unaided", "NORMAL", 2, require_access=True)
    assert dump(path) == before
    access.set_access(path, "s", "open")
    reads.record_read(path, "s", "drA", sha, "unaided", "NORMAL", 2, require_access=True)


def test_access_modes(path):
    with db.connect(path) as con:
        assert get_session(con, "s").access == "invite" and access.open_sessions(con) == []
    access.set_access(path, "s", "open")
    with db.connect(path) as con:
        assert access.open_sessions(con) == ["s"]
    with pytest.raises(ReviewError, match="access must be"):
        access.set_access(path, "s", "public")


def test_link_urls(monkeypatch):
    monkeypatch.delenv(access.APP_URL_ENV_VAR, raising=False)
    assert access.link_url("abc", "reader") == "http://localhost:8501/review?token=abc"
    monkeypatch.setenv(access.APP_URL_ENV_VAR, "https://ward.example/xray")
    assert access.link_url("abc", "owner") == "https://ward.example/xray/review_results?token=abc"


def test_a_version_1_database_is_upgraded_with_its_sessions_open(tmp_path):
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.executescript(db.SCHEMA + "; PRAGMA user_version = 1;")
    con.execute(
        "INSERT INTO sessions (name, created_at, model, threshold, seed, source, contract) "
        "VALUES ('old', 'now', 'm', 0.5, 1, 'folder', '{}')"
    )
    con.commit()
    con.close()
    with db.connect(path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
        assert get_session(con, "old").access == "open"
