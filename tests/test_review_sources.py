"""Case sources: folders at any depth, zips, uploads, the sample set, and labels."""

from __future__ import annotations

import io
import zipfile

import pytest

from xray_core.review import sources
from xray_core.review.db import ReviewError


@pytest.fixture
def tree(tmp_path):
    files = {
        "site1/NORMAL/a.jpeg": b"A",
        "site1/pneumonia/deep/b.png": b"B",
        "site2/c.dcm": b"C",
        "site2/noext": b"D",
        ".hidden/x.png": b"H",
        "labels.csv": b"file,label\n",
        "notes.txt": b"T",
    }
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    return tmp_path


def test_folder_any_depth_labels_from_folder_names(tree):
    items = sources.folder_items(tree)
    got = {i.name: (i.read(), i.label) for i in items}
    assert got == {
        "site1/NORMAL/a.jpeg": (b"A", 0),
        "site1/pneumonia/deep/b.png": (b"B", 1),
        "site2/c.dcm": (b"C", None),
        "site2/noext": (b"D", None),
    }


def test_missing_or_empty_folder(tmp_path):
    with pytest.raises(ReviewError, match="no such folder"):
        sources.folder_items(tmp_path / "nope")
    with pytest.raises(ReviewError, match="no files"):
        sources.folder_items(tmp_path)


def make_zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_zip_members_with_labels_and_junk_skipped():
    data = make_zip(
        {"x/PNEUMONIA/p1.jpeg": b"P", "x/NORMAL/n1.jpeg": b"N", "__MACOSX/x/._p1.jpeg": b"J"}
    )
    items = sources.zip_items(data)
    assert [(i.name, i.label, i.read()) for i in items] == [
        ("x/NORMAL/n1.jpeg", 0, b"N"),
        ("x/PNEUMONIA/p1.jpeg", 1, b"P"),
    ]
    with pytest.raises(ReviewError, match="not a readable zip"):
        sources.zip_items(b"PK junk")


def test_uploads_expand_a_zip():
    items = sources.upload_items(
        [("one.png", b"1"), ("batch.zip", make_zip({"NORMAL/two.png": b"2"}))]
    )
    assert [(i.name, i.label, i.read()) for i in items] == [
        ("one.png", None, b"1"),
        ("batch.zip/NORMAL/two.png", 0, b"2"),
    ]


def test_labels_csv_overrides_and_matches_base_names(tree, tmp_path):
    csv_path = tmp_path / "my_labels.csv"
    csv_path.write_text("file,label\nc.dcm,PNEUMONIA\nsite2/noext,0\nsite1/NORMAL/a.jpeg,1\n")
    items = sources.apply_labels(sources.folder_items(tree), sources.read_labels(csv_path))
    got = {i.name: i.label for i in items}
    assert got["site2/c.dcm"] == 1 and got["site2/noext"] == 0 and got["site1/NORMAL/a.jpeg"] == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("name,label\na,1\n", "lacks a file or path column"),
        ("file,label\na.jpeg,\n", "line 2: label '' is not"),  # every row labelled
        ("file,label\na.jpeg,maybe\n", "line 2"),
        ("file,label\nmissing.png,1\n", "matches no file"),
    ],
)
def test_bad_labels_csv(tree, tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ReviewError, match=message):
        sources.apply_labels(sources.folder_items(tree), sources.read_labels(path))


def test_sample_set_is_stratified_and_seeded(data_root):
    a = sources.sample_items(data_root, 7, seed=5)
    b = sources.sample_items(data_root, 7, seed=5)
    c = sources.sample_items(data_root, 7, seed=6)
    assert [i.name for i in a] == [i.name for i in b] != [i.name for i in c]
    assert sorted(i.label for i in a) == [0, 0, 0, 1, 1, 1, 1]
    for item in a:
        assert sources.label_from_path(item.name) == item.label
        assert item.read()[:2] == b"\xff\xd8"  # the JPEG itself
    with pytest.raises(ReviewError, match="at least 2"):
        sources.sample_items(data_root, 1, seed=0)


def test_a_labels_csv_that_is_a_fifo_or_holds_a_huge_field_is_one_line(tmp_path):
    import os

    fifo = tmp_path / "labels.csv"
    os.mkfifo(fifo)
    with pytest.raises(ReviewError, match="FIFO"):  # refused at once, never opened to block
        sources.read_labels(fifo)
    huge = tmp_path / "huge.csv"
    huge.write_text("file,label\n" + "x" * 140_000 + ",NORMAL\n")
    with pytest.raises(ReviewError, match="line 2: a field is longer than 131,072") as err:
        sources.read_labels(huge)
    assert "\n" not in str(err.value)


def test_labels_from_a_path_column_an_upload_and_the_size_limit(tree, tmp_path, monkeypatch):
    path = tmp_path / "site_style.csv"
    path.write_bytes(b"path,label\r\nc.dcm,pneumonia\r\n")  # the site-validation column name
    assert sources.read_labels(path) == {"c.dcm": 1}
    upload = b"\xef\xbb\xbffile,label\nc.dcm,0\n"
    assert sources.parse_labels(upload, "up.csv") == sources.parse_labels(upload.decode(), "x")
    with pytest.raises(ReviewError, match=r"^up\.csv, line 2: not UTF-8"):
        sources.parse_labels("file,label\nnaïve.png,1\n".encode("latin-1"), "up.csv")
    monkeypatch.setattr(sources, "MAX_LABELS_BYTES", 10)
    with pytest.raises(ReviewError, match="the labels CSV is 29 bytes; the limit is 10 bytes"):
        sources.read_labels(path)
