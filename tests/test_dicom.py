"""DICOM decoding: LUT order, MONOCHROME1, frames, modalities, transfer syntaxes, identifiers.

Files are built in memory with pydicom; expected pixels are recomputed from the DICOM formulas
(PS3.3 C.11.1 modality LUT, C.11.2 window), never copied from the decoder's output.
"""

import io
import time
import zlib

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.filewriter import write_file_meta_info
from pydicom.pixels import apply_voi_lut
from pydicom.uid import (
    MPEG2MPML,
    DeflatedExplicitVRLittleEndian,
    DigitalXRayImageStorageForPresentation,
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    RLELossless,
    generate_uid,
)

from xray_core.io.decode import ImageError, decode_bytes
from xray_core.io.dicom import (
    MAX_INFLATED_BYTES,
    SAFE_TAGS,
    declared_size,
    decode_dicom,
    read_dataset,
    read_dicom,
)

IDENTIFIERS = {
    "PatientName": "Doe^Jane",
    "PatientID": "PID-98765",
    "PatientBirthDate": "20190704",
    "OtherPatientIDs": "OTHER-4242",
    "AccessionNumber": "ACC-31337",
    "InstitutionName": "Saint Nowhere Hospital",
    "ReferringPhysicianName": "Who^Dr",
}
ROWS, COLS = 80, 96
RAMP12 = (np.arange(ROWS * COLS).reshape(ROWS, COLS) * 4095 // (ROWS * COLS - 1)).astype(np.uint16)


def make_dicom(
    pixels: np.ndarray,
    *,
    modality: str | None = "DX",
    photometric="MONOCHROME2",
    bits_stored: int | None = None,
    compress=None,
    **tags,
) -> bytes:
    """A DX-like Part 10 file (bytes) around `pixels` ((H, W) or (frames, H, W), uint/int)."""
    pixels = np.asarray(pixels)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = DigitalXRayImageStorageForPresentation
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    for key, value in IDENTIFIERS.items():
        setattr(ds, key, value)
    if modality is not None:
        ds.Modality = modality
    ds.ViewPosition = "PA"
    ds.BodyPartExamined = "CHEST"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.Rows, ds.Columns = pixels.shape[-2:]
    if pixels.ndim == 3:
        ds.NumberOfFrames = pixels.shape[0]
    ds.BitsAllocated = pixels.dtype.itemsize * 8
    ds.BitsStored = bits_stored or ds.BitsAllocated
    ds.HighBit = ds.BitsStored - 1
    ds.PixelRepresentation = int(pixels.dtype.kind == "i")
    ds.PixelData = pixels.tobytes()
    for key, value in tags.items():
        setattr(ds, key, value)
    if compress is not None:
        ds.compress(compress, pixels)
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def expected_range(values: np.ndarray, invert: bool = False) -> np.ndarray:
    values = values.astype(np.float64)
    gray = (values - values.min()) / (values.max() - values.min())
    return np.round(((1.0 - gray) if invert else gray) * 255.0).astype(np.uint8)


def expected_linear_window(x: np.ndarray, c: float, w: float) -> np.ndarray:
    """PS3.3 C.11.2.1.2.1, piecewise as written in the standard, output range [0, 1]."""
    x = x.astype(np.float64)
    out = (x - (c - 0.5)) / (w - 1) + 0.5
    out = np.where(x <= c - 0.5 - (w - 1) / 2, 0.0, out)
    out = np.where(x > c - 0.5 + (w - 1) / 2, 1.0, out)
    return np.round(out * 255.0).astype(np.uint8)


@pytest.mark.parametrize("photometric, invert", [("MONOCHROME2", False), ("MONOCHROME1", True)])
def test_monochrome1_is_inverted(photometric, invert):
    out = decode_dicom(make_dicom(RAMP12, photometric=photometric, bits_stored=12))
    assert out.shape == (ROWS, COLS) and out.dtype == np.uint8
    np.testing.assert_array_equal(out, expected_range(RAMP12, invert=invert))
    assert (out[0, 0], out[-1, -1]) == ((255, 0) if invert else (0, 255))


def test_rescale_then_window():
    slope, intercept, c, w = 2.0, -1024.0, 1500.0, 3001.0
    data = make_dicom(
        RAMP12,
        bits_stored=12,
        RescaleSlope=slope,
        RescaleIntercept=intercept,
        WindowCenter=c,
        WindowWidth=w,
    )
    modality_values = RAMP12 * slope + intercept  # -1024 .. 7166, spans both sides of the window
    expected = expected_linear_window(modality_values, c, w)
    assert expected.min() == 0 and expected.max() == 255
    np.testing.assert_array_equal(decode_dicom(data), expected)


def test_window_matches_pydicom_scaled_to_its_output_range():
    c, w = 2000.0, 1000.0
    data = make_dicom(RAMP12, bits_stored=12, WindowCenter=c, WindowWidth=w)
    ds = pydicom.dcmread(io.BytesIO(data))
    reference = apply_voi_lut(ds.pixel_array, ds) / (2**12 - 1)  # unsigned 12 bit: y in [0, 4095]
    np.testing.assert_array_equal(decode_dicom(data), np.round(reference * 255).astype(np.uint8))


@pytest.mark.parametrize(
    "function, formula",
    [
        ("LINEAR_EXACT", lambda x, c, w: np.clip((x - c) / w + 0.5, 0, 1)),
        ("SIGMOID", lambda x, c, w: 1 / (1 + np.exp(-4 * (x - c) / w))),
    ],
)
def test_voi_lut_functions(function, formula):
    c, w = 2048.0, 1024.0
    out = decode_dicom(
        make_dicom(RAMP12, bits_stored=12, WindowCenter=c, WindowWidth=w, VOILUTFunction=function)
    )
    expected = np.round(formula(RAMP12.astype(np.float64), c, w) * 255).astype(np.uint8)
    np.testing.assert_array_equal(out, expected)


def test_voi_lut_sequence_is_preferred_to_window():
    lut = np.round(np.sqrt(np.arange(4096) / 4095) * 65535).astype(np.uint16)  # gamma, 16 bit
    item = Dataset()
    item.add_new("LUTDescriptor", "US", [4096, 0, 16])
    item.add_new("LUTData", "US", lut.tolist())
    out = decode_dicom(
        make_dicom(
            RAMP12, bits_stored=12, VOILUTSequence=[item], WindowCenter=100.0, WindowWidth=10.0
        )
    )
    np.testing.assert_array_equal(out, np.round(lut[RAMP12] / 65535 * 255).astype(np.uint8))


def test_unusable_window_falls_back_to_full_range_with_a_note():
    data = make_dicom(RAMP12, bits_stored=12, WindowCenter=100.0, WindowWidth=0.0)
    image = read_dicom(data)
    np.testing.assert_array_equal(image.gray, expected_range(RAMP12))
    assert any("Window tags unusable" in n for n in image.notes)


@pytest.mark.parametrize(
    "pixels",
    [
        (RAMP12.astype(np.uint32) * 16).astype(np.uint16),  # full 16-bit unsigned range
        (RAMP12.astype(np.int32) * 16 - 32768).astype(np.int16),  # signed, PixelRepresentation 1
        (RAMP12 // 16).astype(np.uint8),  # 8-bit
    ],
)
def test_bit_depths_and_signedness(pixels):
    out = decode_bytes(make_dicom(pixels), "x.dcm")
    np.testing.assert_array_equal(out, expected_range(pixels))


def test_multi_frame_gives_first_frame_and_a_note():
    frames = np.stack([RAMP12, RAMP12[::-1], np.full_like(RAMP12, 7)])
    data = make_dicom(frames, bits_stored=12)
    image = read_dicom(data)
    np.testing.assert_array_equal(image.gray, expected_range(RAMP12))
    assert image.notes == ["Multi-frame file (3 frames): showing the first frame only."]
    assert image.tags["NumberOfFrames"] == "3"


@pytest.mark.parametrize("modality", ["CT", "MR", "US", "MG", "NM", "OT"])
def test_other_modalities_are_refused(modality):
    with pytest.raises(ImageError, match=f"modality {modality}.*not a radiograph") as err:
        decode_bytes(make_dicom(RAMP12, modality=modality), "scan.dcm")
    assert "\n" not in str(err.value) and str(err.value).startswith("scan.dcm: ")


@pytest.mark.parametrize("modality", ["CR", "DX", "RG", None])
def test_radiograph_modalities_are_accepted(modality):
    image = read_dicom(make_dicom(RAMP12, modality=modality))
    assert image.gray.shape == (ROWS, COLS)
    assert ("No Modality tag: assumed to be a radiograph." in image.notes) == (modality is None)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"del": "PixelData"}, "no pixel data"),
        ({"PhotometricInterpretation": "RGB", "SamplesPerPixel": 3}, "colour DICOM image"),
        ({"del": "PhotometricInterpretation"}, "no Photometric Interpretation"),
        ({"Rows": 0}, "no image size"),
        ({"Rows": 65535, "Columns": 65535}, "megapixels"),
        ({"PixelData": b"\x00" * 100}, "cannot decode the DICOM pixel data"),
    ],
)
def test_broken_headers_are_refused_before_decoding(change, message):
    ds = pydicom.dcmread(io.BytesIO(make_dicom(RAMP12)))
    for key, value in change.items():
        if key == "del":
            delattr(ds, value)
        else:
            setattr(ds, key, value)
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    start = time.perf_counter()
    with pytest.raises(ImageError, match=message) as err:
        decode_bytes(buf.getvalue(), "bad.dcm")
    assert time.perf_counter() - start < 2 and "\n" not in str(err.value)


def test_no_patient_identifiers_are_read_or_returned():
    data = make_dicom(RAMP12)
    assert all(v.encode() in data for v in IDENTIFIERS.values())  # the file does hold them
    image, ds = read_dicom(data), read_dataset(data, "x")
    tags = image.tags
    assert set(tags) <= set(SAFE_TAGS)
    text = repr(tags) + repr(image.notes)
    assert not any(v.split("^")[0] in text for v in IDENTIFIERS.values())
    assert not any(key in ds for key in IDENTIFIERS)  # never even parsed
    assert tags["Modality"] == "DX" and tags["ViewPosition"] == "PA"


@pytest.mark.filterwarnings("ignore:.*VR CS:UserWarning")  # the file is deliberately invalid
def test_tag_values_are_cleaned_of_markup():
    tags = read_dicom(make_dicom(RAMP12, ViewPosition="PA[x](javascript:alert(1))")).tags
    assert tags["ViewPosition"] == "PAxjavascriptalert1"


@pytest.mark.parametrize("syntax", [RLELossless, JPEG2000Lossless])
def test_lossless_compressed_equals_uncompressed(syntax):
    plain = decode_dicom(make_dicom(RAMP12, bits_stored=12))
    packed = make_dicom(RAMP12, bits_stored=12, compress=syntax)
    assert pydicom.dcmread(io.BytesIO(packed)).file_meta.TransferSyntaxUID == syntax
    np.testing.assert_array_equal(decode_dicom(packed), plain)


def test_codestream_larger_than_the_header_is_refused_before_decoding():
    data = bytearray(make_dicom(RAMP12, bits_stored=12, compress=JPEG2000Lossless))
    siz = data.index(b"\xff\x4f\xff\x51")  # J2K SOC + SIZ; Ysiz at +12
    data[siz + 12 : siz + 16] = (60_000).to_bytes(4, "big")
    start = time.perf_counter()
    with pytest.raises(
        ImageError, match="compressed image is 96x60000 px but the header says 96x80 px"
    ):
        decode_bytes(bytes(data))
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize("fmt", ["JPEG", "JPEG2000"])
def test_declared_size_reads_codestream_headers(fmt):
    buf = io.BytesIO()
    Image.new("L", (123, 45)).save(buf, fmt)
    assert declared_size(buf.getvalue()) == (45, 123)
    assert declared_size(b"not a codestream") is None


def as_radiograph(filename: str) -> bytes:
    """A bundled pydicom test file re-labelled as DX (its pixels untouched)."""
    ds = pydicom.dcmread(get_testdata_file(filename))
    ds.Modality = "DX"
    buf = io.BytesIO()
    ds.save_as(buf)
    return buf.getvalue()


def test_bundled_ct_is_refused_through_decode_bytes():
    data = open(get_testdata_file("CT_small.dcm"), "rb").read()
    assert data[128:132] == b"DICM"
    with pytest.raises(ImageError, match="modality CT"):
        decode_bytes(data, "CT_small.dcm")


@pytest.mark.parametrize(
    "filename",
    [
        "MR_small_RLE.dcm",
        "MR_small_jp2klossless.dcm",
        "MR_small_jpeg_ls_lossless.dcm",
        "MR_small_bigendian.dcm",
        "MR_small_implicit.dcm",
    ],
)
def test_bundled_encodings_decode_like_the_uncompressed_file(filename):
    reference = decode_bytes(as_radiograph("MR_small.dcm"))
    np.testing.assert_array_equal(decode_bytes(as_radiograph(filename), filename), reference)


@pytest.mark.parametrize(
    "filename, shape",
    [
        ("JPEG2000.dcm", (1024, 256)),
        ("JPGExtended.dcm", (1024, 256)),
        ("image_dfl.dcm", (512, 512)),
    ],
)
def test_bundled_compressed_files_decode(filename, shape):
    out = decode_bytes(as_radiograph(filename), filename)
    assert out.shape == shape and out.dtype == np.uint8 and out.min() == 0 and out.max() == 255


def test_bundled_jpeg_files_are_refused_with_a_reason():
    with pytest.raises(ImageError, match=r"modality OT \(other\)"):  # as shipped
        decode_bytes(open(get_testdata_file("SC_rgb_jpeg_dcmtk.dcm"), "rb").read())
    with pytest.raises(ImageError, match="colour DICOM image"):
        decode_bytes(as_radiograph("SC_rgb_jpeg_dcmtk.dcm"))
    # a malformed 12-bit JPEG that no plugin accepts: the message names the syntax
    with pytest.raises(ImageError, match=r"JPEG Extended \(Process 2 and 4\)") as err:
        decode_bytes(as_radiograph("JPEG-lossy.dcm"))
    assert "\n" not in str(err.value)


def test_syntax_without_decoder_is_refused_by_name():
    ds = pydicom.dcmread(io.BytesIO(make_dicom(RAMP12)))
    ds.PixelData = encapsulate([b"\x00\x00\x01\xb3" + bytes(60)])  # an MPEG-2 start code
    ds.file_meta.TransferSyntaxUID = MPEG2MPML
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    data = buf.getvalue()
    with pytest.raises(ImageError, match=r"transfer syntax 'MPEG2 Main Profile / Main Level"):
        decode_bytes(data)


def decodable_syntaxes() -> list[str]:
    """Names of the image transfer syntaxes this installation can decode."""
    from pydicom.pixels import get_decoder
    from pydicom.uid import AllTransferSyntaxes

    names = []
    for uid in AllTransferSyntaxes:
        try:
            if get_decoder(uid).is_available:
                names.append(uid.name)
        except NotImplementedError:
            continue
    return names


def test_pinned_plugins_are_installed():
    names = decodable_syntaxes()
    for syntax in (
        "JPEG Baseline (Process 1)",
        "JPEG Extended (Process 2 and 4)",
        "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])",
        "JPEG-LS Lossless Image Compression",
        "JPEG 2000 Image Compression",
        "High-Throughput JPEG 2000 Image Compression",
        "RLE Lossless",
        "Deflated Explicit VR Little Endian",
    ):
        assert syntax in names


def test_deflate_bomb_is_refused_without_inflating_it_all():
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = DigitalXRayImageStorageForPresentation
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    buf = io.BytesIO()
    buf.write(b"\x00" * 128 + b"DICM")
    write_file_meta_info(buf, meta)
    packer, chunk = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS), bytes(2**24)
    for _ in range(MAX_INFLATED_BYTES // 2**24 + 2):
        buf.write(packer.compress(chunk))
    buf.write(packer.flush())
    data = buf.getvalue()
    assert len(data) < 2 * 2**20
    start = time.perf_counter()
    with pytest.raises(ImageError, match="deflated DICOM file expands to over"):
        decode_bytes(data, "bomb.dcm")
    assert time.perf_counter() - start < 10
