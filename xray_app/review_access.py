"""Who sees what on the review pages: the link in the URL (`?token=`) decides.

- Read cases: a reader's link opens their session as that reader, nothing else; without a link
  only sessions their owner opened to everyone are offered (and the page says so).
- Results: the owner link alone opens results, exports, settings and the invitations.
User-typed text (session and reader names, notes) is shown through `as_text`, never as
Markdown.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import streamlit as st

from xray_core.review import access, db, sessions
from xray_core.review.access import Grant
from xray_core.review.db import ReviewError

NO_LINK = (
    "Reading opens from your own invitation link. Ask the session's owner for yours: it names "
    "you and the session, and works for no one else."
)
OPEN_NOTE = (
    "Open session: anyone who can reach this app may read here under any name they type. "
    "Type your own pseudonym; the session's owner chose this instead of invitation links."
)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:@&=%\"'/])")
_AUTOLINK = re.compile(r"(?i)(://|@|www\.)")
WORD_JOINER = "\u2060"


def as_text(text: str) -> str:
    """User-typed text (a name) for a Markdown string: an inline code span, in which nothing
    is interpreted (`**x**`, `[a](b)`, `$x$`, a URL or an e-mail show as typed)."""
    text = str(text).replace("\n", " ")
    fence = "`" * (max((len(m) for m in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plain(text: str) -> str:
    """A message that may hold user text, for an alert (which renders Markdown): punctuation
    escaped, and a word joiner (invisible) that keeps a URL or e-mail from becoming a link."""
    text = _AUTOLINK.sub(lambda m: m[0][0] + WORD_JOINER + m[0][1:], str(text))
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def db_path() -> str:
    return str(db.default_path())


def token() -> str | None:
    return st.query_params.get("token") or None


def current_grant() -> Grant | None:
    """What the URL's link opens (None: no link, unknown or revoked)."""
    with db.connect(db_path()) as con:
        return access.grant(con, token())


def app_base() -> str:
    """The app's address for new links: $XRAY_APP_URL, else this page's own address."""
    import os

    if os.environ.get(access.APP_URL_ENV_VAR):
        return access.app_url()
    parts = urlsplit(getattr(st.context, "url", None) or "")
    if not parts.scheme:
        return access.app_url()
    folder = parts.path.rsplit("/", 1)[0]  # this page's name off: a base path is kept
    return f"{parts.scheme}://{parts.netloc}{folder}/"


def reader_access() -> tuple[sessions.Session, str, str | None] | None:
    """(session, reader, token) for Read cases; draws the reason and returns None otherwise."""
    link = token()
    if link:
        grant = current_grant()
        if grant is None:
            st.error("This link is not valid (unknown or revoked). Ask the session's owner.")
            return None
        if grant.role == access.OWNER:
            st.info("This is the owner link: it opens Results, exports and invitations.")
            st.markdown(f"[Open the results](review_results?token={link})")
            return None
        asked = st.query_params.get("reader")
        if asked and asked != grant.reader:
            st.error("This link belongs to another reader: a link reads only as its own reader.")
            return None
        return grant.session, grant.reader, link
    return _open_access()


def _open_access():
    with db.connect(db_path()) as con:
        names = access.open_sessions(con)
    if not names:
        st.info(NO_LINK, icon=":material/key:")
        return None
    wanted = st.query_params.get("session")
    name = st.selectbox(
        "Open session", names, index=names.index(wanted) if wanted in names else 0,
        key="review_session",
    )  # fmt: skip
    st.warning(OPEN_NOTE, icon=":material/lock_open:")
    reader = st.text_input(
        "Reader name (a pseudonym: no real names)", value=st.query_params.get("reader", ""),
        key="review_reader", max_chars=40,
    ).strip()  # fmt: skip
    if not reader:
        st.info("Enter a reader name to start, or the same name to resume.")
        return None
    if (st.query_params.get("reader"), st.query_params.get("session")) != (reader, name):
        st.query_params.pop("case", None)  # another reader or session: start at their place
        st.query_params["reader"], st.query_params["session"] = reader, name
    with db.connect(db_path()) as con:
        return sessions.get_session(con, name), reader, None


def owner_session() -> sessions.Session | None:
    """The session the owner link opens; draws why not and returns None otherwise."""
    grant = current_grant()
    if grant is not None and grant.role == access.OWNER:
        return grant.session
    if token():
        st.error("This link does not open results (unknown, revoked, or a reader's link).")
    st.info(
        "Results, exports and the session's settings open with the session's owner link, "
        "shown when the session was created. Lost it? On the machine holding the database: "
        "`python -m xray_core review owner-link --session NAME` makes a new one.",
        icon=":material/key:",
    )
    return None


def invitations(session: sessions.Session) -> None:
    """The owner's panel: create one link per reader, see who has one, revoke."""
    with st.form("review_invite", clear_on_submit=True, border=False):
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        reader = left.text_input("Reader pseudonym", max_chars=40, key="review_invite_name")
        if right.form_submit_button("Create link", type="primary"):
            try:
                link = access.invite(db_path(), session.name, reader)
            except ReviewError as exc:
                st.error(plain(str(exc)))
            else:
                st.session_state["review_new_link"] = (reader.strip(), link)
    made = st.session_state.get("review_new_link")
    if made:
        st.success(f"Link for {as_text(made[0])} (shown once; send it to that reader only):")
        st.code(access.link_url(made[1], access.READER, app_base()), language=None)
    with db.connect(db_path()) as con:
        links = access.reader_links(con, session.id)
    live = [r for r in links if r["revoked_at"] is None]
    st.dataframe(
        [{"Reader": r["reader"], "Link created (UTC)": r["created_at"][:16].replace("T", " "),
          "State": "revoked " + r["revoked_at"][:16].replace("T", " ") if r["revoked_at"]
          else "live"} for r in links],
        hide_index=True, width="stretch",
    )  # fmt: skip
    if live:
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        who = left.selectbox("Revoke the link of", [r["reader"] for r in live], key="review_rv")
        if right.button("Revoke", key="review_revoke"):
            access.revoke(db_path(), session.name, who)
            st.session_state.pop("review_new_link", None)
            st.rerun()


def settings(session: sessions.Session) -> None:
    """The owner's switches: who may read, and whether readers see the truth afterwards."""
    is_open = st.toggle(
        "Open session: anyone may read under a typed name (no links needed)",
        session.access == "open", key="review_open",
    )  # fmt: skip
    if is_open != (session.access == "open"):
        access.set_access(db_path(), session.name, "open" if is_open else "invite")
        st.rerun()
    st.caption(OPEN_NOTE if is_open else "Invite-only: each reader reads through their own link.")
    show = st.toggle("Readers see the ground truth after their aided read", session.show_truth)
    if show != session.show_truth:
        sessions.set_show_truth(db_path(), session.name, show)
        st.rerun()
