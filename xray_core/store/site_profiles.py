"""Site profiles: a hospital's own operating point for one model, kept in the user-data folder
(`config.app_data_dir()/sites/NAME.json`), never in the model store.

A profile holds: the threshold (on the profile's probability scale), an optional local
recalibration (Platt a, b on the raw network output; None keeps the model's own), the site
validation report it came from, and the sha256 of the model file it belongs to. Applying it
to a different model is refused. The shipped model and its card are never changed: applying a
profile returns a copy of the loaded model whose card carries the site's threshold and
calibration, so every scoring path (assess, evaluate, archive scoring) uses them unchanged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

from xray_core.config import app_data_dir

SITES_DIR = "sites"
NAME_RULE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
REQUIRED = ("name", "model", "model_sha256", "threshold")


class SiteError(ValueError):
    """A missing, invalid or mismatched site profile; str() is a one-line message."""


def sites_dir(root=None) -> Path:
    """Folder of site profiles (not created here)."""
    return app_data_dir(root) / SITES_DIR


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_RULE.match(name):
        raise SiteError(
            f"site name {name!r}: use 1-64 letters, digits, '_', '-' or '.', starting with a "
            "letter or digit."
        )
    return name


def list_profiles(model_sha256: str | None = None, root=None) -> list[str]:
    """Names of stored profiles, sorted; only those made for `model_sha256` when given."""
    folder = sites_dir(root)
    if not folder.is_dir():
        return []
    names = []
    for path in sorted(folder.glob("*.json")):
        try:
            profile = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if model_sha256 is None or profile.get("model_sha256") == model_sha256:
            names.append(path.stem)
    return names


def make_profile(name: str, card: dict, report: dict, calibration: dict | None) -> dict:
    """A profile for the model of `card` from a site report (needs a proposed threshold)."""
    check_name(name)
    if report.get("proposed_threshold") is None:
        raise SiteError(
            f"no site profile saved: the report proposes no threshold "
            f"({report.get('proposal_note', 'see the report')})."
        )
    return {
        "name": name,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "model": card["name"],
        "model_sha256": card["model_sha256"],
        "threshold": float(report["proposed_threshold"]),
        "calibration": calibration,
        "target_sensitivity": report.get("target_sensitivity"),
        "report": report,
    }


def save_profile(profile: dict, root=None) -> Path:
    """Write sites/NAME.json (overwrites a profile of the same name)."""
    folder = sites_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{check_name(profile['name'])}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(profile, indent=1) + "\n")
    tmp.replace(path)
    return path


def load_profile(name: str, root=None) -> dict:
    """Read and check a profile; a wrong name lists the valid ones."""
    path = sites_dir(root) / f"{check_name(name)}.json"
    if not path.is_file():
        valid = ", ".join(list_profiles(root=root)) or "none"
        raise SiteError(f"unknown site profile {name!r}; saved profiles: {valid}.")
    try:
        profile = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise SiteError(f"{path}: unreadable site profile ({type(exc).__name__}).") from None
    missing = [k for k in REQUIRED if k not in profile] if isinstance(profile, dict) else REQUIRED
    if missing:
        raise SiteError(f"{path}: site profile lacks {list(missing)}.")
    return profile


def check_model(profile: dict, card: dict) -> None:
    """Refuse a profile made for another model file (compared by sha256)."""
    if profile["model_sha256"] != card["model_sha256"]:
        raise SiteError(
            f"site profile {profile['name']!r} belongs to model {profile['model']} "
            f"(sha256 {profile['model_sha256'][:12]}), not to {card['name']} "
            f"(sha256 {card['model_sha256'][:12]}): validate the site again with this model."
        )


def site_card(card, profile: dict):
    """The card (a `card.ModelCard`, or a plain dict) as the site sees it: the profile's
    threshold and, if fitted, its calibration, and `site` = the profile's name."""
    check_model(profile, card)
    changes = {
        "threshold": float(profile["threshold"]),
        "calibration": profile.get("calibration") or card.get("calibration"),
        "site": profile["name"],
    }
    return card.updated(**changes) if hasattr(card, "updated") else {**card, **changes}


def scale_name(profile: dict | None) -> str:
    """The probability scale a threshold and a probability are on, in words: the shipped
    calibration's, or the profile's local recalibration."""
    if profile and profile.get("calibration"):
        return f"site {profile['name']}'s recalibrated scale"
    return "shipped scale"


def invert_calibration(p: float, calibration: dict | None) -> float:
    """The raw output whose calibrated value is p (Platt is monotone: a > 0); p in (0, 1)."""
    from xray_core.stats.calibration import logit, sigmoid

    if not calibration:
        return float(p)
    z = (float(logit(p)) - calibration["b"]) / calibration["a"]
    return float(sigmoid(z))


def to_shipped_scale(threshold: float, site_card: dict, card: dict) -> float:
    """A threshold on a site profile's probability scale, moved to the shipped calibration's
    scale: it splits any set of images exactly as the site threshold does, so figures from
    the shipped validation scores can be read at it."""
    from xray_core.stats.calibration import apply_calibration

    if site_card.get("calibration") == card.get("calibration"):
        return float(threshold)
    raw = invert_calibration(threshold, site_card.get("calibration"))
    return float(apply_calibration([raw], card.get("calibration"))[0])


def apply_profile(stored, profile: dict):
    """A copy of a loaded StoredModel with the site's threshold and calibration (the network,
    compiled scorer and gate are shared, read-only; the original is unchanged)."""
    return dataclasses.replace(stored, card=site_card(stored.card, profile))
