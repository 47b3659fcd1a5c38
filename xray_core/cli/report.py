"""`python -m xray_core report`: the one-page PDF for stakeholders. Thin: parse, call, print."""

from __future__ import annotations

from pathlib import Path

from xray_core.cli.args import open_fraction, output_file, threshold


def add_parser(subparsers) -> None:
    """Register the `report` sub-command on the CLI's subparsers."""
    r = subparsers.add_parser(
        "report", help="one-page PDF: figures with 95%% CIs, prevalence, errors, limits"
    )
    r.add_argument("--model", help="stored model (default: the store's default)")
    r.add_argument("--pdf", required=True, type=output_file, help="write the PDF here")
    r.add_argument("--data", help="dataset root with the validation images (for the error gallery)")
    r.add_argument(
        "--threshold", type=threshold, help="decision threshold in [0, 1] (default: the card's)"
    )
    r.add_argument(
        "--prevalence",
        type=open_fraction,
        help="assumed prevalence for PPV, NPV and natural frequencies, a fraction (default: 0.2)",
    )
    r.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    from xray_core import config
    from xray_core.report.make import make_report
    from xray_core.store.catalog import load_model

    stored = load_model(args.model, args.store)
    data = config.data_dir(args.data)
    out = Path(args.pdf)
    pdf = make_report(stored, data, args.threshold, args.prevalence, out, args.store)
    print(f"wrote {out} ({len(pdf) / 1024:.0f} KiB, model {stored.name}, images from {data})")
    return 0
