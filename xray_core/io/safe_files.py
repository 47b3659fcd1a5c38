"""Opening a file a user named without hanging, reading without bound, or a traceback.

A path may name a FIFO (opening it blocks until a writer comes), a device (`/dev/zero` never
ends), a socket, a folder, a symlink loop, or a name that is not UTF-8. `open_regular` opens
it without blocking (O_NONBLOCK), refuses anything but a regular file by what `fstat` says,
and turns every OSError into a `FileError` with one line. `read_bytes` / `read_text` read at
most a given number of bytes. `printable` shows a file name that is not UTF-8 as text.

Used wherever user-named files are read: image files (`decode.read_file`), manifests, label
and reads CSVs, scored archives.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path
from typing import BinaryIO

KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileError(ValueError):
    """A path that cannot be read as a regular file; str() is a one-line message."""


def printable(text) -> str:
    """TEXT as printable UTF-8: bytes of a non-UTF-8 file name (surrogate escapes) as \\xNN."""
    text = os.fspath(text) if not isinstance(text, str) else text
    if isinstance(text, bytes):
        return text.decode("utf-8", "backslashreplace")
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that no file name can hold
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _kind(mode: int) -> str:
    return next((name for test, name in KINDS if test(mode)), "not a regular file")


def _size(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n:,} bytes"


def _why(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def open_regular(path) -> BinaryIO:
    """Open PATH for reading, binary. Never blocks: a FIFO, device, socket or folder is refused.

    Raises:
        FileError: missing, not a regular file, a symlink loop, no permission, any OSError.
    """
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileError(f"{printable(path)}: no such file.") from None
    except IsADirectoryError:
        raise FileError(f"{printable(path)}: is a folder, not a file.") from None
    except OSError as exc:
        raise FileError(f"{printable(path)}: cannot open ({_why(exc)}).") from None
    except ValueError:  # a NUL byte in the name
        raise FileError(f"{printable(path)!r}: not a valid file name.") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise FileError(f"{printable(path)}: is {_kind(mode)}, not a regular file.")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path, limit: int, what: str = "file") -> bytes:
    """At most LIMIT bytes of a regular file; FileError when it holds more (or cannot be read)."""
    path = Path(path)
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise FileError(
                f"{printable(path.name)}: {what} is {_size(size)}; the limit is {_size(limit)}."
            )
        try:
            data = f.read(limit + 1)
        except OSError as exc:
            raise FileError(f"{printable(path)}: cannot read ({_why(exc)}).") from None
    if len(data) > limit:  # it grew while being read
        raise FileError(f"{printable(path.name)}: {what} is over the limit of {_size(limit)}.")
    return data


def read_text(path, limit: int, what: str = "file", encoding: str = "utf-8-sig") -> str:
    """A regular file's text (at most LIMIT bytes); FileError when it is not ENCODING text."""
    data = read_bytes(path, limit, what)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FileError(
            f"{printable(path)}: the {what} is not UTF-8 text (byte {exc.start + 1}); save it "
            "as UTF-8."
        ) from None


def open_text(path, encoding: str = "utf-8-sig") -> io.TextIOWrapper:
    """A regular file opened for streamed text reading (newline='' for the csv module).
    A decoding error surfaces while reading as UnicodeDecodeError; callers name the line."""
    return io.TextIOWrapper(open_regular(path), encoding=encoding, newline="")
