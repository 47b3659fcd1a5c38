"""The training config: enum options that read and write plain strings, every field's flag
metadata, and every shipped card's recorded config loading back."""

import json
import re
from dataclasses import asdict, fields

import pytest

from xray_core.store.catalog import list_models, read_card
from xray_core.training.config import (
    AcquisitionPhase,
    AcquisitionPreset,
    CalibrationMode,
    TrainConfig,
    enum_fields,
)


def test_enum_options_take_their_plain_strings_and_write_them_back():
    cfg = TrainConfig(acquisition="shape", acquisition_phase="head", calibration="shifted")
    assert cfg.acquisition is AcquisitionPreset.SHAPE
    assert cfg.acquisition_phase is AcquisitionPhase.HEAD
    assert cfg.calibration is CalibrationMode.SHIFTED and cfg.calibration == "shifted"
    plain = cfg.to_dict()
    assert [type(plain[k]) for k in enum_fields()] == [str, str, str]
    assert json.loads(json.dumps(plain)) == plain == json.loads(json.dumps(asdict(cfg)))
    assert TrainConfig().to_dict()["acquisition"] is None


@pytest.mark.parametrize(
    "option, value, valid",
    [
        (
            "acquisition",
            "extreme",
            "('default', 'strong', 'shape', 'shape_mild', 'shape_balanced', "
            "'shape_balanced_half', 'shape_pad')",
        ),
        ("acquisition_phase", "tail", "('all', 'head')"),
        ("calibration", "test", "('validation', 'shifted')"),
    ],
)
def test_a_wrong_option_value_names_the_valid_ones(option, value, valid):
    with pytest.raises(ValueError, match=re.escape(f"must be one of {valid}, got '{value}'")):
        TrainConfig(**{option: value})


def test_every_field_says_what_it_does():
    silent = [f.name for f in fields(TrainConfig) if not f.metadata.get("help")]
    assert not silent, f"fields without help text: {silent}"


def test_the_acquisition_presets_are_the_enum_members():
    from xray_core.training.augment import PRESETS, preset

    assert set(PRESETS) == set(AcquisitionPreset)
    assert preset("shape") is PRESETS[AcquisitionPreset.SHAPE]


@pytest.mark.parametrize("name", list_models())
def test_every_shipped_cards_config_loads_and_writes_back_the_same(name):
    """An older card lacks newer keys (they take their defaults) and keeps its values."""
    recorded = read_card(name).training["config"]
    cfg = TrainConfig.from_dict(recorded)
    again = cfg.to_dict()
    assert {k: again[k] for k in recorded} == recorded
    defaults = TrainConfig().to_dict()
    assert {k: again[k] for k in again if k not in recorded} == {
        k: defaults[k] for k in defaults if k not in recorded
    }
    assert TrainConfig.from_dict({**recorded, "retired_option": 1}) == cfg
