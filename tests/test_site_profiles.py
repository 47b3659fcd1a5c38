"""xray_core.store.site_profiles: saved outside the repo, applied as a copy, wrong model refused."""

import json

import pytest

from xray_core import config
from xray_core.store.card import ModelCard
from xray_core.store.catalog import StoredModel
from xray_core.store.site_profiles import (
    SiteError,
    apply_profile,
    list_profiles,
    load_profile,
    make_profile,
    save_profile,
    site_card,
)

CARD = {
    "name": "m1",
    "model_sha256": "a" * 64,
    "threshold": 0.77,
    "calibration": {"method": "platt", "a": 1.0, "b": 0.0},
}
REPORT = {"proposed_threshold": 0.41, "target_sensitivity": 0.95}


def test_profiles_live_in_the_user_data_folder(app_data):
    path = save_profile(make_profile("north-1", CARD, REPORT, None))
    assert path == app_data / "sites" / "north-1.json"
    assert config.PROJECT_ROOT not in path.parents
    p = load_profile("north-1")
    assert p["threshold"] == 0.41 and p["model_sha256"] == "a" * 64 and p["report"] == REPORT
    assert list_profiles() == ["north-1"]
    assert list_profiles("a" * 64) == ["north-1"] and list_profiles("b" * 64) == []


def test_apply_returns_a_copy_with_the_sites_threshold_and_calibration():
    local = {"method": "platt", "a": 0.5, "b": -1.0}
    profile = make_profile("s", CARD, REPORT, local)
    card = ModelCard.from_dict({**CARD, "architecture": "cnn", "contract": {"size": 64}})
    stored = StoredModel("m1", object(), card, config.PROJECT_ROOT)
    site = apply_profile(stored, profile)
    assert site.threshold == 0.41 and site.card["calibration"] == local
    assert site.card["site"] == "s" and site.model is stored.model
    assert stored.threshold == 0.77 and "site" not in stored.card  # shipped card untouched
    assert site.card.to_dict()["site"] == "s"
    kept = site_card(CARD, make_profile("t", CARD, REPORT, None))
    assert kept["calibration"] == CARD["calibration"]


def test_a_profile_for_another_model_is_refused():
    profile = make_profile("s", CARD, REPORT, None)
    other = {**CARD, "name": "m2", "model_sha256": "b" * 64}
    with pytest.raises(SiteError, match=r"belongs to model m1 \(sha256 aaaaaaaaaaaa\), not to m2"):
        site_card(other, profile)


@pytest.mark.parametrize("name", ["", "../x", "a b", "x" * 65, ".hidden"])
def test_bad_names(name):
    with pytest.raises(SiteError, match="site name"):
        make_profile(name, CARD, REPORT, None)


def test_unknown_or_damaged_profiles(app_data):
    save_profile(make_profile("ok", CARD, REPORT, None))
    with pytest.raises(SiteError, match="saved profiles: ok"):
        load_profile("nope")
    (app_data / "sites" / "bad.json").write_text("{")
    with pytest.raises(SiteError, match="unreadable"):
        load_profile("bad")
    (app_data / "sites" / "thin.json").write_text(json.dumps({"name": "thin"}))
    with pytest.raises(SiteError, match="lacks"):
        load_profile("thin")
    with pytest.raises(SiteError, match="proposes no threshold"):
        make_profile("x", CARD, {"proposed_threshold": None, "proposal_note": "too few"}, None)
