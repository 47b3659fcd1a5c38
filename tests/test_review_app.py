"""AppTest through a review session: links decide what a page shows (no link: nothing of an
invite-only session; a reader's link reads only as that reader; a revoked link opens nothing;
the owner link alone opens results), the blinded read (no AI anywhere before it is saved, no
value pre-set), the reveal, the aided read, resume after a reload, the end of the session, the
results page and creating a session from the page."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from xray_core.review import access, db, reads, sessions, sources
from xray_core.store import catalog as store
from xray_core.text.wording import percent

READ = "pages/review.py"
RESULTS = "pages/review_results.py"


@pytest.fixture(scope="module")
def model():
    return store.load_model()


@pytest.fixture
def open_page(open_app):
    """A function: the app opened with a link's query parameters, switched to `page`."""

    def opened(page: str, **params) -> AppTest:
        at = open_app()
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        return ok(at.switch_page(page).run())

    return opened


@pytest.fixture
def session(tmp_path, data_root, model):
    """Two labelled X-rays in an invite-only session of the default model (this test's
    app-data DB); returns the cases and the owner token."""
    folder = tmp_path / "cases"
    for cls in ("NORMAL", "PNEUMONIA"):
        (folder / cls).mkdir(parents=True)
        shutil.copy(sorted((data_root / "train" / cls).iterdir())[0], folder / cls)
    items = sources.folder_items(folder)
    report = sessions.create_session(None, "ward", items, model, seed=2, show_truth=True)
    with db.connect(None) as con:
        return sessions.list_cases(con, sessions.get_session(con, "ward").id), report.owner_token


def page_text(at: AppTest) -> str:
    kinds = ("markdown", "caption", "success", "info", "warning", "error", "subheader", "title")
    parts = [e.value for kind in kinds for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [c for img in at.get("image") for c in img.captions]
    return " ".join(str(p) for p in parts).replace("**", "")


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [(e.value, e.stack_trace) for e in at.exception]
    return at


def click(at: AppTest, label: str) -> AppTest:
    [b for b in at.button if b.label.startswith(label)][0].click()
    return ok(at.run())


def shows_nothing_of_the_session(at: AppTest, cases) -> None:
    shown = page_text(at)
    assert not at.get("image") and not at.metric and not at.dataframe and not at.radio
    assert not at.get("bidi_component") and "ward" not in shown and "Case 1" not in shown
    assert "P(pneumonia)" not in shown and "Grad-CAM" not in shown
    assert not any(c.case_id in shown for c in cases)


@pytest.mark.parametrize("page", [READ, RESULTS])
@pytest.mark.parametrize("token", [None, "made-up-token-made-up-token"])
def test_without_a_valid_link_nothing_of_the_session_shows(session, page, token, open_page):
    cases, _ = session
    at = open_page(page, **({"token": token} if token else {}))
    shows_nothing_of_the_session(at, cases)
    assert "link" in page_text(at)


def test_a_readers_link_with_another_readers_name_is_refused(session, open_page):
    cases, _ = session
    token = access.invite(None, "ward", "drA")
    at = open_page(READ, token=token, reader="drB")
    shows_nothing_of_the_session(at, cases)
    assert "belongs to another reader" in page_text(at)
    at = open_page(RESULTS, token=token)  # a reader's link opens no results either
    shows_nothing_of_the_session(at, cases)


def test_a_revoked_link_is_refused(session, open_page):
    cases, _ = session
    token = access.invite(None, "ward", "drA")
    access.revoke(None, "ward", "drA")
    at = open_page(READ, token=token)
    shows_nothing_of_the_session(at, cases)
    assert "not valid" in page_text(at)


def test_blinded_read_then_reveal_then_aided_read(session, open_page):
    (first, _), _ = session
    at = open_page(READ, token=access.invite(None, "ward", "drT"))
    shown = page_text(at)
    assert "Case 1 of 2" in shown and "reading as `drT`" in shown  # a name is never Markdown
    assert percent(first.probability) not in shown and "P(pneumonia)" not in shown
    assert "Occlusion" not in shown and not at.metric and not at.toggle  # no AI panel
    assert len(at.get("bidi_component")) == 1  # the viewer
    assert at.radio(key="review_verdict_unaided_1").value is None  # nothing pre-set
    at.radio(key="review_verdict_unaided_1").set_value("PNEUMONIA").run()
    assert at.radio(key="review_conf_unaided_1_PNEUMONIA").value is None
    assert at.button(key="review_save_u").disabled  # no confidence, no save
    at.radio(key="review_conf_unaided_1_PNEUMONIA").set_value(5).run()
    click(at, "Save my read and reveal the AI")
    shown = page_text(at)
    assert at.metric[0].value == percent(first.probability)
    assert "AI verdict at the session threshold" in shown and "Ground truth" not in shown
    # the map every page opens with for the default (its benchmark passed), named, or says why
    # it is empty
    assert "Occlusion: the brighter" in shown or "Occlusion: no region pushes" in shown
    at.radio(key="review_verdict_aided_1").set_value("NORMAL").run()
    at.radio(key="review_conf_aided_1_NORMAL").set_value(2).run()
    click(at, "Save my read with the AI")
    shown = page_text(at)
    assert "With the AI: NORMAL" in shown and "(revised)" in shown
    assert f"Ground truth: {('NORMAL', 'PNEUMONIA')[first.truth]}" in shown
    with db.connect(None) as con:
        mine = reads.reads_by_case(reads.session_reads(con, 1, "drT"))[first.sha256]
    assert (mine["unaided"].verdict, mine["unaided"].confidence) == ("PNEUMONIA", 5)
    assert (mine["aided"].verdict, mine["aided"].confidence) == ("NORMAL", 2)
    assert mine["aided"].seconds >= 0
    click(at, "Next case: 2")
    assert "Case 2 of 2" in page_text(at)


def test_a_reload_resumes_and_the_end_says_so(session, open_page):
    cases, _ = session
    token = access.invite(None, "ward", "drR")
    reads.record_read(None, "ward", "drR", cases[0].sha256, "unaided", "NORMAL", 2)
    reads.record_read(None, "ward", "drR", cases[0].sha256, "aided", "NORMAL", 2)
    reads.record_read(None, "ward", "drR", cases[1].sha256, "unaided", "NORMAL", 1)
    at = open_page(READ, token=token)  # a fresh browser session: the link alone
    shown = page_text(at)
    assert "Case 2 of 2" in shown and "Your blinded read: NORMAL" in shown
    assert at.metric[0].value == percent(cases[1].probability)  # revealed: unaided is saved
    click(at, "Keep my blinded read")
    shown = page_text(at)
    assert "You have read all 2 cases" in shown and "None" not in shown
    assert not [b for b in at.button if "Resume" in b.label or "unread" in b.label]


def test_the_owner_link_opens_results_links_and_the_audit_log(session, open_page):
    cases, owner = session
    for case in cases:
        verdict, conf = ("PNEUMONIA", 4) if case.ai_label == "NORMAL" else ("NORMAL", 2)
        reads.record_read(None, "ward", "**drA**", case.sha256, "unaided", verdict, conf)
        reads.record_read(None, "ward", "**drA**", case.sha256, "aided", case.ai_label, 3)
    at = open_page(RESULTS, token=owner)
    assert at.metric[0].value == "2"
    columns = {c for df in at.dataframe for c in df.value.columns}
    assert {"Sensitivity (95% CI)", "Changed to the truth", "Event", "Reader"} <= columns
    assert not any("_" in c for c in columns)  # no raw keys as headers
    audit = [df.value for df in at.dataframe if "Event" in df.value.columns][0]
    assert {"Session created", "Reader joined", "Blinded read saved"} <= set(audit["Event"])
    cases_shown = [e for e in at.expander if e.label.startswith("case-")]
    assert len(cases_shown) == 2  # drA disagreed with the AI on both, unaided
    assert not any("**drA**" in m.value for m in at.markdown)  # names only in tables
    at.toggle(key="review_res_1").set_value(True).run()
    assert "AI: P(pneumonia), calibrated" in page_text(ok(at))
    at.text_input(key="review_invite_name").set_value("drNew")
    [b for b in at.button if b.label == "Create link"][0].click()
    ok(at.run())
    link = [c.value for c in at.code if "review?token=" in c.value]
    assert len(link) == 1
    with db.connect(None) as con:
        grant = access.grant(con, link[0].split("token=")[1])
    assert grant.reader == "drNew" and grant.role == "reader"
    at.selectbox(key="review_rv").set_value("drNew")
    ok(at.button(key="review_revoke").click().run())
    with db.connect(None) as con:
        assert access.grant(con, link[0].split("token=")[1]) is None  # the owner revoked it


def test_an_open_session_says_so_and_takes_a_typed_name(session, open_page):
    access.set_access(None, "ward", "open")
    at = open_page(READ)
    assert "Open session" in page_text(at)
    at.text_input(key="review_reader").set_value("drO").run()
    assert "Case 1 of 2" in page_text(ok(at))


def test_new_session_from_the_sample_set_gives_the_owner_link(data_root, app):
    at = app
    ok(at.switch_page("pages/review_new.py").run())
    at.text_input(key="review_new_name").set_value("sampled")
    at.radio(key="review_new_source").set_value("sample").run()
    at.number_input[0].set_value(4).run()
    click(at, "Create session")
    assert any("Session **`sampled`**: 4 cases (4 labelled" in s.value for s in at.success)
    [owner] = [c.value for c in at.code if "review_results?token=" in c.value]
    with db.connect(None) as con:
        assert sessions.get_session(con, "sampled").access == "invite"
        assert access.grant(con, owner.split("token=")[1]).role == "owner"
