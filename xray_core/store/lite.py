"""The model's scorer as TensorFlow Lite (XNNPACK): the same graph, less CPU per image.

`scoring.compile_scorer` gives a tf.function, batch -> (P(PNEUMONIA), penultimate features).
`LiteScorer` converts that function's graph to a TFLite flatbuffer in memory (2-6 s per model
here) and runs it with the XNNPACK CPU kernels: on this 2-core CPU the small ResNet needs
~1.5x less CPU per image, MobileNetV2 ~4x less (`python -m benchmarks.bench_score` prints
both floors). Its outputs equal the Keras scorer's to ~1e-6 in probability (float32 kernels
that sum in another order; `tests/test_lite.py` holds them within 1e-5 on real images).

A `LiteScorer` is a drop-in `score_fn` (`StoredModel.score` batches through it). An
Interpreter is not thread-safe: each batch size gets its own, used under a lock.
The archive scorer (`python -m xray_core score`) runs on it by default (`--runtime keras`
for the Keras graph); the app and `predict` keep the Keras graph.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import warnings
from collections import OrderedDict

import numpy as np

RUNTIMES = ("lite", "keras")
MAX_SHAPES = 4  # interpreters kept, one per batch size (LRU)


def default_threads() -> int:
    """Kernel threads: one per CPU core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def convert(score_fn) -> bytes:
    """TFLite flatbuffer of a `compile_scorer` tf.function (float32, no quantisation)."""
    import tensorflow as tf

    concrete = score_fn.get_concrete_function()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tf.lite.TFLiteConverter.from_concrete_functions([concrete], score_fn).convert()


class LiteScorer:
    """Batch (N, H, W, C) float32 -> ((N, 1) P(PNEUMONIA), (N, D) features), float32."""

    def __init__(self, flatbuffer: bytes, threads: int | None = None):
        self.flatbuffer = flatbuffer
        self.threads = threads or default_threads()
        self._interpreters: OrderedDict[tuple, tuple] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_score_fn(cls, score_fn, threads: int | None = None) -> LiteScorer:
        return cls(convert(score_fn), threads)

    def _interpreter(self, shape: tuple):
        """(interpreter, input index, probability index, features index) for this shape."""
        import tensorflow as tf

        if shape in self._interpreters:
            self._interpreters.move_to_end(shape)
            return self._interpreters[shape]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tf.lite.Interpreter's move-to-LiteRT notice
            it = tf.lite.Interpreter(model_content=self.flatbuffer, num_threads=self.threads)
        index = it.get_input_details()[0]["index"]
        it.resize_tensor_input(index, shape)
        it.allocate_tensors()
        outs = it.get_output_details()
        prob = next(o["index"] for o in outs if int(o["shape"][-1]) == 1)
        feats = next(o["index"] for o in outs if o["index"] != prob)
        self._interpreters[shape] = (it, index, prob, feats)
        while len(self._interpreters) > MAX_SHAPES:
            self._interpreters.popitem(last=False)
        return self._interpreters[shape]

    def __call__(self, x) -> tuple[np.ndarray, np.ndarray]:
        x = np.ascontiguousarray(x, np.float32)
        with self._lock:
            it, index, prob, feats = self._interpreter(tuple(x.shape))
            it.set_tensor(index, x)
            it.invoke()
            return it.get_tensor(prob).copy(), it.get_tensor(feats).copy()


def with_runtime(stored, runtime: str, threads: int | None = None):
    """STORED with its scorer on RUNTIME ("lite": a LiteScorer; "keras": unchanged)."""
    if runtime not in RUNTIMES:
        raise ValueError(f"runtime must be one of {RUNTIMES}, got {runtime!r}")
    if runtime == "keras" or isinstance(stored.score_fn, LiteScorer):
        return stored
    return dataclasses.replace(stored, score_fn=LiteScorer.from_score_fn(stored.score_fn, threads))
