"""`python -m xray_core card ...`: put figures measured elsewhere on a shipped model's card.

    python -m xray_core card external-test --model NAME [--evaluation FILE] --source TEXT [--write]
    python -m xray_core card hold-out --model NAME --run STORE/RUN [--write]
    python -m xray_core card faithfulness --model NAME [--unseen-run STORE/RUN] [--images 40]
        [--seeds 3] [--data DIR] [--write]
    python -m xray_core card shift --model NAME [--only perturbed|aspect] [--data DIR] [--write]

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

`faithfulness`: the map checks of every explanation method on N images of NAME's validation
split (`xray_core.explain.benchmark`), stored as `faithfulness`: what the Model card's trust
table shows and what picks the method pages open with. With --unseen-run, the same on a run of
NAME's recipe trained with `--hold-out-cohort`, on that cohort's images, stored on NAME as
`faithfulness_unseen`. Minutes per model (LIME runs SEEDS times per image).

`shift`: NAME's validation split under fixed acquisition perturbations and aspect views
(`xray_core.evaluation.shifted_views`), stored as `shifted_validation` and `aspect_views`
(--only one of them). For a hold-out run (`--store STORE --model RUN`) its unseen cohort under
each aspect view goes to its `held_out_cohort`, which `card hold-out` then carries.

`external-test` and `hold-out` read cards and JSON only, no images. Without --write every
sub-command prints the figures and changes nothing. Exit codes: 0 done; 1 a refused input
(unknown model, unreadable or mismatched file, a run of another recipe).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from xray_core.cli.args import positive_int


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


def cmd_faithfulness(args) -> int:
    from xray_core import config
    from xray_core.evaluation.cohort_evidence import recipe_differences
    from xray_core.explain.benchmark import card_entry, measure
    from xray_core.store.catalog import read_card, write_card

    card = read_card(args.model, args.store)
    run = Path(args.unseen_run) if args.unseen_run else None
    if run is not None:
        run_card = read_card(run.name, run.parent)
        if not run_card.training["config"].get("hold_out_cohort"):
            raise ValueError(f"{run.name}: not trained with --hold-out-cohort")
        diff = recipe_differences(card.training["config"], run_card.training["config"])
        if diff:
            raise ValueError(f"{run.name}: not {args.model}'s recipe ({'; '.join(diff)})")
    result = measure(
        run.name if run else args.model,
        args.images,
        args.seeds,
        config.data_dir(args.data),
        held_out=run is not None,
        store=run.parent if run else args.store,
        log=lambda line: print(line, flush=True),
        command_model=args.model,
    )
    summary = card_entry(result)
    for method, row in summary["methods"].items():
        figures = " ".join(f"{k} {v}" for k, v in row.items() if k != "blank")
        print(f"  {method:10s} {figures}")
    if args.write:
        block = {"faithfulness_unseen" if run else "faithfulness": summary}
        print(
            "wrote",
            write_card(
                args.model, current(args.model, card, args.store).updated(**block), args.store
            ),
        )
    return 0


def current(name: str, card, store):
    """NAME's card as it is now, for a long measurement that read CARD at its start: blocks
    another command wrote meanwhile are kept; refused if the weights changed."""
    from xray_core.store.catalog import read_card

    now = read_card(name, store)
    if now["model_sha256"] != card["model_sha256"]:
        raise ValueError(f"{name}: the weights changed while measuring; run it again")
    return now


def cmd_shift(args) -> int:
    from xray_core import config
    from xray_core.evaluation.shifted_views import shift_report, views_for, with_shift_blocks
    from xray_core.store.catalog import load_model, write_card

    perturbed, aspect = args.only in (None, "perturbed"), args.only in (None, "aspect")
    stored = load_model(args.model, args.store)
    report = shift_report(stored, config.data_dir(args.data), views_for(perturbed, aspect))
    for view, row in report["perturbed"].items():
        auc = row.get("auc")
        print(f"  {view:18s} AUC {auc:.3f}" if auc is not None else f"  {view}")
    if args.write:
        card = with_shift_blocks(
            current(args.model, stored.card, args.store), report, perturbed, aspect
        )
        print("wrote", write_card(args.model, card, args.store))
    return 0


def add_parser(subparsers) -> None:
    """Register `card` and its sub-commands on the main CLI's subparsers."""
    c = subparsers.add_parser(
        "card",
        help="measure or attach figures a model's card shows (test split, hold-out, maps, shift)",
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
    f = sub.add_parser("faithfulness", help="measure the map checks of every method, per model")
    f.add_argument("--model", required=True, help="model in the store (whose card to write)")
    f.add_argument("--unseen-run", help="store entry folder of a hold-out run of MODEL's recipe")
    f.add_argument("--images", type=positive_int, default=40, help="images, half per class")
    f.add_argument("--seeds", type=positive_int, default=3, help="LIME runs per image")
    f.add_argument("--data", help="dataset root (default: the configured one)")
    f.add_argument("--write", action="store_true", help="store them on the card")
    f.set_defaults(func=cmd_faithfulness)
    s = sub.add_parser("shift", help="measure the model under perturbed and aspect views")
    s.add_argument("--model", required=True, help="model in the store")
    s.add_argument("--only", choices=("perturbed", "aspect"), help="store one block only")
    s.add_argument("--data", help="dataset root (default: the configured one)")
    s.add_argument("--write", action="store_true", help="store them on the card")
    s.set_defaults(func=cmd_shift)
