"""Small view helpers for the pages: plain data in, plain rows or words out (no Streamlit).

Kept apart from the pages so they stay thin, and tested in tests/test_views.py.
"""

from __future__ import annotations

from xray_core.text.wording import percent


def default_layer(layers: list[dict], last_conv: str | None) -> str:
    """The feature-map layer to open on: the model's recorded last conv layer when it is a
    convolution, else the deepest convolution (never the first layer, whose channels are
    mostly edges of the raw input, and for MobileNet nearly black)."""
    names = [x["name"] for x in layers]
    if not names:
        raise ValueError("the model has no convolutional layers")
    return last_conv if last_conv in names else names[-1]


def channels_caption(shown: int, total: int) -> str:
    """What the channel grid holds: all channels, or the first `shown` of `total`."""
    what = (
        "A channel is the response map of one learned filter: bright where the pattern that "
        "filter detects is strong in this image. Each is scaled to its own min–max."
    )
    if shown < total:
        return f"First {shown} of {total} channels shown (capped for speed). {what}"
    return f"All {total} channels shown. {what}"


def model_verdict_rows(assessments: dict) -> list[dict]:
    """One row per model for the current image, at each model's own shipped threshold.

    Args:
        assessments: {model name: xray_core.predict.assess.Assessment at its shipped threshold}.
    """
    rows = []
    for name, a in assessments.items():
        p = a.prediction
        rows.append(
            {
                "model": name,
                "P(pneumonia)": percent(p.probability) if a.ok else "—",
                "verdict": p.label if a.ok else "no verdict (input check refused it)",
                "threshold": round(p.threshold, 3),
            }
        )
    return rows


def split_rows(overview: dict, card_splits: dict) -> list[dict]:
    """Where every figure comes from: the folder's official splits and the model's own
    training / validation split of the official train split.

    Args:
        overview: xray_core.dataset.overview.dataset_overview result (official splits on disk).
        card_splits: the model card's data["splits"] ({"train": ..., "validation": ...}).
    """
    rows = []
    for split, d in overview["splits"].items():
        s = d["summary"]
        use = {
            "train": "split by patient into the two rows below",
            "val": "not used for the app's figures (too small)",
        }.get(split, "")
        rows.append(_row(f"official {split}", s["n"], s["classes"], s["patients"], use))
    for split, use in (
        ("train", "what the model learned from"),
        ("validation", "the app's figures: threshold, metrics, calibration, Compare"),
    ):
        s = card_splits.get(split)
        if s:
            rows.append(_row(f"model {split}", s["n"], s["classes"], s.get("patients"), use))
    if "test" not in overview["splits"]:
        rows.append(_row("official test", None, {}, None, "withheld: scored outside the app"))
    return rows


def _row(split: str, n, classes: dict, patients, use: str) -> dict:
    def shown(v):
        return "—" if v is None else v

    return {
        "split": split,
        "images": shown(n),
        "NORMAL": shown(classes.get("NORMAL")),
        "PNEUMONIA": shown(classes.get("PNEUMONIA")),
        "patients": shown(patients),
        "used for": use,
    }
