"""The dataset: find image files, read patient ids from names, split by patient, summarise.

Layouts accepted:
    * Kaggle: ROOT/{train,val,test}/{NORMAL,PNEUMONIA}/*.jpeg (any split may be absent)
    * one folder: DIR/{NORMAL,PNEUMONIA}/*
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from xray_core.config import CLASS_NAMES

IMAGE_SUFFIXES = (".jpeg", ".jpg", ".png", ".dcm", ".bmp", ".tif", ".tiff")
SPLITS = ("train", "val", "test")
_PERSON = re.compile(r"^(person\d+)_", re.IGNORECASE)
_NORMAL = re.compile(r"^((?:NORMAL2-)?IM-\d+)-", re.IGNORECASE)


# File-name cohorts of the Kermany data: normals by prefix, pneumonias by subtype.
NORMAL_COHORTS = ("NORMAL2", "IM")
PNEUMONIA_COHORTS = ("bacteria", "virus")
COHORTS = NORMAL_COHORTS + PNEUMONIA_COHORTS
# A patient-id range held out instead of a cohort: in each id space (`person`, `IM`,
# `NORMAL2-IM`) the LOWEST_ID_FRACTION of patients with the lowest numbers. The official train
# split lacks the lowest ids (IM below 115, NORMAL2-IM below 383, person below 80 for viral and
# 100-199 for bacterial pneumonia), so the withheld test split's patients presumably hold them:
# these are their nearest neighbours in id.
LOWEST_IDS = "lowest-ids"
LOWEST_ID_FRACTION = 0.15
HOLD_OUTS = COHORTS + (LOWEST_IDS,)
_ID_SPACE = re.compile(r"^(person|NORMAL2-IM|IM)-?(\d+)$", re.IGNORECASE)


def cohort_of(filename: str) -> str:
    """'NORMAL2' for NORMAL2-IM-... names, 'IM' for IM-..., 'bacteria'/'virus' for person..."""
    n = filename.upper()
    if n.startswith("NORMAL2"):
        return "NORMAL2"
    if n.startswith("IM-"):
        return "IM"
    return "virus" if "VIRUS" in n else "bacteria" if "BACTERIA" in n else "other"


def id_space(patient: str) -> tuple[str, int] | None:
    """('person' | 'IM' | 'NORMAL2-IM', number) of a patient id; None for an irregular one."""
    m = _ID_SPACE.match(patient)
    if not m:
        return None
    space = m.group(1)
    return ("person" if space.lower() == "person" else space.upper()), int(m.group(2))


def lowest_id_patients(samples: list, fraction: float = LOWEST_ID_FRACTION) -> set[str]:
    """Per id space, the round(FRACTION * its patients) patients with the lowest numbers."""
    spaces: dict[str, list[tuple[int, str]]] = {}
    for patient in {s.patient for s in samples}:
        parsed = id_space(patient)
        if parsed:
            spaces.setdefault(parsed[0], []).append((parsed[1], patient))
    return {p for ids in spaces.values() for _, p in sorted(ids)[: round(fraction * len(ids))]}


def is_held_out(sample, hold_out: str, held_ids: set[str]) -> bool:
    """Whether SAMPLE falls in HOLD_OUT (a cohort, or LOWEST_IDS with its patients HELD_IDS)."""
    if hold_out == LOWEST_IDS:
        return sample.patient in held_ids
    return cohort_of(sample.path.name) == hold_out


def split_cohort(samples: list, cohort: str | None) -> tuple[list, list]:
    """(kept, held out): samples in file-name cohort COHORT, or with LOWEST_IDS the patients
    of the lowest id range (`lowest_id_patients`), are held out (None: none)."""
    if cohort is None:
        return list(samples), []
    if cohort not in HOLD_OUTS:
        raise ValueError(f"unknown cohort {cohort!r}; valid: {', '.join(HOLD_OUTS)}")
    held_ids = lowest_id_patients(samples) if cohort == LOWEST_IDS else set()
    kept, held = [], []
    for s in samples:
        (held if is_held_out(s, cohort, held_ids) else kept).append(s)
    return kept, held


def hold_out_text(cohort: str) -> str:
    """What a hold-out run kept out of training, in words."""
    if cohort == LOWEST_IDS:
        return (
            f"the {LOWEST_ID_FRACTION:.0%} of patients with the lowest ids in each id space "
            "(the ids next to those the official train split lacks)"
        )
    return f"the {cohort} file-name cohort"


class DatasetError(ValueError):
    """A data folder that does not have the expected layout."""


@dataclass(frozen=True)
class Sample:
    """One labelled image file. label: 0 NORMAL, 1 PNEUMONIA."""

    path: Path
    label: int
    patient: str

    @property
    def subtype(self) -> str:
        """'normal', 'bacteria', 'virus' or 'unknown' (from the file name)."""
        n = self.path.name.lower()
        if self.label == 0:
            return "normal"
        return "bacteria" if "bacteria" in n else "virus" if "virus" in n else "unknown"


def patient_id(filename: str) -> str:
    """Patient id from a Kaggle file name; the stem itself when the name has no known pattern.

    'person12_virus_3.jpeg' -> 'person12'; 'NORMAL2-IM-0012-0001.jpeg' -> 'NORMAL2-IM-0012'.
    """
    stem = Path(filename).stem
    m = _PERSON.match(stem) or _NORMAL.match(stem)
    return m.group(1) if m else stem


def list_class_folder(folder: Path) -> list[Sample]:
    """Samples of a folder holding NORMAL/ and PNEUMONIA/ subfolders, sorted by path."""
    folder = Path(folder)
    missing = [c for c in CLASS_NAMES if not (folder / c).is_dir()]
    if not folder.is_dir():
        raise DatasetError(f"{folder}: folder not found; expected NORMAL/ and PNEUMONIA/ in it.")
    if missing:
        raise DatasetError(
            f"{folder}: expected subfolders NORMAL/ and PNEUMONIA/; missing {missing}."
        )
    samples = [
        Sample(p, label, patient_id(p.name))
        for label, cls in enumerate(CLASS_NAMES)
        for p in sorted((folder / cls).iterdir())
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    ]
    if not samples:
        raise DatasetError(f"{folder}: NORMAL/ and PNEUMONIA/ hold no images ({IMAGE_SUFFIXES}).")
    return samples


def skipped_entries(folder: Path) -> list[str]:
    """One-line messages for the entries of FOLDER/{NORMAL,PNEUMONIA} named like images that
    `list_class_folder` leaves out because they are not regular files (a FIFO, a device, a
    folder, a link loop or a broken link)."""
    out = []
    for cls in CLASS_NAMES:
        sub = Path(folder) / cls
        for p in sorted(sub.iterdir()) if sub.is_dir() else ():
            if p.suffix.lower() in IMAGE_SUFFIXES and not p.is_file():
                out.append(f"{cls}/{p.name}: not a regular file (a FIFO, device, folder or "
                           "broken link); skipped.")  # fmt: skip
    return out


def find_splits(root: Path) -> dict[str, Path]:
    """Map split name -> folder for a Kaggle root, or {'all': root} for a single class folder."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(
            f"{root}: data folder not found; expected a folder with train/ or NORMAL/ and "
            "PNEUMONIA/ (set --data or $XRAY_DATA_DIR)."
        )
    splits = {s: root / s for s in SPLITS if (root / s).is_dir()}
    if splits:
        return splits
    if all((root / c).is_dir() for c in CLASS_NAMES):
        return {"all": root}
    raise DatasetError(
        f"{root}: expected train/ val/ test/ split folders or NORMAL/ and PNEUMONIA/ subfolders."
    )


def train_cohort(root: Path, cohort: str | None) -> list[Sample]:
    """The images of ROOT's train split in file-name cohort COHORT ([] for None)."""
    return split_cohort(list_class_folder(find_splits(root)["train"]), cohort)[1]


def split_by_patient(
    samples: list[Sample], val_fraction: float = 0.15, seed: int = 42
) -> tuple[list[Sample], list[Sample]]:
    """Seeded, class-stratified split with every patient on exactly one side.

    Patients are grouped per class (a patient's label is that of their images) and a
    `val_fraction` share of each class's patients goes to validation.
    """
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    rng = np.random.default_rng(seed)
    val_patients: set[tuple[int, str]] = set()
    for label in range(len(CLASS_NAMES)):
        patients = sorted({s.patient for s in samples if s.label == label})
        rng.shuffle(patients)
        n_val = int(round(len(patients) * val_fraction))
        val_patients.update((label, p) for p in patients[:n_val])
    # a patient id seen in both classes goes wholly to the side its first class chose
    val_ids = {p for _, p in val_patients}
    train = [s for s in samples if s.patient not in val_ids]
    val = [s for s in samples if s.patient in val_ids]
    return train, val


def summarize(samples: list[Sample]) -> dict:
    """Counts per class and subtype, and the number of patients."""
    counts = {c: sum(s.label == i for s in samples) for i, c in enumerate(CLASS_NAMES)}
    subtypes: dict[str, int] = {}
    for s in samples:
        subtypes[s.subtype] = subtypes.get(s.subtype, 0) + 1
    return {
        "n": len(samples),
        "classes": counts,
        "subtypes": subtypes,
        "patients": len({s.patient for s in samples}),
    }


def image_sizes(samples: list[Sample], limit: int | None = None) -> list[tuple[int, int]]:
    """(width, height) of each file, read from headers only (fast)."""
    from PIL import Image

    sizes = []
    for s in samples[:limit]:
        with Image.open(s.path) as im:
            sizes.append(im.size)
    return sizes


def size_summary(sizes: list[tuple[int, int]]) -> dict:
    """Width and height ranges (px) and the most common (w, h) of a list of image sizes."""
    if not sizes:
        return {"n": 0}
    w, h = np.array(sizes).T
    common, count = max(((s, sizes.count(s)) for s in set(sizes)), key=lambda t: t[1])
    return {
        "n": len(sizes),
        "width": [int(w.min()), int(w.max())],
        "height": [int(h.min()), int(h.max())],
        "most_common": list(common),
        "most_common_share": round(count / len(sizes), 4),
    }


def load_arrays(
    samples: list[Sample], contract, workers: int = 2, errors: list | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Decode and preprocess every sample with the image contract.

    Args:
        errors: when a list, a sample that cannot be read is left out and
            (sample, one-line message) appended to it; otherwise its ImageError is raised.
    Returns:
        x: (N, size, size, channels) float32 as `contract.preprocess` gives it.
        y: (N,) int32 labels, 0 NORMAL / 1 PNEUMONIA (of the samples kept).
    """
    from concurrent.futures import ThreadPoolExecutor

    from xray_core.io.contract import preprocess
    from xray_core.io.decode import ImageError, load_image

    def one(s: Sample) -> np.ndarray | str:
        try:
            return preprocess(load_image(s.path), contract)
        except ImageError as exc:
            if errors is None:
                raise
            return str(exc)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = list(zip(samples, pool.map(one, samples)))
    if errors is not None:
        errors.extend((s, r) for s, r in done if isinstance(r, str))
    kept = [(s, r) for s, r in done if not isinstance(r, str)]
    xs = [r for _, r in kept]
    x = np.stack(xs).astype(np.float32) if xs else np.zeros((0, *contract.input_shape), np.float32)
    return x, np.array([s.label for s, _ in kept], dtype=np.int32)
