"""Decoding uploads: formats, orientation, and clear one-line errors."""

import io

import numpy as np
import pytest
from PIL import Image

from xray_core.io.decode import MIN_SIDE, ImageError, decode_bytes, load_image


def encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


GRAD = np.tile(np.arange(128, dtype=np.uint8), (96, 1))  # 96 x 128, left dark -> right bright


@pytest.mark.parametrize(
    "mode, fmt",
    [
        ("L", "PNG"),
        ("L", "JPEG"),
        ("RGB", "PNG"),
        ("RGB", "JPEG"),
        ("RGBA", "PNG"),
        ("P", "PNG"),
        ("CMYK", "JPEG"),
    ],
)
def test_modes_decode_to_gray_u8(mode, fmt):
    img = Image.fromarray(GRAD).convert(mode)
    out = decode_bytes(encode(img, fmt))
    assert out.shape == (96, 128) and out.dtype == np.uint8
    assert abs(int(out[:, -1].mean()) - 127) < 12 and out[:, 0].mean() < 12


def test_16bit_png_is_rescaled_by_its_range():
    arr = (np.tile(np.arange(128), (96, 1)) * 256 + 1000).astype(np.uint16)
    out = decode_bytes(encode(Image.fromarray(arr), "PNG"))
    assert out.min() == 0 and out.max() == 255
    expected = np.round((arr - arr.min()) / (arr.max() - arr.min()) * 255).astype(np.uint8)
    np.testing.assert_array_equal(out, expected)


def test_exif_orientation_is_applied():
    img = Image.fromarray(GRAD)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    out = decode_bytes(encode(img, "JPEG", exif=exif))
    assert out.shape == (128, 96)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"hello, this is text and not an image" * 10, "not a readable image"),
    ],
)
def test_bad_bytes_give_one_line_messages(data, message):
    with pytest.raises(ImageError, match=message) as err:
        decode_bytes(data, "x.png")
    assert "\n" not in str(err.value)


def test_truncated_file_is_refused():
    data = encode(Image.fromarray(GRAD), "PNG")
    with pytest.raises(ImageError, match="damaged or truncated"):
        decode_bytes(data[: len(data) // 2])


def test_tiny_image_is_refused():
    with pytest.raises(ImageError, match=f"at least {MIN_SIDE} px"):
        decode_bytes(encode(Image.fromarray(GRAD[:20, :20]), "PNG"))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(ImageError, match="is a folder"):
        load_image(tmp_path)


def test_fullres_sample_decodes_large_and_gray(fullres_files):
    out = load_image(fullres_files[0])
    assert out.ndim == 2 and out.dtype == np.uint8 and max(out.shape) > 900


def test_progressive_jpeg_decodes_like_baseline():
    img = Image.fromarray(GRAD)
    base = decode_bytes(encode(img, "JPEG", quality=95))
    prog = decode_bytes(encode(img, "JPEG", quality=95, progressive=True))
    assert prog.shape == base.shape
    assert np.abs(prog.astype(int) - base.astype(int)).max() <= 3


def test_wrong_extension_is_sniffed_from_content(tmp_path):
    path = tmp_path / "scan.jpeg"  # really a PNG
    path.write_bytes(encode(Image.fromarray(GRAD), "PNG"))
    np.testing.assert_array_equal(load_image(path), GRAD)
