"""`python -m xray_core card ...`: put figures measured elsewhere on a shipped model's card.

    python -m xray_core card external-test --model NAME [--evaluation FILE] --source TEXT [--write]
    python -m xray_core card hold-out --model NAME --run STORE/RUN [--write]

`external-test`: the figures on the withheld official test split. FILE (default: the entry's
`external_test.json`, kept in the store as the record) is what `python -m xray_core evaluate
--data TEST --model NAME --json FILE` wrote where the test split is held, or the same keys typed
from a report: model, n, counts, auc, sensitivity, specificity, accuracy, threshold, and ece if
measured. Checked against the card (`xray_core.evaluation.external_test`: same model, its shipped
threshold, counts summing to n) and bound to the model file's SHA-256; stored as
`external_test`, which the Model card and Compare pages show beside the validation.

`hold-out`: a run trained with `train --hold-out-cohort COHORT` and otherwise NAME's recipe
(its card's config; differences refused). Both rows (the run on its own validation and on the
unseen cohort) are stored as `recipe_hold_out`, shown under "Under a cohort shift".

Both read cards and JSON only, no images. Without --write they print the figures and change
nothing. Exit codes: 0 done; 1 a refused input (unknown model, unreadable or mismatched file).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def cmd_external_test(args) -> int:
    from xray_core.config import store_dir
    from xray_core.evaluation.external_test import attach
    from xray_core.store.catalog import read_card, write_card
    from xray_core.store.files import EXTERNAL_TEST_FILE

    evaluation = args.evaluation
    if evaluation is None:
        evaluation = store_dir(args.store) / args.model / EXTERNAL_TEST_FILE
        if not evaluation.is_file():
            raise ValueError(
                f"{args.model} has no {EXTERNAL_TEST_FILE} in the store: pass --evaluation FILE "
                "(the evaluate --json output from the test split)"
            )
    card = read_card(args.model, args.store)
    try:
        block = attach(json.loads(evaluation.read_text()), card, args.source)
    except (OSError, ValueError, AttributeError) as e:
        raise ValueError(f"{evaluation}: {e}") from None
    ci = block["ci"]
    print(
        f"{args.model} on the withheld test split (n {block['n']}): AUC {block['auc']:.3f} "
        f"[{ci['auc'][0]:.3f}, {ci['auc'][1]:.3f}], sensitivity {block['sensitivity']:.3f} "
        f"[{ci['sensitivity'][0]:.3f}, {ci['sensitivity'][1]:.3f}], specificity "
        f"{block['specificity']:.3f} [{ci['specificity'][0]:.3f}, {ci['specificity'][1]:.3f}] "
        f"at threshold {block['threshold']:.4f} ({block['ci_method']})"
    )
    if args.write:
        print("wrote", write_card(args.model, card.updated(external_test=block), args.store))
    return 0


def cmd_hold_out(args) -> int:
    from xray_core.evaluation.cohort_evidence import ROW_KEYS, hold_out_evidence
    from xray_core.store.catalog import read_card, write_card

    run = Path(args.run)
    card = read_card(args.model, args.store)
    evidence = hold_out_evidence(card, read_card(run.name, run.parent), run.name)
    print(f"{args.model}: recipe trained without the {evidence['cohort']} cohort ({run.name})")
    for part in ("validation", "held-out cohort"):
        row = evidence[part]
        figures = " ".join(
            f"{k} {row[k]:.3f}" if row.get(k) is not None else f"{k} not measured"
            for k in ROW_KEYS[1:]
        )
        print(f"  {part:16s} n {evidence[part]['n']:5d} {figures}")
    if args.write:
        print("wrote", write_card(args.model, card.updated(recipe_hold_out=evidence), args.store))
    return 0


def add_parser(subparsers) -> None:
    """Register `card` and its sub-commands on the main CLI's subparsers."""
    c = subparsers.add_parser(
        "card",
        help="put test-split or hold-out figures on a model's card",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = c.add_subparsers(dest="card_command", required=True)
    e = sub.add_parser("external-test", help="bind the withheld test split's figures")
    e.add_argument("--model", required=True, help="shipped model in the store")
    e.add_argument(
        "--evaluation", type=Path, help="evaluate --json output (default: the entry's record)"
    )
    e.add_argument("--source", required=True, help="where the figures came from, in words")
    e.add_argument("--write", action="store_true", help="store them on the card")
    e.set_defaults(func=cmd_external_test)
    h = sub.add_parser("hold-out", help="attach a cohort hold-out run of the model's recipe")
    h.add_argument("--model", required=True, help="shipped model in the store")
    h.add_argument("--run", required=True, help="store entry folder of the hold-out run")
    h.add_argument("--write", action="store_true", help="store them on the card")
    h.set_defaults(func=cmd_hold_out)
