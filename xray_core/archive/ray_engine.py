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


def _init_ray(cpus: int | None) -> None:
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
    if not os.environ.get("RAY_ADDRESS"):
        kwargs["num_cpus"] = cpus
    ray.init(**kwargs)


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
    _init_ray(workers)
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
