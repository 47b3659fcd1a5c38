"""DICOM decoding: pixel data -> grayscale uint8 (H, W), with only safe, non-identifying tags.

Modules, in the order a file goes through them:
    tags: which tags are ever read (READ_TAGS) or shown (SAFE_TAGS); safe text from values.
    reading: parse only READ_TAGS; bound deflated files; name the transfer syntax.
    checks: refuse before decoding (modality, colour, size, codec, damaged codestream); notes.
    pixels: Modality LUT -> VOI -> MONOCHROME1 inversion -> uint8.
Compressed transfer syntaxes are decoded by pydicom's plugins (Pillow, pylibjpeg with
pylibjpeg-libjpeg and pylibjpeg-openjpeg); any other syntax is refused with its name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from xray_core.io.dicom.checks import check_codestream, check_header, declared_size, header_notes
from xray_core.io.dicom.pixels import to_gray, window
from xray_core.io.dicom.reading import MAX_INFLATED_BYTES, read_dataset, syntax_label
from xray_core.io.dicom.tags import READ_TAGS, SAFE_TAGS, clean, safe_tag_values
from xray_core.io.limits import ImageError

__all__ = [
    "MAX_INFLATED_BYTES",
    "READ_TAGS",
    "SAFE_TAGS",
    "DicomImage",
    "check_codestream",
    "check_header",
    "declared_size",
    "decode_dicom",
    "header_notes",
    "read_dataset",
    "read_dicom",
    "to_gray",
    "window",
]


@dataclass(frozen=True)
class DicomImage:
    """A decoded DICOM file. gray: (H, W) uint8; tags: SAFE_TAGS as short strings; notes:
    one-line remarks for the user (first frame of many, window unusable, ...)."""

    gray: np.ndarray
    tags: dict[str, str]
    notes: list[str] = field(default_factory=list)


def read_dicom(data: bytes, name: str = "upload") -> DicomImage:
    """DICOM bytes -> DicomImage (gray (H, W) uint8, safe tags, notes). Raises ImageError."""
    from pydicom.pixels import pixel_array

    ds = read_dataset(data, name)
    check_header(ds, name)
    check_codestream(ds, name)
    try:
        arr = pixel_array(ds, index=0)  # decodes only the first frame
    except Exception as exc:  # pydicom and its plugins raise many types on corrupt data
        lines = [line for line in str(exc).splitlines() if line.strip()]
        detail = clean(lines[-1] if lines else type(exc).__name__, 140, "(),:'/")
        raise ImageError(
            f"{name}: cannot decode the DICOM pixel data (transfer syntax "
            f"'{syntax_label(ds)}'): {detail}."
        ) from None
    if arr.ndim != 2:
        raise ImageError(f"{name}: unexpected DICOM pixel array shape {arr.shape}.")
    gray, notes = to_gray(arr, ds)
    return DicomImage(gray, safe_tag_values(ds), header_notes(ds) + notes)


def decode_dicom(data: bytes, name: str = "upload") -> np.ndarray:
    """DICOM bytes -> (H, W) uint8. Refuses non-radiograph modalities and undecodable syntaxes."""
    return read_dicom(data, name).gray
