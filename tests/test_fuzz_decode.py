"""Fuzzing decode_bytes: mutated real files and random bytes give an image or an ImageError.

Seeds: a real JPEG from ../shared/data/fullres_samples, a real dataset image re-encoded as PNG
and TIFF, and small synthetic DICOM files (uncompressed, RLE, JPEG 2000). Mutations: byte
overwrites (biased to headers, with boundary values that hit length fields), truncation,
insertion, deletion. Derandomized, so CI runs the same examples every time.
"""

import io
import struct
import time
import zlib
from datetime import timedelta

import numpy as np
import pydicom
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    DigitalXRayImageStorageForPresentation,
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    RLELossless,
    generate_uid,
)

from xray_core.io.decode import MIN_SIDE, ImageError, decode_bytes
from xray_core.io.dicom import read_dicom

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom warns on bad tags

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BOUNDARY = [
    b"\x00",
    b"\xff",
    b"\x7f",
    b"\x80",
    b"\xff\xff\xff\xff",
    b"\x00\x00\x00\x80",
    b"\xff\xff\xff\x7f",
    b"\x00\x00",
    b"\xfe\xff\xdd\xe0",
]  # last: DICOM delimiter


def dicom_seed(compress=None) -> bytes:
    """A 12-bit DX file, 96 x 80 px, with window and rescale tags."""
    pixels = (np.arange(80 * 96).reshape(80, 96) % 4096).astype(np.uint16)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = DigitalXRayImageStorageForPresentation
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=["fuzz", str(compress)])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.PhotometricInterpretation, ds.SamplesPerPixel = "DX", "MONOCHROME1", 1
    ds.Rows, ds.Columns = pixels.shape
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.RescaleSlope, ds.RescaleIntercept = 1.5, -100.0
    ds.WindowCenter, ds.WindowWidth = 2000.0, 3000.0
    ds.PixelData = pixels.tobytes()
    if compress is not None:
        ds.compress(compress, pixels, generate_instance_uid=False)
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def encode(img: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


def exif_block() -> Image.Exif:
    exif = Image.Exif()
    exif.update(
        {0x0112: 6, 0x010F: "Maker", 0x0110: "Model", 0x011A: 72.0, 0x0132: "2020:01:01 00:00:00"}
    )  # orientation, make, model, dpi, date
    return exif


@pytest.fixture(scope="module")
def seeds(fullres_files, data_root) -> dict[str, bytes]:
    """Seed files by name. The JPEG is the smallest real full-resolution sample, unchanged."""
    if not fullres_files:
        pytest.fail(f"no JPEG files under {fullres_files!r}: the fuzz test needs the samples")
    smallest = min(fullres_files, key=lambda p: (p.stat().st_size, p.name))
    small = Image.open(sorted((data_root / "train" / "NORMAL").iterdir())[0]).convert("L")
    return {
        "jpeg": smallest.read_bytes(),
        "png": encode(small, "PNG"),
        "exif_jpeg": encode(small, "JPEG", exif=exif_block()),
        "tiff": encode(small.resize((96, 96)), "TIFF"),
        "dicom": dicom_seed(),
        "dicom_rle": dicom_seed(RLELossless),
        "dicom_j2k": dicom_seed(JPEG2000Lossless),
    }


def refused(err: ImageError) -> None:
    message = str(err)
    assert message.startswith("fuzz.bin: ") and "\n" not in message and len(message) < 400


def check(data: bytes) -> None:
    """The decoding contract: a (H, W) uint8 image >= MIN_SIDE a side, or a one-line
    ImageError that starts with the file name. Any other exception fails the test.
    DICOM-looking bytes must also give safe tags (dict of short strings) or an ImageError."""
    if data[128:132] == b"DICM":
        try:
            image = read_dicom(data, "fuzz.bin")
            tags, notes = image.tags, image.notes
            assert all(isinstance(v, str) and len(v) <= 64 for v in tags.values())
            assert all(isinstance(n, str) and "\n" not in n for n in notes)
        except ImageError as err:
            refused(err)
    try:
        out = decode_bytes(data, "fuzz.bin")
    except ImageError as err:
        refused(err)
        return
    assert isinstance(out, np.ndarray) and out.dtype == np.uint8 and out.ndim == 2
    assert min(out.shape) >= MIN_SIDE


HEADER = {"png": (8, 1024), "jpeg": (2, 1024), "tiff": (8, 512), "dicom": (132, 1400)}


def fix_png_crcs(data: bytes) -> bytes:
    """Recompute every chunk CRC, so that mutations reach the parser behind the CRC check."""
    out, pos = bytearray(data), 8
    while pos + 12 <= len(out):
        length = int.from_bytes(out[pos : pos + 4], "big")
        end = pos + 8 + length
        if end + 4 > len(out):
            break
        out[end : end + 4] = zlib.crc32(out[pos + 4 : end]).to_bytes(4, "big")
        pos = end + 4
    return bytes(out)


@st.composite
def mutated(draw, seed: bytes, kind: str) -> bytes:
    """`seed` with 1-8 random edits: half of them in the header region of its format
    (after the magic bytes, which are kept most of the time so the right parser runs)."""
    data = bytearray(seed)
    if kind == "exif_jpeg":  # the EXIF block's IFD entries
        start = seed.index(b"Exif")
        stop = start + 200
    else:
        start, stop = HEADER[kind.split("_")[0]]
    for _ in range(draw(st.integers(1, 8))):
        n = len(data)
        if n <= start + 1:
            break
        pos = draw(st.one_of(st.integers(start, min(n, stop) - 1), st.integers(0, n - 1)))
        op = draw(
            st.sampled_from(
                ["flip", "flip", "boundary", "boundary", "insert", "delete", "truncate"]
            )
        )
        if op == "flip":
            data[pos] ^= draw(st.integers(1, 255))
        elif op == "boundary":
            value = draw(st.sampled_from(BOUNDARY))
            data[pos : pos + len(value)] = value
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        else:
            del data[pos:]
    if kind == "png" and draw(st.booleans()):
        return fix_png_crcs(bytes(data))
    return bytes(data)


def fuzz(name: str, examples: int):
    """A test that decodes `examples` mutations of seeds[name]."""

    @settings(FUZZ, max_examples=examples)
    @given(data=st.data())
    def run(seeds, data):
        check(data.draw(mutated(seeds[name], name), label=name))

    return run


test_fuzz_png = fuzz("png", 1500)
test_fuzz_jpeg = fuzz("jpeg", 600)
test_fuzz_tiff = fuzz("tiff", 500)
test_fuzz_exif_jpeg = fuzz("exif_jpeg", 600)
test_fuzz_dicom = fuzz("dicom", 1500)
test_fuzz_dicom_rle = fuzz("dicom_rle", 500)
test_fuzz_dicom_j2k = fuzz("dicom_j2k", 600)


@settings(FUZZ, max_examples=800)
@given(
    head=st.sampled_from(
        [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"BM", bytes(128) + b"DICM"]
    ),
    body=st.binary(min_size=0, max_size=2048),
)
def test_fuzz_random_bytes(head, body):
    check(head + body)


def test_exif_tag_with_the_wrong_type_is_ignored():
    """Found by fuzzing: an EXIF ImageWidth entry typed ASCII made Pillow's exif_transpose raise
    struct.error. A broken EXIF block now counts as no orientation."""
    gradient = Image.fromarray(np.tile(np.arange(128, dtype=np.uint8), (96, 1)))
    data = encode(gradient, "JPEG", exif=exif_block())
    entry = b"\x01\x32\x00\x02"  # DateTime (0x0132), type ASCII, big-endian EXIF
    assert data.count(entry) == 1
    out = decode_bytes(data.replace(entry, b"\x01\x00\x00\x02"))  # now ImageWidth, ASCII
    assert out.shape == (128, 96)  # still rotated by its valid Orientation entry


def test_seeds_decode_and_truncated_images_stay_refused(seeds):
    for data in seeds.values():
        check(data)
        assert decode_bytes(data).ndim == 2
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False  # never switched on to "rescue" a file


@pytest.mark.parametrize(
    "data",
    [
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\nshowpage\n",  # EPS: Ghostscript
        encode(Image.new("L", (100, 100)), "GIF"),
        encode(Image.new("L", (100, 100)), "WEBP"),
        encode(Image.new("L", (100, 100)), "PPM"),
    ],
    ids=["eps", "gif", "webp", "ppm"],
)
def test_only_the_listed_formats_are_opened(data):
    with pytest.raises(ImageError, match="not a readable image"):
        decode_bytes(data, "other.img")


@pytest.mark.parametrize("fmt", ["PNG", "TIFF", "BMP"])
def test_decompression_bomb_is_refused_fast(fmt):
    """A 20000 x 20000 header (400 Mpx) with almost no data: refused before decoding."""
    if fmt == "PNG":  # a bare header: IHDR claims 20000 x 20000, one empty IDAT

        def chunk(kind: bytes, body: bytes) -> bytes:
            crc = zlib.crc32(kind + body).to_bytes(4, "big")
            return struct.pack(">I", len(body)) + kind + body + crc

        data = (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b""))
            + chunk(b"IEND", b"")
        )
    else:  # a real 64 x 64 file whose size fields are patched to 20000 x 20000
        data, big = encode(Image.new("L", (64, 64)), fmt), (20000).to_bytes(4, "little")
        if fmt == "BMP":  # BITMAPINFOHEADER: width, height as consecutive int32
            data = data.replace((64).to_bytes(4, "little") * 2, big * 2, 1)
        else:  # TIFF IFD entries 0x0100 / 0x0101, type LONG, count 1
            for tag in (b"\x00\x01", b"\x01\x01"):
                entry = tag + b"\x04\x00\x01\x00\x00\x00"
                data = data.replace(entry + (64).to_bytes(4, "little"), entry + big, 1)
        assert big in data
    assert len(data) < 10_000
    start = time.perf_counter()
    with pytest.raises(ImageError, match="too large|megapixels") as err:
        decode_bytes(data, f"bomb.{fmt.lower()}")
    assert time.perf_counter() - start < 1.0 and "\n" not in str(err.value)


def test_dicom_seed_is_valid_dicom():
    ds = pydicom.dcmread(io.BytesIO(dicom_seed()))
    assert ds.Modality == "DX" and ds.pixel_array.shape == (80, 96)
