"""Side-by-side comparison of stored models on their (shared) validation split."""

from __future__ import annotations

from xray_core import metrics
from xray_core.scores import load_scores
from xray_core.store import read_card


def compare_models(names: list[str], root=None) -> list[dict]:
    """One row per model: AUC, operating point at its threshold, size, speed, n, data digest."""
    rows = []
    for name in names:
        card = read_card(name, root)
        scores = load_scores(name, root)
        row = {
            "model": name,
            "architecture": card.architecture,
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
