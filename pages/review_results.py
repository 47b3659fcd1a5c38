"""Review results, for the session's owner only (the owner link): readers blinded vs with the
AI, agreement, flips, the discordant cases with their explanation, the readers' links, the
settings, the exports and the audit log."""

import streamlit as st

from xray_app import frame, review, review_access, review_tables
from xray_app.review_access import as_text
from xray_core.review import db, report_charts, sessions
from xray_core.review.summary import summarize

frame.route_through_entry()

st.title("Review: results")
st.caption("How readers did without and with the AI, for the session's owner.")
session = review_access.owner_session()
if session is None:
    st.stop()
name = session.name
summary = summarize(review.db_path(), name)
with db.connect(review.db_path()) as con:
    cases = {c.case_id: c for c in sessions.list_cases(con, session.id)}
    log = db.audit_log(con, session.id)

mode = "open to anyone" if session.access == "open" else "invite-only"
st.markdown(
    f"**Session {as_text(name)}** · model {summary['model']} at threshold "
    f"{summary['threshold']:.3f} · {mode}"
)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Cases", summary["n_cases"])
c2.metric("Readers", summary["n_readers"])
c3.metric("With ground truth", summary["n_labelled"])
c4.metric("Refused by the input check", summary["n_refused"])
results, people, settings, audit = st.tabs(
    ["Results", "Readers and links", "Settings and exports", "Audit log"]
)

with results:
    st.caption(
        f"Cases read by every reader in both phases: {summary['n_crossed']} (reader average, "
        "Fleiss). 95% intervals: Wilson for proportions, bootstrap over cases otherwise."
    )
    if not summary["n_readers"]:
        st.info("No reads yet: invite readers under 'Readers and links'.")
    else:
        chart = report_charts.sens_spec_chart(summary)
        if chart:
            st.subheader("Sensitivity and specificity: blinded → with the AI")
            st.image(chart, width="stretch")
        st.dataframe(review_tables.reader_rows(summary), hide_index=True)
        st.subheader("All readers together")
        st.dataframe(review_tables.group_rows(summary), hide_index=True)
        st.subheader("Changes of verdict once the AI was shown")
        st.dataframe(review_tables.flip_rows(summary), hide_index=True)
        left, right = st.columns(2)
        for chart, column in ((report_charts.auc_chart(summary), left),
                              (report_charts.kappa_chart(summary), right)):  # fmt: skip
            if chart:
                column.image(chart, width="stretch")
        st.subheader(f"Discordant cases ({len(summary['discordant'])})")
        st.caption("A reader disagreed with the AI, or readers disagreed with each other.")
        for row in summary["discordant"]:
            truth = f" · truth {row['truth']}" if row["truth"] else ""
            with st.expander(f"{row['case']}{truth} · {', '.join(row['kinds'])}"):
                case = cases[row["case"]]
                left, right = st.columns(2)
                left.image(review.case_image(review.db_path(), case.sha256), width="stretch")
                left.dataframe(review_tables.discordant_rows(row), hide_index=True)
                with right:
                    key = f"review_res_{case.position}"
                    if st.toggle("Show the AI and its explanation", key=key):
                        review.ai_panel(session, case)

with people:
    review_access.invitations(session)

with settings:
    review_access.settings(session)
    if st.button("Prepare the iMRMC CSV and the PDF report"):
        with st.spinner("Writing the report (maps of the discordant cases)…"):
            st.session_state["review_exports"] = (name, review.prepare_exports(name))
    made, files = st.session_state.get("review_exports", (None, {}))
    for file_name, data in files.items() if made == name else ():
        mime = "application/pdf" if file_name.endswith(".pdf") else "text/csv"
        key = f"review_dl_{file_name}"
        st.download_button(f"Download {file_name}", data, file_name, mime, key=key)

with audit:
    st.caption("Append-only: who did what, when (UTC). Nothing here can be changed or deleted.")
    st.dataframe(review_tables.audit_rows(log), hide_index=True, width="stretch")
