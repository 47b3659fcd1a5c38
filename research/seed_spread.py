"""Mean ± sd over seeds of a training recipe, from the runs' model cards.

    python -m research.seed_spread --recipe NAME=ENTRY,ENTRY,... [--recipe ...] [--json OUT]
        [--update | --append]

ENTRY is a store entry folder (holding card.json) of one run of the recipe, each with another
`--seed` (and the same `--split-seed`, so every run is judged on the same validation images).
Figures come from each card: plain validation (AUC, threshold, sensitivity / specificity at
the run's own threshold) and, for runs trained with `--calibration shifted`, the perturbed
validation (`xray_core.training.shift`: pooled AUC, sensitivity / specificity at the threshold,
specificity at sensitivity 0.95, worst view AUC, ECE); for runs trained with
`--hold-out-cohort`, the unseen cohort (AUC, specificity at the run's threshold and at
sensitivity 0.95, ECE). A hold-out run counts for the unseen-cohort figures only (its own
validation is another split), so one recipe can list its full-data seeds and its hold-out
seeds together. A figure no run has is left out of the table. Sample sd (n - 1).

--update keeps the recipes already in OUT (their runs may be gone: experiment stores are not
kept) and adds these, a recipe of the same NAME replaced in place, new ones last. --append
instead adds the runs to the recipe of the same NAME (a run of the same entry folder name
replaced) and recomputes its spread from all of them, so a recipe's runs can grow over time
after their stores are gone. Hold-out runs measured with `python -m xray_core card shift --only
aspect` also give the unseen cohort under the aspect views ("narrow 0.8": specificity at the run's
threshold; "wide 1.25": sensitivity).

A run read from the store itself (`model_store/NAME`) marks the recipe as shipped model NAME's
(its `model` key): the Compare page shows that recipe's spread beside the model.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def _unseen(card: dict) -> dict:
    """A hold-out run's figures on the cohort it never saw (KeyError for other runs)."""
    return card["held_out_cohort"]["held-out cohort"]


def _unseen_view(card: dict, view: str, key: str) -> float:
    """A hold-out run's figure on the unseen cohort under an aspect view (`card shift
    --only aspect` on the run); KeyError where it was not measured."""
    return card["held_out_cohort"]["aspect_views"][view][key]


FIGURES = {
    "plain AUC": lambda c, s: c["validation"]["auc"],
    "threshold": lambda c, s: c["threshold"],
    "plain sens": lambda c, s: c["validation"]["sensitivity"],
    "plain spec": lambda c, s: c["validation"]["specificity"],
    "shifted AUC": lambda c, s: s["shifted (pooled)"]["auc"],
    "shifted sens": lambda c, s: s["shifted (pooled)"]["sensitivity"],
    "shifted spec": lambda c, s: s["shifted (pooled)"]["specificity"],
    "shifted spec @ sens 0.95": lambda c, s: s["shifted (pooled)"]["spec_at_sens95"],
    "worst view AUC": lambda c, s: s["worst view"]["auc"],
    "shifted ECE": lambda c, s: s["shifted (pooled)"]["ece"],
    "unseen cohort AUC": lambda c, s: _unseen(c)["auc"],
    "unseen spec": lambda c, s: _unseen(c)["specificity"],
    "unseen spec @ sens 0.95": lambda c, s: _unseen(c)["spec_at_sens95"],
    "unseen ECE": lambda c, s: _unseen(c)["ece"],
    "unseen narrow 0.8 spec": lambda c, s: _unseen_view(c, "narrow 0.8", "specificity"),
    "unseen wide 1.25 sens": lambda c, s: _unseen_view(c, "wide 1.25", "sensitivity"),
    "train seconds": lambda c, s: c["training"]["seconds"],
}
UNSEEN = (
    "unseen cohort AUC",
    "unseen spec",
    "unseen spec @ sens 0.95",
    "unseen ECE",
    "unseen narrow 0.8 spec",
    "unseen wide 1.25 sens",
)
STORE_FOLDER = "model_store"


def run_figures(entry: Path) -> dict:
    """One run's figures (None where its card has no perturbed validation; a hold-out run has
    its unseen-cohort figures only)."""
    path = Path(entry) / "card.json"
    if not path.is_file():
        raise SystemExit(f"error: {path} not found: ENTRY must be a store entry folder")
    card = json.loads(path.read_text())
    shifted = card.get("shifted_validation")
    hold_out = "held_out_cohort" in card
    out = {"entry": Path(entry).name, "seed": card["training"]["config"]["seed"]}
    out["hold-out run"] = hold_out
    for name, get in FIGURES.items():
        if hold_out and name not in UNSEEN:
            out[name] = None
            continue
        try:
            out[name] = float(get(card, shifted))
        except (KeyError, TypeError):
            out[name] = None
    return out


def spread(runs: list[dict]) -> dict:
    """{figure: {"mean", "sd", "n"}} over the runs that have the figure (a run recorded before
    a figure existed lacks its key: it counts as not measured)."""
    out = {}
    for name in FIGURES:
        values = [r[name] for r in runs if r.get(name) is not None]
        if values:
            sd = float(np.std(values, ddof=1)) if len(values) > 1 else None
            out[name] = {"mean": float(np.mean(values)), "sd": sd, "n": len(values)}
    return out


def table(recipes: dict[str, dict]) -> str:
    """Markdown: one row per figure, one column per recipe, 'mean ± sd' (or the one run)."""
    names = list(recipes)
    runs = [runs_text(recipes[n]["runs"]) for n in names]
    lines = [
        "| figure | " + " | ".join(f"{n} ({k})" for n, k in zip(names, runs)) + " |",
        "|---" * (len(names) + 1) + "|",
    ]
    for figure in FIGURES:
        if all(figure not in recipes[n]["spread"] for n in names):
            continue
        cells = []
        for name in names:
            f = recipes[name]["spread"].get(figure)
            if f is None:
                cells.append("–")
            else:
                digits = 0 if figure == "train seconds" else 3
                mean, sd = f"{f['mean']:.{digits}f}", f["sd"]
                cells.append(f"{mean} (1 run)" if sd is None else f"{mean} ± {sd:.{digits}f}")
        lines.append(f"| {figure} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def runs_text(runs: list[dict]) -> str:
    """'3 runs', or '3 runs + 2 hold-out' when some are hold-out runs."""
    held = sum(bool(r.get("hold-out run")) for r in runs)
    full = len(runs) - held
    return f"{full} run{'s' * (full != 1)}" + (f" + {held} hold-out" if held else "")


def shipped_model(entries: list[str]) -> str | None:
    """The store model among a recipe's entries (an entry folder directly in model_store)."""
    names = [Path(e).name for e in entries if Path(e).resolve().parent.name == STORE_FOLDER]
    return names[0] if names else None


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recipe", action="append", required=True, help="NAME=ENTRY,ENTRY,...")
    ap.add_argument("--json", help="write the runs and spreads here")
    ap.add_argument(
        "--update", action="store_true", help="merge into the recipes already in --json"
    )
    ap.add_argument(
        "--append",
        action="store_true",
        help="add these runs to the recipe of the same NAME in --json (its runs kept)",
    )
    args = ap.parse_args(argv)
    for flag in ("update", "append"):
        if getattr(args, flag) and not args.json:
            raise SystemExit(f"error: --{flag} needs --json OUT (the file to merge into)")
    recipes = {}
    for spec in args.recipe:
        name, _, entries = spec.partition("=")
        paths = [e for e in entries.split(",") if e]
        runs = [run_figures(Path(e)) for e in paths]
        recipes[name] = {"model": shipped_model(paths), "runs": runs, "spread": spread(runs)}
    old = read_recipes(Path(args.json)) if args.update or args.append else {}
    if args.append:
        recipes = {name: appended(old.get(name), recipe) for name, recipe in recipes.items()}
    print(table(recipes))
    if args.json:
        Path(args.json).write_text(json.dumps(merged(old, recipes), indent=1) + "\n")
    return recipes


def read_recipes(path: Path) -> dict:
    """The recipes of an earlier --json file ({} when there is none yet)."""
    if not path.is_file():
        return {}
    try:
        old = json.loads(path.read_text())
    except ValueError as e:
        raise SystemExit(f"error: {path} is not JSON ({e}); not merged") from None
    if not isinstance(old, dict):
        raise SystemExit(f"error: {path} does not hold recipes by name; not merged")
    return old


def appended(old: dict | None, new: dict) -> dict:
    """NEW's runs added to recipe OLD's (a run of the same entry replaced), the spread recomputed
    from all of them: how runs from stores that are gone stay in the figures."""
    if old is None:
        return new
    runs = {r["entry"]: r for r in old.get("runs", [])}
    runs.update({r["entry"]: r for r in new["runs"]})
    every = list(runs.values())
    return {"model": new["model"] or old.get("model"), "runs": every, "spread": spread(every)}


def merged(old: dict, new: dict) -> dict:
    """OLD with NEW's recipes: one already there is replaced where it stands, others follow."""
    return {**{name: new.get(name, recipe) for name, recipe in old.items()}, **new}


if __name__ == "__main__":
    main()
