"""Shared fixtures: the real data in ../shared (required: tests fail clearly without it), a
tiny model trained by the project's own `train` on a few real images, and the app under
Streamlit's AppTest (the entry file, a first run, a real X-ray uploaded on Predict)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from xray_core import config

os.environ.setdefault("KERAS_HOME", str(config.PROJECT_ROOT.parent / "shared" / "keras_home"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

APP = str(config.PROJECT_ROOT / "streamlit_app.py")
APP_TIMEOUT_S = 300  # one AppTest run; the first imports TensorFlow and loads the model
XRAY = Path("PNEUMONIA") / "person1177_bacteria_3125.jpeg"  # under the full-resolution samples


def require(path: Path, what: str) -> Path:
    """Fail (never skip) with a clear message when a shared resource is missing."""
    if not path.exists():
        pytest.fail(
            f"{what} not found at {path}: these tests need ../shared beside the project "
            f"(see README.md, 'Data').",
            pytrace=False,
        )
    return path


@pytest.fixture(autouse=True)
def app_data(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own user-data folder ($XRAY_APP_DATA): nothing lands in ~/."""
    path = tmp_path_factory.mktemp("app_data")
    monkeypatch.setenv(config.APP_DATA_ENV_VAR, str(path))
    return path


@pytest.fixture(scope="session")
def data_root() -> Path:
    return require(config.DEFAULT_DATA_DIR, "the chest_xray dataset")


@pytest.fixture(scope="session")
def external_test_dir() -> Path:
    """The withheld test split's `evaluate --json` per shipped model (scored elsewhere)."""
    return require(
        config.PROJECT_ROOT.parent / "shared" / "external_test", "the test-split figures"
    )


@pytest.fixture(scope="session")
def fullres_dir() -> Path:
    return require(config.FULLRES_SAMPLES_DIR, "the full-resolution samples")


@pytest.fixture(scope="session")
def fullres_files(fullres_dir) -> list[Path]:
    return sorted(p for p in fullres_dir.rglob("*.jp*g"))


@pytest.fixture(scope="session")
def small_eval_dir(tmp_path_factory, data_root) -> Path:
    """A NORMAL/PNEUMONIA folder with 6 real images per class (copies)."""
    out = tmp_path_factory.mktemp("eval")
    for cls in config.CLASS_NAMES:
        (out / cls).mkdir()
        for p in sorted((data_root / "train" / cls).iterdir())[:6]:
            shutil.copy(p, out / cls / p.name)
    return out


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory, data_root) -> Path:
    """A store with one tiny CNN trained for one epoch on 24 real images per class."""
    from xray_core.training.config import TrainConfig
    from xray_core.training.train import train

    root = tmp_path_factory.mktemp("store")
    cfg = TrainConfig(
        arch="cnn",
        epochs=1,
        limit=24,
        batch_size=16,
        augment=True,
        options={"filters": [4, 8], "last_filters": 8, "size": 64},
    )
    train(cfg, data_root, "tiny", store_root=root, log=lambda *_: None)
    return root


@pytest.fixture(scope="session")
def tiny_model(tiny_store):
    from xray_core.store.catalog import load_model

    return load_model("tiny", tiny_store)


@pytest.fixture(scope="session")
def xray(fullres_dir) -> tuple[Path, bytes]:
    """A real full-resolution pneumonia X-ray: (path, file bytes)."""
    path = require(fullres_dir / XRAY, "the sample X-ray")
    return path, path.read_bytes()


@pytest.fixture(scope="session")
def open_app():
    """A factory: a new AppTest of the entry file, not yet run (for tests that set query
    parameters or patch something before the first run)."""
    from streamlit.testing.v1 import AppTest

    return lambda: AppTest.from_file(APP, default_timeout=APP_TIMEOUT_S)


def assert_no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def app(open_app):
    """The app after its first run (Predict, no image), checked for exceptions."""
    at = open_app().run()
    assert_no_exception(at)
    return at


@pytest.fixture
def uploaded(app, xray):
    """The app with `xray` uploaded on Predict (the current image), checked for exceptions."""
    path, data = xray
    app.file_uploader(key="predict_upload").set_value((path.name, data, "image/jpeg")).run()
    assert_no_exception(app)
    return app
