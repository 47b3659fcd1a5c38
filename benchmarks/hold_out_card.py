"""Attach a hold-out run's figures to the shipped model trained with the same recipe.

    python -m benchmarks.hold_out_card --model NAME --run STORE/RUN [--write-card]

RUN was trained with `train --hold-out-cohort COHORT` and otherwise the recipe of NAME (its
card's config; checked, differences refused). Prints both rows (the run on its own validation
and on the unseen cohort); `--write-card` stores them in NAME's card as `recipe_hold_out`,
which the Model card page shows under "Under a cohort shift". Reads cards only: no images.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv=None) -> dict:
    from xray_core.cohort_evidence import ROW_KEYS, hold_out_evidence
    from xray_core.store import read_card, write_card

    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="shipped model in the store")
    ap.add_argument("--run", required=True, help="store entry of the hold-out run (a path)")
    ap.add_argument("--write-card", action="store_true")
    args = ap.parse_args(argv)
    run = Path(args.run)
    card = read_card(args.model)
    try:
        evidence = hold_out_evidence(card, read_card(run.name, run.parent), run.name)
    except ValueError as e:
        raise SystemExit(f"error: {e}") from None
    print(f"{args.model}: recipe trained without the {evidence['cohort']} cohort ({run.name})")
    for part in ("validation", "held-out cohort"):
        figures = " ".join(f"{k} {evidence[part][k]:.3f}" for k in ROW_KEYS[1:])
        print(f"  {part:16s} n {evidence[part]['n']:5d} {figures}")
    if args.write_card:
        print("wrote", write_card(args.model, card.updated(recipe_hold_out=evidence)))
    return evidence


if __name__ == "__main__":
    main()
