"""Review results: agreement with the AI and between readers, accuracy unaided vs aided,
flips, the discordant cases with their explanation, and the exports."""

import streamlit as st

from xray_app import frame, review, review_tables
from xray_core.review import db, report_charts, sessions
from xray_core.review.summary import summarize

frame.route_through_entry()

st.title("Review: results")
name = review.pick_session("review_results_session")
if name is None:
    st.stop()
summary = summarize(review.db_path(), name)
with db.connect(review.db_path()) as con:
    session = sessions.get_session(con, name)
    cases = {c.case_id: c for c in sessions.list_cases(con, session.id)}

c1, c2, c3, c4 = st.columns(4)
c1.metric("Cases", summary["n_cases"])
c2.metric("Readers", summary["n_readers"])
c3.metric("With ground truth", summary["n_labelled"])
c4.metric("Refused by the input check", summary["n_refused"])
st.caption(
    f"Model {summary['model']} at threshold {summary['threshold']:.3f}. {summary['n_crossed']} "
    "cases read by every reader in both phases (reader average, Fleiss). 95% intervals: Wilson "
    "for proportions, bootstrap over cases otherwise."
)
if not summary["n_readers"]:
    st.info("No reads yet.")
    st.page_link(review.READ_PAGE, label="Read cases", icon=":material/visibility:")
    st.stop()

st.subheader("Readers: blinded (unaided) vs with the AI (aided)")
st.dataframe(review_tables.reader_rows(summary), hide_index=True)
st.subheader("All readers together")
st.dataframe(review_tables.group_rows(summary), hide_index=True)
st.subheader("Flips after the AI was revealed")
st.dataframe(review_tables.flip_rows(summary), hide_index=True)
left, right = st.columns(2)
for chart, column in (
    (report_charts.auc_chart(summary), left),
    (report_charts.operating_points_chart(summary), right),
    (report_charts.kappa_chart(summary), left),
):
    if chart:
        column.image(chart, width="stretch")

st.subheader(f"Discordant cases ({len(summary['discordant'])})")
st.caption(
    "A reader disagreed with the AI, or readers disagreed with each other. Open a case "
    "for the image, the AI's result and its explanation."
)
for row in summary["discordant"]:
    truth = f" · truth {row['truth']}" if row["truth"] else ""
    with st.expander(f"{row['case']}{truth} · {', '.join(row['kinds'])}"):
        case = cases[row["case"]]
        left, right = st.columns(2)
        left.image(review.case_image(review.db_path(), case.sha256), width="stretch")
        for reader, calls in row["readers"].items():
            left.markdown(f"**{reader}**: {calls.get('unaided', '—')} → {calls.get('aided', '—')}")
        with right:
            if st.toggle("Show the AI and its explanation", key=f"review_res_{case.position}"):
                review.ai_panel(session, case)

with st.expander("Audit log (append-only: who did what, when, in UTC)"):
    with db.connect(review.db_path()) as con:
        st.dataframe(db.audit_log(con, session.id), hide_index=True)

st.subheader("Session settings and exports")
show = st.toggle("Readers see the ground truth after their aided read", session.show_truth)
if show != session.show_truth:
    sessions.set_show_truth(review.db_path(), name, show)
    st.rerun()
if st.button("Prepare the iMRMC CSV and the PDF report"):
    with st.spinner("Writing the report (Grad-CAM of the discordant cases)…"):
        st.session_state["review_exports"] = review.prepare_exports(name)
for file_name, data in st.session_state.get("review_exports", {}).items():
    mime = "application/pdf" if file_name.endswith(".pdf") else "text/csv"
    st.download_button(f"Download {file_name}", data, file_name, mime, key=f"review_dl_{file_name}")
