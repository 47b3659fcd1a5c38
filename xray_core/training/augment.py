"""Acquisition-style augmentation: what another scanner, exposure or export would change.

Applied to the **raw resized gray image** (contract steps 1-2, before CLAHE), because that is
where a different acquisition acts: exposure and detector response (gamma, contrast,
brightness), focus and scatter (blur), quantum noise, collimation / field of view
(crop-and-resize), the original's aspect ratio (every image was squash-resized to a square, so
a wider original shows narrower anatomy: `aspect_change`) and lossy re-export (JPEG). The
contract's own steps 3-5 (CLAHE, scaling, channels) then run on the perturbed image, exactly as
at inference (`finish`).

Every function is pure: (size, size) uint8 in, (size, size) uint8 out; randomness only through
the `numpy.random.Generator` passed in, so a seed reproduces a perturbation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import cv2
import numpy as np

from xray_core.io.contract import ImageContract, add_channels, equalize_clahe, scale
from xray_core.training.config import AcquisitionPreset


@dataclass(frozen=True)
class Acquisition:
    """Ranges of the acquisition perturbations (recorded in the model card).

    Attributes:
        p: probability that each perturbation is applied to an image.
        gamma: (low, high) of the gamma exponent, drawn log-uniformly.
        contrast: (low, high) multiplier around the image mean.
        brightness: max absolute shift, as a fraction of 255.
        blur_sigma: (low, high) Gaussian sigma in pixels.
        noise_std: (low, high) Gaussian noise std, as a fraction of 255.
        crop: (low, high) fraction of each side kept before resizing back.
        jpeg_quality: (low, high) JPEG re-compression quality.
        aspect: (low, high) change of the anatomy's width / height ratio, drawn log-uniformly
            for every image (not with probability p); (1, 1) is off. In this dataset the
            PNEUMONIA originals are wider than the NORMAL ones (aspect 1.2-1.9 vs 1.0-1.4 on
            the 48 full-resolution samples), so after the squash the thorax's shape tells the
            class: this range takes that cue away.
        aspect_balance: natural-log gap between the classes' median original aspects (0 is
            off). A symmetric range only blurs the cue (the classes' shapes still differ in
            the median); with a gap, NORMAL images draw from the lower part of `aspect`
            (low .. high / e^gap, narrower anatomy) and PNEUMONIA images from the upper part
            (low * e^gap .. high, wider), so both classes end with the same median shape.
        aspect_pad: probability that the aspect change pads the image (`pad_aspect_change`:
            a wider field of view, dark margins) instead of cropping a band and stretching it
            (`aspect_change`); 0 is crop only.
    """

    p: float = 0.5
    gamma: tuple[float, float] = (0.6, 1.6)
    contrast: tuple[float, float] = (0.7, 1.3)
    brightness: float = 0.1
    blur_sigma: tuple[float, float] = (0.3, 1.5)
    noise_std: tuple[float, float] = (0.01, 0.04)
    crop: tuple[float, float] = (0.8, 1.0)
    jpeg_quality: tuple[int, int] = (20, 90)
    aspect: tuple[float, float] = (1.0, 1.0)
    aspect_balance: float = 0.0
    aspect_pad: float = 0.0

    def aspect_range(self, label: float | None) -> tuple[float, float]:
        """The (low, high) aspect change for an image of LABEL (1 = PNEUMONIA, 0 = NORMAL;
        None only when `aspect_balance` is 0)."""
        lo, hi = self.aspect
        if not self.aspect_balance:
            return lo, hi
        if label is None:
            raise ValueError("a class-balanced aspect change needs each image's label")
        shift = float(np.exp(self.aspect_balance))
        return (lo * shift, hi) if label >= 0.5 else (lo, hi / shift)

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


PRESETS = {
    AcquisitionPreset.DEFAULT: Acquisition(),
    AcquisitionPreset.STRONG: Acquisition(
        p=0.6,
        gamma=(0.5, 2.0),
        contrast=(0.6, 1.4),
        brightness=0.15,
        blur_sigma=(0.3, 2.0),
        noise_std=(0.01, 0.06),
        crop=(0.75, 1.0),
        jpeg_quality=(10, 90),
    ),
}
# `strong` plus the aspect change: up to 1.5x wider or narrower anatomy (the default's preset).
PRESETS[AcquisitionPreset.SHAPE] = replace(PRESETS[AcquisitionPreset.STRONG], aspect=(0.67, 1.5))
# The shape preset's range, split by class so that both end with the same median shape: the
# gap is the classes' log median aspect on the 48 full-resolution samples (NORMAL 1.22,
# PNEUMONIA 1.53: log gap 0.233), so NORMAL draws x0.67-1.19 and PNEUMONIA x0.85-1.5.
PRESETS[AcquisitionPreset.SHAPE_BALANCED] = replace(
    PRESETS[AcquisitionPreset.SHAPE], aspect_balance=0.233
)
# Half that split (NORMAL x0.67-1.33, PNEUMONIA x0.75-1.5): the classes' median shapes
# brought halfway together.
PRESETS[AcquisitionPreset.SHAPE_BALANCED_HALF] = replace(
    PRESETS[AcquisitionPreset.SHAPE], aspect_balance=0.117
)
# The shape preset with half of its aspect changes made by padding (dark margins) instead of
# a crop and stretch: narrower anatomy as a wider field of view gives it.
PRESETS[AcquisitionPreset.SHAPE_PAD] = replace(PRESETS[AcquisitionPreset.SHAPE], aspect_pad=0.5)
# The same with a milder change, about the gap between the classes' median shapes.
PRESETS[AcquisitionPreset.SHAPE_MILD] = replace(
    PRESETS[AcquisitionPreset.STRONG], aspect=(0.8, 1.25)
)


def preset(name: str) -> Acquisition:
    """The named `Acquisition` preset; a wrong name lists the valid ones."""
    if name not in PRESETS:
        valid = sorted(p.value for p in PRESETS)
        raise ValueError(f"unknown acquisition preset {name!r}; valid: {valid}")
    return PRESETS[name]


def to_u8(x: np.ndarray) -> np.ndarray:
    """Float array in [0, 255] (any shape) -> uint8, rounded and clipped."""
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def gamma(image: np.ndarray, g: float) -> np.ndarray:
    """Gamma curve 255 * (x / 255) ** g through a lookup table; g > 1 darkens mid-tones."""
    lut = to_u8(255.0 * (np.arange(256) / 255.0) ** g)
    return lut[image]


def contrast_brightness(image: np.ndarray, c: float, b: float) -> np.ndarray:
    """(x - mean) * c + mean + 255 * b, clipped to uint8."""
    x = image.astype(np.float32)
    m = x.mean()
    return to_u8((x - m) * c + m + 255.0 * b)


def blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur with standard deviation SIGMA pixels (kernel size from sigma)."""
    return cv2.GaussianBlur(image, (0, 0), sigmaX=float(sigma))


def noise(image: np.ndarray, std: float, rng: np.random.Generator) -> np.ndarray:
    """Additive Gaussian noise of std STD * 255, clipped to uint8."""
    n = rng.normal(0.0, std * 255.0, image.shape).astype(np.float32)
    return to_u8(image.astype(np.float32) + n)


def crop_resize(image: np.ndarray, keep: float, rng: np.random.Generator) -> np.ndarray:
    """Keep a random KEEP-fraction window of each side, squash-resize back to the same size."""
    h, w = image.shape
    ch, cw = max(8, int(round(h * keep))), max(8, int(round(w * keep)))
    y0 = int(rng.integers(0, h - ch + 1))
    x0 = int(rng.integers(0, w - cw + 1))
    window = image[y0 : y0 + ch, x0 : x0 + cw]
    return cv2.resize(window, (w, h), interpolation=cv2.INTER_LINEAR)


def aspect_change(image: np.ndarray, ratio: float, rng: np.random.Generator | None = None):
    """The anatomy's width / height ratio times RATIO, by cropping and resizing back (no
    padding, so no new borders): RATIO < 1 keeps a RATIO-fraction band of rows (narrower
    anatomy, as a wider original squashed to a square gives), RATIO > 1 keeps a 1/RATIO band of
    columns (wider anatomy). The band is centred, or placed at random with RNG."""
    h, w = image.shape
    if ratio < 1:
        keep = max(8, int(round(h * ratio)))
        y0 = (h - keep) // 2 if rng is None else int(rng.integers(0, h - keep + 1))
        window = image[y0 : y0 + keep]
    else:
        keep = max(8, int(round(w / ratio)))
        x0 = (w - keep) // 2 if rng is None else int(rng.integers(0, w - keep + 1))
        window = image[:, x0 : x0 + keep]
    return cv2.resize(window, (w, h), interpolation=cv2.INTER_LINEAR)


def pad_aspect_change(image: np.ndarray, ratio: float) -> np.ndarray:
    """The anatomy's width / height ratio times RATIO by padding and squashing back (no crop):
    RATIO < 1 pads left and right to width / RATIO (as a wider original squashed to a square
    shows it), RATIO > 1 pads top and bottom to height * RATIO. The margins take the image's
    1st-percentile grey (the air around the body)."""
    h, w = image.shape
    fill = int(np.percentile(image, 1))
    if ratio < 1:
        side = int(round(w * (1 / ratio - 1) / 2))
        wide = cv2.copyMakeBorder(image, 0, 0, side, side, cv2.BORDER_CONSTANT, value=fill)
    else:
        side = int(round(h * (ratio - 1) / 2))
        wide = cv2.copyMakeBorder(image, side, side, 0, 0, cv2.BORDER_CONSTANT, value=fill)
    return cv2.resize(wide, (w, h), interpolation=cv2.INTER_AREA)


def resize_back(image: np.ndarray, factor: float) -> np.ndarray:
    """Down-sample by FACTOR (area) and up-sample back (linear): a lower-resolution detector."""
    h, w = image.shape
    small = cv2.resize(
        image, (max(8, round(w * factor)), max(8, round(h * factor))), None, 0, 0, cv2.INTER_AREA
    )
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    """Re-compress as JPEG at QUALITY (1-100) and decode back to gray uint8."""
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("JPEG re-compression failed")
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)


def perturb(
    image: np.ndarray, rng: np.random.Generator, acq: Acquisition, label: float | None = None
) -> np.ndarray:
    """Random acquisition perturbation of a (H, W) uint8 image; each step with prob. acq.p.
    LABEL (1 = PNEUMONIA) picks the aspect range when the preset balances it by class.

    Order follows the imaging chain: field of view, exposure, optics, detector noise, export.
    """
    u = lambda r: float(rng.uniform(r[0], r[1]))  # noqa: E731
    x = image
    if tuple(acq.aspect) != (1.0, 1.0):  # no draw when off: older presets' streams unchanged
        ratio = float(np.exp(u(np.log(acq.aspect_range(label)))))
        if acq.aspect_pad and rng.random() < acq.aspect_pad:  # no draw when 0: streams kept
            x = pad_aspect_change(x, ratio)
        else:
            x = aspect_change(x, ratio, rng)
    if rng.random() < acq.p:
        x = crop_resize(x, u(acq.crop), rng)
    if rng.random() < acq.p:
        x = gamma(x, float(np.exp(u(np.log(acq.gamma)))))
    if rng.random() < acq.p:
        x = contrast_brightness(x, u(acq.contrast), u((-acq.brightness, acq.brightness)))
    if rng.random() < acq.p:
        x = blur(x, u(acq.blur_sigma))
    if rng.random() < acq.p:
        x = noise(x, u(acq.noise_std), rng)
    if rng.random() < acq.p:
        x = jpeg(x, int(rng.integers(acq.jpeg_quality[0], acq.jpeg_quality[1] + 1)))
    return x


def finish(images: np.ndarray, contract: ImageContract) -> np.ndarray:
    """Contract steps 3-5 on resized gray images (N, s, s) uint8 -> (N, s, s, C) float32."""
    eq = np.stack([equalize_clahe(im) for im in images]) if contract.clahe else images
    return add_channels(scale(eq, contract.scaling), contract)


def raw_contract(contract: ImageContract) -> ImageContract:
    """The contract stopped after the resize: 1 channel, unit scale, no CLAHE."""
    return replace(contract, clahe=False, scaling="unit", channels=1)


def unit_to_u8(x: np.ndarray) -> np.ndarray:
    """(N, s, s, 1) float32 in [0, 1] from `raw_contract` -> (N, s, s) uint8 (exact inverse)."""
    return to_u8(x[..., 0] * 255.0)


def perturb_batch(
    images: np.ndarray,
    contract: ImageContract,
    acq: Acquisition,
    rng: np.random.Generator,
    labels: np.ndarray | None = None,
) -> np.ndarray:
    """Perturb each (s, s) uint8 image of (N, s, s), then `finish` -> (N, s, s, C) float32.
    LABELS: (N,) 0/1, needed when the preset balances the aspect change by class."""
    labels = [None] * len(images) if labels is None else labels
    return finish(
        np.stack([perturb(im, rng, acq, lab) for im, lab in zip(images, labels)]), contract
    )


def make_dataset(x_u8, y, contract, acq: Acquisition, batch_size: int, seed: int):
    """tf.data over raw (N, s, s) uint8 images: shuffle, batch, perturb + finish in numpy.

    Yields (batch, s, s, C) float32 model inputs and (batch,) float32 labels; the geometric
    augmenter of `xray_core.training.pipeline` is applied after this.
    """
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    shape = (None, *contract.input_shape)

    def apply(batch, labels):
        return perturb_batch(batch, contract, acq, rng, labels)

    def tf_apply(a, b):
        out = tf.numpy_function(apply, [a, b], tf.float32)
        out.set_shape(shape)
        return out, b

    ds = tf.data.Dataset.from_tensor_slices((x_u8, y.astype(np.float32)))
    ds = ds.shuffle(len(x_u8), seed=seed, reshuffle_each_iteration=True).batch(batch_size)
    return ds.map(tf_apply, num_parallel_calls=1)
