"""Command line for explanations: `build-index` (the nearest-case index shipped per model).

    python -m xray_core build-index [--model NAME] [--data DIR] [--dims 64]

Without --model every stored model gets its index (model_store/NAME/neighbours.npz). Rerun it
after training or replacing a model: the panel refuses an index built from another model file.
"""

from __future__ import annotations

import time


def cmd_build_index(args) -> int:
    from xray_core import config
    from xray_core.explain.nearest import build_index, save_index
    from xray_core.store.catalog import list_models, load_model

    root = config.data_dir(args.data)
    if root is None:
        raise SystemExit(f"no data folder: pass --data or set ${config.DATA_ENV_VAR}")
    for name in [args.model] if args.model else list_models(args.store):
        t0 = time.perf_counter()
        stored = load_model(name, args.store)
        index = build_index(stored, root, args.dims)
        path = save_index(stored.path, index)
        print(
            f"{name}: wrote {path} ({len(index.labels)} training images, "
            f"{index.features.shape[1]} dims, {path.stat().st_size / 1e6:.2f} MB, "
            f"{time.perf_counter() - t0:.0f} s)"
        )
    return 0


def add_parser(subparsers) -> None:
    """Register the explanation commands on the main CLI's subparsers."""
    from xray_core.explain.nearest import DIMS

    b = subparsers.add_parser(
        "build-index", help="build the nearest-case index of each model (features only)"
    )
    b.add_argument("--model", help="one model (default: every stored model)")
    b.add_argument("--data", help="dataset root; default ../shared/data/chest_xray")
    b.add_argument("--dims", type=int, default=DIMS, help="PCA dimensions kept")
    b.set_defaults(func=cmd_build_index)
