"""Dataset exploration for the Dataset page: balance per split, subtypes, sizes, a sample grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from xray_core.config import CLASS_NAMES
from xray_core.dataset.folders import find_splits, image_sizes, list_class_folder, summarize
from xray_core.io.contract import resize_squash
from xray_core.io.decode import load_image


def dataset_overview(root: Path, size_sample: int = 400, seed: int = 0) -> dict:
    """Per split: summary (classes, subtypes, patients) and (w, h) of up to size_sample files.

    Returns:
        {"root": str, "splits": {split: {"summary": ..., "sizes": [(w, h), ...]}}}
    """
    rng = np.random.default_rng(seed)
    out = {"root": str(root), "splits": {}}
    for split, folder in find_splits(Path(root)).items():
        samples = list_class_folder(folder)
        pick = rng.permutation(len(samples))[:size_sample]
        out["splits"][split] = {
            "summary": summarize(samples),
            "sizes": image_sizes([samples[i] for i in sorted(pick)]),
        }
    return out


def fullres_sizes(folder: Path | None) -> list[dict]:
    """(width, height) from the headers of the full-resolution samples, with their class:
    [{"width", "height", "label"}]; [] without the folder."""
    if folder is None or not Path(folder).is_dir():
        return []
    out = []
    for s in list_class_folder(Path(folder)):
        with Image.open(s.path) as im:
            out.append({"width": im.size[0], "height": im.size[1], "label": CLASS_NAMES[s.label]})
    return out


def sample_grid(root: Path, per_class: int = 6, px: int = 160, seed: int = 0) -> dict:
    """Random thumbnails per class from the first split: {class: [(subtype, (px, px) uint8)]}."""
    splits = find_splits(Path(root))
    samples = list_class_folder(next(iter(splits.values())))
    rng = np.random.default_rng(seed)
    grid = {}
    for label, cls in enumerate(CLASS_NAMES):
        pool = [s for s in samples if s.label == label]
        chosen = [pool[i] for i in rng.permutation(len(pool))[:per_class]]
        grid[cls] = [(s.subtype, resize_squash(load_image(s.path), px)) for s in chosen]
    return grid
