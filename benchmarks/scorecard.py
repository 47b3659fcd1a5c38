"""The test-split scorecard: every shipped model scored on one folder, each against its goals.

    python -m benchmarks.scorecard --data TEST --out DIR [--model NAME ...] [--store STORE]

Written for whoever holds the withheld official test split (a folder with NORMAL/ and
PNEUMONIA/, or a Kaggle root whose `test` split is scored): one command, then DIR goes back.
DIR gets, per model, NAME.json: exactly what `python -m xray_core evaluate --data TEST --model
NAME --json` writes (figures, counts, 95% intervals, per-file-name-cohort rows; no file name or
patient id), and scorecard.md: the table printed here, each goal marked met or not. Back in
the project, each model's figures go on its card with
    cp DIR/NAME.json model_store/NAME/external_test.json
    python -m xray_core card external-test --model NAME --source "..." --write
(refused when the weights or the threshold changed since the scoring). The table also gives
each model's AUC minus the default's on the same images, with a paired bootstrap interval: the
figure that says whether another model beats the default there.

The goals: the default model's AUC >= 0.975, sensitivity >= 0.95 and specificity
>= 0.85 at its shipped threshold, ECE <= 0.08; every shipped model's AUC above 0.93.
Cost: one `evaluate` per model; all nine shipped models on the 16 official `val` images took
10-15 s here (2-core CPU, model loading included).
"""

from __future__ import annotations

import argparse
import json
import operator
from pathlib import Path

import numpy as np

from xray_core.stats.uncertainty import N_RESAMPLES, auc_difference_interval

# (figure key, what it is, comparison, line): the default model's goals, in the order.
DEFAULT_GOALS = (
    ("auc", "AUC", ">=", 0.975),
    ("sensitivity", "sensitivity at the shipped threshold", ">=", 0.95),
    ("specificity", "specificity at the shipped threshold", ">=", 0.85),
    ("ece", "ECE", "<=", 0.08),
)
EVERY_MODEL_AUC = 0.93  # every shipped model strictly above
COMPARE = {">=": operator.ge, "<=": operator.le, ">": operator.gt}
SCORECARD_FILE = "scorecard.md"
PAIRED_METHOD = (
    f"95% percentile interval over {N_RESAMPLES} class-stratified bootstrap resamples of the "
    "images shared by both models (seed 0)"
)


def goal_rows(evaluations: dict[str, dict], default: str) -> list[dict]:
    """Each goal against EVALUATIONS ({model name: `evaluate` output}):
    [{"goal": text, "figure": float or None, "met": bool}]; a missing figure is not met."""
    rows = []
    for key, what, op, line in DEFAULT_GOALS:
        rows.append(
            _row(f"{default} (default): {what} {op} {line}", evaluations[default], key, op, line)
        )
    for name, evaluation in evaluations.items():
        rows.append(
            _row(f"{name}: AUC > {EVERY_MODEL_AUC}", evaluation, "auc", ">", EVERY_MODEL_AUC)
        )
    return rows


def _row(goal: str, evaluation: dict, key: str, op: str, line: float) -> dict:
    figure = evaluation.get(key)
    met = figure is not None and COMPARE[op](float(figure), line)
    return {"goal": goal, "figure": None if figure is None else float(figure), "met": met}


def _f(value, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _interval(evaluation: dict, key: str) -> str:
    ci = (evaluation.get("ci") or {}).get(key)
    if isinstance(ci, str):  # uncertainty.TOO_FEW: no interval from so few cases
        return f" ({ci})"
    return "" if not ci else f" [{ci[0]:.3f}, {ci[1]:.3f}]"


def cohort_text(evaluation: dict) -> str:
    """Share of each file-name cohort's normals called PNEUMONIA, e.g. "NORMAL2 0.33 (n 165)"."""
    rows = evaluation.get("cohorts") or {}
    parts = [
        f"{name.removeprefix('NORMAL ')} {1 - row['specificity']:.2f} (n {row['n']})"
        for name, row in rows.items()
        if name.startswith("NORMAL ")
    ]
    return ", ".join(parts) or "-"


def paired_text(difference: tuple[float, list[float]] | None) -> str:
    """ "+0.156 [-0.047, +0.422]", or "-" (the default's own row, or one class)."""
    if difference is None:
        return "-"
    diff, (lo, hi) = difference
    return f"{diff:+.3f} [{lo:+.3f}, {hi:+.3f}]"


def table(evaluations: dict[str, dict], default: str, vs_default: dict | None = None) -> str:
    """The figures of every model as a Markdown table, the default first. VS_DEFAULT: {name:
    `uncertainty.auc_difference_interval` against the default} (the paired column)."""
    vs_default = vs_default or {}
    head = (
        "| model | n | AUC [95% CI] | AUC - default's [paired 95% CI] | threshold | sensitivity "
        "| specificity | accuracy | ECE | spec @ sens 0.95 | normals flagged, by file-name cohort |"
        "\n|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for name in sorted(evaluations, key=lambda n: (n != default, n)):
        e = evaluations[name]
        label = f"{name} (default)" if name == default else name
        lines.append(
            f"| {label} | {e['n']} | {_f(e['auc'])}{_interval(e, 'auc')} | "
            f"{paired_text(vs_default.get(name))} | {_f(e['threshold'], 4)} | "
            f"{_f(e['sensitivity'])} | {_f(e['specificity'])} | "
            f"{_f(e['accuracy'])} | {_f(e.get('ece'))} | {_f(e.get('spec_at_sens95'))} | "
            f"{cohort_text(e)} |"
        )
    return "\n".join(lines)


def goals_text(rows: list[dict]) -> str:
    met = sum(r["met"] for r in rows)
    lines = [f"Goals: {met} of {len(rows)} met."]
    lines += [f"- [{'x' if r['met'] else ' '}] {r['goal']}: {_f(r['figure'])}" for r in rows]
    return "\n".join(lines)


def report(
    evaluations: dict[str, dict], default: str, folder: str, vs_default: dict | None = None
) -> str:
    return (
        f"# Scorecard: every shipped model on {folder}\n\n"
        f"Each model at its shipped threshold (`python -m benchmarks.scorecard`). The paired "
        f"column: each model's AUC minus the default's on the same images, with a "
        f"{PAIRED_METHOD}.\n\n"
        f"{table(evaluations, default, vs_default)}\n\n"
        f"{goals_text(goal_rows(evaluations, default))}\n"
    )


def differences(scores: dict[str, tuple], default: str) -> dict:
    """{name: paired AUC difference against the default} from {name: (labels, P)}."""
    y, p_default = scores[default]
    out = {}
    for name, (labels, p) in scores.items():
        if name != default:
            if not np.array_equal(labels, y):
                raise ValueError(f"{name} scored other images than {default}")
            out[name] = auc_difference_interval(y, p_default, p)
    return out


def main(argv=None) -> dict:
    from xray_core.cli.main import eval_folder
    from xray_core.dataset.folders import DatasetError
    from xray_core.evaluation.folder import evaluate_with_scores
    from xray_core.store.catalog import StoreError, default_model, list_models, load_model

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="NORMAL/ + PNEUMONIA/ folder, or a Kaggle root")
    ap.add_argument("--out", required=True, type=Path, help="folder for NAME.json + scorecard.md")
    ap.add_argument("--model", nargs="+", help="only these models (default: every shipped one)")
    ap.add_argument(
        "--store", help="model store folder (default model_store/ or $XRAY_MODEL_STORE)"
    )
    args = ap.parse_args(argv)
    try:
        default = default_model(args.store)
    except StoreError as e:
        raise SystemExit(f"error: {e}") from None
    stored = list_models(args.store)
    names = args.model or stored
    unknown = sorted(set(names) - set(stored))
    if unknown:
        raise SystemExit(f"error: no stored model {', '.join(unknown)}")
    if default not in names:
        names = [default, *names]  # the goals are the default's: it is always scored
    try:
        folder = eval_folder(args.data, None)
    except DatasetError as e:
        raise SystemExit(f"error: {e}") from None
    args.out.mkdir(parents=True, exist_ok=True)
    evaluations, scores = {}, {}
    for name in names:
        evaluation, y, p = evaluate_with_scores(load_model(name, args.store), folder)
        (args.out / f"{name}.json").write_text(json.dumps(evaluation, indent=2) + "\n")
        print(f"{name}: n {evaluation['n']}, AUC {_f(evaluation['auc'])}", flush=True)
        evaluations[name], scores[name] = evaluation, (y, p)
    text = report(evaluations, default, folder.name, differences(scores, default))
    (args.out / SCORECARD_FILE).write_text(text)
    print(text)
    return evaluations


if __name__ == "__main__":
    main()
