"""`score` under real kills: SIGKILL a running `score` process at seeded moments, resume
until it finishes, then check that every file is a row exactly once (CSV and Parquet).

    python -m benchmarks.bench_faults [--n 400] [--kills 8] [--seed 0] [--model NAME]
                                      [--full-disk]

The archive: N training images linked under distinct names (`bench_score.link_archive`) and
four hostile files (a FIFO, a symlink loop, a link to /dev/zero, a text file named .png),
each of which must come back as an error row. Prints per format: kills delivered, runs, rows,
files expected, duplicated and missing paths, the error rows of the hostile files, and
whether any run printed a traceback. With --full-disk (needs root: it mounts a 64 KiB tmpfs),
OUT is written onto a disk that fills, then the tmpfs is grown and the run resumed: a real
ENOSPC, CSV and Parquet. The in-process fault suite (kills at every byte, full
disks) is tests/test_archive_faults.py.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.bench_score import link_archive

HOSTILE = ("x.png", "loop.png", "zero.png", "notes.png")


def make_archive(root: Path, n: int) -> tuple[Path, int]:
    from xray_core import config

    train = config.DEFAULT_DATA_DIR / "train"
    files = (
        sorted((train / "NORMAL").iterdir())[: n // 2]
        + sorted((train / "PNEUMONIA").iterdir())[: n - n // 2]
    )
    src = link_archive(files, n, root / "in")
    os.mkfifo(src / "x.png")
    (src / "loop.png").symlink_to(src / "loop.png")
    (src / "zero.png").symlink_to("/dev/zero")
    (src / "notes.png").write_text("not an image")
    return src, n + len(HOSTILE)


def _size(out: Path) -> int:
    journal = out.with_name(out.name + ".partial.csv")
    return sum(p.stat().st_size for p in (out, journal) if p.exists())


def run_with_kills(cmd: list[str], out: Path, kills: int, rng: random.Random) -> dict:
    """Start `cmd` (then `cmd --resume`) until a run ends on its own; kill the first KILLS."""
    delivered, runs, tracebacks = 0, 0, 0
    while True:
        proc = subprocess.Popen(
            cmd + (["--resume"] if runs else []), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        runs += 1
        if delivered < kills:
            start, deadline = _size(out), time.time() + 300
            while proc.poll() is None and _size(out) == start and time.time() < deadline:
                time.sleep(0.02)  # wait for the model to load and rows to flow
            time.sleep(rng.uniform(0.0, 1.0))
            if proc.poll() is None:
                proc.kill()
                proc.wait()
                delivered += 1
                continue
        _, err = proc.communicate(timeout=900)
        tracebacks += b"Traceback" in err
        return {"kills": delivered, "runs": runs, "exit": proc.returncode, "tracebacks": tracebacks}


def full_disk(cmd: list[str], folder: Path, suffix: str) -> str:
    """Score onto a 64 KiB tmpfs until it is full, grow it to 64 MiB, resume; one line."""
    from xray_core.archive.sink import read_rows

    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], check=True)
    try:
        out = folder / f"out{suffix}"
        first = subprocess.run([*cmd, "--out", str(out)], capture_output=True, text=True)
        err = first.stderr.strip().splitlines()
        subprocess.run(["mount", "-o", "remount,size=64m", str(folder)], check=True)
        again = subprocess.run([*cmd, "--out", str(out), "--resume"], capture_output=True)
        counts = Counter(r["path"] for r in read_rows(out))
    finally:
        subprocess.run(["umount", str(folder)], check=False)
    return (
        f"{suffix[1:]} on a full disk: exit {first.returncode}, {len(err)} stderr line(s): "
        f"{err[-1] if err else ''!r}; after growing the disk and --resume: exit "
        f"{again.returncode}, {len(counts)} paths, {sum(c > 1 for c in counts.values())} "
        "duplicated"
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=400, help="images in the archive")
    p.add_argument("--kills", type=int, default=8, help="SIGKILLs per format")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model", help="store entry (default: the store's default)")
    p.add_argument("--full-disk", action="store_true", help="also a real ENOSPC (root: tmpfs)")
    args = p.parse_args(argv)

    from xray_core.archive.sink import read_rows

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        src, expected = make_archive(Path(tmp), args.n)
        for suffix in (".csv", ".parquet"):
            out = Path(tmp) / f"out{suffix}"
            cmd = [sys.executable, "-m", "xray_core", "score", str(src), "--out", str(out)]
            cmd += ["--model", args.model] if args.model else []
            result = run_with_kills(cmd, out, args.kills, rng)
            rows = list(read_rows(out))
            counts = Counter(r["path"] for r in rows)
            errors = sum(1 for name in HOSTILE if counts[name] == 1 and _error(rows, name))
            print(
                f"{suffix[1:]}: {result['kills']} kills, {result['runs']} runs, last exit "
                f"{result['exit']}, {result['tracebacks']} tracebacks; {len(rows)} rows for "
                f"{expected} files, {sum(1 for c in counts.values() if c > 1)} duplicated, "
                f"{expected - len(counts)} missing; hostile files as error rows: "
                f"{errors}/{len(HOSTILE)}",
                flush=True,
            )
            if args.full_disk:
                score = cmd[: cmd.index("--out")]
                print(full_disk(score, Path(tmp) / f"full{suffix}", suffix), flush=True)
    return 0


def _error(rows: list[dict], name: str) -> bool:
    return any(r["path"] == name and r["error"] for r in rows)


if __name__ == "__main__":
    sys.exit(main())
