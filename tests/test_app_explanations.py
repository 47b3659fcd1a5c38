"""xray_app.explanations.ResultCache: the locked, bounded store of LIME results."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from xray_app.explanations import ResultCache


def test_get_returns_what_was_put_and_none_otherwise():
    cache = ResultCache(2)
    cache.put("a", 1)
    assert cache.get("a") == 1
    assert cache.get("b") is None


def test_least_recently_used_entry_is_evicted():
    cache = ResultCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")  # "b" is now the least recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert len(cache) == 2


@pytest.mark.parametrize("bad", [0, -1])
def test_max_entries_must_be_positive(bad):
    with pytest.raises(ValueError, match="max_entries"):
        ResultCache(bad)


def test_concurrent_writers_keep_the_bound_and_never_raise():
    cache = ResultCache(8)

    def work(i: int) -> None:
        for j in range(200):
            cache.put((i, j), j)
            cache.get((i, j - 1))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(8)))
    assert len(cache) == 8
