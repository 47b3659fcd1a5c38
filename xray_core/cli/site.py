"""`python -m xray_core validate-site`: how the model does on a site's labelled cases, and a
local operating point, optionally saved as a site profile.

Thin: parse, call `xray_core.site`, print the report's sentences. Exit codes: 0 report
written; 2 the input was refused (no folder, no labels, one class only) or no threshold could
be proposed for a profile; 1 a model store error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from xray_core.cli.args import open_fraction, output_file, positive_int, site_name

EXIT_OK, EXIT_ERROR, EXIT_REFUSED = 0, 1, 2


def add_parser(subparsers) -> None:
    v = subparsers.add_parser(
        "validate-site",
        help="validate the model on local labelled cases; propose a local threshold",
        description=__doc__,
    )
    src = v.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", help="labelled folder with NORMAL/ and PNEUMONIA/")
    src.add_argument("--scores", help="a scored archive (OUT of `score`, .csv or .parquet)")
    v.add_argument(
        "--labels", help="CSV with path (or file),label for --scores (else OUT's true_label)"
    )
    v.add_argument("--model", help="store entry for --data (default: the store's default)")
    v.add_argument("--target-sensitivity", type=open_fraction, default=0.95)
    v.add_argument("--confidence", type=open_fraction, default=0.95, help="for the lower bound")
    v.add_argument(
        "--recalibrate",
        nargs="?",
        const=True,
        type=positive_int,
        help="fit a local Platt recalibration: on N stratified cases, judged on the rest "
        "(no N: on all cases)",
    )
    v.add_argument("--json", type=output_file, help="write the report (JSON) here")
    v.add_argument("--pdf", type=output_file, help="write the report as a PDF here")
    v.add_argument(
        "--save-profile", type=site_name, metavar="NAME", help="save a site profile for the app"
    )
    v.add_argument("--seed", type=int, default=0)
    v.add_argument("--workers", type=positive_int, help="decode threads for --data")
    v.set_defaults(func=cmd_validate_site)


def with_site(stored, site: str | None):
    """The loaded model with site profile NAME applied (unchanged when site is None)."""
    if not site:
        return stored
    from xray_core.store.site_profiles import apply_profile, load_profile

    return apply_profile(stored, load_profile(site))


def _cases(args):
    from xray_core.site import cases
    from xray_core.store.catalog import read_card

    if args.scores:
        found = cases.cases_from_scores(args.scores, args.labels)
        card = read_card(args.model or found.model, args.store)
        if found.model_sha256 and not card["model_sha256"].startswith(found.model_sha256):
            raise cases.InputError(
                f"{args.scores} was scored by another model file than {card['name']} "
                f"(sha256 {found.model_sha256} vs {card['model_sha256'][:12]})."
            )
        return found, card
    from xray_core.archive.scoring import load_models

    stored, keeper = load_models(args.model, args.store)
    return cases.cases_from_folder(args.data, stored, keeper, args.workers), stored.card


def cmd_validate_site(args) -> int:
    from xray_core.archive.inputs import InputError
    from xray_core.site.report import site_report
    from xray_core.store.site_profiles import make_profile, save_profile

    try:
        found, card = _cases(args)
        report, calibration = site_report(
            found.y,
            found.raw,
            card,
            target=args.target_sensitivity,
            confidence=args.confidence,
            recalibrate=args.recalibrate or False,
            excluded=found.excluded,
            seed=args.seed,
        )
    except (InputError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    if args.pdf:
        from xray_core.site.pdf import write_pdf

        write_pdf(report, args.pdf)
    print("\n".join(report["summary"]))
    if args.save_profile:
        if report["proposed_threshold"] is None:
            print(f"error: no site profile saved: {report['proposal_note']}.", file=sys.stderr)
            return EXIT_REFUSED
        path = save_profile(make_profile(args.save_profile, card, report, calibration))
        print(f"saved site profile {args.save_profile!r} to {path}")
    return EXIT_OK
