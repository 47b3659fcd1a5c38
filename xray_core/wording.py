"""Words and numbers as the app shows them: honest precision, grammar, neutral names.

Pure functions, no Streamlit. A calibrated probability fitted on a few hundred validation
images does not support "100.0%": percentages are whole numbers and the ends read "> 99%" and
"< 1%".
"""

from __future__ import annotations

METHOD_NAMES = {"gradcam": "Grad-CAM", "gradcam++": "Grad-CAM++", "lime": "LIME"}


def percent(p: float) -> str:
    """A probability in [0, 1] as a whole percentage; the ends as "> 99%" and "< 1%".

    Raises ValueError outside [0, 1] (or NaN).
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"probability must be in [0, 1], got {p}")
    if p > 0.99:
        return "> 99%"
    if p < 0.01:
        return "< 1%"
    return f"{100 * p:.0f}%"


def count_is(n: int, singular: str, plural: str | None = None) -> str:
    """ "1 is missed" / "2 are missed": the count, the verb agreeing with it, then `singular`
    (or `plural` when n != 1 and given)."""
    verb = "is" if n == 1 else "are"
    words = singular if n == 1 or plural is None else plural
    return f"{n} {verb} {words}"


def per_hundred(rate: float) -> tuple[int, int]:
    """A rate in [0, 1] as (of 100, the rest): whole numbers that add up to 100."""
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"rate must be in [0, 1], got {rate}")
    hit = int(round(100 * rate))
    return hit, 100 - hit


def method_name(method: str) -> str:
    """The display name of an explanation method id ("gradcam++" -> "Grad-CAM++")."""
    try:
        return METHOD_NAMES[method]
    except KeyError:
        raise ValueError(f"unknown method {method!r}; known: {', '.join(METHOD_NAMES)}") from None


def sample_name(index: int) -> str:
    """Neutral name of the sample at 0-based `index`: no label, says it is a training image."""
    if index < 0:
        raise ValueError(f"index must be >= 0, got {index}")
    return f"Training X-ray {index + 1:02d}"


def speed_label(batched: bool) -> str:
    """Column label for per-image inference time."""
    return "ms / image (batched)" if batched else "ms / image (one at a time)"
