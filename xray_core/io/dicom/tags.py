"""DICOM tags: which ones are ever read, and how their values are turned into safe text.

Only READ_TAGS are parsed from a file (pydicom `specific_tags`), so patient identifiers
(PatientName, PatientID, PatientBirthDate, ...) are never read, kept or returned; SAFE_TAGS
are the technical, non-identifying ones shown to users.
"""

from __future__ import annotations

import math
import re

ACCEPTED_MODALITIES = ("CR", "DX", "RG")  # computed, digital and digitised-film radiography
MODALITY_NAMES = {
    "CT": "CT (computed tomography)",
    "MR": "MR (magnetic resonance)",
    "US": "US (ultrasound)",
    "MG": "MG (mammography)",
    "NM": "NM (nuclear medicine)",
    "PT": "PT (PET)",
    "XA": "XA (angiography)",
    "RF": "RF (fluoroscopy)",
    "OT": "OT (other)",
    "SC": "SC (secondary capture)",
    "IO": "IO (intra-oral X-ray)",
    "PX": "PX (panoramic X-ray)",
}
# Technical, non-identifying tags returned to callers (strings, see safe_tag_values).
SAFE_TAGS = tuple(
    "Modality ViewPosition BodyPartExamined Rows Columns BitsStored PhotometricInterpretation "
    "NumberOfFrames PresentationIntentType".split()
)
PIXEL_TAGS = tuple(
    "SamplesPerPixel BitsAllocated HighBit PixelRepresentation PlanarConfiguration "
    "ExtendedOffsetTable ExtendedOffsetTableLengths PixelData".split()
)
LUT_TAGS = tuple(
    "RescaleSlope RescaleIntercept RescaleType ModalityLUTSequence VOILUTSequence WindowCenter "
    "WindowWidth VOILUTFunction".split()
)
READ_TAGS = SAFE_TAGS + PIXEL_TAGS + LUT_TAGS  # the only tags ever parsed
WINDOW_FUNCTIONS = ("LINEAR", "LINEAR_EXACT", "SIGMOID")


def clean(value: object, limit: int = 64, extra: str = "") -> str:
    """Text from the file as a short, single-line, markup-free string (letters, digits, ' _.-'
    plus `extra`); longer text is cut and ends with '...'."""
    text = re.sub(f"[^A-Za-z0-9 _.\\-{re.escape(extra)}]", "", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def as_int(ds, keyword: str, default: int) -> int:
    try:
        value = ds.get(keyword)
        return default if value is None or value == "" else int(value)
    except (TypeError, ValueError, OverflowError):
        return default


def number(value) -> float | None:
    """First value of a (multi-valued) DS/IS element as a finite float, else None."""
    try:
        if value is not None and not isinstance(value, str | bytes) and len(value) > 0:
            value = value[0]
    except TypeError:
        pass
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def safe_tag_values(ds) -> dict[str, str]:
    """The SAFE_TAGS present in `ds`, as cleaned short strings (missing ones omitted)."""
    return {t: clean(ds.get(t)) for t in SAFE_TAGS if ds.get(t) not in (None, "")}
