"""Reads: blinded first, revision as a second read, bad input refused, CSV import all-or-nothing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from review_helpers import dump, make_session

from xray_core.review import db, reads
from xray_core.review.db import ReviewError
from xray_core.review.sessions import get_session, list_cases


@pytest.fixture
def session(tmp_path):
    path = tmp_path / "r.sqlite"
    rows = make_session(path, [1, 0, 1], ["PNEUMONIA", "NORMAL", None])
    return path, [r["sha256"] for r in rows]


def events(path) -> list[tuple]:
    with db.connect(path) as con:
        return [(e["event"], e["reader"]) for e in db.audit_log(con, 1)]


def test_unaided_then_aided_and_the_audit_trail(session):
    path, shas = session
    reads.record_read(path, "s", "drA", shas[0], "unaided", "NORMAL", 2, "faint?", 12.5)
    reads.record_read(path, "s", "drA", shas[0], "aided", "PNEUMONIA", 4, seconds=3)
    reads.record_read(path, "s", "drA", shas[1], "unaided", "normal", 1)
    reads.record_read(path, "s", "drA", shas[1], "aided", "NORMAL", 1)
    with db.connect(path) as con:
        mine = reads.reads_by_case(reads.session_reads(con, 1, "drA"))
        cases = list_cases(con, 1)
    assert mine[shas[0]]["unaided"].verdict == "NORMAL"  # never overwritten
    assert mine[shas[0]]["unaided"].note == "faint?" and mine[shas[0]]["unaided"].seconds == 12.5
    assert mine[shas[0]]["aided"].verdict == "PNEUMONIA"
    assert reads.next_position(cases, mine) == 3
    assert events(path) == [
        ("created", None), ("joined", "drA"), ("read", "drA"), ("revised", "drA"),
        ("read", "drA"), ("confirmed", "drA"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "phase, verdict, conf, message",
    [
        ("unaided", "PNEUMONIA", 7, "1-5"),
        ("unaided", "PNEUMONIA", "x", "integer"),
        ("unaided", "MAYBE", 3, "NORMAL or PNEUMONIA"),
        ("unaided", "NORMAL", 5, "contradicts"),
        ("later", "NORMAL", 1, "phase"),
        ("aided", "NORMAL", 1, "no unaided read"),
    ],
)
def test_bad_reads_are_refused_and_change_nothing(session, phase, verdict, conf, message):
    path, shas = session
    before = dump(path)
    with pytest.raises(ReviewError, match=message):
        reads.record_read(path, "s", "drA", shas[0], phase, verdict, conf)
    assert dump(path) == before


def test_a_read_cannot_be_made_twice(session):
    path, shas = session
    reads.record_read(path, "s", "drA", shas[0], "unaided", "NORMAL", 2)
    with pytest.raises(ReviewError, match="already has an? unaided read"):
        reads.record_read(path, "s", "drA", shas[0], "unaided", "PNEUMONIA", 5)


def test_unknown_session_case_and_reader_names(session):
    path, shas = session
    with pytest.raises(ReviewError, match=r"unknown session 'x' \(1 session in this database\)"):
        reads.record_read(path, "x", "drA", shas[0], "unaided", "NORMAL", 2)
    with pytest.raises(ReviewError) as long_name:  # echoed cut short, the others never listed
        reads.record_read(path, "y" * 100_000, "drA", shas[0], "unaided", "NORMAL", 2)
    assert len(str(long_name.value)) < 200 and "'s'" not in str(long_name.value)
    with pytest.raises(ReviewError, match="not in the session"):
        reads.record_read(path, "s", "drA", "0" * 64, "unaided", "NORMAL", 2)
    with pytest.raises(ReviewError, match="reader name"):
        reads.record_read(path, "s", " ", shas[0], "unaided", "NORMAL", 2)


def write_csv(tmp_path, text: str):
    path = tmp_path / "reads.csv"
    path.write_text(text)
    return path


def test_import_by_number_hash_prefix_and_mapped_file_name(session, tmp_path):
    path, shas = session
    csv_path = write_csv(
        tmp_path,
        "reader,case,phase,verdict,confidence,seconds\n"
        f"drP,{shas[0]},aided,PNEUMONIA,5,4\n"  # aided before unaided in the file: fine
        f"drP,{shas[0]},unaided,PNEUMONIA,4,30\n"
        f"drP,{shas[1][:12]},unaided,NORMAL,1,\n"
        "drP,case-003,unaided,PNEUMONIA,3,9\n"
        "drQ,scan.png,unaided,0,2,5\n",
    )
    got = reads.import_reads(path, "s", csv_path, names={"scan.png": shas[2]})
    assert got == {"n_reads": 5, "readers": ["drP", "drQ"]}
    with db.connect(path) as con:
        rows = reads.session_reads(con, get_session(con, "s").id)
    assert {(r.reader, r.sha256, r.phase, r.confidence, r.source) for r in rows} == {
        ("drP", shas[0], "unaided", 4, "import"), ("drP", shas[0], "aided", 5, "import"),
        ("drP", shas[1], "unaided", 1, "import"), ("drP", shas[2], "unaided", 3, "import"),
        ("drQ", shas[2], "unaided", 2, "import"),
    }  # fmt: skip


HEADER = "reader,case,phase,verdict,confidence\n"
GOOD = "drA,2,unaided,NORMAL,1\n"  # a valid first row: must not survive a later bad one


@pytest.mark.parametrize(
    "text, message",
    [
        ("reader,case,phase,verdict\ndrA,1,unaided,NORMAL\n", "missing column"),
        (HEADER + GOOD + "drA,1,unaided,PNEUMONIA,7\n", "line 3.*1-5"),
        (HEADER + GOOD + "drA,99,unaided,NORMAL,1\n", "line 3.*not in"),
        (HEADER + GOOD + "drA,x.png,unaided,NORMAL,1\n", "names were not"),
        (HEADER + GOOD + "drA,1,aided,NORMAL,1\n", "no unaided read"),
        (HEADER + GOOD + GOOD, "already has"),
        (HEADER, "no reads"),
    ],
)
def test_bad_import_changes_nothing(session, tmp_path, text, message):
    path, _ = session
    csv_path = write_csv(tmp_path, text)
    before = dump(path)
    with pytest.raises(ReviewError, match=message):
        reads.import_reads(path, "s", csv_path)
    assert dump(path) == before


def test_hash_folder_matches_relative_paths_and_unique_base_names(tmp_path):
    import hashlib

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.png").write_bytes(b"1")
    (tmp_path / "b" / "x.png").write_bytes(b"2")
    (tmp_path / "b" / "y.png").write_bytes(b"3")
    got = reads.hash_folder(tmp_path)
    sha = {k: hashlib.sha256(v).hexdigest() for k, v in {"1": b"1", "2": b"2", "3": b"3"}.items()}
    assert got == {"a/x.png": sha["1"], "b/x.png": sha["2"], "b/y.png": sha["3"], "y.png": sha["3"]}


@pytest.mark.parametrize("note", ["a\x00b", "bell\x07", "esc\x1b[31m"])
def test_a_note_with_a_control_character_is_refused(session, note):
    path, shas = session
    before = dump(path)
    with pytest.raises(ReviewError, match="control character"):
        reads.record_read(path, "s", "drA", shas[0], "unaided", "NORMAL", 2, note=note)
    assert dump(path) == before


def test_reading_time_is_kept_across_page_loads(session):
    path, shas = session
    first = reads.reading_seconds(path, "s", "drA", shas[0], "unaided")
    again = reads.reading_seconds(path, "s", "drA", shas[0], "unaided")  # a reload: same start
    with db.connect(path) as con:
        (n,) = con.execute("SELECT COUNT(*) FROM shown").fetchone()
    assert n == 1 and 0 <= first <= again < 60


CELL = st.text(
    st.characters(max_codepoint=0x2FFFF, exclude_categories=("Cs",), exclude_characters="\x00"),
    max_size=30,
)  # a NUL is refused (see above), everything else comes back


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_parse_rows_never_raises_anything_but_a_review_error(text):
    try:
        rows = reads.parse_rows(text)
    except ReviewError as exc:
        assert "\n" not in str(exc)
    else:
        assert rows and all(set(reads.CSV_COLUMNS) <= set(r) for r in rows)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(CELL, CELL, CELL, CELL, CELL), min_size=1, max_size=5))
def test_parse_rows_gives_back_what_csv_writer_wrote(cells):
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(reads.CSV_COLUMNS)
    writer.writerows(cells)
    got = reads.parse_rows(buf.getvalue())
    assert [tuple(r[c] for c in reads.CSV_COLUMNS) for r in got] == [tuple(c) for c in cells]
