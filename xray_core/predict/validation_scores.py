"""Validation scores per stored model: labels and calibrated probabilities on the model's own
patient-level validation split, saved beside the card (validation_scores.json).

All models trained with the same seed and fraction share the same validation images, so the
Compare page can set them side by side. No file names or patient ids are stored: only labels,
scores, and a digest of the sorted file list that proves two models saw the same images.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from xray_core.dataset.folders import (
    find_splits,
    list_class_folder,
    load_arrays,
    split_by_patient,
    split_cohort,
    train_cohort,
)
from xray_core.io.hashing import sha256_text
from xray_core.store.card import ModelCard, split_seed
from xray_core.store.catalog import StoredModel, store_dir
from xray_core.store.files import GATE_FILE, SCORES_FILE


def split_samples(card: ModelCard, data_root: Path):
    """Re-create the card's (train, validation) split from DATA_ROOT/train (deterministic)."""
    cfg = card.training["config"]
    samples = list_class_folder(find_splits(data_root)["train"])
    samples, _ = split_cohort(samples, cfg.get("hold_out_cohort"))
    return split_by_patient(samples, cfg["val_fraction"], split_seed(cfg))


def validation_samples(card: ModelCard, data_root: Path):
    return split_samples(card, data_root)[1]


def held_out_samples(card: ModelCard, data_root: Path) -> list:
    """The training images in the card's held-out cohort (`train --hold-out-cohort`); [] if none."""
    return train_cohort(data_root, card.training["config"].get("hold_out_cohort"))


def upload_inputs(contract) -> np.ndarray | None:
    """The full-resolution sample uploads (config.samples_dir) as model inputs (N, H, W, C),
    decoded and resized the way an upload is; None when the folder is absent."""
    from xray_core.config import samples_dir
    from xray_core.dataset.samples import list_samples
    from xray_core.io.study import open_study

    found = list_samples(samples_dir())
    if not found:
        return None
    return np.stack(
        [open_study(s.path.read_bytes(), s.path.name).model_input(contract) for s in found]
    )


def fit_model_gate(stored: StoredModel, data_root: Path, max_train: int = 2000, seed: int = 0):
    """Fit and save the model's out-of-distribution gate (xray_core.gate.ood) from its own split:
    the penultimate vector and the pooled layers `scoring.pooled_layers` picks, one block each.
    A pooled block that refuses more than gate.UPLOAD_LIMIT of the full-resolution sample
    uploads at its own validation line is left out and the rest refitted (the ImageNet
    MobileNet's early layers tell a resized upload from a 224 px training file; the ResNets'
    do not). Without the sample uploads (config.samples_dir absent) no pooled layer can be
    checked, so the gate reads the penultimate vector only. Returns (path written, gate)."""
    from xray_core.gate import ood as gate
    from xray_core.store.scorer import compile_scorer, pooled_layers, score_batches

    train, val = split_samples(stored.card, data_root)
    rng = np.random.default_rng(seed)
    train = [train[i] for i in sorted(rng.permutation(len(train))[:max_train])]
    pooled = pooled_layers(stored.model)
    uploads = upload_inputs(stored.contract) if pooled else None
    if uploads is None:
        pooled = []  # nothing to check the early layers against: the penultimate vector only
    scorer = compile_scorer(stored.model, pooled)
    feats = [score_batches(scorer, load_arrays(p, stored.contract)[0])[1] for p in (train, val)]
    widths = [int(stored.model.get_layer(n).output.shape[-1]) for n in pooled]
    sizes = [stored.embedding_dim, *widths]
    fitted = gate.fit_gate(*feats, sizes=sizes, layers=pooled)
    if pooled:
        rates = gate.upload_refusals(fitted, score_batches(scorer, uploads)[1])
        keep = [0] + [k for k in range(1, len(sizes)) if rates[k] <= gate.UPLOAD_LIMIT]
        if len(keep) < len(sizes):
            cols = gate.columns(fitted, keep)
            kept = [pooled[k - 1] for k in keep[1:]]
            fitted = gate.fit_gate(
                *(f[:, cols] for f in feats), sizes=[sizes[k] for k in keep], layers=kept
            )
        fitted.update(
            candidate_layers=np.asarray(pooled, dtype=str),
            candidate_upload_refusals=rates[1:],
            n_uploads=len(uploads),
        )
    return gate.save_gate(stored.path / GATE_FILE, fitted), fitted


def files_digest(samples) -> str:
    """16 hex digits identifying a set of files by class folder and name (order-free)."""
    names = sorted(f"{s.path.parent.name}/{s.path.name}" for s in samples)
    return sha256_text("\n".join(names))[:16]


def make_scores(y, p_cal, p_raw, digest: str, ms_per_image: float) -> dict:
    return {
        "labels": [int(v) for v in y],
        "probabilities": [float(v) for v in p_cal],
        "raw_probabilities": [float(v) for v in p_raw],
        "files_digest": digest,
        "ms_per_image_batched": round(ms_per_image, 2),
    }


def compute_scores(stored: StoredModel, data_root: Path) -> dict:
    """Score the model's validation split (takes ~10-40 s on the CPU)."""
    from xray_core.predict.assess import calibrated_probabilities

    samples = validation_samples(stored.card, data_root)
    x, y = load_arrays(samples, stored.contract)
    t0 = time.perf_counter()
    p_cal, p_raw = calibrated_probabilities(stored, x)
    ms = (time.perf_counter() - t0) * 1000 / max(len(x), 1)
    return make_scores(y, p_cal, p_raw, files_digest(samples), ms)


def operating_point_from_scores(card: ModelCard, scores: dict) -> ModelCard:
    """The card with threshold and validation block re-derived from validation scores, with
    the card's own sensitivity target (so the card, the app and Compare agree exactly)."""
    from xray_core.stats import metrics

    y, p = np.asarray(scores["labels"]), np.asarray(scores["probabilities"])
    target = card.training["config"]["sensitivity_target"]
    threshold = metrics.threshold_for_sensitivity(y, p, target)
    return card.updated(threshold=threshold, validation=metrics.summary(y, p, threshold))


def save_scores(name: str, scores: dict, root=None) -> Path:
    path = store_dir(root) / name / SCORES_FILE
    path.write_text(json.dumps(scores) + "\n")
    return path


def load_scores(name: str, root=None) -> dict | None:
    """The stored validation scores as arrays (labels int, probabilities float), or None."""
    path = store_dir(root) / name / SCORES_FILE
    if not path.is_file():
        return None
    d = json.loads(path.read_text())
    return {
        **d,
        "labels": np.asarray(d["labels"], int),
        "probabilities": np.asarray(d["probabilities"], float),
        "raw_probabilities": np.asarray(d["raw_probabilities"], float),
    }
