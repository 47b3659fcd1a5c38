"""The one image contract: grayscale uint8 image -> model input array.

Order, always the same (training, evaluation, CLI and app all call `preprocess`):
    1. grayscale   (H, W) uint8            -- done by the decoder (`xray_core.io.decode`)
    2. squash-resize to (size, size)       -- aspect ratio NOT kept, as the dataset was made
    3. CLAHE (optional)                    -- clipLimit 2.0, 8x8 tiles, after the resize
    4. scale to float32 (`Scaling`)        -- "unit": [0, 1]; "symmetric": [-1, 1];
                                              "caffe": [0, 255] minus ImageNet channel means
    5. channels                            -- 1, or the gray plane repeated to 3

Each model's card stores its `ImageContract`, so a model is always fed what it was trained on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

import cv2
import numpy as np


class Scaling(StrEnum):
    """Step 4: how grey levels 0-255 become the model's float32 input. A card stores the value
    (the plain word); each member equals its word, so `Scaling.UNIT == "unit"`."""

    UNIT = "unit"  # [0, 1]
    SYMMETRIC = "symmetric"  # [-1, 1] (MobileNet backbones)
    CAFFE = "caffe"  # [0, 255] minus the ImageNet channel means (VGG backbones)


CAFFE_MEANS = (103.939, 116.779, 123.68)  # ImageNet BGR means used by VGG16/VGG19
CLAHE_CLIP_LIMIT = 2.0
CLAHE_TILES = (8, 8)


@dataclass(frozen=True)
class ImageContract:
    """What a model expects as input.

    Attributes:
        size: square side in pixels the image is squash-resized to.
        channels: 1 (gray) or 3 (gray repeated, for ImageNet backbones).
        scaling: a `Scaling` (its word is accepted too): UNIT [0, 1], SYMMETRIC [-1, 1],
            CAFFE VGG's mean-centred [0, 255].
        clahe: apply CLAHE after resizing.
    """

    size: int = 224
    channels: int = 1
    scaling: Scaling = Scaling.UNIT
    clahe: bool = True

    def __post_init__(self):
        if not 16 <= int(self.size) <= 1024:
            raise ValueError(f"contract size must be in [16, 1024], got {self.size}")
        if self.channels not in (1, 3):
            raise ValueError(f"contract channels must be 1 or 3, got {self.channels}")
        if self.scaling not in tuple(Scaling):
            valid = tuple(s.value for s in Scaling)
            raise ValueError(f"contract scaling must be one of {valid}, got {self.scaling!r}")
        object.__setattr__(self, "scaling", Scaling(self.scaling))

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """Model input shape (H, W, C)."""
        return (self.size, self.size, self.channels)

    def to_dict(self) -> dict:
        """The card's `contract` block: plain JSON values (scaling as its word)."""
        return {**asdict(self), "scaling": self.scaling.value}

    @classmethod
    def from_dict(cls, d: dict) -> ImageContract:
        known = {k: d[k] for k in ("size", "channels", "scaling", "clahe") if k in d}
        return cls(**known)


def check_gray_u8(image: np.ndarray) -> np.ndarray:
    """Raise ValueError unless `image` is a 2-D uint8 array (H, W)."""
    if not isinstance(image, np.ndarray) or image.ndim != 2 or image.dtype != np.uint8:
        shape = getattr(image, "shape", None)
        dtype = getattr(image, "dtype", type(image).__name__)
        raise ValueError(f"expected a 2-D uint8 grayscale image, got shape {shape} dtype {dtype}")
    return image


def resize_squash(image: np.ndarray, size: int) -> np.ndarray:
    """Squash-resize (H, W) uint8 to (size, size) uint8; area filter when shrinking."""
    h, w = image.shape
    interp = cv2.INTER_AREA if (h > size or w > size) else cv2.INTER_LINEAR
    return cv2.resize(image, (size, size), interpolation=interp)


def equalize_clahe(image: np.ndarray) -> np.ndarray:
    """Contrast-limited adaptive histogram equalisation of (H, W) uint8 -> (H, W) uint8."""
    clahe = cv2.createCLAHE(clipLimit=CLAHE_CLIP_LIMIT, tileGridSize=CLAHE_TILES)
    return clahe.apply(image)


def scale(image: np.ndarray, scaling: Scaling | str) -> np.ndarray:
    """uint8 [0, 255] -> float32 in [0, 1] (UNIT), [-1, 1] (SYMMETRIC) or [0, 255] (CAFFE)."""
    scaling = Scaling(scaling)
    x = image.astype(np.float32)
    if scaling is Scaling.CAFFE:
        return x
    x = x / 255.0
    return x * 2.0 - 1.0 if scaling is Scaling.SYMMETRIC else x


def add_channels(x: np.ndarray, contract: ImageContract) -> np.ndarray:
    """(..., H, W) float32 -> (..., H, W, C); caffe scaling subtracts the channel means."""
    x = x[..., None]
    if contract.channels == 1:
        return x
    x = np.repeat(x, 3, axis=-1)
    if contract.scaling is Scaling.CAFFE:
        x = x - np.asarray(CAFFE_MEANS, dtype=np.float32)
    return x.astype(np.float32)


def to_display(image: np.ndarray, contract: ImageContract) -> np.ndarray:
    """Steps 2-3 only: the (size, size) uint8 image the model sees, for overlays and LIME."""
    small = resize_squash(check_gray_u8(image), contract.size)
    return equalize_clahe(small) if contract.clahe else small


def preprocess(image: np.ndarray, contract: ImageContract) -> np.ndarray:
    """Grayscale uint8 (H, W) -> model input float32 (size, size, channels)."""
    return add_channels(scale(to_display(image, contract), contract.scaling), contract)


def from_display(display: np.ndarray, contract: ImageContract) -> np.ndarray:
    """Steps 4-5 on an already resized/equalised uint8 batch (N, size, size) -> (N, s, s, C).

    Used by LIME, which perturbs the display image the model sees.
    """
    return add_channels(scale(display, contract.scaling), contract)
