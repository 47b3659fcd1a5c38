"""What any decoder refuses, and how: the size limits and the one error type of image input."""

MAX_FILE_BYTES = 50 * 1024 * 1024  # 50 MB (MiB, as Streamlit's server.maxUploadSize counts)
MAX_PIXELS = 60_000_000  # ~7750 x 7750; Pillow's decompression-bomb guard is set from this
MIN_SIDE = 64  # pixels


class ImageError(ValueError):
    """An input that cannot be turned into a chest X-ray image; str() is a one-line message."""
