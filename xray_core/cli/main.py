"""Command line: train, evaluate, predict, rescore, fit-gate, models, and the feature commands.

Thin: parse, call the core, print. Building the parser imports no TensorFlow (`--help` is
instant); each command imports what it needs when it runs.

To add a command: write `xray_core/cli_<feature>.py` with `add_parser(subparsers) -> None`
that registers its sub-command(s) with `set_defaults(func=...)` (func: args -> exit code),
imports nothing heavy at module level, and add its module name to FEATURE_MODULES below.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
from pathlib import Path

from xray_core import config
from xray_core.cli.args import OneLineParser, output_file, threshold

EXIT_OK, EXIT_ERROR, EXIT_REFUSED = 0, 1, 2

# Feature commands, one module per line, sorted (each has add_parser(subparsers)).
FEATURE_MODULES: tuple[str, ...] = (
    "xray_core.cli.card",
    "xray_core.cli.explain",
    "xray_core.cli.report",
    "xray_core.cli.review",
    "xray_core.cli.score",
    "xray_core.cli.site",
)


def _quiet_tensorflow() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _data_root(arg: str | None) -> Path:
    root = config.data_dir(arg)
    if root is None:
        raise SystemExit(f"no data folder: pass --data or set ${config.DATA_ENV_VAR}")
    return root


def cmd_train(args) -> int:
    from xray_core.training.train import train

    cfg = train_config(args)
    out = Path(args.out)
    train(cfg, _data_root(args.data), out.name, store_root=out.parent)
    if args.set_default:
        from xray_core.store.catalog import set_default

        set_default(out.name, out.parent)
    return EXIT_OK


def eval_folder(data: str | None, split: str | None) -> Path:
    """The folder `evaluate` scores: DATA itself when it holds NORMAL/ and PNEUMONIA/, else its
    split `split` (default: test, else val) of a Kaggle layout. DATA defaults like `--data`
    everywhere: $XRAY_DATA_DIR, then ../shared/data/chest_xray."""
    from xray_core.dataset.folders import DatasetError, find_splits

    root = _data_root(data)
    splits = find_splits(root)
    if "all" in splits:
        return splits["all"]
    name = split or next((s for s in ("test", "val") if s in splits), None)
    if name not in splits:
        raise DatasetError(f"{root}: no split {name!r}; found {', '.join(splits) or 'none'}.")
    return splits[name]


def cmd_evaluate(args) -> int:
    from xray_core.cli.site import with_site
    from xray_core.evaluation.folder import evaluate_folder
    from xray_core.store.catalog import load_model

    folder = eval_folder(args.data, args.split)
    stored = with_site(load_model(args.model, args.store), args.site)
    unreadable: list[str] = []
    result = json_safe(evaluate_folder(stored, folder, args.threshold, unreadable))
    if unreadable:
        print(
            f"warning: {len(unreadable)} files could not be read and are left out of the "
            f"figures (first: {unreadable[0]})",
            file=sys.stderr,
        )
    text = json.dumps(result, indent=2, allow_nan=False)
    if args.json:
        Path(args.json).write_text(text + "\n")
    keys = ("model", "n", "auc", "accuracy", "sensitivity", "specificity", "threshold")
    print(json.dumps({k: result[k] for k in keys}, allow_nan=False))
    return EXIT_OK


def json_safe(value):
    """VALUE with every non-finite float (NaN, inf) as None: JSON that every parser reads."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def cmd_predict(args) -> int:
    from xray_core.cli.site import with_site
    from xray_core.io.decode import ImageError
    from xray_core.io.safe_files import printable
    from xray_core.io.study import load_study
    from xray_core.predict.assess import assess
    from xray_core.store.catalog import load_gatekeeper, load_model

    stored = with_site(load_model(args.model, args.store), args.site)
    keeper = load_gatekeeper(stored, args.store)
    refused = False
    for f in args.files:
        try:
            result = assess(stored, load_study(f), args.threshold, keeper)
            if result.ok or args.no_gate:
                row = {"file": f, **result.prediction.to_dict()}
            else:
                row, refused = {"file": f, "error": f"{Path(f).name}: {result.gate.reason}."}, True
        except ImageError as exc:
            row, refused = {"file": f, "error": str(exc)}, True
        if args.json:
            print(json.dumps(json_safe(row), allow_nan=False), flush=True)
        elif "error" in row:
            print(f"{printable(f)}: ERROR {row['error']}")
        else:
            print(
                f"{printable(f)}: {row['label']} (P(pneumonia) {row['probability']:.3f}, "
                f"threshold {row['threshold']:.3f}, model {row['model']})"
            )
    return EXIT_REFUSED if refused else EXIT_OK


def cmd_rescore(args) -> int:
    from xray_core.predict.validation_scores import (
        compute_scores,
        operating_point_from_scores,
        save_scores,
    )
    from xray_core.store.catalog import list_models, load_model, write_card

    for name in [args.model] if args.model else list_models(args.store):
        stored = load_model(name, args.store)
        scores = compute_scores(stored, _data_root(args.data))
        path = save_scores(name, scores, args.store)
        card = operating_point_from_scores(stored.card, scores)
        write_card(name, card, args.store)
        v = card.validation
        print(
            f"{name}: wrote {path}; threshold {card.threshold:.3f}, sensitivity "
            f"{v['sensitivity']:.3f}, specificity {v['specificity']:.3f}, AUC {v['auc']:.4f}"
        )
    return EXIT_OK


def gate_reads(fitted: dict) -> str:
    """One line: which feature blocks a fitted gate reads, and the pooled layers it left out."""
    from xray_core.gate.ood import UPLOAD_LIMIT, layers

    kept = layers(fitted)
    text = "reads the penultimate vector" + (f" + {', '.join(kept)}" if kept else "")
    left = [str(n) for n in fitted.get("candidate_layers", []) if str(n) not in kept]
    return text + (
        f"; left out (refused > {UPLOAD_LIMIT:.0%} of the sample uploads): {', '.join(left)}"
        if left
        else ""
    )


def cmd_fit_gate(args) -> int:
    from xray_core.predict.validation_scores import fit_model_gate
    from xray_core.store.catalog import list_models, load_model

    for name in [args.model] if args.model else list_models(args.store):
        path, fitted = fit_model_gate(load_model(name, args.store), _data_root(args.data))
        print(
            f"{name}: wrote {path} (cut-off {float(fitted['cutoff']):.1f}, "
            f"{int(fitted['n_train'])} train / {int(fitted['n_val'])} validation images; "
            f"{gate_reads(fitted)})"
        )
    return EXIT_OK


def cmd_models(args) -> int:
    from xray_core.store.catalog import default_model, list_models, read_card

    default = default_model(args.store) if list_models(args.store) else None
    for name in list_models(args.store):
        card = read_card(name, args.store)
        auc = card.validation.get("auc")
        print(
            f"{'*' if name == default else ' '} {name}: {card.architecture}, "
            f"val AUC {'n/a' if auc is None else f'{auc:.4f}'}, threshold {card.threshold:.3f}"
        )
    return EXIT_OK


def add_train_config_flags(parser) -> None:
    """One flag per `TrainConfig` field, from its metadata (`xray_core.training.config.option`):
    flag (default `--field-name`; `--no-field-name` for a negated bool), help, metavar, choices
    (an enum field's values), type (the field's int or float), the field's default; the parsed
    value lands in `args.<field name>`."""
    from dataclasses import MISSING, fields

    from xray_core.training.config import TrainConfig, enum_fields, field_types

    types, enums = field_types(), enum_fields()
    for f in fields(TrainConfig):
        meta, kind = f.metadata, types[f.name]
        negate = meta.get("negate", False)  # a bool option on by default, --no-NAME turns it off
        flag = meta.get("flag", ("--no-" if negate else "--") + f.name.replace("_", "-"))
        if negate:
            parser.add_argument(flag, dest=f.name, action="store_false", help=meta["help"])
            continue
        choices = meta.get("choices") or (
            tuple(m.value for m in enums[f.name]) if f.name in enums else None
        )
        parser.add_argument(
            flag,
            dest=f.name,
            type=kind if kind in (int, float) else None,
            default=None if f.default is MISSING or meta.get("required") else f.default,
            choices=choices,
            required=meta.get("required", False),
            metavar=meta.get("metavar")
            or (None if choices else flag[2:].replace("-", "_").upper()),
            help=meta["help"],
        )


def train_config(args):
    """The `TrainConfig` the parsed `train` flags give. A field's `parse` (json.loads for
    --options) runs here, so a bad value is a ValueError that `main` prints in one line."""
    from dataclasses import MISSING, fields

    from xray_core.training.config import TrainConfig

    values = {}
    for f in fields(TrainConfig):
        value = getattr(args, f.name)
        if parse := f.metadata.get("parse"):
            value = parse(value) if value else None
        if value is None and f.default is MISSING:  # a field with a default factory
            continue
        values[f.name] = value
    return TrainConfig(**values)


def add_train_parser(sub) -> None:
    t = sub.add_parser("train", help="train a model into the store")
    run = t.add_argument_group("run")
    run.add_argument("--out", required=True, help="store entry, e.g. model_store/my_resnet")
    run.add_argument(
        "--data", help="dataset root (Kaggle layout); default ../shared/data/chest_xray"
    )
    run.add_argument("--set-default", action="store_true", help="make this the store's default")
    add_train_config_flags(t.add_argument_group("training configuration (recorded on the card)"))
    t.set_defaults(func=cmd_train)


def add_evaluate_parser(sub) -> None:
    e = sub.add_parser("evaluate", help="score a folder with NORMAL/ and PNEUMONIA/")
    e.add_argument(
        "--data",
        help="folder with NORMAL/ and PNEUMONIA/, or a Kaggle root (then --split); default "
        "$XRAY_DATA_DIR, then ../shared/data/chest_xray",
    )
    e.add_argument("--split", help="split of a Kaggle root to score (default test, else val)")
    e.add_argument("--model", help="stored model name (default: the store's default)")
    e.add_argument(
        "--threshold", type=threshold, help="decision threshold in [0, 1] (default: the card's)"
    )
    e.add_argument("--json", type=output_file, help="write the full JSON report here")
    e.add_argument("--site", help="apply a site profile (its threshold and calibration)")
    e.set_defaults(func=cmd_evaluate)


def add_predict_parser(sub) -> None:
    r = sub.add_parser("predict", help="score image files")
    r.add_argument("files", nargs="+", help="PNG, JPEG, BMP, TIFF or DICOM files")
    r.add_argument("--model", help="stored model name (default: the store's default)")
    r.add_argument(
        "--threshold",
        type=threshold,
        help="decision threshold in [0, 1] (default: the model's shipped one)",
    )
    r.add_argument("--json", action="store_true", help="one JSON object per line")
    r.add_argument("--site", help="apply a site profile (its threshold and calibration)")
    r.add_argument(
        "--no-gate",
        action="store_true",
        help="score even images the out-of-distribution gate refuses",
    )
    r.set_defaults(func=cmd_predict)


def add_rescore_parser(sub) -> None:
    s = sub.add_parser(
        "rescore", help="recompute validation scores and the card's operating point (all models)"
    )
    s.add_argument("--model", help="only this stored model (default: all)")
    s.add_argument("--data", help="dataset root; default ../shared/data/chest_xray")
    s.set_defaults(func=cmd_rescore)


def add_fit_gate_parser(sub) -> None:
    g = sub.add_parser("fit-gate", help="fit the out-of-distribution gate (all models)")
    g.add_argument("--model", help="only this stored model (default: all)")
    g.add_argument("--data", help="dataset root; default ../shared/data/chest_xray")
    g.set_defaults(func=cmd_fit_gate)


def add_models_parser(sub) -> None:
    m = sub.add_parser("models", help="list stored models (* = default)")
    m.set_defaults(func=cmd_models)


CORE_PARSERS = (
    add_train_parser,
    add_evaluate_parser,
    add_predict_parser,
    add_rescore_parser,
    add_fit_gate_parser,
    add_models_parser,
)


def build_parser() -> argparse.ArgumentParser:
    """The parser: global --store, the core commands, then FEATURE_MODULES' commands."""
    p = OneLineParser(
        prog="python -m xray_core",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--store", help="model store folder (default model_store/ or $XRAY_MODEL_STORE)")
    sub = p.add_subparsers(dest="command", required=True)
    for add in CORE_PARSERS:
        add(sub)
    for module in FEATURE_MODULES:
        importlib.import_module(module).add_parser(sub)
    return p


def main(argv=None) -> int:
    _quiet_tensorflow()
    args = build_parser().parse_args(argv)
    from xray_core.cli.native_noise import filtered_stderr
    from xray_core.dataset.folders import DatasetError
    from xray_core.store.catalog import StoreError

    try:
        with filtered_stderr():
            return args.func(args)
    except (StoreError, DatasetError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
