"""`python -m xray_core review ...`: create a session, invite readers, import reads,
summarise, export.

Thin: parse, call `xray_core.review`, print. TensorFlow is imported only by `create` and by a
PDF export (Grad-CAM), inside the handlers, so `--help` stays fast. Bad input (unknown session,
a CSV with a missing column, a confidence of 7, a case not in the session) prints one line
`error: ...` and exits 2 with the database unchanged.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def _guarded(handler):
    """Turn the review's expected errors into one line on stderr and exit code 2."""

    def run(args) -> int:
        from xray_core.dataset.folders import DatasetError
        from xray_core.review.db import ReviewError
        from xray_core.store.catalog import StoreError

        try:
            return handler(args)
        except (ReviewError, StoreError, DatasetError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT

    return run


def _items(args):
    from xray_core import config
    from xray_core.review import sources
    from xray_core.review.db import ReviewError

    if args.sample:
        root = config.data_dir(args.data)
        if root is None:
            raise ReviewError(f"no data folder: pass --data or set ${config.DATA_ENV_VAR}.")
        return sources.sample_items(root, args.sample, args.seed or 0), "sample"
    path = Path(args.cases)
    items = sources.path_items(path)
    if args.labels:
        items = sources.apply_labels(items, sources.read_labels(args.labels))
    return items, "zip" if path.suffix.lower() == ".zip" else "folder"


def cmd_create(args) -> int:
    from xray_core.review import db
    from xray_core.review.sessions import check_name_free, check_session_name, create_session
    from xray_core.store.catalog import load_gatekeeper, load_model

    name = check_session_name(args.name)  # before the slow part
    with db.connect(args.db) as con:
        check_name_free(con, name)
    items, source = _items(args)
    stored = load_model(args.model, args.store)
    report = create_session(
        args.db, name, items, stored, load_gatekeeper(stored, args.store),
        threshold=args.threshold, seed=args.seed, source=source,
        keep_names=args.keep_names, show_truth=args.show_truth,
        access="open" if args.open else "invite",
    )  # fmt: skip
    for line in report.errors:
        print(f"skipped: {line}", file=sys.stderr)
    for line in report.duplicates:
        print(f"duplicate: {line}", file=sys.stderr)
    print(
        f"session {report.session!r}: {report.n_cases} cases ({report.n_labelled} labelled, "
        f"{report.n_refused} refused by the input check), {len(report.errors)} unreadable files"
    )
    _print_link("owner link (results, exports, invitations; keep it private)",
                report.owner_token, "owner", args)  # fmt: skip
    return EXIT_OK


def _print_link(what: str, token: str, role: str, args) -> None:
    from xray_core.review.access import link_url

    print(f"{what}: {link_url(token, role, args.app_url)}")


def cmd_invite(args) -> int:
    """Print the reader's new link (one line: the URL); their previous link stops working."""
    from xray_core.review.access import invite, link_url

    print(link_url(invite(args.db, args.session, args.reader), "reader", args.app_url))
    return EXIT_OK


def cmd_revoke(args) -> int:
    from xray_core.review.access import revoke

    revoke(args.db, args.session, args.reader)
    print(f"revoked the link of {args.reader}")
    return EXIT_OK


def cmd_owner_link(args) -> int:
    """Print a new owner link (the previous one stops working)."""
    from xray_core.review.access import link_url, owner_link

    print(link_url(owner_link(args.db, args.session), "owner", args.app_url))
    return EXIT_OK


def cmd_access(args) -> int:
    from xray_core.review.access import set_access

    set_access(args.db, args.session, args.mode)
    print(f"session access: {args.mode}")
    return EXIT_OK


def cmd_import_reads(args) -> int:
    from xray_core.review.reads import hash_folder, import_reads

    names = hash_folder(args.cases) if args.cases else None
    result = import_reads(args.db, args.session, args.csv, names)
    print(f"imported {result['n_reads']} reads from {', '.join(result['readers'])}")
    return EXIT_OK


def cmd_summary(args) -> int:
    from xray_core.review.summary import summarize

    result = summarize(args.db, args.session)
    text = json.dumps(result, indent=2)
    if args.json:
        Path(args.json).write_text(text + "\n")
        keys = ("session", "n_cases", "n_readers", "n_labelled", "n_refused")
        print(json.dumps({k: result[k] for k in keys}))
    else:
        print(text)
    return EXIT_OK


def cmd_export(args) -> int:
    from xray_core.review.db import ReviewError

    if not (args.csv or args.pdf):
        raise ReviewError("nothing to export: give --csv OUT and/or --pdf OUT.")
    if args.csv:
        from xray_core.review.imrmc import write_imrmc

        done = write_imrmc(args.db, args.session, args.csv)
        print(f"wrote {args.csv}: {done['rows']} rows ({done['truth_rows']} truth rows)")
    if args.pdf:
        from xray_core.review.report import write_report

        pages = write_report(args.db, args.session, args.pdf, store=args.store)
        print(f"wrote {args.pdf}: {pages} pages")
    return EXIT_OK


def _db_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="review database (default: $XRAY_APP_DATA/review.sqlite)")


def _url_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--app-url", help="the app's address in printed links (default: $XRAY_APP_URL, else "
        "http://localhost:8501/)",
    )  # fmt: skip


def add_parser(subparsers) -> None:
    """Register `review` and its sub-commands on the main CLI's subparsers."""
    review = subparsers.add_parser("review", help="radiologist review sessions (blinded reads)")
    sub = review.add_subparsers(dest="review_command", required=True)

    c = sub.add_parser("create", help="create a session from a folder, a zip or a sample set")
    _db_flag(c)
    c.add_argument("--name", required=True)
    src = c.add_mutually_exclusive_group(required=True)
    src.add_argument("--cases", help="folder (any depth; PNG/JPEG/DICOM) or .zip file")
    src.add_argument("--sample", type=int, help="N labelled images drawn from the data folder")
    c.add_argument("--data", help="dataset root for --sample (default: the configured one)")
    c.add_argument(
        "--labels", help="CSV with columns file (or path),label (NORMAL/PNEUMONIA or 0/1)"
    )
    c.add_argument("--threshold", type=float, help="AI threshold (default: the model's)")
    c.add_argument("--model", help="model name (default: the store's default)")
    c.add_argument("--seed", type=int, help="case-order seed (default: random, stored)")
    c.add_argument("--keep-names", action="store_true", help="store file names (off: privacy)")
    c.add_argument("--show-truth", action="store_true", help="readers see truth after reading")
    c.add_argument(
        "--open",
        action="store_true",
        help="anyone may read under a typed name (default: invited readers only)",
    )
    _url_flag(c)
    c.set_defaults(func=_guarded(cmd_create))

    v = sub.add_parser("invite", help="print a new link for one reader (the old one is revoked)")
    _db_flag(v)
    v.add_argument("--session", required=True)
    v.add_argument("--reader", required=True, help="the reader's pseudonym (no real names)")
    _url_flag(v)
    v.set_defaults(func=_guarded(cmd_invite))

    r = sub.add_parser("revoke", help="revoke a reader's link")
    _db_flag(r)
    r.add_argument("--session", required=True)
    r.add_argument("--reader", required=True)
    r.set_defaults(func=_guarded(cmd_revoke))

    o = sub.add_parser("owner-link", help="print a new owner link (the old one is revoked)")
    _db_flag(o)
    o.add_argument("--session", required=True)
    _url_flag(o)
    o.set_defaults(func=_guarded(cmd_owner_link))

    a = sub.add_parser("access", help="invite-only (readers need their link) or open")
    _db_flag(a)
    a.add_argument("--session", required=True)
    a.add_argument("mode", choices=("invite", "open"))
    a.set_defaults(func=_guarded(cmd_access))

    i = sub.add_parser("import-reads", help="import reads made elsewhere (CSV)")
    _db_flag(i)
    i.add_argument("--session", required=True)
    i.add_argument("--csv", required=True, help="columns reader,case,phase,verdict,confidence")
    i.add_argument("--cases", help="the session's folder, to match file names by content")
    i.set_defaults(func=_guarded(cmd_import_reads))

    s = sub.add_parser("summary", help="results: agreement, accuracy, AUC, flips")
    _db_flag(s)
    s.add_argument("--session", required=True)
    s.add_argument("--json", help="write the full results here (else print them)")
    s.set_defaults(func=_guarded(cmd_summary))

    e = sub.add_parser("export", help="iMRMC CSV and/or PDF session report")
    _db_flag(e)
    e.add_argument("--session", required=True)
    e.add_argument("--csv", help="iMRMC input CSV (readerID,caseID,modalityID,score)")
    e.add_argument("--pdf", help="PDF session report")
    e.set_defaults(func=_guarded(cmd_export))
