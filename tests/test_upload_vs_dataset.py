"""research.upload_vs_dataset: pairing samples with their dataset files, sharpness, score gap."""

import cv2
import numpy as np
import pytest

from research.upload_vs_dataset import paired_files, score_gap, sharpness


def test_pairs_only_samples_whose_file_is_in_the_train_split(tmp_path):
    for folder, names in {
        "samples/NORMAL": ["IM-0001-0001.jpeg", "IM-0002-0001.jpeg"],
        "samples/PNEUMONIA": ["person1_virus_1.jpeg"],
        "train/NORMAL": ["IM-0002-0001.jpeg"],
        "train/PNEUMONIA": ["person1_virus_1.jpeg", "person9_virus_9.jpeg"],
    }.items():
        (tmp_path / folder).mkdir(parents=True)
        for name in names:
            (tmp_path / folder / name).write_bytes(b"x")
    pairs = paired_files(tmp_path / "samples", tmp_path / "train")
    assert [(a.name, b.parent.name, y) for a, b, y in pairs] == [
        ("IM-0002-0001.jpeg", "NORMAL", 0),
        ("person1_virus_1.jpeg", "PNEUMONIA", 1),
    ]


def test_blur_lowers_sharpness():
    image = np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)
    assert sharpness(cv2.GaussianBlur(image, (0, 0), 1.0)) < sharpness(image) / 4
    assert sharpness(np.full((8, 8), 7, np.uint8)) == 0.0


def test_score_gap_from_definitions():
    """Dataset 0.2, 0.6 (NORMAL), 0.9 (PNEUMONIA); uploads move them by +0.1, -0.2, -0.5."""
    out = score_gap([0.3, 0.4, 0.4], [0.2, 0.6, 0.9], [0, 0, 1], threshold=0.5)
    assert out["n"] == 3
    assert out["mean_abs_dp"] == pytest.approx(0.8 / 3)
    assert out["max_abs_dp"] == pytest.approx(0.5)
    assert out["mean_dp_normal"] == pytest.approx(-0.05)
    assert out["mean_dp_pneumonia"] == pytest.approx(-0.5)
    assert out["flips"] == 2  # 0.6 -> 0.4 and 0.9 -> 0.4 cross 0.5; 0.2 -> 0.3 does not
