"""Ray engine: the same scoring function (`scoring.prepare` + `scoring.score_prepared`) on
Ray Data, for archives one machine cannot score in time.

A path dataset (`ray.data.from_items`) is mapped with `map_batches` over an actor pool; each
actor loads the model (and the gate's model) once, then decodes and scores its batches. The
driver streams the rows back and writes them (so resume and the progress line are the
engine-independent ones in `run`). Local by default (`ray.init()` on this machine); with
`RAY_ADDRESS` set, it joins that running cluster. On a cluster, INPUT and the model store must
be readable at the same absolute paths on every node (a shared filesystem), and the project
must be importable there (installed, or shipped with a runtime_env working_dir).

Optional: needs `requirements-scale.txt`. Nothing else in the project imports Ray.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from xray_core.archive.inputs import Entry
from xray_core.archive.scoring import COLUMNS, FLOAT_COLUMNS

BATCH_SIZE = 64


class RayScorer:
    """One actor: loads the models once (spec: model, store, profile, threshold, threads)."""

    def __init__(self, spec: dict):
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf

        threads = int(spec.get("threads", 1))
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
        from xray_core.archive.scoring import Setting, load_models

        self.stored, self.keeper = load_models(
            spec["model"], spec["store"], spec["profile"], spec.get("runtime", "lite"), threads
        )
        self.setting = Setting.of(self.stored.card, spec["threshold"])

    def __call__(self, batch: dict) -> dict:
        """A batch of {"rel", "path", "truth"} columns -> the rows' columns."""
        from xray_core.archive.scoring import prepare, score_prepared

        entries = [
            Entry(str(r), Path(str(p)), None if int(t) < 0 else int(t))
            for r, p, t in zip(batch["rel"], batch["path"], batch["truth"])
        ]
        prepared = [prepare(e, self.stored, self.keeper) for e in entries]
        rows = score_prepared(prepared, self.stored, self.keeper, self.setting)
        return {
            c: [float("nan") if r[c] is None else r[c] for r in rows]
            if c in FLOAT_COLUMNS
            else [str(r[c]) for r in rows]
            for c in COLUMNS
        }


class RayMissing(ValueError):
    """Ray is not installed; str() says how to install it."""


class RayUnavailable(ValueError):
    """The Ray cluster named by RAY_ADDRESS does not answer; str() is a one-line message."""


PROBE_SECONDS = 5.0


def _host_port(address: str) -> tuple[str, int] | None:
    """(host, port) of a RAY_ADDRESS such as `HEAD:6379` or `ray://HEAD:10001`; None for
    `auto` / `local` (Ray finds those itself) or a form without a port."""
    rest = address.split("://", 1)[-1].strip().rstrip("/")
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isdigit():
        return None
    return host.strip("[]") or "127.0.0.1", int(port)


def probe_address(address: str, seconds: float = PROBE_SECONDS) -> None:
    """Refuse at once a RAY_ADDRESS nothing listens on (Ray itself would wait for minutes)."""
    import socket

    target = _host_port(address)
    if target is None:
        return
    try:
        with socket.create_connection(target, timeout=seconds):
            return
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise RayUnavailable(
            f"RAY_ADDRESS={address}: no Ray cluster answers at {target[0]}:{target[1]} "
            f"({why.lower()}); start it (`ray start --head`), fix RAY_ADDRESS, or unset it to "
            "score on this machine."
        ) from None


def start_ray(cpus: int | None) -> None:
    """Join the cluster at RAY_ADDRESS, or start a new local one (never a stale cluster that
    a crashed run left recorded on this machine). Idempotent."""
    try:
        import ray
    except ImportError:
        raise RayMissing(
            "the ray engine needs Ray: pip install -r requirements-scale.txt "
            "(or use --engine local)."
        ) from None

    if ray.is_initialized():
        return
    kwargs = {"include_dashboard": False, "logging_level": logging.WARNING}
    address = os.environ.get("RAY_ADDRESS", "").strip()
    if address:
        probe_address(address)
        kwargs["address"] = address
    else:
        kwargs.update(address="local", num_cpus=cpus)
    try:
        ray.init(**kwargs)
    except (ConnectionError, RuntimeError, ValueError, TimeoutError) as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
        where = f"RAY_ADDRESS={address}" if address else "a local Ray cluster"
        raise RayUnavailable(f"cannot start the ray engine on {where}: {first}") from None


def iter_ray_rows(
    entries: Iterable[Entry],
    spec: dict,
    workers: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[list[dict]]:
    """Score entries on Ray; yields lists of rows (`scoring.COLUMNS`), in completion order.

    Args:
        spec: what each actor loads (see RayScorer). workers: actors (default: the
            cluster's CPUs / spec["threads"]); batch_size: files per actor call.
    """
    start_ray(workers)
    import ray

    items = [
        {"rel": e.rel, "path": str(e.path.resolve()), "truth": -1 if e.truth is None else e.truth}
        for e in entries
    ]
    if not items:
        return
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    threads = int(spec.get("threads", 1))
    size = workers or max(1, int(ray.cluster_resources().get("CPU", 1)) // threads)
    size = max(1, min(size, math.ceil(len(items) / batch_size)))
    ds = ray.data.from_items(items, override_num_blocks=math.ceil(len(items) / batch_size))
    ds = ds.map_batches(
        RayScorer,
        fn_constructor_kwargs={"spec": spec},
        batch_size=batch_size,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=size),
        num_cpus=threads,
    )
    for batch in ds.iter_batches(batch_size=None, batch_format="pandas"):
        rows = batch.to_dict("records")
        for r in rows:
            for c in FLOAT_COLUMNS:
                if isinstance(r[c], float) and math.isnan(r[c]):
                    r[c] = None
        yield rows
