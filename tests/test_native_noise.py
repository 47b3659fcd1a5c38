"""xray_core.cli.native_noise: TensorFlow's start-up notices are kept off stderr, nothing else."""

import subprocess
import sys

import pytest

from xray_core import config
from xray_core.cli.native_noise import is_noise

ABSL = b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
ONEDNN = (
    b"I0000 00:00:1796671212.815908   27949 port.cc:153] oneDNN custom operations are on. You "
    b"may see slightly different numerical results"
)
XNNPACK = b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU."


@pytest.mark.parametrize(
    ("line", "noise"),
    [
        (ABSL, True),
        (ONEDNN, True),
        (XNNPACK, True),
        (b"W0000 00:00:1796671212.815908   27949 x.cc:1] a native warning", False),
        (b"error: OUT: cannot write (no space left on device) after 3 rows", False),
        (b"I0000 is how this line starts, but it is ours", False),
    ],
)
def test_only_the_start_up_notices_are_noise(line, noise):
    assert is_noise(line) is noise


def test_the_filter_forwards_every_other_line_in_order():
    code = (
        "import os, sys\n"
        "from xray_core.cli.native_noise import filtered_stderr\n"
        "with filtered_stderr():\n"
        f"    os.write(2, {ABSL!r} + b'\\n')\n"
        "    print('error: first', file=sys.stderr)\n"
        f"    os.write(2, {ONEDNN!r} + b'\\n' + {XNNPACK!r} + b'\\n')\n"
        "    print('progress 2/2', file=sys.stderr, flush=True)\n"
        "print('after', file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        cwd=config.PROJECT_ROOT,
        timeout=60,
        check=True,
    )
    assert done.stderr.decode().splitlines() == ["error: first", "progress 2/2", "after"]


def test_a_refused_file_prints_its_error_and_nothing_of_tensorflow(tmp_path, fullres_files):
    bad = tmp_path / "x.png"
    bad.write_bytes(b"not an image")
    done = subprocess.run(
        [sys.executable, "-m", "xray_core", "predict", str(bad), str(fullres_files[0]), "--json"],
        capture_output=True,
        cwd=config.PROJECT_ROOT,
        timeout=300,
    )
    assert done.returncode == 2
    assert done.stderr.decode() == ""  # the refusal is the JSON line on stdout
    assert b"not a readable image" in done.stdout
