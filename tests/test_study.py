"""A study: decoded once from bytes, digest of the bytes, prepared for any contract."""

import hashlib
import io

import numpy as np
import pytest
from PIL import Image

from xray_core.io.contract import ImageContract, preprocess, to_display
from xray_core.io.decode import ImageError
from xray_core.io.study import load_study, open_study


def png(arr) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def gray():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (300, 240), dtype=np.uint8)


def test_open_study_keeps_pixels_digest_and_size(gray):
    data = png(gray)
    study = open_study(data, "x.png")
    np.testing.assert_array_equal(study.gray, gray)
    assert study.digest == hashlib.sha256(data).hexdigest()
    assert study.size == (240, 300) and study.kind == "image" and study.tags == {}
    assert study.colourfulness == pytest.approx(0.0, abs=1e-9)


def test_open_study_takes_a_digest_the_caller_already_has(gray):
    data = png(gray)
    assert open_study(data, "x.png", digest="ab" * 32).digest == "ab" * 32
    np.testing.assert_array_equal(open_study(data, "x.png", digest="ab" * 32).gray, gray)


@pytest.mark.parametrize(
    "contract",
    [ImageContract(64, 1, "unit", True), ImageContract(96, 3, "symmetric", False)],
)
def test_model_input_and_display_follow_the_contract(gray, contract):
    study = open_study(png(gray), "x.png")
    np.testing.assert_array_equal(study.model_input(contract), preprocess(gray, contract))
    np.testing.assert_array_equal(study.display(contract), to_display(gray, contract))


def test_load_study_reads_a_file(tmp_path, gray):
    path = tmp_path / "x.png"
    path.write_bytes(png(gray))
    assert load_study(path).digest == open_study(png(gray)).digest


def test_undecodable_bytes_raise_image_error():
    with pytest.raises(ImageError):
        open_study(b"hello", "notes.png")
