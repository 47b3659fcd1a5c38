"""The typed model card: every shipped card.json loads; JSON round trip; unknown keys kept."""

import json

import pytest

from xray_core import config
from xray_core.store.card import REQUIRED_KEYS, SCHEMA_VERSION, CardError, ModelCard
from xray_core.store.catalog import list_models
from xray_core.store.files import CARD_FILE

SHIPPED = list_models()
MINIMAL = {
    "name": "m",
    "architecture": "cnn",
    "contract": {"size": 64, "channels": 1, "scaling": "unit", "clahe": True},
    "threshold": 0.25,
    "model_sha256": "0" * 64,
}


def shipped_json(name: str) -> dict:
    return json.loads((config.store_dir() / name / CARD_FILE).read_text())


def test_the_store_ships_three_cards():
    assert len(SHIPPED) >= 3


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_card_loads_and_round_trips(name):
    raw = shipped_json(name)
    card = ModelCard.from_json(json.dumps(raw))
    assert card.name == name and card.threshold == raw["threshold"]
    assert card.contract == raw["contract"] and card.validation == raw["validation"]
    again = card.to_dict()
    assert {k: again[k] for k in raw} == raw  # every key and value survives a rewrite
    assert again["schema_version"] == SCHEMA_VERSION
    assert ModelCard.from_json(card.to_json()) == card.updated(schema_version=SCHEMA_VERSION)


def test_a_card_without_a_version_is_schema_1_and_gets_defaults():
    card = ModelCard.from_dict(MINIMAL)
    assert card.schema_version == 1
    assert card.validation == {} and card.last_conv_layer is None
    assert card.to_dict()["schema_version"] == SCHEMA_VERSION


def test_unknown_keys_are_kept_in_extra_and_written_back():
    card = ModelCard.from_dict({**MINIMAL, "faithfulness": {"deletion_auc": 0.4}})
    assert card.extra == {"faithfulness": {"deletion_auc": 0.4}}
    assert card["faithfulness"] == {"deletion_auc": 0.4} and "faithfulness" in card
    assert json.loads(card.to_json())["faithfulness"] == {"deletion_auc": 0.4}


def test_updated_replaces_fields_and_adds_extra_keys():
    card = ModelCard.from_dict(MINIMAL)
    new = card.updated(threshold=0.5, robustness_table={"rotation": 0.9})
    assert (new.threshold, new.extra) == (0.5, {"robustness_table": {"rotation": 0.9}})
    assert card.threshold == 0.25 and card.extra == {}  # the original is unchanged


def test_mapping_access_reads_fields_and_extra():
    card = ModelCard.from_dict({**MINIMAL, "note": "x"})
    assert card["threshold"] == 0.25 and card.get("note") == "x"
    assert card.get("missing", 7) == 7 and "missing" not in card
    with pytest.raises(KeyError):
        card["missing"]


def test_cards_are_frozen():
    card = ModelCard.from_dict(MINIMAL)
    with pytest.raises(AttributeError):
        card.threshold = 0.9


@pytest.mark.parametrize("missing", REQUIRED_KEYS)
def test_a_missing_required_key_is_named(missing):
    with pytest.raises(CardError, match=f"card lacks \\['{missing}'\\]"):
        ModelCard.from_dict({k: v for k, v in MINIMAL.items() if k != missing})


@pytest.mark.parametrize("text, message", [("{not json", "corrupt card"), ("[1, 2]", "lacks")])
def test_text_that_is_not_a_card_is_refused(text, message):
    with pytest.raises(CardError, match=message):
        ModelCard.from_json(text)


def test_split_seed_falls_back_to_the_run_seed():
    from xray_core.store.card import split_seed

    assert split_seed({"seed": 3}) == 3
    assert split_seed({"seed": 3, "split_seed": None}) == 3
    assert split_seed({"seed": 3, "split_seed": 42}) == 42


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_model_carries_the_evidence_its_pages_show(name):
    """What the Model card, Compare, Explain and Predict pages read for every model: perturbed
    validation, the aspect views, its recipe on an unseen cohort, the faithfulness benchmark,
    the nearest-case index and the out-of-distribution gate (docs/models.md, "Shipped models"
    lists the commands)."""
    raw = shipped_json(name)
    keys = ("shifted_validation", "aspect_views", "recipe_hold_out", "faithfulness")
    missing = [k for k in keys if not raw.get(k)]
    missing += [
        f for f in ("neighbours.npz", "gate.npz") if not (config.store_dir() / name / f).is_file()
    ]
    assert not missing, f"{name} lacks {', '.join(missing)}"


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_cards_map_figures_are_of_the_current_protocol(name):
    """The faithfulness figures a page states are those of the methods and settings the app
    runs today: occlusion measured, LIME at its current defaults, the 'alike' figure present
    (figures of an older protocol would be judged against today's lines)."""
    from xray_core.explain import lime_explain

    f = shipped_json(name)["faithfulness"]
    assert "occlusion" in f["methods"] and "alike" in f["methods"]["occlusion"]
    assert f["lime_settings"] == {
        "samples": lime_explain.DEFAULT_SAMPLES,
        "segments": lime_explain.DEFAULT_SEGMENTS,
        "top_k": lime_explain.DEFAULT_TOP_K,
    }
