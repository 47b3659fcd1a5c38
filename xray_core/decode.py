"""Decode uploaded bytes into a grayscale uint8 image (H, W): step 1 of the image contract.

Every failure raises `ImageError` with a one-line message a clinician can read.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_FILE_BYTES = 50 * 1024 * 1024  # 50 MB
MAX_PIXELS = 60_000_000  # ~7750 x 7750; Pillow's decompression-bomb guard is set from this
MIN_SIDE = 64  # pixels


class ImageError(ValueError):
    """An input that cannot be turned into a chest X-ray image; str() is a one-line message."""


def _to_gray_u8(img: Image.Image) -> np.ndarray:
    """Pillow image of any mode -> (H, W) uint8, 16-bit data rescaled by its own range."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        if hi <= lo:
            return np.zeros(arr.shape, dtype=np.uint8)
        return np.round((arr - lo) / (hi - lo) * 255.0).astype(np.uint8)
    if img.mode in ("P", "PA"):
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA"):
        background = Image.new("RGBA", img.size, (0, 0, 0, 255))
        img = Image.alpha_composite(background, img.convert("RGBA"))
    return np.asarray(img.convert("L"), dtype=np.uint8)


def decode_bytes(data: bytes, name: str = "upload") -> np.ndarray:
    """Decode PNG/JPEG/BMP/TIFF bytes to a grayscale uint8 array (H, W).

    Args:
        data: the file's bytes.
        name: file name, used only in messages.
    Returns:
        (H, W) uint8, EXIF orientation applied.
    Raises:
        ImageError: empty, too large, not an image, truncated, or too small.
    """
    if not data:
        raise ImageError(f"{name}: the file is empty (0 bytes).")
    if len(data) > MAX_FILE_BYTES:
        mb = len(data) / 1e6
        raise ImageError(f"{name}: file is {mb:.0f} MB; the limit is {MAX_FILE_BYTES // 10**6} MB.")
    if data[128:132] == b"DICM":
        from xray_core.dicom import decode_dicom  # noqa: PLC0415  (optional dependency path)

        return check_size(decode_dicom(data, name), name)
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.width * img.height > MAX_PIXELS:
                raise ImageError(
                    f"{name}: image is {img.width}x{img.height} px; the limit is "
                    f"{MAX_PIXELS // 10**6} megapixels."
                )
            img = ImageOps.exif_transpose(img)
            img.load()
            gray = _to_gray_u8(img)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{name}: image is too large to decode safely.") from None
    except UnidentifiedImageError:
        raise ImageError(f"{name}: not a readable image (expected PNG, JPEG or DICOM).") from None
    except (OSError, SyntaxError, ValueError, TypeError, EOFError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ImageError(f"{name}: the image file is damaged or truncated ({first}).") from None
    return check_size(gray, name)


def check_size(gray: np.ndarray, name: str) -> np.ndarray:
    """Refuse images whose shorter side is under MIN_SIDE pixels."""
    h, w = gray.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise ImageError(f"{name}: image is {w}x{h} px; at least {MIN_SIDE} px per side is needed.")
    return gray


def load_image(path: str | Path) -> np.ndarray:
    """Read and decode a file from disk to (H, W) uint8. Raises ImageError on any failure."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImageError(f"{path.name}: file is {size / 1e6:.0f} MB; the limit is 50 MB.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise ImageError(f"{path}: is a folder, not an image file.") from None
    except PermissionError:
        raise ImageError(f"{path}: permission denied.") from None
    return decode_bytes(data, path.name)
