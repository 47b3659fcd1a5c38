"""Refusals decided before any pixel is decoded, and the notes shown with a decoded image."""

from __future__ import annotations

import struct

from xray_core.io.dicom.pixels import voi_plan
from xray_core.io.dicom.reading import syntax_label, transfer_syntax
from xray_core.io.dicom.tags import ACCEPTED_MODALITIES, MODALITY_NAMES, as_int, clean
from xray_core.io.limits import MAX_PIXELS, ImageError

# JPEG start-of-frame markers (0xC0-0xCF but DHT, JPG, DAC) and JPEG-LS SOF55
SOF_MARKERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC} | {0xF7}


def check_header(ds, name: str) -> None:
    """Refuse, before any pixel is decoded: non-radiograph modality, colour, no image, too big,
    or a transfer syntax without an installed decoder."""
    from pydicom.pixels import get_decoder

    modality = clean(ds.get("Modality") or "", 16).upper()
    if modality and modality not in ACCEPTED_MODALITIES:
        raise ImageError(
            f"{name}: DICOM modality {MODALITY_NAMES.get(modality, modality)} is not "
            f"a radiograph; expected one of {', '.join(ACCEPTED_MODALITIES)}."
        )
    if "PixelData" not in ds:
        raise ImageError(f"{name}: the DICOM file holds no image (no pixel data).")
    photometric = clean(ds.get("PhotometricInterpretation") or "").upper()
    if not photometric:
        raise ImageError(
            f"{name}: the DICOM file does not say how to show its pixels "
            "(no Photometric Interpretation)."
        )
    if photometric not in ("MONOCHROME1", "MONOCHROME2") or as_int(ds, "SamplesPerPixel", 1) != 1:
        raise ImageError(
            f"{name}: colour DICOM image ({photometric}); "
            "a chest radiograph is MONOCHROME1 or MONOCHROME2."
        )
    rows, cols = as_int(ds, "Rows", 0), as_int(ds, "Columns", 0)
    if rows <= 0 or cols <= 0:
        raise ImageError(f"{name}: the DICOM file gives no image size (Rows x Columns).")
    if rows * cols > MAX_PIXELS:
        raise ImageError(
            f"{name}: image is {cols}x{rows} px; the limit is {MAX_PIXELS // 10**6} megapixels."
        )
    syntax = transfer_syntax(ds)
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
            f"{name}: cannot decode DICOM transfer syntax '{syntax_label(ds)}'; "
            "export the image uncompressed, JPEG or JPEG 2000, or as PNG."
        )


def header_notes(ds) -> list[str]:
    """One-line remarks decided from the header alone ."""
    notes = []
    frames = as_int(ds, "NumberOfFrames", 1)
    if frames > 1:
        notes.append(f"Multi-frame file ({frames} frames): showing the first frame only.")
    if not ds.get("Modality"):
        notes.append("No Modality tag: assumed to be a radiograph.")
    if "PROCESSING" in clean(ds.get("PresentationIntentType") or "").upper():
        notes.append(
            "'For Processing' (raw detector) image: contrast differs from a clinical display."
        )
    body = clean(ds.get("BodyPartExamined") or "").upper()
    if body and body != "CHEST":
        notes.append(f"Body part is {body}: this tool is meant for chest radiographs.")
    voi_note = voi_plan(ds)[1]
    return notes + [voi_note] if voi_note else notes


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
    from pydicom.encaps import get_frame

    if not transfer_syntax(ds).is_encapsulated:
        return
    try:
        frames = max(as_int(ds, "NumberOfFrames", 1), 1)
        size = declared_size(get_frame(ds.PixelData, 0, number_of_frames=frames)[:65536])
    except Exception:  # broken encapsulation: left to the decoder, which reports it
        return
    expected = (as_int(ds, "Rows", 0), as_int(ds, "Columns", 0))
    if size is not None and size[0] != 0 and size != expected:  # height 0: JPEG DNL, rare
        raise ImageError(
            f"{name}: damaged DICOM file: its compressed image is {size[1]}x"
            f"{size[0]} px but the header says {expected[1]}x{expected[0]} px."
        )
