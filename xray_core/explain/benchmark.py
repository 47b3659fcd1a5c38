"""How far to trust the maps: faithfulness of every map method for one stored model.

`measure` picks images (half NORMAL, half PNEUMONIA, seeded: the model's own validation split;
a hold-out run's unseen cohort, `train --hold-out-cohort`, for its normals; or any folder with
NORMAL/ and PNEUMONIA/), explains the verdict at the shipped threshold with every method, and
runs the map checks of `checks.run_checks`. Per method:
    randomisation   |Spearman| to the same method on the re-initialised twin (low = good)
    deletion        area ratio map / random maps, on the target's logit, hidden pixels taking a
                    blurred copy's value, random maps drawn at the map's own resolution
                    (`faithfulness.curves`; below 1 = the map found what the model uses); the
                    mean over images, and the median beside it
    insertion       the same, revealing the image on its blurred copy (above 1 = good)
    alike           mean pairwise Spearman between the maps of different images with the same
                    verdict (1.0 = one map for every image)
LIME at the app defaults: wall time (median, worst, with the 1-minute load average seen),
process CPU seconds, and the top-4 overlap across seeds (mean pairwise Jaccard per image,
averaged; worst pair over all images) of the regions for the verdict and for PNEUMONIA.
`python -m xray_core card faithfulness` stores the summary on a card (`card_entry`);
`python -m benchmarks.bench_faithfulness` prints it.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

METHODS = ("occlusion", "gradcam", "gradcam++", "lime")
FIGURES = ("randomisation", "deletion", "insertion", "border_mass", "marker_mass")
MAP_CHECKS = ("randomisation", "deletion", "insertion", "shortcuts")


def pick_images(card: dict, data_root: Path, n: int, seed: int = 0) -> list:
    """n validation samples of the card's split, half per class, seeded."""
    from xray_core.predict.validation_scores import validation_samples

    val = validation_samples(card, data_root)
    rng = np.random.default_rng(seed)
    out = []
    for label, count in ((0, n // 2), (1, n - n // 2)):
        pool = [s for s in val if s.label == label]
        out += [pool[i] for i in sorted(rng.permutation(len(pool))[:count])]
    return out


def pick_folder(folder: Path, n: int, seed: int = 0) -> list:
    """n images of a labelled folder (NORMAL/ and PNEUMONIA/ inside), half per class, seeded:
    for whoever holds images outside the project (e.g. the withheld test split)."""
    from xray_core.dataset.folders import DatasetError, list_class_folder

    try:
        samples = list_class_folder(folder)
    except DatasetError as exc:
        raise ValueError(str(exc)) from None
    rng, out = np.random.default_rng(seed), []
    for label, count in ((0, n // 2), (1, n - n // 2)):
        pool = [s for s in samples if s.label == label]
        out += [pool[i] for i in sorted(rng.permutation(len(pool))[:count])]
    return out


def pick_held_out(card: dict, data_root: Path, n: int, seed: int = 0) -> list:
    """n images the run never trained on: n // 2 normals of its held-out cohort, the rest
    pneumonias of its validation split, seeded."""
    from xray_core.predict.validation_scores import held_out_samples, validation_samples

    held = held_out_samples(card, data_root)
    if not held:
        raise ValueError(f"{card.name} was not trained with --hold-out-cohort")
    rng = np.random.default_rng(seed)
    pneumonia = [s for s in validation_samples(card, data_root) if s.label == 1]
    out = [held[i] for i in sorted(rng.permutation(len(held))[: n // 2])]
    return out + [pneumonia[i] for i in sorted(rng.permutation(len(pneumonia))[: n - n // 2])]


def lime_runs_figures(handle, x, target: str, seeds: int) -> tuple[dict, object]:
    """LIME runs at the app defaults with seeds 0..seeds-1: times, stability, first run."""
    from xray_core.explain import registry
    from xray_core.explain.lime_explain import stability

    runs, times, cpu, loads = [], [], [], []
    for seed in range(seeds):
        t0, c0 = time.perf_counter(), time.process_time()
        runs.append(registry.explain(handle, x, "lime", {"target": target, "seed": seed}))
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        loads.append(os.getloadavg()[0])
    results = [r.extra["lime"] for r in runs]
    row = {
        "seconds": times,
        "cpu_seconds": cpu,
        "load": loads,
        "stability_verdict": stability(results, sign=runs[0].sign) if seeds > 1 else None,
        "stability_pneumonia": stability(results, sign=+1) if seeds > 1 else None,
    }
    return row, runs[0]


def image_figures(handle, stored, x, seeds: int, lime_only: bool = False) -> dict:
    """Figures for one image (H, W, C) float32, every applicable method (or LIME's time and
    stability only)."""
    from xray_core.explain import registry
    from xray_core.predict.assess import calibrated_probabilities

    p_cal = float(calibrated_probabilities(stored, x[None])[0][0])
    target = "PNEUMONIA" if p_cal >= stored.threshold else "NORMAL"
    row = {"probability": p_cal, "target": target}
    for method, reason in registry.available(handle).items():
        if method not in METHODS or reason:
            continue
        if method == "lime":
            row["lime_runs"], exp = lime_runs_figures(handle, x, target, seeds)
        elif lime_only:
            continue
        else:
            exp = registry.explain(handle, x, method, {"target": target})
        if lime_only:
            continue
        faith = registry.check(replace(exp, checks=MAP_CHECKS), handle, x)
        row[method] = {"blank": exp.blank, "map": exp.heatmap}
        if not exp.blank:
            row[method].update(
                randomisation=faith.randomisation,
                deletion=faith.deletion.ratio,
                insertion=faith.insertion.ratio,
                border_mass=faith.border["mass"],
                marker_mass=faith.markers["mass"] if faith.markers else None,
            )
    return row


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(float(np.mean(values)), 4) if values else None


def _median(values) -> float | None:
    """Median over images: a ratio explodes when the random curve's area is near 0."""
    values = [v for v in values if v is not None]
    return round(float(np.median(values)), 4) if values else None


def method_figures(got: list[dict]) -> dict:
    """One method's figures over images: means (deletion's median beside), blank share, and
    how alike the maps of different images are."""
    from xray_core.explain.faithfulness import maps_alike

    shown = [g for g in got if not g["blank"]]
    out = {k: _mean(g.get(k) for g in shown) for k in FIGURES}
    out["deletion_median"] = _median(g.get("deletion") for g in shown)
    out["blank"] = round(1 - len(shown) / len(got), 4) if got else None
    alike = maps_alike([g["map"] for g in shown])
    out["alike"] = None if alike is None else round(alike, 4)
    return out


def summarise(rows: list[dict], seeds: int) -> dict:
    """Per-method figures over all images and per verdict, and LIME's time and stability."""
    out = {
        "images": len(rows),
        "targets": {t: sum(r["target"] == t for r in rows) for t in ("NORMAL", "PNEUMONIA")},
        "methods": {},
    }
    for m in METHODS:
        got = [r[m] for r in rows if m in r]
        if got:
            out["methods"][m] = method_figures(got)
    out["by_target"] = {}  # the same per verdict: the two halves differ
    for t in ("NORMAL", "PNEUMONIA"):
        half = [r for r in rows if r["target"] == t]
        per = {m: [r[m] for r in half if m in r] for m in METHODS}
        out["by_target"][t] = {m: method_figures(got) for m, got in per.items() if got}
    lime = [r["lime_runs"] for r in rows if "lime_runs" in r]
    if lime:
        secs = [s for r in lime for s in r["seconds"]]
        loads = [v for r in lime for v in r["load"]]
        out["lime"] = {
            "runs": len(secs),
            "seconds_median": round(statistics.median(secs), 2),
            "seconds_worst": round(max(secs), 2),
            "cpu_seconds_median": _median(c for r in lime for c in r.get("cpu_seconds", [])),
            "load_average_1min": [round(min(loads), 1), round(max(loads), 1)],
        }
        for key in ("stability_verdict", "stability_pneumonia") if seeds > 1 else ():
            out["lime"][f"{key}_mean"] = _mean(r[key]["mean"] for r in lime)
            out["lime"][f"{key}_worst"] = round(min(r[key]["worst"] for r in lime), 4)
    return out


def measure(
    name,
    n: int,
    seeds: int,
    data_root: Path,
    lime_only=False,
    held_out=False,
    store=None,
    folder=None,
    log=print,
    command_model=None,
) -> dict:
    """Every map method's faithfulness figures for stored model NAME on N images (half per
    class; its validation split, HELD_OUT: its unseen cohort, FOLDER: a labelled folder), with
    LIME's time and stability over SEEDS runs. COMMAND_MODEL: the shipped model whose card the
    figures go to (for a hold-out run). One log line per image."""
    from xray_core.explain.handle import ModelHandle
    from xray_core.explain.lime_explain import DEFAULT_SAMPLES, DEFAULT_SEGMENTS, DEFAULT_TOP_K
    from xray_core.io.contract import preprocess
    from xray_core.io.decode import load_image
    from xray_core.store.catalog import load_model

    stored = load_model(name, store)
    handle, rows = ModelHandle(stored), []
    if folder:
        picked = pick_folder(Path(folder), n)
    else:
        picked = (pick_held_out if held_out else pick_images)(stored.card, data_root, n)
    for s in picked:
        x = preprocess(load_image(s.path), stored.contract)
        rows.append(image_figures(handle, stored, x, seeds, lime_only))
        log(f"{stored.name}: {s.path.name} {json.dumps(printable(rows[-1]), default=short)}")
    lime_settings = {
        "samples": DEFAULT_SAMPLES,
        "segments": DEFAULT_SEGMENTS,
        "top_k": DEFAULT_TOP_K,
    }
    split = (
        f"{n // 2} normals of the {stored.card.training['config'].get('hold_out_cohort')} cohort "
        "its training never saw, and pneumonias of its validation split"
        if held_out
        else "validation (the model's own patient-level split)"
    )
    if folder:
        split = "a labelled folder given on the command line"
    command = (
        f"python -m xray_core card faithfulness --model {command_model or name} "
        f"--images {n} --seeds {seeds}"
        + (f" --unseen-run STORE/{name}" if held_out else "")
        + " --write"
    )
    return {
        "model": stored.name,
        "measured": date.today().isoformat(),
        "split": split,
        "seeds": seeds,
        "lime_settings": lime_settings,
        "command": command,
        **summarise(rows, seeds),
        "per_image": [printable(r) for r in rows],
    }


def printable(row: dict) -> dict:
    """A row without its maps (arrays)."""
    return {
        k: {kk: vv for kk, vv in v.items() if kk != "map"} if isinstance(v, dict) else v
        for k, v in row.items()
    }


def short(v):
    return round(v, 3) if isinstance(v, float) else str(v)


def card_entry(result: dict) -> dict:
    """What goes into card.json: the summary without the per-image rows."""
    return {k: v for k, v in result.items() if k != "per_image"}
