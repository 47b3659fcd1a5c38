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
    from xray_core.training.train import TrainConfig, train

    options = json.loads(args.options) if args.options else {}
    cfg = TrainConfig(
        arch=args.arch,
        epochs=args.epochs,
        finetune_epochs=args.finetune_epochs,
        batch_size=args.batch_size,
        learning_rate=args.lr,
        patience=args.patience,
        val_fraction=args.val_fraction,
        seed=args.seed,
        split_seed=args.split_seed,
        augment=not args.no_augment,
        clahe=not args.no_clahe,
        class_weights=not args.no_class_weights,
        sensitivity_target=args.sensitivity,
        limit=args.limit,
        options=options,
        acquisition=args.acquisition,
        acquisition_phase=args.acquisition_phase,
        label_smoothing=args.label_smoothing,
        mixup=args.mixup,
        ema=args.ema,
        finetune_learning_rate=args.finetune_lr,
        finetune_from=args.finetune_from,
        calibration=args.calibration,
        init_from=args.init_from,
        hold_out_cohort=args.hold_out_cohort,
    )
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


def add_train_parser(sub) -> None:
    from xray_core.dataset.folders import HOLD_OUTS
    from xray_core.models.registry import ARCHITECTURES

    t = sub.add_parser("train", help="train a model into the store")
    t.add_argument("--arch", required=True, choices=ARCHITECTURES, help="architecture to build")
    t.add_argument("--out", required=True, help="store entry, e.g. model_store/my_resnet")
    t.add_argument("--data", help="dataset root (Kaggle layout); default ../shared/data/chest_xray")
    t.add_argument("--epochs", type=int, default=14, help="at most this many epochs (default 14)")
    t.add_argument(
        "--finetune-epochs",
        type=int,
        default=4,
        help="transfer models: epochs with the last backbone blocks unfrozen (default 4)",
    )
    t.add_argument("--batch-size", type=int, default=32, help="images per step (default 32)")
    t.add_argument("--lr", type=float, default=2e-3, help="Adam learning rate (default 2e-3)")
    t.add_argument(
        "--patience",
        type=int,
        default=4,
        help="stop after this many epochs without a better validation AUC (default 4)",
    )
    t.add_argument(
        "--val-fraction",
        type=float,
        default=0.15,
        help="share of patients held out for validation (default 0.15)",
    )
    t.add_argument("--seed", type=int, default=42, help="initialisation, order (default 42)")
    t.add_argument(
        "--split-seed", type=int, help="patient split seed (default: --seed); fix it across seeds"
    )
    t.add_argument("--sensitivity", type=float, default=0.97, help="threshold's sensitivity target")
    t.add_argument("--limit", type=int, help="at most N training images per class (smoke runs)")
    t.add_argument("--options", help="builder options as JSON, e.g. '{\"dilation\": 2}'")
    t.add_argument(
        "--acquisition",
        choices=("default", "strong", "shape", "shape_mild"),
        help="acquisition-style augmentation preset on raw gray, before CLAHE"
        " (xray_core.training.augment);"
        " shape: strong plus the original's aspect ratio x0.67-1.5; shape_mild: x0.8-1.25",
    )
    t.add_argument(
        "--acquisition-phase",
        choices=("all", "head"),
        default="all",
        help="perturb in every epoch, or (transfer models) only while the backbone is frozen",
    )
    t.add_argument(
        "--label-smoothing", type=float, default=0.0, help="targets pulled toward 0.5 by this"
    )
    t.add_argument(
        "--mixup",
        type=float,
        default=0.0,
        metavar="ALPHA",
        help="mix training images and targets, weight ~ Beta(ALPHA, ALPHA), e.g. 0.2; 0: off",
    )
    t.add_argument(
        "--ema",
        type=float,
        default=0.0,
        metavar="MOMENTUM",
        help="keep an exponential moving average of the weights (e.g. 0.995), validated and "
        "saved in their place; 0: off",
    )
    t.add_argument("--init-from", help="stored model to start from (same arch, contract, split)")
    t.add_argument(
        "--calibration",
        choices=("validation", "shifted"),
        default="validation",
        help="fit Platt scaling on validation, or on validation + its perturbed views",
    )
    t.add_argument(
        "--hold-out-cohort",
        choices=HOLD_OUTS,
        help="keep this file-name cohort (or lowest-ids: the 15%% of patients with the lowest "
        "ids in each id space) out of training and validation; the card reports the model on "
        "it (a cohort-shift validation; not for a model you ship)",
    )
    t.add_argument("--finetune-lr", type=float, default=1e-4, help="transfer models' 2nd phase")
    t.add_argument(
        "--finetune-from",
        metavar="LAYER",
        help="transfer models: first backbone layer to unfreeze (default: the backbone's own, "
        "e.g. block_13_expand); BatchNorm stays frozen",
    )
    t.add_argument("--no-augment", action="store_true", help="train without augmentation")
    t.add_argument("--no-clahe", action="store_true", help="inputs without CLAHE equalisation")
    t.add_argument("--no-class-weights", action="store_true", help="ignore the 1:3 class imbalance")
    t.add_argument("--set-default", action="store_true", help="make this the store's default")
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
