"""Dataset layout, patient ids and the patient-level split."""

from pathlib import Path

import pytest

from xray_core.dataset.folders import (
    LOWEST_IDS,
    DatasetError,
    Sample,
    find_splits,
    id_space,
    list_class_folder,
    lowest_id_patients,
    patient_id,
    split_by_patient,
    split_cohort,
    summarize,
    train_cohort,
)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("person12_virus_3.jpeg", "person12"),
        ("person1000_bacteria_2931.jpeg", "person1000"),
        ("person447_virus_921_1.jpeg", "person447"),
        ("IM-0115-0001.jpeg", "IM-0115"),
        ("IM-0640-0001-0001.jpeg", "IM-0640"),
        ("NORMAL2-IM-0012-0001.jpeg", "NORMAL2-IM-0012"),
        ("scan.png", "scan"),
    ],
)
def test_patient_id(name, expected):
    assert patient_id(name) == expected


@pytest.fixture(scope="module")
def train_samples(data_root):
    return list_class_folder(data_root / "train")


def test_official_train_counts(train_samples):
    s = summarize(train_samples)
    assert s["classes"] == {"NORMAL": 1341, "PNEUMONIA": 3875}
    assert s["subtypes"]["bacteria"] + s["subtypes"]["virus"] == 3875


def test_split_cohort_holds_out_one_file_name_cohort(train_samples):
    """The official train split's normals: 744 NORMAL2-IM-... and 597 IM-... files."""
    kept, held = split_cohort(train_samples, "NORMAL2")
    assert len(held) == 744 and {s.label for s in held} == {0}
    assert all(s.path.name.startswith("NORMAL2-") for s in held)
    assert not any(s.path.name.startswith("NORMAL2-") for s in kept)
    assert len(kept) + len(held) == len(train_samples)
    assert len(split_cohort(train_samples, "IM")[1]) == 597
    assert split_cohort(train_samples, None) == (train_samples, [])
    with pytest.raises(ValueError, match="unknown cohort"):
        split_cohort(train_samples, "NORMAL3")


@pytest.mark.parametrize(
    "patient, expected",
    [
        ("person12", ("person", 12)),
        ("IM-0115", ("IM", 115)),
        ("NORMAL2-IM-0012", ("NORMAL2-IM", 12)),
        ("scan", None),
    ],
)
def test_id_space(patient, expected):
    assert id_space(patient) == expected


def _named(*names):
    return [Sample(Path(n), int(n.startswith("person")), patient_id(n)) for n in names]


def test_lowest_ids_are_taken_per_id_space_by_number_not_by_text():
    """10 patients per space: round(0.15 * 10) = 2 lowest of each; person9 < person10 by
    number; an irregular name is never held out."""
    persons = [f"person{i}_bacteria_{i}.jpeg" for i in range(1, 11)]
    normals = [f"IM-{i:04d}-0001.jpeg" for i in range(101, 111)]
    normals2 = [f"NORMAL2-IM-{i:04d}-0001.jpeg" for i in range(1, 11)]
    samples = _named(*persons, *normals, *normals2, "scan.png")
    held = {"person1", "person2", "IM-0101", "IM-0102", "NORMAL2-IM-0001", "NORMAL2-IM-0002"}
    assert lowest_id_patients(samples) == held
    kept, out = split_cohort(samples, LOWEST_IDS)
    assert {s.patient for s in out} == held
    assert "scan" in {s.patient for s in kept} and len(kept) + len(out) == len(samples)
    assert lowest_id_patients(_named("person10_virus_1.jpeg", *persons[1:9]), 0.2) == {
        "person2",
        "person3",
    }


def test_lowest_ids_hold_out_of_the_train_split(train_samples):
    """The official train split: 78 of 518 IM, 104 of 693 NORMAL2-IM and 245 of 1632 person
    ids, every held id below every kept id of its space; both classes held out."""
    kept, held = split_cohort(train_samples, LOWEST_IDS)
    assert len(kept) + len(held) == len(train_samples)
    assert {s.label for s in held} == {0, 1}
    assert {s.patient for s in kept}.isdisjoint({s.patient for s in held})
    for space, n in (("IM", 78), ("NORMAL2-IM", 104), ("person", 245)):
        out = {id_space(s.patient)[1] for s in held if id_space(s.patient)[0] == space}
        rest = {id_space(s.patient)[1] for s in kept if id_space(s.patient)[0] == space}
        assert len(out) == n and max(out) < min(rest), space


def test_train_cohort_lists_one_cohort_of_the_train_split(data_root):
    assert len(train_cohort(data_root, "IM")) == 597
    assert {s.label for s in train_cohort(data_root, "virus")} == {1}
    assert train_cohort(data_root, None) == []


def test_split_has_no_patient_on_both_sides(train_samples):
    train, val = split_by_patient(train_samples, 0.15, seed=42)
    assert {s.patient for s in train}.isdisjoint({s.patient for s in val})
    assert len(train) + len(val) == len(train_samples)


@pytest.mark.parametrize("fraction", [0.1, 0.15, 0.3])
def test_split_is_stratified_by_patients(train_samples, fraction):
    _, val = split_by_patient(train_samples, fraction, seed=1)
    for label in (0, 1):
        all_p = {s.patient for s in train_samples if s.label == label}
        val_p = {s.patient for s in val if s.label == label}
        assert abs(len(val_p) / len(all_p) - fraction) < 0.01


def test_split_is_seeded(train_samples):
    a = split_by_patient(train_samples, seed=3)[1]
    b = split_by_patient(train_samples, seed=3)[1]
    c = split_by_patient(train_samples, seed=4)[1]
    assert a == b and a != c


def test_leakage_would_be_caught():
    """The disjointness check fails on an image-level split of a multi-image patient."""
    samples = [
        Sample(__import__("pathlib").Path(f"person1_virus_{i}.jpeg"), 1, "person1")
        for i in range(4)
    ]
    train, val = samples[:2], samples[2:]
    assert not {s.patient for s in train}.isdisjoint({s.patient for s in val})


def test_find_splits_kaggle_and_single(data_root):
    assert set(find_splits(data_root)) == {"train", "val"}
    assert set(find_splits(data_root / "val")) == {"all"}


@pytest.mark.parametrize("make", ["missing", "empty", "one_class"])
def test_bad_folders_raise_clear_errors(tmp_path, make):
    root = tmp_path / "d"
    if make != "missing":
        root.mkdir()
    if make == "one_class":
        (root / "NORMAL").mkdir()
    with pytest.raises(DatasetError, match="expected"):
        find_splits(root)
    with pytest.raises(DatasetError, match="NORMAL/ and PNEUMONIA/"):
        list_class_folder(root)


def test_size_summary_recomputed():
    from xray_core.dataset.folders import size_summary

    s = size_summary([(224, 224), (224, 224), (1000, 800)])
    assert s == {
        "n": 3,
        "width": [224, 1000],
        "height": [224, 800],
        "most_common": [224, 224],
        "most_common_share": round(2 / 3, 4),
    }
    assert size_summary([]) == {"n": 0}
