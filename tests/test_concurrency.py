"""Sessions share one cached model: concurrent predictions must stay correct and independent."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from streamlit.testing.v1 import AppTest

from xray_core import config
from xray_core.io.study import load_study
from xray_core.predict.assess import assess
from xray_core.store.catalog import load_model
from xray_core.text.wording import percent

APP = str(config.PROJECT_ROOT / "streamlit_app.py")


@pytest.fixture(scope="module")
def two_files(fullres_dir):
    return (
        fullres_dir / "NORMAL" / "IM-0214-0001.jpeg",
        fullres_dir / "PNEUMONIA" / "person1177_bacteria_3125.jpeg",
    )


def test_threads_sharing_one_model_get_their_own_results(two_files):
    model = load_model()
    studies = [load_study(p) for p in two_files]
    expected = [assess(model, s).prediction.probability for s in studies]
    jobs = [studies[i % 2] for i in range(16)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda s: assess(model, s).prediction.probability, jobs))
    for i, p in enumerate(got):
        assert p == pytest.approx(expected[i % 2], abs=1e-6)


def test_two_app_sessions_keep_their_own_image_and_threshold(two_files):
    a = AppTest.from_file(APP, default_timeout=180).run()
    b = AppTest.from_file(APP, default_timeout=180).run()
    for at, path in zip((a, b), two_files):
        at.file_uploader(key="predict_upload").set_value(
            (path.name, path.read_bytes(), "image/jpeg")
        ).run()
    b.slider(key="_sb_threshold").set_value(0.999).run()
    a.run()
    model = load_model()
    for at, path in zip((a, b), two_files):
        p = assess(model, load_study(path)).prediction.probability
        assert at.metric[0].value == percent(p)
    assert a.slider(key="_sb_threshold").value == pytest.approx(model.threshold, abs=1e-3)
    assert b.slider(key="_sb_threshold").value == pytest.approx(0.999)
