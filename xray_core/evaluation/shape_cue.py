"""The thorax's shape as a cue: a warning for an upload whose original shape this model reads.

Every image of the training data was squash-resized to a square, and its PNEUMONIA originals
are wider than its NORMAL ones (width / height on the 48 full-resolution samples: NORMAL
1.02-1.42, PNEUMONIA 1.19-1.89; `python -m xray_core.evaluation.shape_cue DIR` measures a folder).
A wide original, squashed, shows narrow anatomy, which models trained on it read as pneumonia; the
card's `aspect_views` (`python -m xray_core card shift`) say how far a model does.
"""

from __future__ import annotations

NORMAL_MAX_ASPECT = 1.42  # widest NORMAL among the 48 full-resolution samples (width / height)
RELIANCE_SPECIFICITY = 0.8  # below this with the anatomy 20% narrower, the model reads the shape


def aspect(size: tuple[int, int]) -> float:
    """Width / height of SIZE (width, height) in pixels."""
    width, height = size
    return width / height


def narrow_specificity(card) -> tuple[float, float] | None:
    """(plain, narrow 0.8) specificity at the shipped threshold from CARD's `aspect_views`;
    None when the card does not record them."""
    from xray_core.training.shift import NARROW_VIEW

    views = card.get("aspect_views") or {}
    plain, narrow = views.get("plain") or {}, views.get(NARROW_VIEW) or {}
    if plain.get("specificity") is None or narrow.get("specificity") is None:
        return None
    return float(plain["specificity"]), float(narrow["specificity"])


def reads_shape(card) -> tuple[float, float] | None:
    """`narrow_specificity` when CARD's model reads the shape (narrow-view specificity below
    RELIANCE_SPECIFICITY); None when it does not or the card does not say."""
    spec = narrow_specificity(card)
    return spec if spec is not None and spec[1] < RELIANCE_SPECIFICITY else None


def shape_note(size: tuple[int, int], card) -> str | None:
    """A sentence for an image of SIZE (width, height) px wider than any NORMAL sample, when
    CARD's model reads narrow anatomy as pneumonia; None otherwise (or when not measured)."""
    ratio = aspect(size)
    spec = reads_shape(card)
    if ratio <= NORMAL_MAX_ASPECT or spec is None:
        return None
    return (
        f"This image is {ratio:.2f} times as wide as it is tall, wider than any normal X-ray "
        f"among the training data's full-resolution samples (at most {NORMAL_MAX_ASPECT}). "
        "Squashed to the model's square input, its anatomy looks narrow, and this model reads "
        "narrow anatomy as pneumonia: on validation images made 20% narrower, its specificity "
        f"fell from {spec[0]:.3f} to {spec[1]:.3f}. A PNEUMONIA verdict here may follow the "
        "image's shape rather than the lungs (Model card, *Under a cohort shift*)."
    )


def shape_limitation(card) -> str | None:
    """One limitation line when CARD's model reads the shape (narrow-view specificity below
    RELIANCE_SPECIFICITY), else None."""
    spec = reads_shape(card)
    if spec is None:
        return None
    return (
        "Reads the thorax's shape: the training data's PNEUMONIA originals are wider, so after "
        "the squash to a square a narrow-looking thorax counts toward pneumonia. On validation "
        f"images made 20% narrower its specificity fell from {spec[0]:.3f} to {spec[1]:.3f}; "
        "X-rays from a wider detector or crop may draw false alarms."
    )


def limitations(card) -> list[str]:
    """CARD's limitations, plus `shape_limitation` where it applies."""
    extra = shape_limitation(card)
    return [*card["limitations"], *([extra] if extra else [])]


def main(argv=None) -> None:
    """Print width / height of every image under DIR, by subfolder (e.g. NORMAL, PNEUMONIA)."""
    import argparse
    import statistics
    from pathlib import Path

    from xray_core.io.decode import load_image

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("dir", type=Path)
    args = ap.parse_args(argv)
    groups: dict[str, list[float]] = {}
    for path in sorted(args.dir.rglob("*")):
        if path.suffix.lower() in {".jpeg", ".jpg", ".png"}:
            gray = load_image(path)
            groups.setdefault(path.parent.name, []).append(gray.shape[1] / gray.shape[0])
    for name, values in groups.items():
        lo, hi, mid = min(values), max(values), statistics.median(values)
        print(f"{name}: n {len(values)}, width/height {lo:.2f}-{hi:.2f}, median {mid:.2f}")


if __name__ == "__main__":
    main()
