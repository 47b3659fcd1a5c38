"""xray_core.archive.inputs: folder walks and manifests."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xray_core.archive.inputs import ArchiveInput, InputError, parse_label


def _touch(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_walk_is_deep_sorted_and_skips_hidden_and_other_suffixes(tmp_path):
    for rel in (
        "b/z.png",
        "b/a.JPG",
        "a/deep/er/x.dcm",
        "a/IMG0001",
        "c.jpeg",
        ".hidden.png",
        ".git/y.png",
        "notes.txt",
        "a/report.pdf",
    ):
        _touch(tmp_path / rel)
    inp = ArchiveInput.open(tmp_path)
    rels = [e.rel for e in inp.entries()]
    assert rels == ["a/IMG0001", "a/deep/er/x.dcm", "b/a.JPG", "b/z.png", "c.jpeg"]
    assert inp.count() == (5, 2)
    assert all(e.truth is None for e in inp.entries())
    assert [e.rel for e in inp.entries()] == rels  # stable order


def test_manifest_paths_relative_to_its_folder_with_labels(tmp_path):
    _touch(tmp_path / "imgs" / "a.png")
    m = tmp_path / "list.csv"
    m.write_text("id,path,label\n1,imgs/a.png,PNEUMONIA\n2,imgs/b.png,0\n3,/abs/c.png,\n")
    inp = ArchiveInput.open(m)
    entries = list(inp.entries())
    assert inp.root == tmp_path and inp.is_manifest
    assert [(e.rel, e.truth) for e in entries] == [
        ("imgs/a.png", 1),
        ("imgs/b.png", 0),
        ("/abs/c.png", None),
    ]
    assert entries[0].path == tmp_path / "imgs" / "a.png"
    assert str(entries[2].path) == "/abs/c.png"


def test_a_path_listed_twice_in_a_manifest_is_one_entry(tmp_path):
    m = tmp_path / "list.csv"
    m.write_text("path,label\na.png,NORMAL\nb.png,\na.png,PNEUMONIA\n")
    inp = ArchiveInput.open(m)
    assert [(e.rel, e.truth) for e in inp.entries()] == [("a.png", 0), ("b.png", None)]
    n, skipped = inp.tally()
    assert (n, skipped.repeated) == (2, 1)


@pytest.mark.parametrize(
    "content, message",
    [("file,label\na.png,NORMAL\n", "'path' column"), ("path,label\na.png,maybe\n", "line 2")],
)
def test_bad_manifest_is_a_one_line_error(tmp_path, content, message):
    m = tmp_path / "m.csv"
    m.write_text(content)
    with pytest.raises(InputError, match=message):
        list(ArchiveInput.open(m).entries())


@pytest.mark.parametrize("name", ["missing", "file.txt"])
def test_input_must_be_folder_or_manifest(tmp_path, name):
    if name == "file.txt":
        (tmp_path / name).write_text("x")
    with pytest.raises(InputError):
        ArchiveInput.open(tmp_path / name)


@pytest.mark.parametrize(
    "text, label", [("NORMAL", 0), ("pneumonia", 1), ("0", 0), (" 1 ", 1), ("", None)]
)
def test_parse_label(text, label):
    assert parse_label(text, "x") == label


# -- property tests: any bytes give entries or one InputError; what csv writes reads back ----


LABELS = st.sampled_from(["", "NORMAL", "PNEUMONIA", "0", "1", "normal", " 1 "])
PATHS = st.text(st.characters(exclude_characters="\0", exclude_categories=("Cs",)), min_size=1)
PATHS = PATHS.map(str.strip).filter(bool)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), head=st.sampled_from([b"", b"path\n", b"path,label\n"]))
def test_any_manifest_bytes_give_entries_or_one_line_input_error(tmp_path_factory, data, head):
    m = tmp_path_factory.mktemp("m") / "m.csv"
    m.write_bytes(head + data)
    try:
        entries = list(ArchiveInput.open(m).entries())
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    assert all(e.rel and "\0" not in e.rel and e.truth in (None, 0, 1) for e in entries)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(PATHS, LABELS), max_size=8))
def test_manifest_written_by_csv_reads_back(tmp_path_factory, rows):
    import csv

    m = tmp_path_factory.mktemp("m") / "m.csv"
    with open(m, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "path", "label"])
        w.writerows([i, p, label] for i, (p, label) in enumerate(rows))
    entries = list(ArchiveInput.open(m).entries())
    first = {}
    for p, label in rows:
        first.setdefault(p, parse_label(label, "x"))  # a repeated path: its first line
    assert [(e.rel, e.truth) for e in entries] == list(first.items())


def test_folder_link_loops_are_walked_once_and_counted(tmp_path):
    _touch(tmp_path / "a" / "x.png")
    (tmp_path / "a" / "up").symlink_to(tmp_path)  # a loop through a parent
    (tmp_path / "a" / "self").symlink_to(tmp_path / "a")
    (tmp_path / "loop.png").symlink_to(tmp_path / "loop.png")  # a file link to itself
    inp = ArchiveInput.open(tmp_path)
    assert [e.rel for e in inp.entries()] == ["a/x.png", "loop.png"]
    n, skipped = inp.tally()
    assert (n, skipped.loops, skipped.suffix) == (2, 2, 0)


def test_non_utf8_names_are_printable_and_stable(tmp_path):
    import os

    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9.png")
    with open(raw, "wb") as f:
        f.write(b"x")
    entries = list(ArchiveInput.open(tmp_path).entries())
    assert [e.rel for e in entries] == ["caf\\xe9.png"]
    assert os.fsencode(entries[0].path) == raw  # the real file is still read
