"""A progress line on a terminal (files done, rate, ETA) and the run's one-line summary."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from xray_core.gate.ood import GateVerdict


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


class Progress:
    """Rewrites one stderr line at most every `every` seconds; silent when not a terminal."""

    def __init__(self, total: int, stream=None, enabled: bool | None = None, every: float = 0.5):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.every, self.t0, self._last = every, time.perf_counter(), 0.0

    def rate(self) -> float:
        """Files per second since the start."""
        return self.done / max(time.perf_counter() - self.t0, 1e-9)

    def line(self) -> str:
        rate = self.rate()
        eta = (self.total - self.done) / rate if rate > 0 else float("inf")
        pct = 100.0 * self.done / self.total if self.total else 100.0
        eta_text = _clock(eta) if eta != float("inf") else "?"
        return (
            f"scoring {self.done}/{self.total} files ({pct:.0f}%)  {rate:.1f} images/s  "
            f"ETA {eta_text}"
        )

    def update(self, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        if self.enabled and (now - self._last >= self.every or self.done >= self.total):
            self._last = now
            self.stream.write("\r" + self.line() + "\033[K")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


@dataclass
class Summary:
    """What a run did. Counts are of files handled in this run (not those already in OUT)."""

    out: str
    scored: int = 0  # accepted by the gate: a verdict
    refused: int = 0  # decoded, but refused by the gate: no verdict
    unreadable: int = 0  # could not be read or decoded: `error` set
    already_done: int = 0  # rows already in OUT (resume)
    skipped_suffix: int = 0  # files in the tree with suffixes not scored
    skipped_loops: int = 0  # folders reached again through a link (walked once)
    skipped_unlisted: int = 0  # sub-folders that could not be listed
    skipped_repeated: int = 0  # manifest lines repeating a path (one row per path)
    seconds: float = 0.0

    @property
    def files(self) -> int:
        return self.scored + self.refused + self.unreadable

    @property
    def rate(self) -> float:
        """Files per second over the run (images/s)."""
        return self.files / self.seconds if self.seconds > 0 else 0.0

    def count(self, row: dict) -> None:
        if row["error"]:
            self.unreadable += 1
        elif row["gate"] == GateVerdict.REFUSED:
            self.refused += 1
        else:
            self.scored += 1

    def line(self) -> str:
        text = (
            f"{self.files} files in {self.seconds:.1f} s ({self.rate:.1f} images/s): "
            f"{self.scored} scored, {self.refused} refused by the gate, "
            f"{self.unreadable} unreadable"
        )
        if self.already_done:
            text += f"; {self.already_done} already in OUT"
        if self.skipped_suffix:
            text += f"; {self.skipped_suffix} other files skipped (not image suffixes)"
        if self.skipped_loops:
            text += f"; {self.skipped_loops} folder links to folders already walked skipped"
        if self.skipped_unlisted:
            text += f"; {self.skipped_unlisted} folders could not be listed"
        if self.skipped_repeated:
            text += f"; {self.skipped_repeated} manifest lines repeating a path skipped"
        return text + f"; rows in {self.out}"
