"""One uploaded study: decoded once, then prepared for any model's contract.

Holds no patient identifiers: only the decoded pixels, a content digest and, for DICOM, the
safe technical tags of `xray_core.dicom.SAFE_TAGS`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from xray_core.contract import ImageContract, preprocess, to_display
from xray_core.decode import decode_bytes


@dataclass(frozen=True)
class Study:
    """A decoded upload. gray: (H, W) uint8 at full resolution; digest: sha256 of the bytes."""

    gray: np.ndarray
    digest: str
    kind: str  # "DICOM" or "image"
    tags: dict = field(default_factory=dict)

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


def open_study(data: bytes, name: str = "upload") -> Study:
    """Decode uploaded bytes into a Study. Raises decode.ImageError with a one-line message."""
    gray = decode_bytes(data, name)
    is_dicom = data[128:132] == b"DICM"
    tags = {}
    if is_dicom:
        from xray_core.dicom import safe_tags  # noqa: PLC0415

        tags = safe_tags(data, name)
    digest = hashlib.sha256(data).hexdigest()
    return Study(gray, digest, "DICOM" if is_dicom else "image", tags)
