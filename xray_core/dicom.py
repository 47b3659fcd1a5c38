"""DICOM decoding: pixel data -> grayscale uint8 (H, W), with only safe, non-identifying tags.

Modality LUT, then VOI LUT / window, MONOCHROME1 inverted, first frame of multi-frame files.
Patient identifiers are never read into the returned values.
"""

from __future__ import annotations

import io

import numpy as np

from xray_core.decode import ImageError

ACCEPTED_MODALITIES = ("CR", "DX")
SAFE_TAGS = ("Modality", "ViewPosition", "Rows", "Columns", "BitsStored", "PhotometricInterpretation")


def read_dataset(data: bytes, name: str):
    """Parse DICOM bytes with pydicom; ImageError when it is not valid DICOM."""
    import pydicom  # noqa: PLC0415
    from pydicom.errors import InvalidDicomError  # noqa: PLC0415

    try:
        return pydicom.dcmread(io.BytesIO(data))
    except (InvalidDicomError, EOFError, OSError, ValueError, TypeError, AttributeError, KeyError):
        raise ImageError(f"{name}: not a readable DICOM file.") from None


def safe_tags(data: bytes, name: str = "upload") -> dict:
    """Return the non-identifying tags in SAFE_TAGS (missing ones omitted)."""
    ds = read_dataset(data, name)
    return {t: str(ds.get(t)) for t in SAFE_TAGS if ds.get(t) is not None}


def decode_dicom(data: bytes, name: str = "upload") -> np.ndarray:
    """DICOM bytes -> (H, W) uint8. Refuses non-CR/DX modalities and undecodable syntaxes."""
    from pydicom.pixels import apply_modality_lut, apply_voi_lut  # noqa: PLC0415

    ds = read_dataset(data, name)
    modality = str(ds.get("Modality", "")).upper()
    if modality and modality not in ACCEPTED_MODALITIES:
        raise ImageError(
            f"{name}: DICOM modality {modality} is not a radiograph; expected CR or DX."
        )
    if "PixelData" not in ds:
        raise ImageError(f"{name}: the DICOM file holds no image (no pixel data).")
    try:
        arr = ds.pixel_array
    except Exception as exc:  # pydicom raises many types for unsupported syntaxes
        syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
        label = getattr(syntax, "name", None) or str(syntax or "unknown")
        detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise ImageError(
            f"{name}: cannot decode DICOM transfer syntax '{label}' ({detail})."
        ) from None
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames > 1 or arr.ndim == 4:
        arr = arr[0]
    if arr.ndim == 3 and arr.shape[-1] in (3, 4):
        raise ImageError(f"{name}: colour DICOM images are not chest radiographs.")
    if arr.ndim != 2:
        raise ImageError(f"{name}: unexpected DICOM pixel array shape {arr.shape}.")
    try:
        values = apply_voi_lut(apply_modality_lut(arr, ds), ds).astype(np.float64)
    except Exception:  # malformed LUT tags: fall back to the raw values
        values = arr.astype(np.float64)
    lo, hi = float(values.min()), float(values.max())
    gray = np.zeros(values.shape) if hi <= lo else (values - lo) / (hi - lo)
    if str(ds.get("PhotometricInterpretation", "")).upper() == "MONOCHROME1":
        gray = 1.0 - gray
    return np.round(gray * 255.0).astype(np.uint8)
