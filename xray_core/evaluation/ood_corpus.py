"""A corpus of things that are not chest X-rays, built from what this environment offers.

Sources: scikit-image's sample images (colour and grey photos, microscopy, text pages), their
grey crops and rotations, pydicom's bundled test files (CT, MR, RT, ultrasound-like colour
DICOM, secondary captures), generated documents and screenshots, noise and blank images.
Every item is (kind, name, bytes). Deterministic for a given seed. `screen` runs the
out-of-distribution gate over named files (tests/test_gate.py and benchmarks/bench_gate.py).
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageDraw

SKIMAGE_NAMES = (
    "astronaut",
    "brick",
    "camera",
    "cat",
    "checkerboard",
    "chelsea",
    "clock",
    "coffee",
    "coins",
    "colorwheel",
    "grass",
    "gravel",
    "hubble_deep_field",
    "immunohistochemistry",
    "logo",
    "moon",
    "page",
    "retina",
    "rocket",
    "text",
    "cell",
    "binary_blobs",
    "horse",
    "shepp_logan_phantom",
)


def encode(arr: np.ndarray, fmt: str = "PNG") -> bytes:
    """uint8 (H, W) or (H, W, 3|4) -> file bytes."""
    img = Image.fromarray(arr)
    if fmt == "JPEG" and img.mode not in ("L", "RGB"):
        img = img.convert("RGB")
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def to_u8(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype == bool:
        return a.astype(np.uint8) * 255
    if a.dtype != np.uint8:
        a = (a - a.min()) / max(float(a.max() - a.min()), 1e-9) * 255
    return a.astype(np.uint8)


def skimage_items(rng) -> list[tuple[str, str, bytes]]:
    import skimage.data
    from skimage.color import rgb2gray

    out = []
    for name in SKIMAGE_NAMES:
        try:
            a = to_u8(getattr(skimage.data, name)())
        except Exception:  # images that need a download are not available offline
            continue
        out.append(("photo", name, encode(a, "PNG")))
        gray = to_u8(rgb2gray(a[..., :3])) if a.ndim == 3 else a
        out.append(("grey photo", f"{name} grey", encode(gray, "JPEG")))
        h, w = gray.shape
        if min(h, w) >= 160:  # a random crop, upscaled, and a rotation: harder variants
            y, x = rng.integers(0, h - 128), rng.integers(0, w - 128)
            crop = np.asarray(Image.fromarray(gray[y : y + 128, x : x + 128]).resize((256, 256)))
            out.append(("grey photo", f"{name} crop", encode(crop, "PNG")))
            out.append(("grey photo", f"{name} rot90", encode(np.rot90(gray).copy(), "PNG")))
    return out


def dicom_items() -> list[tuple[str, str, bytes]]:
    from pydicom.data import get_testdata_files

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        files = get_testdata_files("*.dcm")
    return [("dicom", p.rsplit("/", 1)[-1], open(p, "rb").read()) for p in sorted(files)]


def document(rng, w=850, h=1100, dark=False) -> np.ndarray:
    img = Image.new("L", (w, h), 20 if dark else 250)
    d = ImageDraw.Draw(img)
    ink = 230 if dark else 20
    y = 60
    while y < h - 60:
        words = rng.integers(4, 12)
        line = " ".join(
            "".join(chr(97 + c) for c in rng.integers(0, 26, rng.integers(2, 9)))
            for _ in range(words)
        )
        d.text((60, y), line, fill=ink, font_size=int(rng.integers(14, 30)))
        y += int(rng.integers(24, 48))
        if rng.random() < 0.1:
            d.rectangle((60, y, w - 60, y + 120), outline=ink, width=2)
            y += 140
    return np.asarray(img)


def screenshot(rng, w=1280, h=800, colour=True) -> np.ndarray:
    img = Image.new("RGB", (w, h), (245, 245, 245))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, w, 40), fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    d.rectangle((0, 40, 220, h), fill=(230, 230, 235))
    for _ in range(int(rng.integers(6, 14))):
        x, y = int(rng.integers(240, w - 200)), int(rng.integers(60, h - 100))
        fill = tuple(int(v) for v in rng.integers(0, 255, 3))
        d.rectangle(
            (x, y, x + int(rng.integers(80, 300)), y + int(rng.integers(20, 90))), fill=fill
        )
        d.text((x + 5, y + 5), "Button", fill=(0, 0, 0))
    a = np.asarray(img)
    return a if colour else np.asarray(img.convert("L"))


def synthetic_items(rng, n_each: int = 6) -> list[tuple[str, str, bytes]]:
    out = []
    for i in range(n_each):
        out.append(("document", f"page {i}", encode(document(rng), "PNG")))
        out.append(("document", f"dark page {i}", encode(document(rng, dark=True), "JPEG")))
        out.append(("screenshot", f"screenshot {i}", encode(screenshot(rng), "PNG")))
        out.append(
            ("screenshot", f"grey screenshot {i}", encode(screenshot(rng, colour=False), "PNG"))
        )
        out.append(
            ("noise", f"uniform {i}", encode(rng.integers(0, 256, (512, 512), dtype=np.uint8)))
        )
        g = np.clip(rng.normal(128, 40, (400, 600)), 0, 255).astype(np.uint8)
        out.append(("noise", f"gaussian {i}", encode(g, "JPEG")))
        low = np.asarray(
            Image.fromarray(rng.integers(0, 256, (8, 8), dtype=np.uint8)).resize(
                (512, 512), Image.BICUBIC
            )
        )
        out.append(("noise", f"smooth noise {i}", encode(low)))
        c = rng.integers(0, 256, (256, 256, 3), dtype=np.uint8)
        out.append(("noise", f"colour noise {i}", encode(c)))
    for v in (0, 128, 255):
        out.append(("blank", f"uniform {v}", encode(np.full((300, 300), v, np.uint8))))
    ramp = np.tile(np.linspace(0, 255, 512).astype(np.uint8), (512, 1))
    out.append(("blank", "gradient", encode(ramp)))
    return out


def build_corpus(seed: int = 0) -> list[tuple[str, str, bytes]]:
    """All non-chest-X-ray items: (kind, name, file bytes)."""
    rng = np.random.default_rng(seed)
    return skimage_items(rng) + dicom_items() + synthetic_items(rng)


def screen(stored, named_bytes, gatekeeper=None) -> list[tuple[str, bool, str | None]]:
    """(name, refused, reason) for each (name, bytes): decode errors count as refusals."""
    from xray_core.io.decode import ImageError
    from xray_core.io.study import open_study
    from xray_core.predict.assess import assess

    out = []
    for name, data in named_bytes:
        try:
            result = assess(stored, open_study(data, name), gatekeeper=gatekeeper)
            out.append((name, not result.ok, result.gate.reason))
        except ImageError as exc:
            out.append((name, True, str(exc)))
    return out
