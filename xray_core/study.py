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


def open_study(data: bytes, name: str = "upload") -> Study:
    """Decode uploaded bytes into a Study. Raises decode.ImageError with a one-line message."""
    gray = decode_bytes(data, name)
    is_dicom = data[128:132] == b"DICM"
    tags = {}
    if is_dicom:
        from xray_core.dicom import safe_tags  # noqa: PLC0415

        tags = safe_tags(data, name)
    from xray_core.gate import colourfulness  # noqa: PLC0415

    digest = hashlib.sha256(data).hexdigest()
    colour = 0.0 if is_dicom else colourfulness(data)
    return Study(gray, digest, "DICOM" if is_dicom else "image", tags, colour)


def load_study(path) -> Study:
    """Read a file from disk into a Study (same checks as decode.load_image)."""
    from pathlib import Path  # noqa: PLC0415

    from xray_core.decode import MAX_FILE_BYTES, ImageError  # noqa: PLC0415

    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ImageError(f"{path.name}: file is over the {MAX_FILE_BYTES // 10**6} MB limit.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise ImageError(f"{path}: is a folder, not an image file.") from None
    except PermissionError:
        raise ImageError(f"{path}: permission denied.") from None
    return open_study(data, path.name)
