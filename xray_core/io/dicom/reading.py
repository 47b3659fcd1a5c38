"""Parsing a DICOM file safely: only READ_TAGS, deflated files bounded before inflating,
and the transfer syntax named for messages."""

from __future__ import annotations

import io
import zlib

from xray_core.io.dicom.tags import READ_TAGS, clean
from xray_core.io.limits import MAX_PIXELS, ImageError

MAX_INFLATED_BYTES = 4 * MAX_PIXELS  # deflated files: refuse zip bombs before pydicom inflates
DEFLATED = "1.2.840.10008.1.2.1.99"  # Deflated Explicit VR Little Endian


def read_dataset(data: bytes, name: str, pixels: bool = True):
    """Parse the tags in READ_TAGS (without PixelData unless `pixels`); ImageError if invalid."""
    import pydicom
    from pydicom.dataset import Dataset

    tags = list(READ_TAGS if pixels else [t for t in READ_TAGS if t != "PixelData"])
    try:
        if inflated_size(data) <= MAX_INFLATED_BYTES:
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


def inflated_size(data: bytes) -> int:
    """Size of the dataset after inflating (0 unless Deflated Explicit VR Little Endian),
    counted in 16 MB steps and abandoned past MAX_INFLATED_BYTES (pydicom inflates all at once).
    """
    from pydicom.filereader import read_dataset as read_elements

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


def transfer_syntax(ds):
    """The Transfer Syntax UID as a pydicom UID (cleaned text if malformed), or None."""
    from pydicom.uid import UID

    value = getattr(ds, "file_meta", None) and ds.file_meta.get("TransferSyntaxUID")
    if not value:
        return None
    return value if isinstance(value, UID) else UID(clean(value))


def syntax_label(ds) -> str:
    """'JPEG Baseline (Process 1) [1.2.840.10008.1.2.4.50]'; unknown UIDs as cleaned text."""
    syntax = transfer_syntax(ds)
    uid = clean(syntax or "none")
    return f"{syntax.name} [{uid}]" if syntax and syntax.name != syntax else uid
