"""`python -m xray_core score INPUT --out OUT`: score an archive into CSV or Parquet.

Thin: parse, call `xray_core.archive.run.score_archive`, print the one-line summary.
Exit codes: 0 every file got a verdict; 2 some file was unreadable or refused by the gate
(their rows say why), an argument, INPUT or OUT was refused, or OUT could not be written (a
full disk: the rows written are kept, `--resume` continues); 1 a model store, site profile or
Ray engine error. Every refusal is one line on stderr.
"""

from __future__ import annotations

import sys

from xray_core.cli.args import positive_int, threshold

EXIT_OK, EXIT_ERROR, EXIT_REFUSED = 0, 1, 2


def add_parser(subparsers) -> None:
    s = subparsers.add_parser(
        "score",
        help="score every image of a folder tree or manifest CSV into CSV / Parquet",
        description=__doc__,
    )
    s.add_argument("input", help="folder tree (PNG, JPEG, DICOM, any depth) or manifest .csv")
    s.add_argument("--out", required=True, help="rows go here: OUT.csv or OUT.parquet")
    s.add_argument("--model", help="store entry (default: the store's default model)")
    s.add_argument("--site", help="site profile to apply (threshold, local calibration)")
    s.add_argument("--threshold", type=threshold, help="override the threshold (in [0, 1])")
    s.add_argument("--engine", choices=("local", "ray"), default="local")
    s.add_argument("--resume", action="store_true", help="skip files already in OUT")
    s.add_argument("--workers", type=positive_int, help="decode threads (local) or actors (ray)")
    s.add_argument("--batch-size", type=positive_int, default=64, help="files per forward pass")
    s.add_argument("--threads-per-actor", type=positive_int, default=1, help="ray: CPUs per actor")
    s.add_argument(
        "--runtime",
        choices=("lite", "keras"),
        default="lite",
        help="inference: TFLite/XNNPACK (default, faster) or the Keras graph"
        " (xray_core.store.lite)",
    )
    s.set_defaults(func=cmd_score)


def model_card(model: str | None, store, site: str | None) -> tuple[dict, dict | None]:
    """(card with the site profile applied, profile or None); no TensorFlow loaded."""
    from xray_core.store.catalog import default_model, read_card
    from xray_core.store.site_profiles import load_profile, site_card

    card = read_card(model or default_model(store), store)
    if not site:
        return card, None
    profile = load_profile(site)
    return site_card(card, profile), profile


def cmd_score(args) -> int:
    from xray_core.archive.inputs import InputError
    from xray_core.archive.run import score_archive
    from xray_core.archive.sink import OutputError

    card, profile = model_card(args.model, args.store, args.site)
    spec = {
        "model": card["name"],
        "store": args.store,
        "profile": profile,
        "threshold": args.threshold,
        "threads": args.threads_per_actor,
        "runtime": args.runtime,
    }
    if args.engine == "ray":
        from xray_core.config import store_dir

        spec["store"] = str(store_dir(args.store).resolve())
    try:
        summary = score_archive(
            args.input,
            args.out,
            card=card,
            spec=spec,
            engine=args.engine,
            resume=args.resume,
            workers=args.workers,
            batch_size=args.batch_size,
        )
    except (InputError, OutputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(summary.line(), flush=True)
    return EXIT_REFUSED if summary.refused or summary.unreadable else EXIT_OK
