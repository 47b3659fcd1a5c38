"""The model store: one folder per model (file names in `xray_core.store.files`).

`model_store/DEFAULT` holds the default model's name (one line). Loading checks the card and
the model file (sha256 recorded in the card) and fails with a clear StoreError otherwise.
`write_card` is the one function that writes card.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from xray_core.config import store_dir
from xray_core.io.contract import ImageContract
from xray_core.io.hashing import sha256_file
from xray_core.store.card import REQUIRED_KEYS, CardError, ModelCard
from xray_core.store.files import CARD_FILE, DEFAULT_FILE, GATE_FILE, HISTORY_FILE, MODEL_FILE
from xray_core.store.scorer import compile_scorer, score_batches

REQUIRED_CARD_KEYS = REQUIRED_KEYS


class StoreError(RuntimeError):
    """A missing, unknown or corrupt model store entry."""


@dataclass(frozen=True)
class StoredModel:
    """A loaded model with its card (read-only: the app shares it across sessions)."""

    name: str
    model: object  # keras.Model
    card: ModelCard
    path: Path
    gate: dict | None = None  # fitted out-of-distribution gate (xray_core.gate.ood), if any
    score_fn: object = None  # compiled graph: batch -> (raw probability, features)

    def score(self, x, batch_size: int = 64):
        """Batch (N, H, W, C) float32 -> (raw P(PNEUMONIA) (N,) float64, features (N, D')):
        the penultimate vector, then the gate's pooled layers when its gate reads any
        (`scoring.compile_scorer`; `gate.distance` takes them whole)."""
        return score_batches(self.score_fn, x, batch_size)

    def embed(self, x, batch_size: int = 64):
        """Batch (N, H, W, C) float32 -> (N, D) penultimate vectors (what the sigmoid reads)."""
        return self.score(x, batch_size)[1][:, : self.embedding_dim]

    @property
    def embedding_dim(self) -> int:
        """Width D of the penultimate vector."""
        from xray_core.models.head import PROBABILITY_LAYER

        return int(self.model.get_layer(PROBABILITY_LAYER).input.shape[-1])

    def probabilities(self, x):
        """Raw (uncalibrated) P(PNEUMONIA) for a batch: (N,) float64 in [0, 1]."""
        return self.score(x)[0]

    @property
    def contract(self) -> ImageContract:
        return ImageContract.from_dict(self.card.contract)

    @property
    def threshold(self) -> float:
        return float(self.card.threshold)

    @property
    def last_conv(self) -> str | None:
        return self.card.last_conv_layer


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


def read_card(name: str, root=None) -> ModelCard:
    """Read and check a model's card. Raises StoreError naming what is wrong."""
    root = store_dir(root)
    path = root / name / CARD_FILE
    if not path.is_file():
        valid = ", ".join(list_models(root)) or "none"
        raise StoreError(f"unknown model {name!r}; valid names: {valid}")
    try:
        return ModelCard.from_json(path.read_text())
    except (CardError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path}: {exc}.") from None


def write_card(name: str, card: ModelCard, root=None) -> Path:
    """Write an entry's card.json (the only writer). The entry folder must exist."""
    entry = store_dir(root) / name
    if not entry.is_dir():
        raise StoreError(f"{entry}: no such store entry.")
    path = entry / CARD_FILE
    path.write_text(card.to_json())
    return path


def read_history(name: str, root=None) -> dict:
    path = store_dir(root) / name / HISTORY_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def load_model(name: str | None = None, root=None) -> StoredModel:
    """Load model + card; `name=None` loads the default. Verifies the model file's sha256."""
    import keras

    from xray_core.gate.ood import layers, load_gate

    root = store_dir(root)
    name = name or default_model(root)
    card = read_card(name, root)
    path = root / name / MODEL_FILE
    if not path.is_file():
        raise StoreError(f"{path}: model file missing.")
    if sha256_file(path) != card.model_sha256:
        raise StoreError(f"{path}: model file does not match its card (corrupt or replaced).")
    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as exc:  # keras raises many types for damaged archives
        raise StoreError(f"{path}: cannot load model ({type(exc).__name__}).") from None
    gate = load_gate(root / name / GATE_FILE)
    return StoredModel(name, model, card, root / name, gate, compile_scorer(model, layers(gate)))


def save_model(model, card: ModelCard | dict, history: dict, name: str, root=None) -> Path:
    """Write model.keras (no optimizer state), card.json (with name, model_sha256 and
    model_bytes filled in) and history.json. A dict card is read as `ModelCard.from_dict`."""
    import keras

    entry = store_dir(root) / name
    entry.mkdir(parents=True, exist_ok=True)
    clean = keras.Model.from_config(model.get_config())  # clone_model would keep the optimizer
    clean.set_weights(model.get_weights())
    path = entry / MODEL_FILE
    clean.save(path)
    if not isinstance(card, ModelCard):
        card = ModelCard.from_dict({"name": name, "model_sha256": "", **card})
    card = card.updated(name=name, model_sha256=sha256_file(path), model_bytes=path.stat().st_size)
    write_card(name, card, root)
    (entry / HISTORY_FILE).write_text(json.dumps(history, indent=1) + "\n")
    return entry
