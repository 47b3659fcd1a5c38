"""xray_core.io.safe_files: a named path never hangs, never reads without bound, no traceback."""

import os
import threading

import pytest

from xray_core.io.safe_files import FileError, open_regular, printable, read_bytes, read_text


def _within(seconds, fn, *args):
    """fn(*args) in a thread; fails (instead of hanging the suite) when it does not return."""
    box = {}

    def run():
        try:
            box["value"] = fn(*args)
        except BaseException as exc:  # handed back to the test
            box["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"{fn.__name__} still blocked after {seconds} s"
    if "error" in box:
        raise box["error"]
    return box["value"]


def _hostile(tmp_path):
    """{name: (path, expected message fragment)}: the paths a user may name by mistake."""
    fifo = tmp_path / "x.png"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.png"
    loop.symlink_to(loop)
    zero = tmp_path / "zero.png"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "folder.png"
    folder.mkdir()
    dangling = tmp_path / "gone.png"
    dangling.symlink_to(tmp_path / "nowhere.png")
    return {
        "fifo": (fifo, "FIFO"),
        "loop": (loop, "too many levels of symbolic links"),
        "zero": (zero, "character device"),
        "folder": (folder, "folder"),
        "dangling": (dangling, "no such file"),
    }


@pytest.mark.parametrize("kind", ["fifo", "loop", "zero", "folder", "dangling"])
def test_non_regular_paths_are_one_line_errors_without_blocking(tmp_path, kind):
    path, fragment = _hostile(tmp_path)[kind]
    with pytest.raises(FileError) as err:
        _within(5, read_bytes, path, 1000)
    message = str(err.value)
    assert fragment in message and "\n" not in message


def test_read_is_bounded_and_text_must_be_utf8(tmp_path):
    f = tmp_path / "a.csv"
    f.write_bytes(b"x" * 101)
    assert read_bytes(f, 101) == b"x" * 101
    with pytest.raises(FileError, match="a.csv: file is 101 bytes; the limit is 100 bytes"):
        read_bytes(f, 100)
    f.write_bytes("path\nnaïve.png\n".encode("latin-1"))
    with pytest.raises(FileError, match="not UTF-8 text"):
        read_text(f, 1000)
    f.write_bytes("\ufeffpath\nnaïve.png\n".encode())
    assert read_text(f, 1000) == "path\nnaïve.png\n"  # the BOM is dropped
    with open_regular(f) as handle:
        assert handle.read(3) == "\ufeff".encode()


@pytest.mark.parametrize(
    "name, shown",
    [
        (os.fsdecode(b"caf\xe9.png"), "caf\\xe9.png"),
        ("café.png", "café.png"),
        (b"r\xe9sum\xe9", "r\\xe9sum\\xe9"),
    ],
)
def test_printable_shows_non_utf8_bytes(name, shown):
    assert printable(name) == shown
    printable(name).encode("utf-8")  # always encodable
