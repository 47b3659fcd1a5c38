"""Attach figures measured on the withheld official test split to a shipped model's card.

    python -m benchmarks.external_card --model NAME [--evaluation FILE] --source TEXT [--write-card]

FILE (default: the entry's `external_test.json`, kept in the store as the record) is the JSON
that `python -m xray_core evaluate --data TEST --model NAME --json FILE` wrote where the test
split is held, or the same keys typed from a report: model, n, counts, auc, sensitivity,
specificity, accuracy, threshold, and ece if measured. Checked against the card
(`xray_core.external_test`: same model, its shipped threshold, counts summing to n); the block
is bound to the model file's SHA-256. `--write-card` stores it as `external_test`, which the
Model card and Compare pages show beside the validation. Reads no images.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main(argv=None) -> dict:
    from xray_core.config import store_dir
    from xray_core.external_test import attach
    from xray_core.store import read_card, write_card
    from xray_core.store_files import EXTERNAL_TEST_FILE

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, help="shipped model in the store")
    ap.add_argument("--evaluation", type=Path, help="evaluate --json output (default: in store)")
    ap.add_argument("--source", required=True, help="where the figures came from, in words")
    ap.add_argument("--write-card", action="store_true")
    args = ap.parse_args(argv)
    if args.evaluation is None:
        args.evaluation = store_dir() / args.model / EXTERNAL_TEST_FILE
        if not args.evaluation.is_file():
            raise SystemExit(
                f"error: {args.model} has no {EXTERNAL_TEST_FILE} in the store: pass "
                "--evaluation FILE (the evaluate --json output from the test split)"
            )
    try:
        evaluation = json.loads(args.evaluation.read_text())
        block = attach(evaluation, read_card(args.model), args.source)
    except (OSError, ValueError, AttributeError) as e:
        raise SystemExit(f"error: {args.evaluation}: {e}") from None
    ci = block["ci"]
    print(
        f"{args.model} on the withheld test split (n {block['n']}): AUC {block['auc']:.3f} "
        f"[{ci['auc'][0]:.3f}, {ci['auc'][1]:.3f}], sensitivity {block['sensitivity']:.3f} "
        f"[{ci['sensitivity'][0]:.3f}, {ci['sensitivity'][1]:.3f}], specificity "
        f"{block['specificity']:.3f} [{ci['specificity'][0]:.3f}, {ci['specificity'][1]:.3f}] "
        f"at threshold {block['threshold']:.4f} ({block['ci_method']})"
    )
    if args.write_card:
        card = read_card(args.model)
        print("wrote", write_card(args.model, card.updated(external_test=block)))
    return block


if __name__ == "__main__":
    main()
