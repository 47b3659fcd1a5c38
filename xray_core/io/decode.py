"""Decode uploaded bytes into a grayscale uint8 image (H, W): step 1 of the image contract.

Every failure raises `ImageError` with a one-line message a clinician can read.
"""

from __future__ import annotations

import io
import struct
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from xray_core.io.limits import MAX_FILE_BYTES, MAX_PIXELS, MIN_SIDE, ImageError

FORMATS = ("PNG", "JPEG", "BMP", "TIFF")  # Pillow plugins tried (JPEG covers MPO); never EPS


# What Pillow raises on damaged input: the list its own fuzz tests accept (OSError, SyntaxError,
# MemoryError, ValueError, NotImplementedError, OverflowError), plus what plugins were seen to
# leak when fuzzing here (struct.error, EOFError, TypeError, IndexError, KeyError, ZeroDivision).
PILLOW_ERRORS = (
    OSError,
    SyntaxError,
    MemoryError,
    ValueError,
    NotImplementedError,
    ArithmeticError,
    struct.error,
    EOFError,
    TypeError,
    IndexError,
    KeyError,
)
ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}  # EXIF tag 0x0112 value -> Pillow transpose


def _apply_orientation(img: Image.Image) -> Image.Image:
    """Turn the image as its EXIF Orientation tag says. An unreadable EXIF block counts as
    'no orientation' (as browsers do) rather than refusing the image: only the pixels matter."""
    try:
        orientation = img.getexif().get(0x0112)
    except PILLOW_ERRORS:
        return img
    method = ORIENTATION.get(orientation) if isinstance(orientation, int) else None
    return img.transpose(method) if method is not None else img


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:.0f} MB"


def _to_gray_u8(img: Image.Image) -> np.ndarray:
    """Pillow image of any mode -> (H, W) uint8, 16-bit data rescaled by its own range."""
    if img.mode.startswith(("I;16", "I", "F")):
        arr = np.asarray(img, dtype=np.float64)
        finite = arr[np.isfinite(arr)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        if hi <= lo:
            return np.zeros(arr.shape, dtype=np.uint8)
        scaled = np.clip(np.nan_to_num((arr - lo) / (hi - lo)), 0.0, 1.0)
        return np.round(scaled * 255.0).astype(np.uint8)
    if img.mode in ("P", "PA"):
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA"):
        background = Image.new("RGBA", img.size, (0, 0, 0, 255))
        img = Image.alpha_composite(background, img.convert("RGBA"))
    return np.asarray(img if img.mode == "L" else img.convert("L"), dtype=np.uint8)


def is_dicom(data: bytes) -> bool:
    """True for a DICOM Part 10 file (the 'DICM' magic after the 128-byte preamble)."""
    return data[128:132] == b"DICM"


def decode_bytes(data: bytes, name: str = "upload") -> np.ndarray:
    """Decode PNG/JPEG/BMP/TIFF bytes, or DICOM (`xray_core.io.dicom`), to grayscale uint8 (H, W).

    Args:
        data: the file's bytes.
        name: file name, used only in messages.
    Returns:
        (H, W) uint8, EXIF orientation applied.
    Raises:
        ImageError: empty, too large, not an image, truncated, or too small.
    """
    name = "".join(ch if ch.isprintable() else "?" for ch in str(name))[:200]
    if not data:
        raise ImageError(f"{name}: the file is empty (0 bytes).")
    if len(data) > MAX_FILE_BYTES:
        raise ImageError(f"{name}: file is {_mb(len(data))}; the limit is {_mb(MAX_FILE_BYTES)}.")
    if is_dicom(data):
        from xray_core.io.dicom import decode_dicom  # optional dependency path

        return check_size(decode_dicom(data, name), name)
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=FORMATS)
            if img.width * img.height > MAX_PIXELS:
                raise ImageError(
                    f"{name}: image is {img.width}x{img.height} px; the limit is "
                    f"{MAX_PIXELS // 10**6} megapixels."
                )
            img.load()
            img = _apply_orientation(img)
            gray = _to_gray_u8(img)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(
            f"{name}: image is too large to decode safely (over {MAX_PIXELS // 10**6} megapixels)."
        ) from None
    except UnidentifiedImageError:
        raise ImageError(
            f"{name}: not a readable image (expected PNG, JPEG, TIFF, BMP or DICOM)."
        ) from None
    except PILLOW_ERRORS as exc:
        lines = str(exc).splitlines()
        first = (lines[0] if lines else type(exc).__name__)[:120]
        raise ImageError(f"{name}: the image file is damaged or truncated ({first}).") from None
    return check_size(gray, name)


def check_size(gray: np.ndarray, name: str) -> np.ndarray:
    """Refuse images whose shorter side is under MIN_SIDE pixels."""
    h, w = gray.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise ImageError(f"{name}: image is {w}x{h} px; at least {MIN_SIDE} px per side is needed.")
    return gray


def read_file(path: str | Path) -> bytes:
    """Read an upload from disk with the size limit. Raises ImageError on any failure: a
    FIFO, device or folder is refused without blocking, a symlink loop or an unreadable file
    is one line (`safe_files`)."""
    from xray_core.io.safe_files import FileError, read_bytes

    try:
        data = read_bytes(path, MAX_FILE_BYTES)
    except FileError as exc:
        raise ImageError(str(exc)) from None
    return data


def load_image(path: str | Path) -> np.ndarray:
    """Read and decode a file from disk to (H, W) uint8. Raises ImageError on any failure."""
    return decode_bytes(read_file(path), Path(path).name)
