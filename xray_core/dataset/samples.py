"""The full-resolution sample X-rays offered as uploads: neutral names, label on request.

The samples are images of the dataset's official train split (the models learned from them),
kept in class folders. Their order mixes the classes (sorted by a hash of the file name), so
neither the name nor the position gives the label away.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from xray_core.config import CLASS_NAMES
from xray_core.dataset.folders import list_class_folder
from xray_core.text.wording import sample_name

ORIGIN = (
    "Full-resolution images from the official train split of the Kermany et al. (2018) "
    "chest X-ray dataset: the models learned from them, so their verdicts here look better "
    "than on new images."
)


@dataclass(frozen=True)
class Sample:
    """name: neutral display name; label: the dataset's class; subtype: normal/bacteria/virus."""

    path: Path
    name: str
    label: str
    subtype: str


def list_samples(folder: Path | None) -> list[Sample]:
    """Samples under `folder`/{NORMAL,PNEUMONIA}/ in a class-mixing order (by a hash of the
    file name); [] when `folder` is None or missing."""
    if folder is None or not Path(folder).is_dir():
        return []
    found = sorted(
        list_class_folder(Path(folder)), key=lambda s: hashlib.sha256(s.path.name.encode()).digest()
    )
    return [
        Sample(s.path, sample_name(i), CLASS_NAMES[s.label], s.subtype) for i, s in enumerate(found)
    ]
