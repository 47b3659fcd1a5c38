"""Cold start as a user sees it: `streamlit run`, then a real browser (Chromium) on the app.

    python -m benchmarks.bench_cold_start [--repeats 2] [--json artifacts/cold_start.json]
        [--projects . OTHER_CHECKOUT]   # alternate runs between checkouts (same load)

Each repeat starts a fresh server (new process: imports, no cached model) and measures from the
launch: the port answering, the page frame visible (the Predict title and the uploader), and
the first verdict visible after uploading a full-resolution sample as soon as the uploader is
there. It also records whether the model's loading state was seen under a visible frame, and
the machine's load average (the figures depend on it). The browser is started before the
server, so its own start-up is not counted. Drives Debian's /usr/bin/chromium through
Playwright; everything stays on loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from xray_core import config

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SAMPLE = config.FULLRES_SAMPLES_DIR / "PNEUMONIA" / "person1177_bacteria_3125.jpeg"
FRAME_JS = """() => [...document.querySelectorAll('h1')].some(h => h.innerText.includes('Predict'))
    && !!document.querySelector('input[type=file]')"""
LOADING_JS = "() => !!document.body && /Loading (the )?model/.test(document.body.innerText)"
VERDICT_JS = """() => !!document.body
    && /Verdict:\\s*(NORMAL|PNEUMONIA)\\b/.test(document.body.innerText)"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, project: Path) -> subprocess.Popen:
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
        "127.0.0.1",
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.Popen(
        cmd,
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_port(port: int, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"streamlit did not answer on port {port} within {timeout_s} s")


def poll(page, js: str, timeout_s: float, also: str | None = None) -> tuple[float, bool]:
    """Seconds until `js` is true (polled every 0.1 s); and whether `also` was ever true."""
    seen, deadline = False, time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if also and not seen:
            seen = bool(page.evaluate(also))
        if page.evaluate(js):
            return time.perf_counter(), seen
        time.sleep(0.1)
    raise TimeoutError(f"not seen within {timeout_s} s: {js}")


def one_run(browser, project: Path) -> dict:
    port = free_port()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    t0 = time.perf_counter()
    proc = start_server(port, project)
    try:
        wait_port(port)
        t_port = time.perf_counter()
        page.goto(f"http://127.0.0.1:{port}/", wait_until="commit", timeout=120_000)
        t_frame, loading_seen = poll(page, FRAME_JS, 120, also=LOADING_JS)
        page.set_input_files("input[type=file]", str(SAMPLE))
        t_verdict, loading_after = poll(page, VERDICT_JS, 180, also=LOADING_JS)
    finally:
        page.close()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    return {
        "server_answering_s": round(t_port - t0, 2),
        "frame_visible_s": round(t_frame - t0, 2),
        "first_verdict_s": round(t_verdict - t0, 2),
        "model_loading_state_seen": loading_seen or loading_after,
    }


def main(argv=None) -> dict:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=2, help="fresh server starts to time")
    ap.add_argument("--json", help="also write the results to this JSON file")
    ap.add_argument(
        "--projects",
        nargs="+",
        type=Path,
        default=[config.PROJECT_ROOT],
        help="checkouts to time, alternating (default: this one)",
    )
    args = ap.parse_args(argv)
    load_before = os.getloadavg()
    runs: dict[str, list] = {str(p): [] for p in args.projects}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(args.repeats):
                for project in args.projects:
                    runs[str(project)].append(one_run(browser, project.resolve()))
        finally:
            browser.close()
    r = {
        "runs": runs,
        "best_frame_visible_s": {k: min(x["frame_visible_s"] for x in v) for k, v in runs.items()},
        "best_first_verdict_s": {k: min(x["first_verdict_s"] for x in v) for k, v in runs.items()},
        "cpu_cores": os.cpu_count(),
        "load_average_1min_before_after": [round(load_before[0], 1), round(os.getloadavg()[0], 1)],
        "image": f"{SAMPLE.name} (full resolution JPEG)",
    }
    print(json.dumps(r, indent=2))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(r, indent=2) + "\n")
    return r


if __name__ == "__main__":
    main()
