"""Review: read a session's cases, blinded first, then with the AI; every read saved at once.

The reader's name, the session and the case live in the URL, so a reload or an app restart
resumes where the reader was; a new visit resumes at the first case not yet read twice.
"""

import streamlit as st

from xray_app import frame, review
from xray_core.review import db, reads, sessions
from xray_core.review.db import ReviewError

frame.route_through_entry()

st.title("Review: read cases")
name = review.pick_session("review_session")
if name is None:
    st.stop()
reader = st.text_input(
    "Reader name (a pseudonym: no real names)",
    value=st.query_params.get("reader", ""),
    key="review_reader",
).strip()
if not reader:
    st.info("Enter a reader name to start, or the same name to resume.")
    st.stop()
if st.query_params.get("reader") != reader:  # another reader: start at their own place
    st.query_params.pop("case", None)
    st.query_params["reader"] = reader

with db.connect(review.db_path()) as con:
    session = sessions.get_session(con, name)
    cases = sessions.list_cases(con, session.id)
    mine = reads.reads_by_case(reads.session_reads(con, session.id, reader))
resume = reads.next_position(cases, mine)
asked = st.query_params.get("case", "")
pos = min(max(int(asked) if asked.isdigit() else resume or len(cases), 1), len(cases))
case, have = cases[pos - 1], mine.get(cases[pos - 1].sha256, {})
done = sum(len(mine.get(c.sha256, {})) == 2 for c in cases)
st.query_params["case"] = str(pos)  # the URL names the case: a reload stays on it


def go(position: int) -> None:
    st.query_params["case"] = str(position)


def save(phase: str, verdict: str, confidence: int, note: str, seconds: float) -> None:
    try:
        reads.record_read(
            review.db_path(), name, reader, case.sha256, phase, verdict, confidence, note, seconds
        )
    except ReviewError as exc:
        st.error(str(exc))
    else:
        st.rerun()


st.subheader(f"Case {pos} of {len(cases)}")
st.caption(f"The AI is {session.model} at the session's fixed threshold (not the sidebar's).")
st.progress(done / len(cases), text=f"{done} of {len(cases)} cases read (unaided and aided)")
c1, c2, c3, _ = st.columns([1, 1, 2, 3])
c1.button("← Previous", on_click=go, args=(pos - 1,), disabled=pos == 1)
c2.button("Next →", on_click=go, args=(pos + 1,), disabled=pos == len(cases))
c3.button(f"Resume at case {resume}", on_click=go, args=(resume,), disabled=resume in (None, pos))

left, right = st.columns([3, 2], gap="large")
with left:
    review.viewer(review.case_image(review.db_path(), case.sha256), "review_view")
key = f"{name}|{reader}|{pos}"
with right:
    if "unaided" not in have:
        st.markdown("#### 1 · Your read (blinded: the AI is shown once you save)")
        v, c, note = review.read_form(f"review_u_{pos}")
        seconds = review.timer(f"{key}|unaided")
        if st.button("Save my read and reveal the AI", type="primary", disabled=v is None):
            save("unaided", v, c, note, seconds)
        st.stop()
    first = have["unaided"]
    st.markdown(f"Your blinded read: **{first.verdict}**, confidence {first.confidence}")
    review.ai_panel(session, case)
    if "aided" not in have:
        st.markdown("#### 2 · Your read with the AI: keep it or revise it")
        v, c, note = review.read_form(f"review_a_{pos}", first.verdict, first.confidence)
        seconds = review.timer(f"{key}|aided")
        if st.button("Save my read with the AI", type="primary", disabled=v is None):
            save("aided", v, c, note, seconds)
        st.stop()
    second = have["aided"]
    changed = "revised" if second.verdict != first.verdict else "kept"
    st.success(f"With the AI: **{second.verdict}**, confidence {second.confidence} ({changed}).")
    if session.show_truth and case.truth is not None:
        st.info(f"Ground truth: **{('NORMAL', 'PNEUMONIA')[case.truth]}**")
    if pos < len(cases):
        st.button("Next case →", type="primary", on_click=go, args=(pos + 1,), key="review_next")
    else:
        st.page_link(review.RESULTS_PAGE, label="All cases seen: see the results")
