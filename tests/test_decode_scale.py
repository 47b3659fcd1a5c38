"""research.decode_scale: reduced-scale JPEG decoding keeps both sides >= the asked size."""

import io

import numpy as np
from PIL import Image

from research.decode_scale import reduced_decode
from xray_core.io.contract import resize_squash
from xray_core.io.decode import decode_bytes


def jpeg(w, h, mode="L"):
    y, x = np.mgrid[0:h, 0:w]
    arr = ((np.sin(x / 40.0) + np.cos(y / 55.0)) * 60 + 128).astype(np.uint8)
    img = Image.fromarray(arr).convert(mode)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95)
    return buf.getvalue()


def test_scale_is_the_largest_that_keeps_the_side():
    data = jpeg(1600, 1200)
    assert reduced_decode(data, 448).shape == (600, 800)  # 1/2: 1/4 would give 300 < 448
    assert reduced_decode(data, 224).shape == (300, 400)  # 1/4
    assert reduced_decode(data, 1200).shape == (1200, 1600)


def test_reduced_then_resized_is_close_to_the_contract_on_smooth_images():
    data = jpeg(1600, 1200, "RGB")
    full = resize_squash(decode_bytes(data), 224).astype(int)
    reduced = resize_squash(reduced_decode(data, 448), 224).astype(int)
    assert np.abs(full - reduced).mean() < 1.0
