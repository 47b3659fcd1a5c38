"""What only a browser shows, at 1280×720 in Debian's Chromium: the uploader's own
type filter takes BMP and TIFF, a refused file does not stay in the widget, the Compare tables
are not cut off on the right, and the 16-image val split's bars are visible beside train's.

One server and one page for all checks (a fresh server costs a model load). Screenshots land
in artifacts/e2e/ux_*.png (git-ignored).
"""

from __future__ import annotations

import io

import pytest
import test_browser_e2e as e2e
from PIL import Image
from test_browser_e2e import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGE_TIMEOUT_S,
    PROJECT_ROOT,
    SAMPLE,
    VERDICT_TIMEOUT_S,
    page_text,
    settle,
)

app_url, prerequisites = e2e.app_url, e2e.prerequisites  # the e2e fixtures, shared

SHOTS = PROJECT_ROOT / "artifacts" / "e2e"
FILE_CHIPS = '[data-testid="stFileUploaderFile"]'
OVERFLOW_JS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
    .map(el => el.scrollWidth - el.clientWidth)"""
BAR_HEIGHTS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')][0]
    ? [...[...document.querySelectorAll('.js-plotly-plot')][0]
        .querySelectorAll('.barlayer .point path')].map(p => p.getBoundingClientRect().height)
    : []"""

pytestmark = pytest.mark.e2e


def wait_text(page, text: str, timeout_s: float = VERDICT_TIMEOUT_S) -> None:
    page.wait_for_function(
        "t => document.body.innerText.includes(t)", arg=text, timeout=timeout_s * 1000
    )


def upload(page, path) -> None:
    page.set_input_files("input[type=file]", str(path))


def go(page, link: str) -> None:
    page.get_by_role("link", name=link).first.click()
    settle(page, timeout_s=120)


def test_uploads_tables_and_bars_in_a_real_browser(app_url, tmp_path):
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    bmp = tmp_path / "scan.bmp"
    Image.open(SAMPLE).save(bmp, "BMP")
    bogus = tmp_path / "notes.png"
    bogus.write_bytes(b"hello, not an image")
    tif = tmp_path / "scan.tif"
    buf = io.BytesIO()
    Image.open(SAMPLE).save(buf, "TIFF")
    tif.write_bytes(buf.getvalue())

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        stage = "opening the app"
        try:
            page.goto(app_url, wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_S * 1000)
            page.wait_for_selector("input[type=file]", state="attached", timeout=90_000)
            for path in (bmp, tif):
                stage = f"uploading {path.name} (the uploader's type filter)"
                upload(page, path)
                wait_text(page, f"uploaded file {path.name}")
                wait_text(page, "Verdict:")
            assert "not allowed" not in page.inner_text("body")

            stage = "uploading a file the decoder refuses"
            upload(page, bogus)
            wait_text(page, "Cannot use this file (notes.png)")
            settle(page)
            assert page.locator(FILE_CHIPS).count() == 0, "the refused file stayed in the widget"
            page.screenshot(path=str(SHOTS / "ux_refused.png"))

            stage = "Compare with an image loaded"
            upload(page, SAMPLE)
            wait_text(page, "Verdict:")
            go(page, "Compare models")
            wait_text(page, "What each model says", 180)
            settle(page, timeout_s=120)
            overflow = page.evaluate(OVERFLOW_JS)
            page.screenshot(path=str(SHOTS / "ux_compare.png"))
            assert overflow and max(overflow) <= 1, f"a table is cut off on the right: {overflow}"

            stage = "Dataset"
            go(page, "Dataset")
            page.wait_for_selector(".js-plotly-plot .barlayer .point path", timeout=120_000)
            heights = page.evaluate(BAR_HEIGHTS_JS)
            page.screenshot(path=str(SHOTS / "ux_dataset.png"))
            assert len(heights) >= 4 and min(heights) >= 20, f"bars too small to see: {heights}"
        except (PlaywrightError, AssertionError) as exc:
            page.screenshot(path=str(SHOTS / "ux_failure.png"))
            pytest.fail(
                f"Failed at {stage}: {exc}\n--- page text ---\n{page_text(page)}",
                pytrace=False,
            )
        finally:
            browser.close()
