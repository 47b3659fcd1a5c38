"""Side-by-side comparison of stored models on their (shared) validation split."""

from __future__ import annotations

import json

from xray_core.config import store_dir
from xray_core.evaluation import external_test
from xray_core.predict.validation_scores import load_scores
from xray_core.stats import metrics
from xray_core.store.catalog import default_model, read_card
from xray_core.store.files import SEED_SPREAD_FILE
from xray_core.training import shift


def compare_models(names: list[str], root=None) -> list[dict]:
    """One row per model: AUC, operating point at its threshold, size, speed, n, data digest,
    whether it is the store's default (and the name as shown, "NAME (default)"), and the
    card's shift evidence (`shift_figures`)."""
    rows = []
    default = default_model(root) if names else None
    for name in names:
        card = read_card(name, root)
        scores = load_scores(name, root)
        row = {
            "model": name,
            "default": name == default,
            "label": name + (" (default)" if name == default else ""),
            **shift_figures(card),
            "architecture": card.architecture,
            "family": model_family(card.architecture, card.training.get("config") or {}),
            "parameters": card.parameters,
            "size_mb": round(card.model_bytes / 1e6, 2),
            "threshold": card.threshold,
            "sensitivity_target": card.training["config"].get("sensitivity_target"),
            "train_minutes": round(card.training["seconds"] / 60, 1),
        }
        if scores is not None:
            op = metrics.operating_point(scores["labels"], scores["probabilities"], card.threshold)
            row.update(
                auc=metrics.auc(scores["labels"], scores["probabilities"]),
                sensitivity=op["sensitivity"],
                specificity=op["specificity"],
                n=len(scores["labels"]),
                ms_per_image=scores.get("ms_per_image_batched"),
                data=scores["files_digest"],
            )
        rows.append(row)
    return rows


# Where each architecture sits in the classic notebooks' line-up (transfer models: see
# `model_family`).
FAMILIES = {
    "dense": "dense baseline",
    "cnn": "CNN from scratch",
    "resnet": "ResNet from scratch",
    "resnet_fast": "ResNet from scratch",
}


def model_family(architecture: str, config: dict) -> str:
    """The model's place in the line-up in a few words (a narrow table column): e.g. "CNN from
    scratch", "ImageNet, frozen" (CONFIG, the card's training config, has `finetune_epochs` 0)
    or "ImageNet, fine-tuned"; the architecture's own name when it is not known."""
    from xray_core.models.backbones import BACKBONES

    if architecture in BACKBONES:
        frozen = int(config.get("finetune_epochs", 1) or 0) <= 0
        return "ImageNet, " + ("frozen" if frozen else "fine-tuned")
    return FAMILIES.get(architecture, architecture)


def shift_figures(card) -> dict:
    """A card's figures under a shift, None where it records none: pooled AUC over the
    perturbed views of its validation, its recipe's unseen cohort (AUC, specificity at
    sensitivity 0.95, the cohort's name), specificity at the shipped threshold with the anatomy
    20% narrower (`shift.ASPECT_VIEWS`, `card shift`), and its weights on the
    withheld test split (AUC, specificity at the shipped threshold; `external_test`)."""
    pooled = (card.get("shifted_validation") or {}).get("shifted (pooled)") or {}
    hold = card.get("recipe_hold_out") or {}
    unseen = hold.get("held-out cohort") or {}
    test = external_test.figures(card) or {}
    narrow = (card.get("aspect_views") or {}).get(shift.NARROW_VIEW) or {}
    return {
        "perturbed_auc": pooled.get("auc"),
        "narrow_specificity": narrow.get("specificity"),
        "unseen_cohort": hold.get("cohort"),
        "unseen_auc": unseen.get("auc"),
        "unseen_spec95": unseen.get("spec_at_sens95"),
        "test_auc": test.get("auc"),
        "test_specificity": test.get("specificity"),
    }


SHIFT_KEYS = (
    "perturbed_auc",
    "narrow_specificity",
    "unseen_auc",
    "unseen_spec95",
    "test_auc",
    "test_specificity",
)


NOT_MEASURED = "—"  # a shift table's cell where the card records no figure


def shift_rows(rows: list[dict]) -> list[dict]:
    """The shift figures of `compare_models` rows as display text (3 decimals; NOT_MEASURED
    where a card records none, short so that six models' table fits the page), one row per
    model under its shown name."""
    out = []
    for r in rows:
        text = {k: NOT_MEASURED if r.get(k) is None else f"{r[k]:.3f}" for k in SHIFT_KEYS}
        out.append({"model": r["label"], **text})
    return out


def cohort_name(rows: list[dict]) -> str:
    """The held-out cohort the rows' unseen-cohort figures share ("NORMAL2"); "cohort" when
    none is recorded or they differ (a column header must not name the wrong one)."""
    names = {r.get("unseen_cohort") for r in rows if r.get("unseen_cohort")}
    return names.pop() if len(names) == 1 else "cohort"


def targets_text(rows: list[dict]) -> str:
    """Each model's threshold rule in words, grouped by the validation sensitivity it targets,
    e.g. 'sensitivity >= 0.95 for a, b; >= 0.97 for c'."""
    groups: dict = {}
    for row in rows:
        groups.setdefault(row.get("sensitivity_target"), []).append(row["model"])
    known = sorted(t for t in groups if t is not None)
    parts = [f">= {t:.2f} for {', '.join(groups[t])}" for t in known]
    if None in groups:
        parts.append(f"not recorded for {', '.join(groups[None])}")
    return "sensitivity " + "; ".join(parts) if parts else ""


def same_validation_data(rows: list[dict]) -> bool:
    """True when every compared model was scored on the same validation files."""
    return len({r.get("data") for r in rows}) == 1


def roc_curves(names: list[str], root=None) -> dict[str, dict]:
    """ROC points per model (fpr, tpr, thresholds) from stored validation scores."""
    out = {}
    for name in names:
        s = load_scores(name, root)
        if s is not None:
            out[name] = metrics.roc_points(s["labels"], s["probabilities"])
    return out


# Columns of the seed-spread table: its key -> the figure's name in seed_spread.json.
SPREAD_FIGURES = {
    "plain_auc": "plain AUC",
    "perturbed_auc": "shifted AUC",
    "perturbed_spec95": "shifted spec @ sens 0.95",
    "unseen_auc": "unseen cohort AUC",
    "unseen_spec95": "unseen spec @ sens 0.95",
    "unseen_ece": "unseen ECE",
    "unseen_narrow_spec": "unseen narrow 0.8 spec",
}


def recipe_spreads(root=None) -> dict[str, dict]:
    """The store's seed_spread.json as {model name: its recipe's entry}; {} when the file is
    missing or unreadable (the table is then left out, the page still works)."""
    path = store_dir(root) / SEED_SPREAD_FILE
    try:
        recipes = json.loads(path.read_text())
        return {r["model"]: r for r in recipes.values() if r.get("model")}
    except (OSError, ValueError, AttributeError, TypeError, KeyError):
        return {}


def spread_rows(rows: list[dict], spreads: dict[str, dict]) -> list[dict]:
    """One row per compared model: how many full-data and hold-out runs its recipe has
    ("seeds", "hold_out_seeds": "3", or "none") and each SPREAD_FIGURES figure as
    "mean ± sd" (3 decimals), "x (1 run)", or "not measured"; "(n of N runs)" follows when
    fewer of the recipe's runs of that kind measured the figure."""
    out = []
    for r in rows:
        recipe = spreads.get(r["model"]) or {}
        runs = recipe.get("runs") or []
        held = sum(bool(run.get("hold-out run")) for run in runs)
        row = {
            "model": r["label"],
            "seeds": _count(len(runs) - held),
            "hold_out_seeds": _count(held),
        }
        figures = recipe.get("spread") or {}
        for key, name in SPREAD_FIGURES.items():
            of = held if key.startswith("unseen") else len(runs) - held
            row[key] = _mean_sd_text(figures.get(name), of)
        out.append(row)
    return out


# The seed table's two views (each fits a laptop screen): label -> its columns.
SPREAD_VIEWS = {
    "on validation": ("model", "seeds", "plain_auc", "perturbed_auc", "perturbed_spec95"),
    "on the unseen cohort": (
        "model",
        "hold_out_seeds",
        "unseen_auc",
        "unseen_spec95",
        "unseen_ece",
        "unseen_narrow_spec",
    ),
}


def _count(n: int) -> str:
    return str(n) if n else "none"


def _mean_sd_text(figure: dict | None, runs: int = 0) -> str:
    """'mean ± sd', or 'x (1 run)'; '(n of RUNS runs)' when fewer than RUNS measured it."""
    if not figure or figure.get("mean") is None:
        return "not measured"
    n, single = figure.get("n"), figure.get("sd") is None
    text = f"{figure['mean']:.3f}" if single else f"{figure['mean']:.3f} ± {figure['sd']:.3f}"
    if n is not None and n < runs:
        return f"{text} ({n} of {runs} runs)"
    return f"{text} (1 run)" if single else text
