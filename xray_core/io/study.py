"""One uploaded study: decoded once, then prepared for any model's contract.

Holds no patient identifiers: only the decoded pixels, a content digest and, for DICOM, the
safe technical tags of `xray_core.io.dicom.SAFE_TAGS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from xray_core.io.contract import ImageContract, preprocess, to_display
from xray_core.io.decode import check_size, decode_bytes, is_dicom
from xray_core.io.hashing import sha256_bytes


@dataclass(frozen=True)
class Study:
    """A decoded upload. gray: (H, W) uint8 at full resolution; digest: sha256 of the bytes."""

    gray: np.ndarray
    digest: str
    kind: str  # "DICOM" or "image"
    tags: dict = field(default_factory=dict)
    colourfulness: float = 0.0  # Hasler-Suesstrunk, of the file's own pixels (0 for grey)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.gray.shape[1]), int(self.gray.shape[0])

    def model_input(self, contract: ImageContract) -> np.ndarray:
        """(size, size, channels) float32 for a model with this contract."""
        return preprocess(self.gray, contract)

    def display(self, contract: ImageContract) -> np.ndarray:
        """(size, size) uint8: what the model sees, for overlays."""
        return to_display(self.gray, contract)


def open_study(data: bytes, name: str = "upload", digest: str | None = None) -> Study:
    """Decode uploaded bytes into a Study. Raises decode.ImageError with a one-line message.

    DIGEST: the bytes' sha256 when the caller has it already (it is not checked)."""
    from xray_core.io.colour import colourfulness

    digest = digest or sha256_bytes(data)
    if not is_dicom(data):
        return Study(decode_bytes(data, name), digest, "image", {}, colourfulness(data))
    from xray_core.io.dicom import read_dicom

    img = read_dicom(data, name)  # one parse: pixels, safe tags and notes
    tags = {**img.tags, "notes": img.notes} if img.notes else dict(img.tags)
    return Study(check_size(img.gray, name), digest, "DICOM", tags, 0.0)


def load_study(path) -> Study:
    """Read a file from disk into a Study (same size limit and messages as decode.load_image)."""
    from pathlib import Path

    from xray_core.io.decode import read_file

    return open_study(read_file(path), Path(path).name)
