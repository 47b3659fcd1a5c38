"""DICOM decoding: pixel data -> grayscale uint8 (H, W), with only safe, non-identifying tags.

Order of operations (DICOM PS3.3 C.11): first frame -> Modality LUT (rescale slope/intercept
or Modality LUT Sequence) -> VOI (VOI LUT Sequence, else Window Center/Width, else the image's
own value range) -> MONOCHROME1 inverted so that bone is white -> uint8.

Only the tags in `READ_TAGS` are parsed from the file (pydicom `specific_tags`), so patient
identifiers (PatientName, PatientID, PatientBirthDate, ...) are never read, kept or returned.
Compressed transfer syntaxes are decoded by pydicom's plugins (Pillow, pylibjpeg with
pylibjpeg-libjpeg and pylibjpeg-openjpeg); any other syntax is refused with its name.
"""

from __future__ import annotations

import io
import math
import re
import struct
import zlib
from dataclasses import dataclass, field

import numpy as np

from xray_core.decode import MAX_PIXELS, ImageError

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
# Technical, non-identifying tags returned to callers (strings, see safe_tags).
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
MAX_INFLATED_BYTES = 4 * MAX_PIXELS  # deflated files: refuse zip bombs before pydicom inflates
DEFLATED = "1.2.840.10008.1.2.1.99"  # Deflated Explicit VR Little Endian
WINDOW_FUNCTIONS = ("LINEAR", "LINEAR_EXACT", "SIGMOID")
# JPEG start-of-frame markers (0xC0-0xCF but DHT, JPG, DAC) and JPEG-LS SOF55
SOF_MARKERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC} | {0xF7}


@dataclass(frozen=True)
class DicomImage:
    """A decoded DICOM file. gray: (H, W) uint8; tags: SAFE_TAGS as short strings; notes:
    one-line remarks for the user (first frame of many, window unusable, ...)."""

    gray: np.ndarray
    tags: dict[str, str]
    notes: list[str] = field(default_factory=list)


def _clean(value: object, limit: int = 64, extra: str = "") -> str:
    """Text from the file as a short, single-line, markup-free string (letters, digits, ' _.-'
    plus `extra`); longer text is cut and ends with '...'."""
    text = re.sub(f"[^A-Za-z0-9 _.\\-{re.escape(extra)}]", "", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def read_dataset(data: bytes, name: str, pixels: bool = True):
    """Parse the tags in READ_TAGS (without PixelData unless `pixels`); ImageError if invalid."""
    import pydicom  # noqa: PLC0415
    from pydicom.dataset import Dataset  # noqa: PLC0415

    tags = list(READ_TAGS if pixels else [t for t in READ_TAGS if t != "PixelData"])
    try:
        if _inflated_size(data) <= MAX_INFLATED_BYTES:
            ds = pydicom.dcmread(io.BytesIO(data), specific_tags=tags)
            for part in (ds, getattr(ds, "file_meta", None) or Dataset()):
                part.walk(lambda *_: None)  # convert every raw element now, not on first use
            return ds
    except Exception:  # pydicom raises many types (struct.error, IndexError, ...) on bad bytes
        raise ImageError(f"{name}: not a readable DICOM file.") from None
    raise ImageError(
        f"{name}: the deflated DICOM file expands to over "
        f"{MAX_INFLATED_BYTES // 10**6} MB; refused as unsafe."
    )


def _inflated_size(data: bytes) -> int:
    """Size of the dataset after inflating (0 unless Deflated Explicit VR Little Endian),
    counted in 16 MB steps and abandoned past MAX_INFLATED_BYTES (pydicom inflates all at once).
    """
    from pydicom.filereader import read_dataset as read_elements  # noqa: PLC0415

    fp = io.BytesIO(data)
    fp.seek(132)
    meta = read_elements(fp, False, True, stop_when=lambda tag, vr, length: tag >> 16 != 2)
    if meta.get("TransferSyntaxUID") != DEFLATED:
        return 0
    inflater, pending, total = zlib.decompressobj(-zlib.MAX_WBITS), fp.read(), 0
    while pending and total <= MAX_INFLATED_BYTES:
        total += len(inflater.decompress(pending, 1 << 24))
        pending = inflater.unconsumed_tail
    return total + len(inflater.flush())


def _syntax(ds):
    """The Transfer Syntax UID as a pydicom UID (cleaned text if malformed), or None."""
    from pydicom.uid import UID  # noqa: PLC0415

    value = getattr(ds, "file_meta", None) and ds.file_meta.get("TransferSyntaxUID")
    if not value:
        return None
    return value if isinstance(value, UID) else UID(_clean(value))


def _syntax_label(ds) -> str:
    """'JPEG Baseline (Process 1) [1.2.840.10008.1.2.4.50]'; unknown UIDs as cleaned text."""
    syntax = _syntax(ds)
    uid = _clean(syntax or "none")
    return f"{syntax.name} [{uid}]" if syntax and syntax.name != syntax else uid


def check_header(ds, name: str) -> None:
    """Refuse, before any pixel is decoded: non-radiograph modality, colour, no image, too big,
    or a transfer syntax without an installed decoder."""
    from pydicom.pixels import get_decoder  # noqa: PLC0415

    modality = _clean(ds.get("Modality") or "", 16).upper()
    if modality and modality not in ACCEPTED_MODALITIES:
        raise ImageError(
            f"{name}: DICOM modality {MODALITY_NAMES.get(modality, modality)} is not "
            f"a radiograph; expected one of {', '.join(ACCEPTED_MODALITIES)}."
        )
    if "PixelData" not in ds:
        raise ImageError(f"{name}: the DICOM file holds no image (no pixel data).")
    photometric = _clean(ds.get("PhotometricInterpretation") or "").upper()
    if not photometric:
        raise ImageError(
            f"{name}: the DICOM file does not say how to show its pixels "
            "(no Photometric Interpretation)."
        )
    if photometric not in ("MONOCHROME1", "MONOCHROME2") or _as_int(ds, "SamplesPerPixel", 1) != 1:
        raise ImageError(
            f"{name}: colour DICOM image ({photometric}); "
            "a chest radiograph is MONOCHROME1 or MONOCHROME2."
        )
    rows, cols = _as_int(ds, "Rows", 0), _as_int(ds, "Columns", 0)
    if rows <= 0 or cols <= 0:
        raise ImageError(f"{name}: the DICOM file gives no image size (Rows x Columns).")
    if rows * cols > MAX_PIXELS:
        raise ImageError(
            f"{name}: image is {cols}x{rows} px; the limit is {MAX_PIXELS // 10**6} megapixels."
        )
    syntax = _syntax(ds)
    if not syntax:
        raise ImageError(
            f"{name}: the DICOM file does not say how its pixels are encoded "
            "(no Transfer Syntax UID)."
        )
    try:
        available = get_decoder(syntax).is_available
    except (NotImplementedError, ValueError, TypeError):
        available = False
    if not available:
        raise ImageError(
            f"{name}: cannot decode DICOM transfer syntax '{_syntax_label(ds)}'; "
            "export the image uncompressed, JPEG or JPEG 2000, or as PNG."
        )


def _as_int(ds, keyword: str, default: int) -> int:
    try:
        value = ds.get(keyword)
        return default if value is None or value == "" else int(value)
    except (TypeError, ValueError, OverflowError):
        return default


def _number(value) -> float | None:
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


def header_notes(ds) -> list[str]:
    """One-line remarks decided from the header alone (shared by decode and safe_tags)."""
    notes = []
    frames = _as_int(ds, "NumberOfFrames", 1)
    if frames > 1:
        notes.append(f"Multi-frame file ({frames} frames): showing the first frame only.")
    if not ds.get("Modality"):
        notes.append("No Modality tag: assumed to be a radiograph.")
    if "PROCESSING" in _clean(ds.get("PresentationIntentType") or "").upper():
        notes.append(
            "'For Processing' (raw detector) image: contrast differs from a clinical display."
        )
    body = _clean(ds.get("BodyPartExamined") or "").upper()
    if body and body != "CHEST":
        notes.append(f"Body part is {body}: this tool is meant for chest radiographs.")
    voi_note = _voi_plan(ds)[1]
    return notes + [voi_note] if voi_note else notes


def _voi_plan(ds) -> tuple[str, str]:
    """Which VOI step applies ('lut', 'window' or 'range') and a note when tags were unusable."""
    if "VOILUTSequence" in ds:
        try:
            item = ds.VOILUTSequence[0]
            if len(item.LUTDescriptor) == 3 and item.get("LUTData") is not None:
                return "lut", ""
        except (AttributeError, IndexError, TypeError, KeyError):
            pass
    if "WindowCenter" in ds or "WindowWidth" in ds:
        center, width = _number(ds.get("WindowCenter")), _number(ds.get("WindowWidth"))
        function = _clean(ds.get("VOILUTFunction") or "LINEAR").upper()
        if center is not None and width is not None and function in WINDOW_FUNCTIONS:
            if width >= 1.0 or (width > 0.0 and function != "LINEAR"):
                return "window", ""
        return "range", "Window tags unusable: shown with the image's full value range."
    return "range", ""


def window(values: np.ndarray, center: float, width: float, function: str = "LINEAR"):
    """DICOM VOI window (PS3.3 C.11.2.1.2-3) -> float64 in [0, 1].

    Args:
        values: modality values (any shape).
        center, width: Window Center / Window Width; width >= 1 (LINEAR) or > 0 (others).
        function: VOI LUT Function: LINEAR, LINEAR_EXACT or SIGMOID.
    """
    x = np.asarray(values, dtype=np.float64)
    if function == "SIGMOID":
        return 1.0 / (1.0 + np.exp(-4.0 * (x - center) / width))
    if function == "LINEAR_EXACT":
        return np.clip((x - center) / width + 0.5, 0.0, 1.0)
    if width == 1.0:  # LINEAR with width 1 is a threshold at center - 0.5
        return (x > center - 0.5).astype(np.float64)
    return np.clip((x - (center - 0.5)) / (width - 1.0) + 0.5, 0.0, 1.0)


def to_gray(arr: np.ndarray, ds) -> tuple[np.ndarray, list[str]]:
    """One frame of stored values -> ((H, W) uint8, notes): modality LUT, VOI, MONOCHROME1."""
    from pydicom.pixels import apply_modality_lut, apply_voi  # noqa: PLC0415

    notes = []
    try:
        values = np.asarray(apply_modality_lut(arr, ds), dtype=np.float64)
    except Exception:  # malformed Rescale / Modality LUT tags (many exception types)
        values = arr.astype(np.float64)
        notes.append("Rescale tags unusable: stored pixel values used as they are.")
    plan, _ = _voi_plan(ds)
    gray = None
    if plan == "lut":
        try:  # a VOI LUT is indexed by integer values
            integral = values.astype(np.int64) if np.all(values == np.round(values)) else values
            out = np.asarray(apply_voi(integral, ds), dtype=np.float64)
            top = max(2.0 ** int(ds.VOILUTSequence[0].LUTDescriptor[2]) - 1, float(out.max()))
            gray = np.clip(out / top, 0.0, 1.0) if top > 0 else None
        except Exception:  # malformed VOI LUT Sequence
            gray = None
        if gray is None:
            notes.append("VOI LUT unusable: shown with the image's full value range.")
    elif plan == "window":
        function = _clean(ds.get("VOILUTFunction") or "LINEAR").upper()
        center, width = _number(ds.get("WindowCenter")), _number(ds.get("WindowWidth"))
        gray = window(values, center, width, function)
    if gray is None:
        finite = values[np.isfinite(values)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        gray = np.zeros(values.shape) if hi <= lo else np.clip((values - lo) / (hi - lo), 0, 1)
    if _clean(ds.get("PhotometricInterpretation") or "").upper() == "MONOCHROME1":
        gray = 1.0 - gray
    return np.round(np.nan_to_num(gray) * 255.0).astype(np.uint8), notes


def declared_size(codestream: bytes) -> tuple[int, int] | None:
    """(rows, columns) in a JPEG / JPEG-LS (SOF) or JPEG 2000 (SIZ) header, else None."""
    j2k = codestream.find(b"\xff\x4f\xff\x51", 0, 4096)  # SOC + SIZ, maybe after JP2 boxes
    if j2k >= 0 and len(codestream) >= j2k + 24:
        xsiz, ysiz, x0, y0 = struct.unpack(">4I", codestream[j2k + 8 : j2k + 24])
        return ysiz - y0, xsiz - x0
    pos = 2 if codestream[:2] == b"\xff\xd8" else len(codestream)
    while pos + 9 <= len(codestream) and codestream[pos] == 0xFF:
        marker = codestream[pos + 1]
        if marker in SOF_MARKERS:
            return struct.unpack(">HH", codestream[pos + 5 : pos + 9])
        pos += 1 if marker == 0xFF else 2 + int.from_bytes(codestream[pos + 2 : pos + 4], "big")
    return None


def check_codestream(ds, name: str) -> None:
    """Compressed data must declare the image size of Rows x Columns: a damaged JPEG or JPEG
    2000 header could otherwise make the codec decode gigapixels (seen when fuzzing)."""
    from pydicom.encaps import get_frame  # noqa: PLC0415

    if not _syntax(ds).is_encapsulated:
        return
    try:
        frames = max(_as_int(ds, "NumberOfFrames", 1), 1)
        size = declared_size(get_frame(ds.PixelData, 0, number_of_frames=frames)[:65536])
    except Exception:  # broken encapsulation: left to the decoder, which reports it
        return
    expected = (_as_int(ds, "Rows", 0), _as_int(ds, "Columns", 0))
    if size is not None and size[0] != 0 and size != expected:  # height 0: JPEG DNL, rare
        raise ImageError(
            f"{name}: damaged DICOM file: its compressed image is {size[1]}x"
            f"{size[0]} px but the header says {expected[1]}x{expected[0]} px."
        )


def read_dicom(data: bytes, name: str = "upload") -> DicomImage:
    """DICOM bytes -> DicomImage (gray (H, W) uint8, safe tags, notes). Raises ImageError."""
    from pydicom.pixels import pixel_array  # noqa: PLC0415

    ds = read_dataset(data, name)
    check_header(ds, name)
    check_codestream(ds, name)
    try:
        arr = pixel_array(ds, index=0)  # decodes only the first frame
    except Exception as exc:  # pydicom and its plugins raise many types on corrupt data
        lines = [line for line in str(exc).splitlines() if line.strip()]
        detail = _clean(lines[-1] if lines else type(exc).__name__, 140, "(),:'/")
        raise ImageError(
            f"{name}: cannot decode the DICOM pixel data (transfer syntax "
            f"'{_syntax_label(ds)}'): {detail}."
        ) from None
    if arr.ndim != 2:
        raise ImageError(f"{name}: unexpected DICOM pixel array shape {arr.shape}.")
    gray, notes = to_gray(arr, ds)
    return DicomImage(gray, _tags(ds), header_notes(ds) + notes)


def _tags(ds) -> dict[str, str]:
    return {t: _clean(ds.get(t)) for t in SAFE_TAGS if ds.get(t) not in (None, "")}


def decode_dicom(data: bytes, name: str = "upload") -> np.ndarray:
    """DICOM bytes -> (H, W) uint8. Refuses non-radiograph modalities and undecodable syntaxes."""
    return read_dicom(data, name).gray


def safe_tags(data: bytes, name: str = "upload") -> dict:
    """The non-identifying tags in SAFE_TAGS as short strings (missing ones omitted), plus
    "notes": list of one-line remarks when there are any. Reads the header only."""
    ds = read_dataset(data, name, pixels=False)
    out: dict = _tags(ds)
    notes = header_notes(ds)
    if notes:
        out["notes"] = notes
    return out


def decodable_syntaxes() -> list[str]:
    """Names of the image transfer syntaxes this installation can decode."""
    from pydicom.pixels import get_decoder  # noqa: PLC0415
    from pydicom.uid import AllTransferSyntaxes  # noqa: PLC0415

    names = []
    for uid in AllTransferSyntaxes:
        try:
            if get_decoder(uid).is_available:
                names.append(uid.name)
        except NotImplementedError:
            continue
    return sorted(names)
