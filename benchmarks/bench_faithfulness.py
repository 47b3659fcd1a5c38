"""How far to trust the maps: faithfulness of every heatmap method per stored model, on the
model's own validation images or, with --held-out, on the cohort its training never saw.

    python -m benchmarks.bench_faithfulness [--model NAME] [--images 40] [--seeds 3]
        [--held-out | --folder DIR] [--store DIR] [--json OUT] [--lime-only]

Prints `xray_core.explain.benchmark.measure` (what each figure means is there) for every
stored model, or one; `--held-out`: a hold-out run (`--store STORE --model RUN`) on the cohort
its training never saw; `--folder DIR`: any folder with NORMAL/ and PNEUMONIA/, e.g. images kept
outside the project. `--lime-only` reruns just LIME's time and stability. The product writes the
figures to a card: `python -m xray_core card faithfulness --model NAME --write`.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv=None) -> list[dict]:
    from xray_core import config
    from xray_core.explain.benchmark import card_entry, measure, short
    from xray_core.store.catalog import list_models

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="one model (default: every stored model)")
    ap.add_argument("--images", type=int, default=40)
    ap.add_argument("--seeds", type=int, default=3, help="LIME runs per image (stability)")
    ap.add_argument("--data", help="dataset root; default ../shared/data/chest_xray")
    ap.add_argument("--store", help="model store holding --model (default: the project's)")
    ap.add_argument(
        "--held-out", action="store_true", help="images of the cohort the run never trained on"
    )
    ap.add_argument("--folder", help="images of a folder with NORMAL/ and PNEUMONIA/ instead")
    ap.add_argument("--json", help="write every figure here")
    ap.add_argument(
        "--lime-only", action="store_true", help="LIME time and stability only (quick rerun)"
    )
    args = ap.parse_args(argv)
    root = config.data_dir(args.data)
    results = []
    for name in [args.model] if args.model else list_models(args.store):
        try:
            r = measure(
                name,
                args.images,
                args.seeds,
                root,
                args.lime_only,
                args.held_out,
                args.store,
                args.folder,
            )
        except ValueError as exc:
            raise SystemExit(f"error: {exc}") from None
        results.append(r)
        print(json.dumps(card_entry(r), indent=1), flush=True)
        if args.json:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps(results, indent=1, default=short) + "\n")
    return results


if __name__ == "__main__":
    main()
