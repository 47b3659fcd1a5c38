"""Archive scoring throughput and memory (`python -m xray_core score`).

    python -m benchmarks.bench_score [--model NAME] [--n 1000] [--fullres-repeat 4] [--ray]
                                     [--runtime lite,keras] [--rss 1000,20000]
                                     [--json artifacts/score.json]

Prints, for the 224 px training images and the 48 full-resolution samples (linked `repeat`
times under distinct names): images/s of the local engine (and the Ray engine with --ray)
on each inference runtime (`xray_core.store.lite`: TFLite/XNNPACK, the default, and the Keras
graph) beside the model's own forward-pass floor on that runtime (`StoredModel.score` on
preprocessed batches of 16, no decoding; for TFLite also with one kernel thread, the rate
one Ray actor of 1 CPU gets), and the CPU seconds per image (user + system,
all threads; robust to other load on the machine). With --rss: peak resident memory of a
fresh `score` process on archives of those sizes (training images linked under distinct
names). The load average is printed with every run: on a shared machine the wall-clock
figures are depressed by it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def link_archive(files: list[Path], n: int, out: Path) -> Path:
    """out/ with n links to `files` (cycled), in folders of 1000, under distinct names."""
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        f = files[i % len(files)]
        folder = out / f"d{i // 1000:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"{i:06d}_{f.name}").symlink_to(f)
    return out


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def floor(stored, files: list[Path], batch: int = 16, n: int = 128, repeats: int = 5) -> float:
    """Forward-pass images/s on n preprocessed images in batches of `batch` (the archive's
    INFER_BATCH; no decoding), best of repeats."""
    import numpy as np

    from xray_core.dataset.folders import Sample, load_arrays

    x, _ = load_arrays([Sample(f, 0, "") for f in files[:n]], stored.contract)
    stored.score(x, batch_size=batch)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        stored.score(x, batch_size=batch)
        times.append(time.perf_counter() - t0)
    return n / float(np.min(times))


def run_engine(folder: Path, engine: str, model: str | None, runtime: str = "lite") -> dict:
    from xray_core.archive.run import score_archive
    from xray_core.cli.score import model_card

    card, _ = model_card(model, None, None)
    spec = {"model": card["name"], "store": None, "profile": None, "threshold": None}
    spec.update(threads=1, runtime=runtime)
    if engine == "ray":
        from xray_core.config import store_dir

        spec["store"] = str(store_dir().resolve())
    with tempfile.TemporaryDirectory() as tmp:
        c0 = cpu_seconds()
        s = score_archive(
            folder, Path(tmp) / "out.csv", card=card, spec=spec, engine=engine, progress=False
        )
        cpu = cpu_seconds() - c0
    return {
        "files": s.files,
        "seconds": round(s.seconds, 2),
        "images_per_s": round(s.rate, 1),
        "cpu_ms_per_image": round(1000 * cpu / max(s.files, 1), 2),
    }


def peak_rss(folder: Path, model: str | None) -> dict:
    """Peak RSS (MiB) of a fresh `score` process over the folder, and its summary line."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "xray_core",
            "score",
            str(folder),
            "--out",
            str(Path(tmp) / "out.csv"),
        ] + (["--model", model] if model else [])
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out = proc.stdout.read().decode()
        _, status, usage = os.wait4(proc.pid, 0)
    return {
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "summary": out.strip(),
        "exit": os.waitstatus_to_exitcode(status),
    }


def main(argv=None) -> dict:
    from xray_core import config
    from xray_core.store.catalog import load_model

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model")
    ap.add_argument("--n", type=int, default=1000, help="224 px training images to score")
    ap.add_argument("--fullres-repeat", type=int, default=4)
    ap.add_argument("--ray", action="store_true", help="also time the Ray engine (local)")
    ap.add_argument("--rss", default="", help="archive sizes for peak RSS, e.g. 1000,20000")
    ap.add_argument("--runtime", default="lite,keras", help="inference runtimes to time")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    train = sorted((config.DEFAULT_DATA_DIR / "train").rglob("*.jpeg"))
    fullres = sorted(config.FULLRES_SAMPLES_DIR.rglob("*.jp*g"))
    result = {"load_before": os.getloadavg(), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if not args.skip_throughput:
            from xray_core.archive.scoring import INFER_BATCH
            from xray_core.store.lite import with_runtime

            shipped = load_model(args.model)
            result["model"] = shipped.name
            sets = {
                "224px": link_archive(train, args.n, tmp / "a224"),
                "fullres": link_archive(fullres, 48 * args.fullres_repeat, tmp / "afull"),
            }
            for runtime in args.runtime.split(","):
                stored = with_runtime(shipped, runtime)
                result[f"floor_{runtime}"] = round(floor(stored, train, INFER_BATCH), 1)
                print("floor", runtime, result[f"floor_{runtime}"], flush=True)
                if runtime == "lite":  # one kernel thread: what one Ray actor of 1 CPU gets
                    one = with_runtime(shipped, runtime, threads=1)
                    result["floor_lite_1thread"] = round(floor(one, train, INFER_BATCH), 1)
                    print("floor lite, 1 thread", result["floor_lite_1thread"], flush=True)
                for engine in ("local", "ray") if args.ray else ("local",):
                    for name, folder in sets.items():
                        key = f"{engine}_{name}_{runtime}"
                        result[key] = run_engine(folder, engine, args.model, runtime)
                        print(name, engine, runtime, result[key], flush=True)
        for n in [int(v) for v in args.rss.split(",") if v]:
            result[f"rss_{n}"] = peak_rss(link_archive(train, n, tmp / f"rss{n}"), args.model)
            print(n, result[f"rss_{n}"], flush=True)
    result["load_after"] = os.getloadavg()
    print(json.dumps(result, indent=1))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
    return result


if __name__ == "__main__":
    main()
