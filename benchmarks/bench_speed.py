"""Speed of the things a user waits for, with the default model on this CPU.

    python -m benchmarks.bench_speed [--model NAME] [--repeats 20] [--json artifacts/speed.json]

Prints median milliseconds for: one prediction (file bytes -> decode -> contract -> calibrated
probability and gate), Grad-CAM, Grad-CAM++, feature maps, LIME at the app's defaults; the cold
start (fresh process: imports + model load + first prediction), the app's cold start to the
first verdict (fresh process, Streamlit AppTest: app imports, model load, upload, verdict; the
browser and server start are not included: benchmarks/bench_cold_start.py measures those in
Chromium); and LIME mask stability (top-k 'for pneumonia' overlap between three seeds on six
samples, Jaccard).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

APP_COLD_START = """
import time; t0 = time.perf_counter()
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({app!r}, default_timeout=120).run()
data = open({file!r}, "rb").read()
at.file_uploader(key="predict_upload").set_value(("x.jpeg", data, "image/jpeg")).run()
assert any(m.value.startswith("### Verdict") for m in at.markdown)
print(time.perf_counter() - t0)
"""
COLD_START = """
import time; t0 = time.perf_counter()
from xray_core.store.catalog import load_model
from xray_core.io.study import load_study
from xray_core.predict.assess import assess
m = load_model({model!r}); r = assess(m, load_study({file!r}))
print(time.perf_counter() - t0)
"""


def timed(fn, repeats: int) -> float:
    """Median wall time of fn() in ms, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main(argv=None) -> dict:
    from xray_core import config
    from xray_core.explain import feature_maps, gradcam, lime_explain, occlusion
    from xray_core.explain.handle import ModelHandle
    from xray_core.io.study import open_study
    from xray_core.predict.assess import assess
    from xray_core.store.catalog import load_model

    ap = argparse.ArgumentParser()
    ap.add_argument("--model")
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    files = sorted(config.samples_dir().rglob("*.jp*g"))
    path = files[len(files) // 2]
    data = path.read_bytes()
    m = load_model(args.model)
    study = open_study(data, path.name)
    x = study.model_input(m.contract)
    r = {"model": m.name, "image": f"{study.size[0]}x{study.size[1]} px JPEG"}
    r["predict_ms"] = timed(lambda: assess(m, open_study(data, path.name)), args.repeats)
    handle = ModelHandle(m)
    handle.logits(x[None])  # the TFLite conversion, once
    r["occlusion_ms"] = timed(
        lambda: occlusion.OCCLUSION.explain(handle, x, {"target": "PNEUMONIA"}), args.repeats
    )
    if m.last_conv:
        for method in gradcam.METHODS:
            cam = gradcam.make_cam(m.model, method)
            r[f"{method}_ms"] = timed(
                lambda cam=cam: gradcam.gradcam_heatmap(cam, x, m.last_conv), args.repeats
            )
        probe = feature_maps.make_probe(m.model, m.last_conv)
        r["feature_maps_ms"] = timed(lambda: feature_maps.feature_maps(probe, x), args.repeats)
    overlaps, lime_ms = [], []
    for f in files[3::7][:6]:  # six samples, both classes; three seeds each
        shown = open_study(f.read_bytes(), f.name).display(m.contract)
        runs = []
        for seed in (0, 1, 2):
            t0 = time.perf_counter()
            runs.append(lime_explain.explain_lime(handle.logits, shown, m.contract, seed=seed))
            lime_ms.append((time.perf_counter() - t0) * 1000)
        overlaps += [
            lime_explain.topk_overlap(runs[a], runs[b], 4) for a, b in ((0, 1), (0, 2), (1, 2))
        ]
    r["lime_ms"] = statistics.median(lime_ms)
    r["lime_ms_max"] = max(lime_ms)
    r["lime_settings"] = {
        "samples": lime_explain.DEFAULT_SAMPLES,
        "segments": lime_explain.DEFAULT_SEGMENTS,
        "segmentation": "slic",
    }
    r["lime_top4_overlap_mean"] = round(statistics.mean(overlaps), 3)
    r["lime_top4_overlap_min"] = round(min(overlaps), 3)
    code = COLD_START.format(model=args.model, file=str(path))
    colds = [
        float(
            subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                cwd=config.PROJECT_ROOT,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        for _ in range(2)
    ]
    r["cold_start_core_s"] = min(colds)
    app = str(config.PROJECT_ROOT / "streamlit_app.py")
    out = subprocess.run(
        [sys.executable, "-c", APP_COLD_START.format(app=app, file=str(path))],
        capture_output=True,
        text=True,
        cwd=config.PROJECT_ROOT,
        check=True,
    )
    r["app_cold_start_to_verdict_s"] = float(out.stdout.strip().splitlines()[-1])
    for k, v in r.items():
        print(f"{k}: {v if not isinstance(v, float) else round(v, 1)}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(r, indent=2) + "\n")
    return r


if __name__ == "__main__":
    main()
