"""Local engine: a bounded pool of decode threads feeding batched inference.

The decoders (Pillow, OpenCV) and the TensorFlow graph release the GIL, so threads overlap
decoding the next files with scoring the current batch. At most `workers + 2 * batch_size`
files are in flight: memory stays flat however large the archive. Rows come back in input
order. Never imports Ray.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from xray_core.archive.inputs import Entry
from xray_core.archive.scoring import Setting, prepare, score_prepared

BATCH_SIZE = 64


def default_workers() -> int:
    """Decode threads: one per CPU core this process may use (at least 2)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 2
    return max(2, cores)


def iter_local_rows(
    entries: Iterable[Entry],
    stored,
    keeper,
    setting: Setting,
    workers: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[list[dict]]:
    """Score entries; yields one list of rows (dicts, `scoring.COLUMNS`) per batch.

    Args:
        stored: the loaded model (a site profile already applied); keeper: the gate's model.
        workers: decode threads (default: CPU cores); batch_size: files per forward pass.
    """
    workers = workers or default_workers()
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    limit = workers + 2 * batch_size
    pending: deque[Future] = deque()
    it = iter(entries)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decode") as pool:

        def fill() -> None:
            while len(pending) < limit:
                entry = next(it, None)
                if entry is None:
                    return
                pending.append(pool.submit(prepare, entry, stored, keeper))

        fill()
        try:
            while pending:
                batch = [pending.popleft().result() for _ in range(min(batch_size, len(pending)))]
                fill()  # decoders run on while this batch is scored
                yield score_prepared(batch, stored, keeper, setting)
        finally:  # closed early (a failed write, an interrupt): drop the files not started
            for future in pending:
                future.cancel()
