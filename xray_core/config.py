"""Where things live: data root, model store, class names. Read once, overridable by env vars.

Environment variables:
    XRAY_DATA_DIR: dataset root (Kaggle layout or a folder with NORMAL/ and PNEUMONIA/).
    XRAY_MODEL_STORE: folder holding one sub-folder per trained model.
    XRAY_APP_DATA: where the app keeps what users make (review sessions, site profiles);
        outside the repository. Default: $XDG_DATA_HOME/xray-demo or ~/.local/share/xray-demo.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CLASS_NAMES = ("NORMAL", "PNEUMONIA")  # label 0, label 1; the model outputs P(label 1)
NEGATIVE_CLASS, POSITIVE_CLASS = CLASS_NAMES
DATA_ENV_VAR = "XRAY_DATA_DIR"
STORE_ENV_VAR = "XRAY_MODEL_STORE"
APP_DATA_ENV_VAR = "XRAY_APP_DATA"
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
DEFAULT_DATA_DIR = SHARED_DATA / "chest_xray"
FULLRES_SAMPLES_DIR = SHARED_DATA / "fullres_samples"
DEFAULT_STORE_DIR = PROJECT_ROOT / "model_store"


def data_dir(override: str | os.PathLike | None = None) -> Path | None:
    """Return the configured dataset root: the override, then $XRAY_DATA_DIR, then ../shared.

    Returns None when nothing is configured and the shared default does not exist.
    """
    if override:
        return Path(override)
    env = os.environ.get(DATA_ENV_VAR)
    if env:
        return Path(env)
    return DEFAULT_DATA_DIR if DEFAULT_DATA_DIR.is_dir() else None


def samples_dir() -> Path | None:
    """Return the folder of full-resolution sample uploads, or None when absent."""
    return FULLRES_SAMPLES_DIR if FULLRES_SAMPLES_DIR.is_dir() else None


def store_dir(override: str | os.PathLike | None = None) -> Path:
    """Return the model store folder: the override, then $XRAY_MODEL_STORE, then model_store/."""
    if override:
        return Path(override)
    env = os.environ.get(STORE_ENV_VAR)
    return Path(env) if env else DEFAULT_STORE_DIR


def app_data_dir(override: str | os.PathLike | None = None) -> Path:
    """Folder for user-made data (review.sqlite, site profiles): the override, then
    $XRAY_APP_DATA, then $XDG_DATA_HOME/xray-demo, then ~/.local/share/xray-demo.

    Never inside the repository; the folder is not created here (writers create it).
    """
    if override:
        return Path(override)
    env = os.environ.get(APP_DATA_ENV_VAR)
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "xray-demo"
