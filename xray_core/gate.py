"""Out-of-distribution gate: is this a frontal chest X-ray like the training data at all?

Three checks, cheapest first; the first that fails refuses the image (no verdict is given):
    1. colour: a radiograph is grey; a Hasler-Suesstrunk colourfulness of the upload above
       MAX_COLOURFULNESS means a photo, screenshot or document in colour.
    2. flat: an image with almost no contrast (blank, uniform) carries nothing to read.
    3. feature distance: Mahalanobis distance of the model's penultimate features (the vector
       its sigmoid reads) to the training images' feature distribution (Ledoit-Wolf shrunk
       covariance). The cut-off is the validation split's 99.5th percentile, so about 0.5% of
       real chest X-rays are refused. Catches grey photos, documents, CT/MR slices and noise.

Why this method: it needs no extra model or data (everything is fitted from the training
split by `python -m xray_core fit-gate`), it runs in the same forward pass cost as a prediction,
and it is per model (gate.npz beside model.keras), so each model judges its own inputs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from xray_core.store_files import GATE_FILE

MAX_COLOURFULNESS = 12.0  # Hasler-Suesstrunk units; grey radiographs score ~0
MIN_CONTRAST = 6.0  # std of the 224 px display image, grey levels
QUANTILE = 0.995
MAX_DIMS = 256  # wider features (MobileNet: 1280) are PCA-projected first, to keep gate.npz small


@dataclass(frozen=True)
class GateResult:
    """ok: looks like a chest X-ray; reason: one-line message when not; distance: feature score."""

    ok: bool
    reason: str | None
    distance: float | None = None
    cutoff: float | None = None


GRAY_MODES = frozenset({"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})


def _is_grey(rgb: np.ndarray) -> bool:
    """True when every pixel of (H, W, 3) uint8 has R == G == B."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return bool(np.array_equal(r, g) and np.array_equal(g, b))


def colourfulness(data: bytes) -> float:
    """Hasler-Suesstrunk colourfulness of an image file's pixels (0 for grey; DICOM -> 0.0)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.mode in GRAY_MODES:  # one channel: 0 by definition, no pixels decoded
                return 0.0
            img.draft("RGB", (256, 256))
            img.thumbnail((256, 256))
            pixels = np.asarray(img.convert("RGB"))
    except Exception:  # not something Pillow reads (e.g. DICOM): treated as grey
        return 0.0
    if _is_grey(pixels):  # grey stored as RGB: exactly 0 by the formula, ~5x cheaper
        return 0.0
    rgb = pixels.astype(np.float64)
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


def mahalanobis(f: np.ndarray, mean: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """(N, D) features -> (N,) Mahalanobis distances."""
    d = f - mean
    return np.sqrt(np.maximum(np.einsum("nd,de,ne->n", d, precision, d), 0.0))


def project(f: np.ndarray, gate: dict) -> np.ndarray:
    """Apply the gate's PCA projection (D -> MAX_DIMS) when it has one."""
    if "projection" not in gate:
        return f
    return (f - gate["offset"]) @ gate["projection"]


def distance(gate: dict, f: np.ndarray) -> np.ndarray:
    """(N, D) raw penultimate features -> (N,) Mahalanobis distances under a fitted gate."""
    return mahalanobis(project(np.asarray(f, np.float64), gate), gate["mean"], gate["precision"])


def fit_gate(train_features: np.ndarray, val_features: np.ndarray) -> dict:
    """Fit mean and shrunk precision on training features; cut-off from validation distances."""
    from sklearn.covariance import LedoitWolf
    from sklearn.decomposition import PCA

    extra = {}
    if train_features.shape[1] > MAX_DIMS:
        pca = PCA(MAX_DIMS, random_state=0).fit(train_features)
        extra = {"offset": pca.mean_, "projection": pca.components_.T.astype(np.float32)}
    lw = LedoitWolf().fit(project(train_features, extra))
    val_d = mahalanobis(project(val_features, extra), lw.location_, lw.precision_)
    return {
        **extra,
        "mean": lw.location_,
        "precision": lw.precision_,
        "cutoff": float(np.quantile(val_d, QUANTILE)),
        "quantile": QUANTILE,
        "n_train": len(train_features),
        "n_val": len(val_features),
    }


def save_gate(entry: Path, gate: dict) -> Path:
    path = Path(entry) / GATE_FILE
    np.savez_compressed(path, **{k: np.asarray(v) for k, v in gate.items()})
    return path


def load_gate(entry: Path) -> dict | None:
    """The fitted gate of a store entry, or None when it has none."""
    path = Path(entry) / GATE_FILE
    if not path.is_file():
        return None
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def check(
    gray_display: np.ndarray, colour: float, distance: float | None, cutoff: float | None
) -> GateResult:
    """Apply the three checks, given precomputed colourfulness and feature distance."""
    if colour > MAX_COLOURFULNESS:
        return GateResult(
            False,
            f"this looks like a colour image (colourfulness {colour:.0f}), not a chest X-ray",
            distance,
            cutoff,
        )
    if float(gray_display.std()) < MIN_CONTRAST:
        return GateResult(False, "the image is blank or almost uniform", distance, cutoff)
    if distance is not None and cutoff is not None and distance > cutoff:
        return GateResult(
            False,
            f"this does not look like a frontal chest X-ray of the kind the "
            f"model was trained on (feature distance {distance:.0f} > "
            f"{cutoff:.0f})",
            distance,
            cutoff,
        )
    return GateResult(True, None, distance, cutoff)
