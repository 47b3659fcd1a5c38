"""What the model gets right and wrong: validation images sorted into TP / FP / FN.

The files come from the model's own validation split, re-created from the data folder
(`xray_core.predict.validation_scores.validation_samples`). The stored validation scores hold
labels and probabilities in that same order (scoring keeps the sample order) and a digest of the
file list; both are checked before a score is attached to a file, so a changed data folder gives an
error instead of a wrong picture.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from xray_core.predict.validation_scores import files_digest, validation_samples
from xray_core.store.card import ModelCard
from xray_core.text.wording import percent

KINDS = {
    "tp": "True positive: pneumonia, flagged",
    "fp": "False positive: normal, flagged",
    "fn": "False negative: pneumonia, missed",
    "tn": "True negative: normal, cleared",
}


class GalleryError(ValueError):
    """The data folder does not hold the files the stored scores were computed on."""


@dataclass(frozen=True)
class GalleryCase:
    """One validation image. probability: calibrated P(pneumonia) in [0, 1]; label 0/1."""

    kind: str  # one of KINDS
    path: Path
    label: int
    probability: float

    @property
    def title(self) -> str:
        return KINDS[self.kind]

    @property
    def case_id(self) -> str:
        """'case 3f9a1c': a stable neutral name (file names carry the dataset's patient ids,
        which no caption or export shows)."""
        return "case " + hashlib.sha256(self.path.name.encode()).hexdigest()[:6]

    @property
    def caption(self) -> str:
        truth = "pneumonia" if self.label else "normal"
        return f"{self.case_id} · truth {truth} · P(pneumonia) {percent(self.probability)}"


def classify(labels, probabilities, threshold: float) -> np.ndarray:
    """(N,) array of 'tp' / 'fp' / 'fn' / 'tn' for labels 0/1 and scores at `threshold`."""
    y = np.asarray(labels).astype(int)
    flagged = np.asarray(probabilities, dtype=np.float64) >= threshold
    kinds = np.where(flagged, np.where(y == 1, "tp", "fp"), np.where(y == 1, "fn", "tn"))
    return kinds.astype("<U2")


def pick(kinds: np.ndarray, probabilities, kind: str, k: int) -> list[int]:
    """Indices of up to k cases of `kind`, the most telling first.

    False positives: highest P(pneumonia) first (the most confident false alarms); false
    negatives: lowest first (the most confident misses); true positives and negatives: spread
    evenly over their score range (typical cases, not only the easiest).
    """
    p = np.asarray(probabilities, dtype=np.float64)
    idx = np.flatnonzero(kinds == kind)
    if len(idx) == 0 or k <= 0:
        return []
    order = idx[np.argsort(p[idx], kind="stable")]
    if kind == "fp":
        return order[::-1][:k].tolist()
    if kind == "fn":
        return order[:k].tolist()
    spread = np.unique(np.linspace(0, len(order) - 1, min(k, len(order))).round().astype(int))
    return order[spread][::-1].tolist()


def gallery_cases(
    card: ModelCard,
    scores: dict,
    data_root: Path,
    threshold: float,
    per_kind: int = 3,
    kinds: tuple[str, ...] = ("tp", "fp", "fn"),
) -> dict[str, list[GalleryCase]]:
    """Up to `per_kind` validation cases per kind at `threshold`, with their files.

    Raises GalleryError when the data folder's validation files differ from the scored ones.
    Returns {kind: [GalleryCase, ...]} in the order of `kinds` (a kind may be empty).
    """
    try:
        samples = validation_samples(card, Path(data_root))
    except (KeyError, OSError, ValueError) as exc:  # no train split, unreadable folder
        raise GalleryError(
            f"{data_root} does not hold the training data {card.name} was split from "
            f"({type(exc).__name__}: {exc}); point at the dataset root, or rescore."
        ) from None
    labels = np.asarray(scores["labels"]).astype(int)
    if len(samples) != len(labels) or files_digest(samples) != scores.get("files_digest"):
        raise GalleryError(
            f"the validation files under {data_root} ({len(samples)}) are not the ones "
            f"{card.name} was scored on ({len(labels)}); run `python -m xray_core rescore`."
        )
    if not np.array_equal([s.label for s in samples], labels):
        raise GalleryError("validation labels differ from the stored scores' order.")
    p = scores["probabilities"]
    found = classify(labels, p, threshold)
    return {
        kind: [
            GalleryCase(kind, samples[i].path, int(labels[i]), float(p[i]))
            for i in pick(found, p, kind, per_kind)
        ]
        for kind in kinds
    }


def kind_counts(labels, probabilities, threshold: float) -> dict[str, int]:
    """How many validation cases of each kind at `threshold`."""
    found = classify(labels, probabilities, threshold)
    return {k: int(np.sum(found == k)) for k in KINDS}


def tile_note(tile: dict) -> str:
    """What the tile shows: 'Occlusion toward PNEUMONIA', 'Occlusion: no region toward
    NORMAL', or that no map could be drawn. tile: one item of `evidence_overlays` (its
    "method" is the map's title)."""
    if not tile.get("explained", True):
        return "no map"
    method = tile.get("method", "Map")
    if tile["empty"]:
        return f"{method}: no region toward {tile['target']}"
    return f"{method} toward {tile['target']}"


def explain_target(case: GalleryCase) -> str:
    """The class whose evidence is drawn: the model's verdict (as the Explain page defaults)."""
    return "PNEUMONIA" if case.kind in ("tp", "fp") else "NORMAL"


def evidence_overlays(stored, cases: list[GalleryCase], alpha: float = 0.45) -> list[dict]:
    """The map each page opens with (`explain.registry.explain_opening`: the method that passed
    the model's faithfulness benchmark) toward each case's verdict, over what the model sees.

    Returns one {"image": (H, W, 3) uint8 at the model's input size, "target": class name,
    "method": the map's title, "explained": True, "empty": True when no region pushed toward
    the target (plain image)} per case. Loads TensorFlow.
    """
    from xray_core.explain import overlay, registry
    from xray_core.explain.handle import ModelHandle
    from xray_core.io.contract import preprocess, to_display
    from xray_core.io.decode import load_image

    handle, out = ModelHandle(stored), []
    for case in cases:
        gray, target = load_image(case.path), explain_target(case)
        display = to_display(gray, stored.contract)
        exp = registry.explain_opening(handle, preprocess(gray, stored.contract), target)
        image = overlay.gray_to_rgb(display) if exp.blank else exp.draw(display, alpha)
        out.append(
            {
                "image": image,
                "target": target,
                "method": exp.title,
                "explained": True,
                "empty": exp.blank,
            }
        )
    return out
