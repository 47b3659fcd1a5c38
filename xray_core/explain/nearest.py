"""Cases like this one: the k nearest training images in the model's penultimate feature space.

Each model ships a compact index beside its card (`neighbours.npz`, built by
`python -m xray_core build-index [--model NAME]`): features only, never images.
    mean (D,) float32, components (D, d) float32   PCA of the training features, d = DIMS
    features (N, d) float16                        training images, projected
    labels (N,) uint8, paths (N,) str              class and path relative to the data root
    typical float                                  median distance of a training image to its
                                                   nearest other training image (for scale)
    model_sha256 str                               the model the index was built from
The images themselves are read from the data folder when it is present.
Distance: Euclidean in the PCA space; queries are rounded through float16 like the index, so
a training image finds itself at distance 0.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from xray_core.config import CLASS_NAMES
from xray_core.store.files import INDEX_FILE

DIMS = 64
DEFAULT_K = 5


@dataclass(frozen=True)
class Case:
    """One neighbour: path relative to the data root, label name, distance (>= 0)."""

    path: str
    label: str
    distance: float

    @property
    def subtype(self) -> str:
        """'normal', 'bacterial', 'viral' or 'unknown' (from the Kaggle file name)."""
        name = Path(self.path).name.lower()
        if self.label == "NORMAL":
            return "normal"
        return "bacterial" if "bacteria" in name else "viral" if "virus" in name else "unknown"

    def file(self, data_root) -> Path | None:
        """The image file under `data_root`, or None when the data folder or file is absent."""
        if data_root is None:
            return None
        path = Path(data_root) / self.path
        return path if path.is_file() else None


@dataclass(frozen=True)
class CaseIndex:
    mean: np.ndarray
    components: np.ndarray
    features: np.ndarray
    labels: np.ndarray
    paths: np.ndarray
    typical: float
    model_sha256: str

    def project(self, f: np.ndarray) -> np.ndarray:
        """(n, D) penultimate features -> (n, d) float32, rounded through float16."""
        f = np.atleast_2d(np.asarray(f, np.float32))
        if f.shape[1] != self.mean.shape[0]:
            raise ValueError(f"expected features of width {self.mean.shape[0]}, got {f.shape[1]}")
        return ((f - self.mean) @ self.components).astype(np.float16).astype(np.float32)

    @cached_property
    def _search(self) -> tuple[np.ndarray, np.ndarray]:
        """(N, d) float32 features and their (N,) squared norms, computed once."""
        f = self.features.astype(np.float32)
        return f, (f * f).sum(axis=1)

    def nearest(self, f: np.ndarray, k: int = DEFAULT_K) -> list[Case]:
        """The k nearest training images to one (D,) feature vector, nearest first."""
        q = self.project(f)[0]
        feats, norms = self._search
        d = np.sqrt(np.maximum(norms - 2.0 * (feats @ q) + q @ q, 0.0))
        k = min(k, len(d))
        idx = np.argpartition(d, k - 1)[:k] if k < len(d) else np.arange(len(d))
        exact = np.sqrt(((feats[idx] - q) ** 2).sum(axis=1))  # the shortlist, exactly
        order = np.argsort(exact, kind="stable")
        idx, d = idx[order], dict(zip(idx[order], exact[order]))
        return [Case(str(self.paths[i]), CLASS_NAMES[self.labels[i]], float(d[i])) for i in idx]


def fit_index(features: np.ndarray, labels, paths, model_sha256: str, dims=DIMS) -> CaseIndex:
    """PCA-reduce (N, D) training features to `dims` and package the index."""
    from sklearn.decomposition import PCA

    f = np.asarray(features, np.float32)
    dims = min(dims, f.shape[1], len(f))
    pca = PCA(dims, random_state=0).fit(f)
    index = CaseIndex(
        pca.mean_.astype(np.float32),
        pca.components_.T.astype(np.float32),
        np.zeros((0, dims), np.float16),
        np.asarray(labels, np.uint8),
        np.asarray(paths, dtype=str),
        0.0,
        model_sha256,
    )
    stored = index.project(f).astype(np.float16)
    return replace(index, features=stored, typical=_typical(stored))


def _typical(stored: np.ndarray, n: int = 500, seed: int = 0) -> float:
    """Median distance from up to n sampled points to their nearest other point."""
    f = stored.astype(np.float32)
    pick = np.random.default_rng(seed).permutation(len(f))[:n]
    d = ((f[pick, None, :] - f[None, :, :]) ** 2).sum(axis=-1)
    d[np.arange(len(pick)), pick] = np.inf
    return float(np.median(np.sqrt(d.min(axis=1)))) if len(f) > 1 else 0.0


def build_index(stored, data_root: Path, dims: int = DIMS) -> CaseIndex:
    """Index of the training side of the model's own patient-level split (deterministic)."""
    from xray_core.dataset.folders import load_arrays
    from xray_core.predict.validation_scores import split_samples

    train, _ = split_samples(stored.card, data_root)
    features = []
    for i in range(0, len(train), 512):  # bounded memory
        x, _ = load_arrays(train[i : i + 512], stored.contract)
        features.append(stored.embed(x))
    paths = [s.path.relative_to(data_root).as_posix() for s in train]
    labels = [s.label for s in train]
    return fit_index(np.concatenate(features), labels, paths, stored.card["model_sha256"], dims)


def save_index(entry: Path, index: CaseIndex) -> Path:
    path = Path(entry) / INDEX_FILE
    arrays = {f.name: np.asarray(getattr(index, f.name)) for f in fields(index)}
    np.savez_compressed(path, **arrays)
    return path


def load_index(entry: Path) -> CaseIndex | None:
    """The model's index, or None when it has none."""
    path = Path(entry) / INDEX_FILE
    if not path.is_file():
        return None
    with np.load(path) as z:
        d = {k: z[k] for k in z.files}
    return CaseIndex(
        **{**d, "typical": float(d["typical"]), "model_sha256": str(d["model_sha256"])}
    )


def nearest_cases(stored, index: CaseIndex, x: np.ndarray, k: int = DEFAULT_K) -> list[Case]:
    """k nearest training cases for one model input x (H, W, C) float32 (one forward pass)."""
    return index.nearest(stored.embed(x[None])[0], k)
