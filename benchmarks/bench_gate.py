"""Measure the out-of-distribution gate: false refusals on real chest X-rays, catch rate on a
corpus of non-chest-X-ray images.

    python -m benchmarks.bench_gate [--model NAME] [--json artifacts/gate.json]

Real X-rays: the model's patient-level validation split and the 48 full-resolution samples.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv=None) -> dict:
    from xray_core import config
    from xray_core.evaluation.ood_corpus import build_corpus, screen
    from xray_core.predict.validation_scores import validation_samples
    from xray_core.store.catalog import load_gatekeeper, load_model

    ap = argparse.ArgumentParser()
    ap.add_argument("--model")
    ap.add_argument("--json")
    ap.add_argument(
        "--own-gate",
        action="store_true",
        help="judge with the model's own gate, not the store default's (the app's)",
    )
    args = ap.parse_args(argv)
    stored = load_model(args.model)
    keeper = stored if args.own_gate else load_gatekeeper(stored)
    val = validation_samples(stored.card, config.data_dir())
    real = [(s.path.name, s.path.read_bytes()) for s in val]
    full = [(p.name, p.read_bytes()) for p in sorted(config.samples_dir().rglob("*.jp*g"))]
    corpus = build_corpus()
    r_val, r_full = screen(stored, real, keeper), screen(stored, full, keeper)
    r_ood = screen(stored, [(f"{k}: {n}", b) for k, n, b in corpus], keeper)
    kinds = Counter(k for k, _, _ in corpus)
    caught = Counter(k for (k, _, _), (_, refused, _) in zip(corpus, r_ood) if refused)
    report = {
        "model": stored.name,
        "gate_of": keeper.name,
        "false_refusals_validation": sum(r for _, r, _ in r_val),
        "n_validation": len(r_val),
        "false_refusals_fullres": sum(r for _, r, _ in r_full),
        "n_fullres": len(r_full),
        "caught": sum(r for _, r, _ in r_ood),
        "n_ood": len(r_ood),
        "by_kind": {k: f"{caught[k]}/{n}" for k, n in kinds.items()},
        "missed": [n for n, r, _ in r_ood if not r],
    }
    fr = (report["false_refusals_validation"] + report["false_refusals_fullres"]) / (
        len(r_val) + len(r_full)
    )
    print(
        f"model {stored.name} (gate of {keeper.name}): false refusals "
        f"{report['false_refusals_validation']}/"
        f"{len(r_val)} validation + {report['false_refusals_fullres']}/{len(r_full)} full-res "
        f"= {fr:.2%}; caught {report['caught']}/{len(r_ood)} non-X-rays = "
        f"{report['caught'] / len(r_ood):.1%}"
    )
    print("by kind:", report["by_kind"])
    print("missed:", report["missed"])
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()
