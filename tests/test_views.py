"""View helpers: the feature-map layer to open on, the channel caption, per-model rows,
where each figure's images come from."""

from types import SimpleNamespace

import pytest

from xray_app import views
from xray_core.predict.assess import Prediction

LAYERS = [{"name": n, "type": "Conv2D", "shape": (7, 7, c)} for n, c in (("a", 16), ("b", 256))]


@pytest.mark.parametrize(
    "last_conv, expected", [("a", "a"), ("b", "b"), ("out_relu", "b"), (None, "b")]
)
def test_default_layer_is_the_last_conv_or_the_deepest(last_conv, expected):
    assert views.default_layer(LAYERS, last_conv) == expected


def test_default_layer_needs_layers():
    with pytest.raises(ValueError, match="no convolutional layers"):
        views.default_layer([], "x")


def test_channels_caption_says_the_cap():
    assert views.channels_caption(64, 256).startswith("First 64 of 256 channels shown")
    assert views.channels_caption(16, 16).startswith("All 16 channels shown")
    assert "A channel is" in views.channels_caption(16, 16)


def _assessment(p: float, label: str, t: float, ok: bool) -> SimpleNamespace:
    return SimpleNamespace(prediction=Prediction(p, p, label, t, "m"), ok=ok)


def test_model_verdict_rows_at_each_models_threshold():
    rows = views.model_verdict_rows(
        {
            "m1": _assessment(0.999, "PNEUMONIA", 0.77, True),
            "m2": _assessment(0.2, "NORMAL", 0.5, False),
        }
    )
    assert rows[0] == {
        "model": "m1",
        "P(pneumonia)": "> 99%",
        "verdict": "PNEUMONIA",
        "threshold": 0.77,
    }
    assert rows[1]["P(pneumonia)"] == "—" and "refused" in rows[1]["verdict"]


def test_split_rows_name_every_source():
    overview = {
        "splits": {
            "train": {
                "summary": {"n": 10, "classes": {"NORMAL": 3, "PNEUMONIA": 7}, "patients": 9}
            },
            "val": {"summary": {"n": 2, "classes": {"NORMAL": 1, "PNEUMONIA": 1}, "patients": 2}},
        }
    }
    card = {
        "train": {"n": 8, "classes": {"NORMAL": 2, "PNEUMONIA": 6}, "patients": 7},
        "validation": {"n": 2, "classes": {"NORMAL": 1, "PNEUMONIA": 1}, "patients": 2},
    }
    rows = views.split_rows(overview, card)
    names = [r["split"] for r in rows]
    assert names == [
        "official train",
        "official val",
        "model train",
        "model validation",
        "official test",
    ]
    val = rows[3]
    assert val["images"] == 2 and "the app's figures" in val["used for"]
    assert rows[2]["images"] + val["images"] == rows[0]["images"]
    assert "withheld" in rows[-1]["used for"] and rows[-1]["images"] == "—"
