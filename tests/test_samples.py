"""Sample X-rays: every file once, neutral names, classes mixed, label kept for the reveal."""

from xray_core.dataset.samples import ORIGIN, list_samples


def test_samples_are_neutral_mixed_and_labelled(fullres_dir, fullres_files):
    samples = list_samples(fullres_dir)
    assert sorted(s.path for s in samples) == fullres_files
    assert [s.name for s in samples] == [f"Training X-ray {i:02d}" for i in range(1, 49)]
    for s in samples:
        assert s.label == s.path.parent.name and s.label.lower() not in s.name.lower()
    first_half = {s.label for s in samples[: len(samples) // 4]}
    assert first_half == {"NORMAL", "PNEUMONIA"}  # the order does not follow the class
    assert list_samples(fullres_dir) == samples  # deterministic
    assert "train split" in ORIGIN


def test_no_folder_gives_no_samples(tmp_path):
    assert list_samples(None) == [] and list_samples(tmp_path / "absent") == []
