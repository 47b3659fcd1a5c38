"""End to end in a real browser: `streamlit run` the app, open a page URL directly (it must come
inside the frame), upload a real X-ray, read the verdict.

Drives Debian's chromium (/usr/bin/chromium, installed by `.ci/run`) through Playwright's sync
API; never downloads a browser. Everything stays on loopback. The app uses whatever model store
the environment configures ($XRAY_MODEL_STORE, else model_store/). The screenshot lands in
artifacts/e2e/predict.png (git-ignored).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "fullres_samples"
SAMPLE = SAMPLES_DIR / "PNEUMONIA" / "person1177_bacteria_3125.jpeg"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = PROJECT_ROOT / "artifacts" / "e2e" / "predict.png"
SERVER_LOG = PROJECT_ROOT / "artifacts" / "e2e" / "streamlit.log"
HOST = "127.0.0.1"
START_TIMEOUT_S = 90  # streamlit answering on its port
PAGE_TIMEOUT_S = 90  # first render (imports TensorFlow, loads the model)
VERDICT_TIMEOUT_S = 90  # upload -> decoded -> predicted -> rendered
VERDICT_RE = re.compile(r"Verdict:\s*(NORMAL|PNEUMONIA)\b")

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def log_tail(chars: int = 3000) -> str:
    try:
        return SERVER_LOG.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no server log)"


def wait_for_port(proc: subprocess.Popen, port: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"streamlit exited with code {proc.returncode} before serving.\n{log_tail()}",
                pytrace=False,
            )
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(
        f"streamlit did not answer on {HOST}:{port} within {timeout_s} s.\n{log_tail()}",
        pytrace=False,
    )


def stop(proc: subprocess.Popen) -> None:
    """Terminate the server we started (its own process group), bounded."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


@pytest.fixture
def prerequisites() -> None:
    """Fail (never skip) before starting anything when the browser or the sample is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: `.ci/run` installs it "
            "(apt-get install -y --no-install-recommends chromium).",
            pytrace=False,
        )
    if not SAMPLE.is_file():
        pytest.fail(
            f"Sample X-ray not found at {SAMPLE}: this test needs ../shared/data/"
            "fullres_samples beside the project.",
            pytrace=False,
        )


@pytest.fixture
def app_url(prerequisites):
    """A fresh `streamlit run streamlit_app.py` on a free loopback port; yields its URL."""
    port = free_port()
    SERVER_LOG.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        HOST,
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}
    with open(SERVER_LOG, "wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        wait_for_port(proc, port, START_TIMEOUT_S)
        yield f"http://{HOST}:{port}/"
    finally:
        stop(proc)


def page_text(page) -> str:
    try:
        return page.inner_text("body")[-2000:]
    except Exception as exc:  # diagnostics only
        return f"(page text unavailable: {exc})"


def test_upload_gives_verdict_in_real_browser(app_url):
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            stage = "opening a page URL first on the fresh server"
            try:
                # Streamlit's legacy pages/ mode runs this page file on its own; the page must
                # still come inside the frame (sidebar with the threshold slider).
                page.goto(
                    app_url + "model_card",
                    wait_until="domcontentloaded",
                    timeout=PAGE_TIMEOUT_S * 1000,
                )
                page.wait_for_function(
                    "() => document.body.innerText.includes('Model card:')"
                    " && document.body.innerText.includes('Decision threshold')",
                    timeout=PAGE_TIMEOUT_S * 1000,
                    polling=500,
                )
                stage = "opening the app"
                page.goto(app_url, wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_S * 1000)
                stage = "waiting for the file uploader"
                page.wait_for_selector(
                    "input[type=file]", state="attached", timeout=PAGE_TIMEOUT_S * 1000
                )
                stage = "uploading the X-ray"
                page.set_input_files("input[type=file]", str(SAMPLE))
                stage = "waiting for the verdict"
                page.wait_for_function(
                    "() => /Verdict:\\s*(NORMAL|PNEUMONIA)\\b/.test(document.body.innerText)",
                    timeout=VERDICT_TIMEOUT_S * 1000,
                    polling=500,
                )
                stage = "waiting for the page to settle"
                settle(page)
            except PlaywrightError as exc:
                page.screenshot(path=str(SCREENSHOT), full_page=True)
                pytest.fail(
                    f"Failed while {stage}: {exc}\n--- page text ---\n{page_text(page)}"
                    f"\n--- streamlit log ---\n{log_tail()}\nscreenshot: {SCREENSHOT}",
                    pytrace=False,
                )
            match = VERDICT_RE.search(page.inner_text("body"))
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()

    print(f"\nscreenshot: {SCREENSHOT}")
    assert match is not None, "verdict text disappeared after rendering"
    assert match.group(1) in ("NORMAL", "PNEUMONIA")
    assert SCREENSHOT.stat().st_size > 0


BUSY_JS = """() => !!document.querySelector(
        '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-stale="true"]')
    || [...document.querySelectorAll('[data-testid="stImage"] img')]
        .some(img => !(img.complete && img.naturalWidth > 0))"""


def settle(page, quiet_s: float = 2.0, timeout_s: float = 30.0) -> None:
    """Best effort: wait until the rerun has finished (no running indicator, skeleton, stale
    element or loading image for `quiet_s` in a row), so the screenshot shows the whole page.
    The verdict renders before the rest of the script, and the running indicator appears late."""
    deadline = time.monotonic() + timeout_s
    quiet_since = None
    while time.monotonic() < deadline:
        if page.evaluate(BUSY_JS):
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_s:
            return
        time.sleep(0.25)


REVIEW_SCREENSHOT = PROJECT_ROOT / "artifacts" / "e2e" / "review.png"


CANVAS_GRAY_JS = """c => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const pixels = [];
    for (let i = 0; i < d.length; i += 4) pixels.push(d[i]);
    return {w: c.width, h: c.height, pixels};
}"""


def wait_text(page, text: str, timeout_ms: int) -> None:
    page.wait_for_function(
        "t => document.body.innerText.includes(t)", arg=text, timeout=timeout_ms, polling=250
    )


def test_one_case_read_with_the_keyboard_only_in_real_browser(app_url, data_root, tmp_path):
    """A reader opens their own link and reads one case without the mouse: P, 4, Enter (the
    blinded read; no AI on the page before it), K (keep it with the AI), Enter (next case).
    Both reads are in the database with their reading time."""
    import shutil

    import numpy as np
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from xray_core.review import access, db, reads, sessions, sources, viewing
    from xray_core.store import catalog as store

    folder = tmp_path / "cases"
    for cls in ("NORMAL", "PNEUMONIA"):
        (folder / cls).mkdir(parents=True)
        shutil.copy(sorted((data_root / "train" / cls).iterdir())[0], folder / cls)
    sessions.create_session(None, "e2e", sources.folder_items(folder), store.load_model(), seed=1)
    token = access.invite(None, "e2e", "drE")
    REVIEW_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    wait_ms = PAGE_TIMEOUT_S * 1000
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            stage = "opening the reader's link"
            try:
                page.goto(app_url + f"review?token={token}", timeout=wait_ms)
                wait_text(page, "Case 1 of 2", wait_ms)
                page.wait_for_selector(".xv-stage canvas", state="attached", timeout=wait_ms)
                settle(page)
                blinded = page.inner_text('[data-testid="stMain"]')  # the page, not the sidebar
                stage = "V: the next window/level preset, drawn in the browser"
                page.keyboard.press("v")
                page.locator(".xv-wl").filter(has_text="W 176").wait_for(timeout=wait_ms)
                drawn = page.locator(".xv-stage canvas").evaluate(CANVAS_GRAY_JS)
                stage = "P, 4, Enter: the blinded read"
                page.keyboard.press("p")
                wait_text(page, "4 · probably pneumonia", wait_ms)
                page.keyboard.press("4")
                page.wait_for_selector(
                    '[class*="st-key-review_save_u"] button:not([disabled])', timeout=wait_ms
                )
                page.keyboard.press("Enter")
                wait_text(page, "AI: P(pneumonia), calibrated", wait_ms)
                settle(page)
                stage = "K: keep the read with the AI"
                page.keyboard.press("k")
                wait_text(page, "With the AI: PNEUMONIA", wait_ms)
                settle(page)
                page.screenshot(path=str(REVIEW_SCREENSHOT))
                stage = "Enter: the next case"
                page.keyboard.press("Enter")
                wait_text(page, "Case 2 of 2", wait_ms)
            except PlaywrightError as exc:
                page.screenshot(path=str(REVIEW_SCREENSHOT))
                pytest.fail(
                    f"Failed while {stage}: {exc}\n--- page text ---\n{page_text(page)}"
                    f"\n--- streamlit log ---\n{log_tail()}\nscreenshot: {REVIEW_SCREENSHOT}",
                    pytrace=False,
                )
        finally:
            browser.close()
    assert "Your read (blinded" in blinded
    assert "P(pneumonia)" not in blinded and "Grad-CAM" not in blinded
    with db.connect(None) as con:
        saved = reads.session_reads(con, sessions.get_session(con, "e2e").id, "drE")
    assert [(r.phase, r.verdict, r.confidence) for r in saved] == [
        ("unaided", "PNEUMONIA", 4), ("aided", "PNEUMONIA", 4)
    ]  # fmt: skip
    assert all(r.seconds is not None and r.seconds > 0 for r in saved)
    with db.connect(None) as con:  # the browser's window/level is the core's, pixel for pixel
        case = sessions.list_cases(con, 1)[0]
        gray = sessions.case_view(con, case.sha256)
    _, level, width = viewing.PRESETS[1]
    expected = viewing.window_level(gray, level, width)
    got = np.array(drawn["pixels"], np.int16).reshape(drawn["h"], drawn["w"])
    assert got.shape == gray.shape and np.abs(got - expected).max() <= 1
    assert not np.array_equal(expected, gray)  # the preset changed the picture


PRESENT_SCREENSHOT = PROJECT_ROOT / "artifacts" / "e2e" / "present.png"
PRESENT_FULL_SCREENSHOT = PROJECT_ROOT / "artifacts" / "e2e" / "present_full.png"
GALLERY_READY_JS = """n => document.body.innerText.includes('What it gets right and wrong')
    && [...document.querySelectorAll('[data-testid="stImage"] img')]
        .filter(img => img.complete && img.naturalWidth > 0).length >= n"""


def gallery_size() -> int:
    """Tiles the Present gallery shows for the default model at its shipped threshold: up to
    GALLERY_PER_KIND true positives, false alarms and misses each (fewer when it has fewer)."""
    from xray_app.present import GALLERY_PER_KIND
    from xray_core.predict.validation_scores import load_scores
    from xray_core.report.gallery import kind_counts
    from xray_core.store.catalog import default_model, read_card

    card = read_card(default_model())
    scores = load_scores(card["name"])
    counts = kind_counts(scores["labels"], scores["probabilities"], card["threshold"])
    return sum(min(GALLERY_PER_KIND, counts[k]) for k in ("tp", "fp", "fn"))


def test_presentation_page_at_projector_size(app_url):
    """The presentation page at 1280x720 in present mode: sidebar hidden, headline figures
    with their intervals on the first screen; screenshots in artifacts/e2e/present*.png."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    PRESENT_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            stage = "opening the presentation page"
            try:
                page.goto(
                    app_url + "present",
                    wait_until="domcontentloaded",
                    timeout=PAGE_TIMEOUT_S * 1000,
                )
                tiles = gallery_size()
                stage = f"waiting for the gallery (Grad-CAM of {tiles} validation images)"
                page.wait_for_function(
                    GALLERY_READY_JS, arg=tiles, timeout=PAGE_TIMEOUT_S * 2000, polling=500
                )
                stage = "switching to present mode"
                page.locator('[data-testid="stCheckbox"]').filter(has_text="Present").click()
                page.wait_for_selector('[data-testid="stSidebar"]', state="hidden", timeout=30_000)
                settle(page)
                first_screen = page.inner_text("body")
                page.screenshot(path=str(PRESENT_SCREENSHOT))
                page.set_viewport_size({"width": 1280, "height": 2400})
                settle(page)
                page.screenshot(path=str(PRESENT_FULL_SCREENSHOT), full_page=True)
            except PlaywrightError as exc:
                page.screenshot(path=str(PRESENT_SCREENSHOT), full_page=True)
                pytest.fail(
                    f"Failed while {stage}: {exc}\n--- page text ---\n{page_text(page)}"
                    f"\n--- streamlit log ---\n{log_tail()}",
                    pytrace=False,
                )
        finally:
            browser.close()

    print(f"\nscreenshots: {PRESENT_SCREENSHOT}, {PRESENT_FULL_SCREENSHOT}")
    assert "Pneumonia on children's chest X-rays" in first_screen
    assert re.search(r"95% CI 0\.\d\d\d?–\d\.\d\d", first_screen), "no interval on the page"
    assert "not a medical device" in first_screen.lower()
    assert PRESENT_SCREENSHOT.stat().st_size > 0
