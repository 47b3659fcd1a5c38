"""xray_core.archive.inputs: folder walks and manifests."""

import pytest

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
