"""Dataset overview: counts per split and class recomputed from the folders; sample grid."""

import numpy as np
import pytest

from xray_core.config import CLASS_NAMES
from xray_core.dataset.folders import IMAGE_SUFFIXES
from xray_core.dataset.overview import dataset_overview, sample_grid


def count_files(folder) -> int:
    return sum(1 for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


@pytest.fixture(scope="module")
def overview(small_eval_dir):
    return dataset_overview(small_eval_dir, size_sample=5)


def test_counts_match_the_folders(overview, small_eval_dir):
    summary = overview["splits"]["all"]["summary"]
    for cls in CLASS_NAMES:
        assert summary["classes"][cls] == count_files(small_eval_dir / cls)
    assert summary["n"] == sum(summary["classes"].values())
    assert sum(summary["subtypes"].values()) == summary["n"]


def test_sizes_are_sampled(overview):
    sizes = overview["splits"]["all"]["sizes"]
    assert len(sizes) == 5 and all(w > 0 and h > 0 for w, h in sizes)


def test_sample_grid_gives_thumbnails_per_class(small_eval_dir):
    grid = sample_grid(small_eval_dir, per_class=3, px=32, seed=1)
    assert list(grid) == list(CLASS_NAMES)
    for items in grid.values():
        assert len(items) == 3
        for subtype, thumb in items:
            assert thumb.shape == (32, 32) and thumb.dtype == np.uint8
            assert subtype in ("normal", "bacteria", "virus", "unknown")
    assert sample_grid(small_eval_dir, 3, 32, seed=1)["NORMAL"][0][1].tobytes() == (
        grid["NORMAL"][0][1].tobytes()
    )
