"""Out-of-distribution gate: is this a frontal chest X-ray like the training data at all?

Three checks, cheapest first; the first that fails refuses the image (no verdict is given):
    1. colour: a radiograph is grey; a Hasler-Suesstrunk colourfulness of the upload above
       MAX_COLOURFULNESS means a photo, screenshot or document in colour.
    2. flat: an image with almost no contrast (blank, uniform) carries nothing to read.
    3. feature distance: Mahalanobis distances (Ledoit-Wolf shrunk covariance, fitted on the
       training split) of the model's features, in blocks: the penultimate vector (what its
       sigmoid reads) and the global-average-pooled output of one layer per spatial resolution
       (`scoring.pooled_layers`; Lee et al. 2018 score several layers the same way). Each
       block's distance is divided by its median on the validation split (1.0 = a typical
       X-ray); the score is the largest of them, and the cut-off is the validation split's
       99.5th percentile of that score, so about 0.5% of real chest X-rays are refused. The
       early layers see texture and blobs the penultimate vector of a shape-invariant model
       no longer tells apart (smooth noise). Catches grey photos, documents, CT/MR slices and
       noise.

Why this method: it needs no extra model or data (everything is fitted from the training
split by `python -m xray_core fit-gate`), it runs in the same forward pass as a prediction,
and it is per model (gate.npz beside model.keras, with the layer names it reads), so each model
judges its own inputs. A gate.npz from before the blocks (keys mean, precision, cutoff, no
`blocks`) still loads and is read as one unscaled block of the penultimate vector.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

MAX_COLOURFULNESS = 12.0  # Hasler-Suesstrunk units; grey radiographs score ~0
MIN_CONTRAST = 6.0  # std of the 224 px display image, grey levels
QUANTILE = 0.995
MAX_DIMS = 256  # wider features (MobileNet: 1280) are PCA-projected first, to keep gate.npz small
UPLOAD_LIMIT = 0.05  # a pooled block refusing more real uploads than this is left out


class GateVerdict(StrEnum):
    """The gate's decision as scored rows write it (the `gate` column of `score`'s output;
    a row of a file that could not be read has none: "")."""

    ACCEPTED = "accepted"
    REFUSED = "refused"


@dataclass(frozen=True)
class GateResult:
    """ok: looks like a chest X-ray; reason: one-line message when not; distance: feature score."""

    ok: bool
    reason: str | None
    distance: float | None = None
    cutoff: float | None = None

    @property
    def verdict(self) -> GateVerdict:
        """ACCEPTED when ok, else REFUSED."""
        return GateVerdict.ACCEPTED if self.ok else GateVerdict.REFUSED


def mahalanobis(f: np.ndarray, mean: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """(N, D) features -> (N,) Mahalanobis distances."""
    d = f - mean
    return np.sqrt(np.maximum(np.einsum("nd,de,ne->n", d, precision, d), 0.0))


def project(f: np.ndarray, gate: dict) -> np.ndarray:
    """Apply a block's PCA projection (D -> MAX_DIMS) when it has one."""
    if "projection" not in gate:
        return f
    return (f - gate["offset"]) @ gate["projection"]


def _fit_block(train: np.ndarray, val: np.ndarray) -> tuple[dict, np.ndarray]:
    """One block: (fitted mean, precision and optional projection; validation distances)."""
    from sklearn.covariance import LedoitWolf
    from sklearn.decomposition import PCA

    extra = {}
    if train.shape[1] > MAX_DIMS:
        pca = PCA(MAX_DIMS, random_state=0).fit(train)
        extra = {"offset": pca.mean_, "projection": pca.components_.T.astype(np.float32)}
    lw = LedoitWolf().fit(project(train, extra))
    block = {**extra, "mean": lw.location_, "precision": lw.precision_}
    return block, mahalanobis(project(val, extra), lw.location_, lw.precision_)


def blocks(gate: dict) -> list[tuple[int, int, dict]]:
    """(start, stop, block fit) for each feature block of a fitted gate, in feature order."""
    if "blocks" not in gate:  # one-block gate.npz from before the blocks
        width = len(gate["offset"]) if "projection" in gate else len(gate["mean"])
        return [(0, width, gate)]
    out, start = [], 0
    for k, size in enumerate(np.asarray(gate["blocks"], int)):
        prefix = f"b{k}_"
        fit = {key[len(prefix) :]: v for key, v in gate.items() if key.startswith(prefix)}
        out.append((start, start + int(size), fit))
        start += int(size)
    return out


def block_distances(gate: dict, f: np.ndarray) -> np.ndarray:
    """(N, D) features -> (N, K) each block's Mahalanobis distance, divided by its validation
    median (1.0 = a typical X-ray; unscaled for a one-block gate from before the blocks)."""
    f = np.asarray(f, np.float64)
    parts = [
        mahalanobis(project(f[:, a:b], fit), fit["mean"], fit["precision"])
        for a, b, fit in blocks(gate)
    ]
    d = np.stack(parts, axis=1)
    return d / np.asarray(gate.get("scale", np.ones(d.shape[1])), np.float64)


def distance(gate: dict, f: np.ndarray) -> np.ndarray:
    """(N, D) features (`scoring.compile_scorer` with the gate's `layers`) -> (N,) gate score:
    the largest scaled block distance; compare with gate["cutoff"]."""
    return block_distances(gate, f).max(axis=1)


def fit_gate(
    train_features: np.ndarray,
    val_features: np.ndarray,
    sizes: list[int] | None = None,
    layers: list[str] | tuple[str, ...] = (),
) -> dict:
    """Fit each block on training features, scale it by its validation median, and cut the
    validation scores at QUANTILE.

    Args:
        train_features, val_features: (N, D) features; blocks side by side.
        sizes: each block's width, summing to D; default one block.
        layers: the pooled layers after the penultimate vector (recorded, for the scorer).
    """
    sizes = list(sizes or [train_features.shape[1]])
    if sum(sizes) != train_features.shape[1]:
        raise ValueError(f"block sizes {sizes} do not sum to {train_features.shape[1]}")
    fitted: dict = {"blocks": np.asarray(sizes), "layers": np.asarray(list(layers), dtype=str)}
    val_d, start = [], 0
    for k, size in enumerate(sizes):
        part = slice(start, start + size)
        block, d = _fit_block(train_features[:, part], val_features[:, part])
        fitted.update({f"b{k}_{key}": v for key, v in block.items()})
        val_d.append(d)
        start += size
    scale = np.median(np.stack(val_d, axis=1), axis=0)
    scale = np.where(scale > 0, scale, 1.0)  # a constant block: keep its raw distance
    scaled = np.stack(val_d, axis=1) / scale
    score = scaled.max(axis=1)
    return {
        **fitted,
        "scale": scale,
        "block_cutoffs": np.quantile(scaled, QUANTILE, axis=0),
        "cutoff": float(np.quantile(score, QUANTILE)),
        "quantile": QUANTILE,
        "n_train": len(train_features),
        "n_val": len(val_features),
    }


def is_scaled(gate: dict) -> bool:
    """True when the gate's distances are divided by their validation medians (1.0 = a typical
    X-ray); False for a one-block gate.npz from before the blocks."""
    return "scale" in gate


def upload_refusals(gate: dict, f: np.ndarray) -> np.ndarray:
    """(K,) share of the uploads whose features f (N, D) lie past each block's own validation
    line (`block_cutoffs`): a block that refuses real X-rays the training files do not look
    like (another resampling or compression path) is a poor judge of uploads."""
    return (block_distances(gate, f) > np.asarray(gate["block_cutoffs"])).mean(axis=0)


def columns(gate: dict, keep: list[int]) -> np.ndarray:
    """Feature column indices of the blocks `keep` (indices into `blocks(gate)`)."""
    spans = blocks(gate)
    return np.concatenate([np.arange(spans[k][0], spans[k][1]) for k in keep])


def layers(gate: dict | None) -> list[str]:
    """The pooled layers a gate reads after the penultimate vector ([] for none)."""
    if gate is None or "layers" not in gate:
        return []
    return [str(v) for v in np.asarray(gate["layers"]).reshape(-1)]


def save_gate(path: Path, gate: dict) -> Path:
    """Write GATE to PATH (a store entry's `store.files.GATE_FILE`); returns PATH."""
    path = Path(path)
    np.savez_compressed(path, **{k: np.asarray(v) for k, v in gate.items()})
    return path


def load_gate(path: Path) -> dict | None:
    """The fitted gate saved at PATH, or None when there is none."""
    path = Path(path)
    if not path.is_file():
        return None
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def check(
    gray_display: np.ndarray,
    colour: float,
    distance: float | None,
    cutoff: float | None,
    scaled: bool = False,
) -> GateResult:
    """Apply the three checks, given precomputed colourfulness and feature distance.

    scaled: the distance is in units of a typical validation X-ray's (`is_scaled`), so the
    message can say what 1.0 means."""
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
        unit = "; a typical chest X-ray scores 1.0" if scaled else ""
        return GateResult(
            False,
            f"this does not look like a frontal chest X-ray of the kind the "
            f"model was trained on (feature distance {distance:.1f} > cut-off "
            f"{cutoff:.1f}{unit})",
            distance,
            cutoff,
        )
    return GateResult(True, None, distance, cutoff)
