"""Which shipped model a test reads: the pages' withheld-test-split headline needs a model
scored there, whichever model is the default."""

from __future__ import annotations

from xray_core.evaluation import external_test
from xray_core.store.catalog import list_models, read_card


def scored_model() -> str:
    """The first shipped model (by name) whose card carries the withheld test split's figures."""
    names = [n for n in list_models() if external_test.figures(read_card(n)) is not None]
    assert names, "no shipped model carries the withheld test split's figures"
    return names[0]
