"""Keep TensorFlow's native start-up notices off a command's stderr.

TensorFlow's C++ runtime writes a few lines to file descriptor 2 when it loads (absl's "All log
messages before absl::InitializeLog()", the oneDNN notice, TFLite's "Created ... XNNPACK
delegate"); `TF_CPP_MIN_LOG_LEVEL` does not silence them. A command's own message must stay the
one line a user reads, so `filtered_stderr()` routes fd 2 through a pipe for the command's
duration and a thread forwards every line except those notices, as they come (progress lines
are not held back). Nothing is dropped but lines matching `NOISE`.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from contextlib import contextmanager

NOISE = (
    re.compile(rb"^WARNING: All log messages before absl::InitializeLog\(\) is called"),
    re.compile(rb"^I\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [\w.]+:\d+\] "),  # absl INFO
    re.compile(rb"^INFO: Created TensorFlow Lite XNNPACK delegate"),
)
JOIN_TIMEOUT_S = 5.0


def is_noise(line: bytes) -> bool:
    """True for one of TensorFlow's native start-up notices."""
    return any(p.match(line) for p in NOISE)


def _pump(source: int, target: int) -> None:
    with os.fdopen(source, "rb", buffering=0) as pipe:
        pending = b""
        while chunk := pipe.read(65536):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            out = b"".join(line + b"\n" for line in lines if not is_noise(line))
            if out:
                os.write(target, out)
        if pending and not is_noise(pending):
            os.write(target, pending)


@contextmanager
def filtered_stderr():
    """fd 2 through the filter for the block's duration (a no-op where fd 2 is not usable)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except OSError:
        yield
        return
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)
    pump = threading.Thread(target=_pump, args=(read_end, saved), daemon=True)
    pump.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # the pipe's last writer here is gone: the pump sees its end
        pump.join(JOIN_TIMEOUT_S)
        if not pump.is_alive():  # a child process may still hold the pipe: keep its target
            os.close(saved)
