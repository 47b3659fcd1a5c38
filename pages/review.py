"""Review: read a session's cases, blinded first, then with the AI; every read saved at once.

A reader arrives through their own link (`?token=`), which names the session and the reader;
the case is in the URL too, so a reload or a restart resumes where the reader was, and a new
visit resumes at the first case not yet read twice. Keys: see `review_viewer.KEYS_HELP`.
"""

import streamlit as st

from xray_app import frame, review, review_viewer
from xray_app.review_access import as_text, plain, reader_access
from xray_core.review import db, reads, sessions
from xray_core.review.db import ReviewError

frame.route_through_entry()

review_viewer.compact_page()
got = reader_access()
if got is None:
    st.stop()
session, reader, link = got
name = session.name
with db.connect(review.db_path()) as con:
    cases = sessions.list_cases(con, session.id)
    mine = reads.reads_by_case(reads.session_reads(con, session.id, reader))
resume = reads.next_position(cases, mine)
asked = st.query_params.get("case", "")
pos = min(max(int(asked) if asked.isdigit() else resume or 1, 1), len(cases))
case, have = cases[pos - 1], mine.get(cases[pos - 1].sha256, {})
done = sum(len(mine.get(c.sha256, {})) == 2 for c in cases)
st.query_params["case"] = str(pos)  # the URL names the case: a reload stays on it


def go(position: int) -> None:
    st.query_params["case"] = str(position)


def save(phase: str, verdict: str, confidence: int, note: str = "") -> None:
    seconds = reads.reading_seconds(review.db_path(), name, reader, case.sha256, phase)
    try:
        reads.record_read(review.db_path(), name, reader, case.sha256, phase, verdict,
                          confidence, note, seconds, token=link, require_access=True)  # fmt: skip
    except ReviewError as exc:
        st.error(plain(str(exc)))
    else:
        st.rerun()


left, right = st.columns([3, 2], gap="medium")
with left:
    st.markdown(
        f"##### Case {pos} of {len(cases)} · {as_text(name)} · reading as {as_text(reader)}"
    )
    review_viewer.viewer(review.case_image(review.db_path(), case.sha256), case.sha256)
with right:
    if resume is None:
        st.success(
            f"You have read all {len(cases)} cases, blinded and with the AI. Your reads are "
            "saved: this session is finished for you. You may look back at any case.",
            icon=":material/task_alt:",
        )
    else:
        st.progress(done / len(cases), text=f"{done} of {len(cases)} cases read (both phases)")
    c1, c2 = st.columns(2)
    c1.button("← Previous", on_click=go, args=(pos - 1,), disabled=pos == 1, key="review_back")
    c2.button("Next →", on_click=go, args=(pos + 1,), disabled=pos == len(cases),
              key="review_fwd")  # fmt: skip
    if resume not in (None, pos):
        st.button(f"First unread: {resume}", on_click=go, args=(resume,), key="review_resume")
    st.caption(f"The AI is {session.model} at the session's fixed threshold.")
    if "unaided" not in have:
        st.markdown("##### 1 · Your read (blinded: the AI is shown once you save)")
        reads.reading_seconds(review.db_path(), name, reader, case.sha256, "unaided")
        v, c, note = review.read_form("unaided", pos)
        if st.button("Save my read and reveal the AI (Enter)", type="primary",
                     disabled=c is None, key="review_save_u"):  # fmt: skip
            save("unaided", v, c, note)
        st.caption(review_viewer.KEYS_HELP)
        st.stop()
    first = have["unaided"]
    st.markdown(f"Your blinded read: **{first.verdict}**, confidence {first.confidence}")
    if "aided" in have:  # read twice: the outcome and the way on first, then the AI again
        second = have["aided"]
        changed = "revised" if second.verdict != first.verdict else "kept"
        st.success(
            f"With the AI: **{second.verdict}**, confidence {second.confidence} ({changed})."
        )
        if session.show_truth and case.truth is not None:
            st.info(f"Ground truth: **{('NORMAL', 'PNEUMONIA')[case.truth]}**")
        if resume is not None:
            later = [c.position for c in cases[pos:] if len(mine.get(c.sha256, {})) < 2]
            target = later[0] if later else resume
            st.button(f"Next case: {target} (Enter)", type="primary", on_click=go,
                      args=(target,), key="review_next")  # fmt: skip
    review.ai_panel(session, case)
    if "aided" not in have:
        st.markdown("##### 2 · Your read with the AI: keep it or revise it")
        reads.reading_seconds(review.db_path(), name, reader, case.sha256, "aided")
        if st.button(f"Keep my blinded read: {first.verdict}, {first.confidence} (K)",
                     key="review_keep"):  # fmt: skip
            save("aided", first.verdict, first.confidence)
        v, c, note = review.read_form("aided", pos)
        if st.button("Save my read with the AI (Enter)", type="primary", disabled=c is None,
                     key="review_save_a"):  # fmt: skip
            save("aided", v, c, note)
        st.caption(review_viewer.KEYS_HELP)
        st.stop()
