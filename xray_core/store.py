"""The model store: one folder per model with model.keras, card.json and history.json.

`model_store/DEFAULT` holds the default model's name (one line). Loading checks the card and
the model file (sha256 recorded in the card) and fails with a clear StoreError otherwise.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from xray_core.config import store_dir
from xray_core.contract import ImageContract

MODEL_FILE = "model.keras"
CARD_FILE = "card.json"
HISTORY_FILE = "history.json"
DEFAULT_FILE = "DEFAULT"
REQUIRED_CARD_KEYS = ("name", "architecture", "contract", "threshold", "model_sha256")


class StoreError(RuntimeError):
    """A missing, unknown or corrupt model store entry."""


@dataclass
class StoredModel:
    """A loaded model with its card (read-only once loaded: it may be shared across sessions)."""

    name: str
    model: object  # keras.Model
    card: dict
    path: Path
    gate: dict | None = None  # fitted out-of-distribution gate (xray_core.gate), if any
    score_fn: object = None  # compiled graph: batch -> (raw probability, penultimate features)

    def score(self, x, batch_size: int = 64):
        """Batch (N, H, W, C) float32 -> (raw P(PNEUMONIA) (N,) float64, features (N, D))."""
        import numpy as np  # noqa: PLC0415

        if x.ndim != 4:
            raise ValueError(f"expected a batch (N, H, W, C), got shape {x.shape}")
        if len(x) == 0:
            return np.zeros(0), np.zeros((0, 0))
        parts = [
            self.score_fn(np.asarray(x[i : i + batch_size], np.float32))
            for i in range(0, len(x), batch_size)
        ]
        raw = np.concatenate([np.asarray(p).reshape(-1) for p, _ in parts]).astype(np.float64)
        return raw, np.concatenate([np.asarray(f) for _, f in parts]).astype(np.float64)

    def probabilities(self, x):
        """Raw (uncalibrated) P(PNEUMONIA) for a batch: (N,) float64 in [0, 1]."""
        return self.score(x)[0]

    @property
    def contract(self) -> ImageContract:
        return ImageContract.from_dict(self.card["contract"])

    @property
    def threshold(self) -> float:
        return float(self.card["threshold"])

    @property
    def last_conv(self) -> str | None:
        return self.card.get("last_conv_layer")


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def list_models(root=None) -> list[str]:
    """Names of store entries that have a card, sorted."""
    root = store_dir(root)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / CARD_FILE).is_file())


def default_model(root=None) -> str:
    """Name in model_store/DEFAULT; else the only or first stored model."""
    root = store_dir(root)
    names = list_models(root)
    marker = root / DEFAULT_FILE
    if marker.is_file():
        name = marker.read_text().strip()
        if name in names:
            return name
        raise StoreError(
            f"{marker} names {name!r}, which is not in the store ({', '.join(names) or 'empty'})."
        )
    if not names:
        raise StoreError(f"no models in {root}; train one with `python -m xray_core train`.")
    return names[0]


def load_gatekeeper(stored: StoredModel, root=None, load=None) -> StoredModel:
    """The model whose gate screens inputs: the store's default when it has a gate, else
    `stored` itself (see `inference.assess`).

    Args:
        load: callable, name -> StoredModel, used for the default (the app passes its cached
            loader so the default is never loaded twice); default `load_model(name, root)`.
    """
    name = default_model(root)
    if name == stored.name:
        return stored
    keeper = load(name) if load is not None else load_model(name, root)
    return keeper if keeper.gate is not None else stored


def set_default(name: str, root=None) -> None:
    root = store_dir(root)
    if name not in list_models(root):
        raise StoreError(
            f"unknown model {name!r}; stored: {', '.join(list_models(root)) or 'none'}"
        )
    (root / DEFAULT_FILE).write_text(name + "\n")


def read_card(name: str, root=None) -> dict:
    """Read and check a model's card. Raises StoreError naming what is wrong."""
    root = store_dir(root)
    entry = root / name
    if not (entry / CARD_FILE).is_file():
        valid = ", ".join(list_models(root)) or "none"
        raise StoreError(f"unknown model {name!r}; valid names: {valid}")
    try:
        card = json.loads((entry / CARD_FILE).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StoreError(f"{entry / CARD_FILE}: corrupt card ({exc.__class__.__name__}).") from None
    missing = (
        [k for k in REQUIRED_CARD_KEYS if k not in card] if isinstance(card, dict) else ["all"]
    )
    if missing:
        raise StoreError(f"{entry / CARD_FILE}: card lacks {missing}.")
    return card


def write_card(name: str, card: dict, root=None) -> Path:
    """Rewrite an existing entry's card (the model file and its sha256 are untouched)."""
    path = store_dir(root) / name / CARD_FILE
    read_card(name, root)  # the entry must exist and be valid
    path.write_text(json.dumps(card, indent=2) + "\n")
    return path


def read_history(name: str, root=None) -> dict:
    path = store_dir(root) / name / HISTORY_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def load_model(name: str | None = None, root=None) -> StoredModel:
    """Load model + card; `name=None` loads the default. Verifies the model file's sha256."""
    import keras  # noqa: PLC0415

    root = store_dir(root)
    name = name or default_model(root)
    card = read_card(name, root)
    path = root / name / MODEL_FILE
    if not path.is_file():
        raise StoreError(f"{path}: model file missing.")
    if sha256_file(path) != card["model_sha256"]:
        raise StoreError(f"{path}: model file does not match its card (corrupt or replaced).")
    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as exc:  # keras raises many types for damaged archives
        raise StoreError(f"{path}: cannot load model ({type(exc).__name__}).") from None
    from xray_core.gate import load_gate  # noqa: PLC0415

    gate = load_gate(root / name)
    return StoredModel(name, model, card, root / name, gate, compile_scorer(model))


def compile_scorer(model):
    """A tf.function over input -> (probability, penultimate features): one graph, no eager
    per-layer overhead (~4x faster than calling the Keras model eagerly on this CPU)."""
    import keras  # noqa: PLC0415
    import tensorflow as tf  # noqa: PLC0415

    from xray_core.models.head import PROBABILITY_LAYER  # noqa: PLC0415

    head = model.get_layer(PROBABILITY_LAYER)
    scorer = keras.Model(model.input, [model.output, head.input], name="scorer")
    spec = tf.TensorSpec((None, *model.input.shape[1:]), tf.float32)

    @tf.function(input_signature=[spec], reduce_retracing=True)
    def score_fn(x):
        return scorer(x, training=False)

    return score_fn


def save_model(model, card: dict, history: dict, name: str, root=None) -> Path:
    """Write model.keras (no optimizer state), card.json (with model_sha256), history.json."""
    import keras  # noqa: PLC0415

    entry = store_dir(root) / name
    entry.mkdir(parents=True, exist_ok=True)
    clean = keras.Model.from_config(model.get_config())  # clone_model would keep the optimizer
    clean.set_weights(model.get_weights())
    path = entry / MODEL_FILE
    clean.save(path)
    card = {
        **card,
        "name": name,
        "model_sha256": sha256_file(path),
        "model_bytes": path.stat().st_size,
    }
    (entry / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n")
    (entry / HISTORY_FILE).write_text(json.dumps(history, indent=1) + "\n")
    return entry
