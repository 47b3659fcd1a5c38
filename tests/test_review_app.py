"""AppTest through a review session: the blinded read (no AI anywhere on the page before the
read is saved), the reveal, the aided read, resume after a reload, truth only when enabled,
the results page and creating a session from the page."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from xray_core import config, store
from xray_core.review import db, reads, sessions, sources
from xray_core.wording import percent

APP = str(config.PROJECT_ROOT / "streamlit_app.py")
TIMEOUT = 180
READ = "pages/review.py"


@pytest.fixture(scope="module")
def model():
    return store.load_model()


@pytest.fixture
def session(tmp_path, data_root, model):
    """Two labelled X-rays in a session of the default model, in this test's app-data DB."""
    folder = tmp_path / "cases"
    for cls in ("NORMAL", "PNEUMONIA"):
        (folder / cls).mkdir(parents=True)
        shutil.copy(sorted((data_root / "train" / cls).iterdir())[0], folder / cls)
    items = sources.folder_items(folder)
    sessions.create_session(None, "ward", items, model, seed=2, show_truth=True)
    with db.connect(None) as con:
        return sessions.list_cases(con, sessions.get_session(con, "ward").id)


def page_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "success", "info", "warning", "subheader")
             for e in at.get(kind)]  # fmt: skip
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [c for img in at.get("image") for c in img.captions]
    return " ".join(str(p) for p in parts).replace("**", "")


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at: AppTest, label: str) -> AppTest:
    [b for b in at.button if b.label == label][0].click()
    return ok(at.run())


def open_as(reader: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page(READ).run()
    at.text_input(key="review_reader").set_value(reader)
    return ok(at.run())


def test_blinded_read_then_reveal_then_aided_read(session):
    first = session[0]
    at = open_as("drT")
    assert "Case 1 of 2" in page_text(at)
    shown = page_text(at)
    assert percent(first.probability) not in shown and "P(pneumonia)" not in shown
    assert "Grad-CAM" not in shown and first.ai_label not in shown.replace("NORMAL/", "")
    assert not at.metric and not at.toggle  # no AI panel, no LIME switch
    at.radio(key="review_u_1_v").set_value("PNEUMONIA").run()
    at.select_slider(key="review_u_1_c_PNEUMONIA").set_value(5).run()
    click(at, "Save my read and reveal the AI")
    shown = page_text(at)
    assert at.metric[0].value == percent(first.probability)
    assert "AI verdict at the session threshold" in shown and "Grad-CAM" in shown
    assert "Ground truth" not in shown  # not before the aided read
    at.radio(key="review_a_1_v").set_value("NORMAL").run()
    click(at, "Save my read with the AI")
    shown = page_text(at)
    assert "With the AI: NORMAL" in shown and "(revised)" in shown
    assert f"Ground truth: {('NORMAL', 'PNEUMONIA')[first.truth]}" in shown
    with db.connect(None) as con:
        mine = reads.reads_by_case(reads.session_reads(con, 1, "drT"))[first.sha256]
    assert (mine["unaided"].verdict, mine["unaided"].confidence) == ("PNEUMONIA", 5)
    assert mine["aided"].verdict == "NORMAL" and mine["aided"].seconds >= 0
    click(at, "Next case →")
    assert "Case 2 of 2" in page_text(at)


def test_a_reload_resumes_at_the_first_unread_case(session):
    reads.record_read(None, "ward", "drR", session[0].sha256, "unaided", "NORMAL", 2)
    reads.record_read(None, "ward", "drR", session[0].sha256, "aided", "NORMAL", 2)
    reads.record_read(None, "ward", "drR", session[1].sha256, "unaided", "NORMAL", 1)
    at = open_as("drR")  # a fresh browser session: only the name is typed again
    shown = page_text(at)
    assert "Case 2 of 2" in shown and "Your blinded read: NORMAL" in shown
    assert at.metric[0].value == percent(session[1].probability)  # revealed: unaided is saved


def test_results_page_and_discordant_case(session):
    for case in session:
        verdict, conf = ("PNEUMONIA", 4) if case.ai_label == "NORMAL" else ("NORMAL", 2)
        reads.record_read(None, "ward", "drA", case.sha256, "unaided", verdict, conf)
        reads.record_read(None, "ward", "drA", case.sha256, "aided", case.ai_label, 3)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    ok(at.switch_page("pages/review_results.py").run())
    assert at.metric[0].value == "2" and len(at.dataframe) == 4  # readers, group, flips, audit
    events = set(at.dataframe[3].value["event"])
    assert {"created", "joined", "read", "revised"} <= events
    cases = [e for e in at.expander if e.label.startswith("case-")]
    assert len(cases) == 2  # drA disagreed with the AI on both, unaided
    at.toggle(key="review_res_1").set_value(True).run()
    assert "AI: P(pneumonia), calibrated" in page_text(ok(at))


def test_new_session_from_the_sample_set(data_root):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    ok(at.switch_page("pages/review_new.py").run())
    at.text_input(key="review_new_name").set_value("sampled")
    at.radio(key="review_new_source").set_value("sample").run()
    at.number_input[0].set_value(4).run()
    click(at, "Create session")
    assert any("Session **sampled**: 4 cases (4 labelled" in s.value for s in at.success)
    with db.connect(None) as con:
        assert sessions.get_session(con, "sampled").n_cases == 4
