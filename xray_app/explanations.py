"""Per-image explanation results for the Explain page.

Grad-CAM lives in `st.cache_data`. LIME reports progress to a bar on the page, which a
`st.cache_data` function cannot do (it may not touch elements created outside it), so its
results live in a bounded cache with a lock, shared by sessions.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import streamlit as st

from xray_app.loaders import get_cam, get_model
from xray_core.explain import gradcam, lime_explain
from xray_core.study import Study

LIME_ENTRIES = 32


class ResultCache:
    """A bounded, thread-safe LRU map: every read and write holds the lock."""

    def __init__(self, max_entries: int):
        if max_entries < 1:
            raise ValueError(f"max_entries must be >= 1, got {max_entries}")
        self.max_entries = max_entries
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The value stored under `key` (now the most recent), or None."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key, value) -> None:
        """Store `value`, evicting the least recently used entries beyond max_entries."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_gradcam(name: str, method: str, target: str, digest: str, _study: Study) -> np.ndarray:
    """(H, W) float32 heatmap in [0, 1] of `method` toward `target` for one study (by digest)."""
    m = get_model(name)
    return gradcam.gradcam_heatmap(
        get_cam(name, method), _study.model_input(m.contract), m.last_conv, target
    )


@st.cache_resource(show_spinner=False)
def _lime_cache() -> ResultCache:
    return ResultCache(LIME_ENTRIES)


def cached_lime(name: str, study: Study, samples: int, segments: int, progress=None):
    """LIME for this model, image and settings, computed once per process (outside the lock:
    two sessions asking at once may both compute; the results are identical, seed 0)."""
    cache, key = _lime_cache(), (name, study.digest, samples, segments)
    result = cache.get(key)
    if result is None:
        m = get_model(name)
        result = lime_explain.explain_lime(
            m.probabilities,
            study.display(m.contract),
            m.contract,
            num_samples=samples,
            n_segments=segments,
            progress=progress,
        )
        cache.put(key, result)
    return result
