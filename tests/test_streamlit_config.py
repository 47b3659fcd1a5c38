""".streamlit/config.toml: safe server defaults, and an upload limit that matches the decoder's."""

import tomllib

import pytest

from xray_core import config
from xray_core.io.decode import MAX_FILE_BYTES

CONFIG_FILE = config.PROJECT_ROOT / ".streamlit" / "config.toml"


@pytest.fixture(scope="module")
def settings() -> dict:
    with CONFIG_FILE.open("rb") as f:
        return tomllib.load(f)


@pytest.mark.parametrize(
    "section, key, expected",
    [
        ("server", "enableCORS", True),
        ("server", "enableXsrfProtection", True),
        ("server", "headless", True),
        ("server", "fileWatcherType", "none"),  # never walk the in-project .venv
        ("browser", "gatherUsageStats", False),
        ("client", "toolbarMode", "minimal"),
        ("client", "showErrorDetails", "none"),
        ("client", "showErrorLinks", False),
    ],
)
def test_safe_defaults(settings, section, key, expected):
    assert settings[section][key] == expected


def test_upload_limit_matches_the_decoder(settings):
    # Streamlit counts maxUploadSize in MiB (value * 1024 * 1024 bytes)
    assert settings["server"]["maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES


def test_streamlit_knows_every_option(settings):
    from streamlit.config import get_config_options

    known = get_config_options()
    assert [f"{s}.{k}" for s, v in settings.items() for k in v if f"{s}.{k}" not in known] == []
