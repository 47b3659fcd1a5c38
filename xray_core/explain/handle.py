"""A stored model plus what its explanations need, each built once on first use.

`ModelHandle` wraps a `StoredModel` (read-only) and lazily builds, under a lock so that a
handle shared across Streamlit sessions and threads builds each thing once:
    * the tf-keras-vis Grad-CAM / Grad-CAM++ objects, sharing one linear copy of the model,
    * feature-map probes per layer,
    * the randomised twin: the same architecture re-initialised (`randomised_copy`), for the
      model-randomisation sanity check (Adebayo et al. 2018),
    * the scorer's TFLite copy that `predict` and `logits` run on (`xray_core.store.lite`).
After first use the handle is read-only.
"""

from __future__ import annotations

import threading

import numpy as np

RANDOMISED_SEED = 1234
PREDICT_BATCH = 100  # LIME's batch (`lime_explain.BATCH_SIZE`): one interpreter shape


def _glorot(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Glorot-uniform draw for a kernel of `shape` (dense (in, out) or conv (kh, kw, in, out))."""
    field = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    fan_in, fan_out = shape[-2] * field, shape[-1] * field
    limit = np.sqrt(6.0 / max(fan_in + fan_out, 1))
    return rng.uniform(-limit, limit, size=shape)


def randomised_copy(model, seed: int = RANDOMISED_SEED):
    """The same architecture with every weight re-initialised (deterministic in `seed`).

    Kernels: Glorot-uniform; biases, BatchNorm beta and moving mean: 0; gamma and moving
    variance: 1. Layer names are kept, so the last conv layer has the same name.
    """
    import keras

    twin = keras.models.clone_model(model)
    rng = np.random.default_rng(seed)
    for layer in twin.layers:
        for var in layer.weights:
            name, shape = var.path.rsplit("/", 1)[-1], tuple(var.shape)
            if name in ("gamma", "moving_variance"):
                value = np.ones(shape)
            elif len(shape) >= 2:
                value = _glorot(shape, rng)
            else:
                value = np.zeros(shape)
            var.assign(value.astype(var.dtype))
    return twin


class ModelHandle:
    """Model + lazily built explanation tools. `stored`: xray_core.store.catalog.StoredModel."""

    def __init__(self, stored, randomised: bool = False):
        self.stored = stored
        self.is_randomised = randomised
        self._lock = threading.Lock()
        self._built: dict = {}

    @property
    def name(self) -> str:
        return self.stored.name

    @property
    def model(self):
        return self.stored.model

    @property
    def contract(self):
        return self.stored.contract

    @property
    def last_conv(self) -> str | None:
        return self.stored.last_conv

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Batch (N, H, W, C) float32 -> (N,) float64 raw P(PNEUMONIA) in [0, 1].

        Runs on the scorer's TFLite copy (`xray_core.store.lite`, converted once per handle): LIME
        and the faithfulness curves score hundreds of images per map, and it needs ~1.5x
        less CPU per image; it equals the Keras scorer to ~1e-6.
        """
        from xray_core.store.scorer import score_batches

        x = np.asarray(x, np.float32)
        return score_batches(self.lite_scorer(), x, PREDICT_BATCH)[0]

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Batch (N, H, W, C) float32 -> (N,) float64 pre-sigmoid score of PNEUMONIA (logit units).

        Computed from the scorer's penultimate features and the sigmoid unit's weights, so it
        never saturates the way a probability does (raw P rounds to 1.0 above a logit of ~17).
        """
        from xray_core.store.scorer import score_batches

        kernel, bias = self._get("head", self._head_weights)
        _, features = score_batches(self.lite_scorer(), np.asarray(x, np.float32), PREDICT_BATCH)
        return features[:, : kernel.shape[0]] @ kernel + bias

    def _head_weights(self) -> tuple[np.ndarray, float]:
        """(kernel (D,) float64, bias) of the sigmoid unit (`models.head.PROBABILITY_LAYER`)."""
        from xray_core.models.head import PROBABILITY_LAYER

        kernel, bias = self.model.get_layer(PROBABILITY_LAYER).get_weights()
        return np.asarray(kernel, np.float64).reshape(-1), float(np.ravel(bias)[0])

    def lite_scorer(self):
        """The model's `lite.LiteScorer` (built once)."""
        from xray_core.store.lite import LiteScorer

        return self._get("lite", lambda: LiteScorer.from_score_fn(self.stored.score_fn))

    def _get(self, key, build):
        with self._lock:
            if key not in self._built:
                self._built[key] = build()
            return self._built[key]

    def cam(self, method: str):
        """The tf-keras-vis explainer for "gradcam" or "gradcam++" (built once; both share one
        linear copy of the model)."""
        from xray_core.explain.gradcam import linear_clone, make_cam

        linear = self._get("linear", lambda: linear_clone(self.model))
        return self._get(("cam", method), lambda: make_cam(self.model, method, linear))

    def probe(self, layer: str):
        """input -> `layer` output model (built once per layer)."""
        from xray_core.explain.feature_maps import make_probe

        return self._get(("probe", layer), lambda: make_probe(self.model, layer))

    def randomised(self) -> ModelHandle:
        """The re-initialised twin's handle (built once; the twin is never randomised again)."""
        if self.is_randomised:
            return self
        return self._get("randomised", self._build_twin)

    def _build_twin(self) -> ModelHandle:
        from dataclasses import replace

        from xray_core.store.catalog import compile_scorer

        twin = randomised_copy(self.model)
        stored = replace(
            self.stored,
            name=f"{self.name} (randomised)",
            model=twin,
            gate=None,
            score_fn=compile_scorer(twin),
        )
        return ModelHandle(stored, randomised=True)
