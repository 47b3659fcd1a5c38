"""Per-image explanation results for the Explain and Predict pages.

Explanations (any method of `xray_core.explain.registry`) and their faithfulness checks live
in one bounded cache with a lock, shared by sessions: LIME reports progress to a bar on the
page, which a `st.cache_data` function cannot do (it may not touch elements created outside
it). The model handles and nearest-case indexes are `st.cache_resource` (read-only).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import streamlit as st

from xray_app.loaders import get_model
from xray_core.explain import nearest, registry
from xray_core.explain.base import resolve_settings
from xray_core.explain.handle import ModelHandle
from xray_core.io.study import Study

RESULT_ENTRIES = 64


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


@st.cache_resource(show_spinner=False)
def get_handle(name: str) -> ModelHandle:
    """Model `name` with its explanation tools (Grad-CAM objects, probes, randomised twin),
    each built once on first use; shared by sessions, read-only once built."""
    return ModelHandle(get_model(name))


@st.cache_resource(show_spinner=False)
def _results() -> ResultCache:
    return ResultCache(RESULT_ENTRIES)


def _key(kind: str, name: str, method: str, settings: dict, study: Study) -> tuple:
    return (kind, name, study.digest, method, tuple(sorted(settings.items())))


def explanation(name: str, method: str, settings: dict, study: Study, progress=None):
    """The Explanation of `method` with `settings` (defaults filled in, so equal settings share
    one entry) for this model and image, computed once per process (outside the lock: two
    sessions asking at once may both compute; the results are identical, every method is
    deterministic)."""
    handle = get_handle(name)
    settings = resolve_settings(registry.get_explainer(method).params(handle), settings)
    cache, key = _results(), _key("map", name, method, settings, study)
    result = cache.get(key)
    if result is None:
        x = study.model_input(handle.contract)
        result = registry.explain(handle, x, method, settings, progress)
        cache.put(key, result)
    return result


def opening_method(name: str, target: str) -> str:
    """The method pages open with for model `name` and maps toward `target`: the first one
    that passed the model's faithfulness benchmark (`registry.opening_method`)."""
    faithfulness = get_model(name).card.get("faithfulness")
    return registry.opening_method(get_handle(name), faithfulness, target)


def opening_explanation(name: str, target: str, study: Study, progress=None):
    """The Explanation a page opens with for this image (the opening method's, toward
    `target`), from the same cache as `explanation` (Explain, the presentation gallery)."""
    return explanation(name, opening_method(name, target), {"target": target}, study, progress)


def faithfulness(name: str, exp, study: Study):
    """The Faithfulness checks of an explanation from `explanation` (computed once)."""
    cache, key = _results(), _key("checks", name, exp.method, exp.settings, study)
    result = cache.get(key)
    if result is None:
        handle = get_handle(name)
        result = registry.check(exp, handle, study.model_input(handle.contract))
        cache.put(key, result)
    return result


@st.cache_resource(show_spinner=False)
def get_case_index(name: str):
    """Model `name`'s nearest-case index (xray_core.explain.nearest.CaseIndex), or None."""
    return nearest.load_index(get_model(name).path)


@st.cache_data(show_spinner=False, max_entries=256)
def nearest_cases(name: str, digest: str, k: int, _study: Study) -> tuple[list, float]:
    """(k nearest training cases, lookup milliseconds) for one study (by digest)."""
    import time

    m, index = get_model(name), get_case_index(name)
    features = m.embed(_study.model_input(m.contract)[None])[0]
    t0 = time.perf_counter()
    cases = index.nearest(features, k)
    return cases, (time.perf_counter() - t0) * 1000
