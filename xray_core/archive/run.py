"""An archive run: INPUT -> rows in OUT, with resume, an engine, progress and a summary."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from xray_core.archive.inputs import ArchiveInput, Entry
from xray_core.archive.progress import Progress, Summary
from xray_core.archive.scoring import Setting
from xray_core.archive.sink import (
    OutputError,
    Sink,
    check_out,
    journal_path,
    path_key,
    prepare_resume,
    read_rows,
)

ENGINES = ("local", "ray")


def done_keys(out: Path, setting: Setting) -> np.ndarray:
    """Sorted uint64 keys of the paths already in OUT; refuses rows made another way."""
    keys = []
    for row in read_rows(out):
        if not keys:
            _check_same_run(row, setting, out)
        keys.append(path_key(row["path"]))
    return np.unique(np.asarray(keys, dtype=np.uint64))


def _check_same_run(row: dict, setting: Setting, out: Path) -> None:
    theirs = (row["model_sha256"], float(row["threshold"]), row.get("site") or "")
    ours = (setting.model_sha256, setting.threshold, setting.site)
    if theirs[0] != ours[0] or abs(theirs[1] - ours[1]) > 1e-12 or theirs[2] != ours[2]:
        raise OutputError(
            f"{out} was scored with model sha256 {theirs[0]}, threshold {theirs[1]:.4f}, site "
            f"{theirs[2] or 'none'}; this run uses {ours[0]}, {ours[1]:.4f}, "
            f"{ours[2] or 'none'}: resume with the same settings or write a new OUT."
        )


def is_done(keys: np.ndarray, rel: str) -> bool:
    if len(keys) == 0:
        return False
    k = np.uint64(path_key(rel))
    i = int(np.searchsorted(keys, k))
    return i < len(keys) and keys[i] == k


def pending(inp: ArchiveInput, keys: np.ndarray) -> Iterator[Entry]:
    return (e for e in inp.entries() if not is_done(keys, e.rel))


def _engine_rows(engine, entries, setting, spec, workers, batch_size):
    """The engine's row batches; the engine is started here (models loaded, Ray joined or
    started), before OUT is opened, so an engine that cannot start leaves no file."""
    if engine == "ray":
        from xray_core.archive.ray_engine import iter_ray_rows, start_ray

        start_ray(workers)
        return iter_ray_rows(entries, spec, workers, batch_size)
    from xray_core.archive.local import iter_local_rows
    from xray_core.archive.scoring import load_models

    stored, keeper = load_models(
        spec["model"], spec["store"], spec["profile"], spec.get("runtime", "lite")
    )
    return iter_local_rows(entries, stored, keeper, setting, workers, batch_size)


def score_archive(
    source,
    out,
    *,
    card: dict,
    spec: dict,
    engine: str = "local",
    resume: bool = False,
    workers: int | None = None,
    batch_size: int = 64,
    progress: bool | None = None,
) -> Summary:
    """Score every file of INPUT into OUT; returns the run's Summary.

    Args:
        card: the model's card with the site profile applied (`profiles.site_card`).
        spec: {"model", "store", "profile", "threshold", "threads", "runtime"} (what an
            engine loads; runtime "lite" (default) or "keras", see `xray_core.store.lite`).
        progress: draw the progress line (default: when stderr is a terminal).
    Raises:
        InputError, OutputError, SiteError, StoreError: one-line messages.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    inp = ArchiveInput.open(source)
    out = check_out(Path(out), resume)
    setting = Setting.of(card, spec.get("threshold"))
    if resume:
        prepare_resume(out)
    keys = done_keys(out, setting) if resume else np.zeros(0, np.uint64)
    _, skipped = inp.tally()
    summary = Summary(
        str(out),
        already_done=len(keys),
        skipped_suffix=skipped.suffix,
        skipped_loops=skipped.loops,
        skipped_unlisted=skipped.unlisted,
        skipped_repeated=skipped.repeated,
    )
    todo = sum(1 for _ in pending(inp, keys))
    rows = _engine_rows(engine, pending(inp, keys), setting, spec, workers, batch_size)
    bar = Progress(todo, enabled=progress)  # after the model load: rates count scoring only
    t0 = time.perf_counter()
    _write(out, rows, summary, bar)
    summary.seconds = time.perf_counter() - t0
    return summary


class _WriteFailed(Exception):
    """An OSError from writing OUT (not from the engine): `cause` is it."""

    def __init__(self, cause: OSError):
        super().__init__(str(cause))
        self.cause = cause


def _sink(op, *args):
    try:
        return op(*args)
    except OSError as exc:
        raise _WriteFailed(exc) from exc


def _write(out: Path, rows, summary: Summary, bar: Progress) -> None:
    """Stream the engine's rows into OUT. A write that fails (a full disk) is an OutputError
    saying what was kept; a new OUT that got no row is removed again when the run fails."""
    new = not out.exists() and not journal_path(out).exists()
    written = 0
    try:
        sink = _sink(Sink, out)
        try:
            for batch in rows:
                for row in batch:
                    _sink(sink.write, row)
                    written += 1
                    summary.count(row)
                bar.update(len(batch))
        finally:
            bar.close()
            _sink(sink.close)  # Parquet: folds the journal, also after an interrupt
    except _WriteFailed as failed:
        _forget(out, new and written == 0)
        raise OutputError(
            f"{out}: cannot write ({_why(failed.cause)}) after {written} rows of this run; the "
            "rows written are kept: make room, then run again with --resume."
        ) from None
    except BaseException:
        _forget(out, new and written == 0)
        raise
    finally:
        getattr(rows, "close", lambda: None)()  # the engine stops here, not in a GC pass


def _why(exc: OSError) -> str:
    """The OS's words for a failed write (pyarrow puts the errno inside its message)."""
    found = re.search(r"\[errno (\d+)\]", str(exc), re.IGNORECASE)
    number = exc.errno or (int(found.group(1)) if found else None)
    if number:
        return os.strerror(number).lower()
    return (exc.strerror or str(exc) or type(exc).__name__).splitlines()[0].lower()[:120]


def _forget(out: Path, empty_and_new: bool) -> None:
    """Remove the header-only OUT (and journal) a failed new run made: a re-run starts clean."""
    if empty_and_new:
        for path in (out, journal_path(out), out.with_name(out.name + ".tmp")):
            path.unlink(missing_ok=True)
