"""Every page runs inside the entry file (streamlit_app.py): navigation, sidebar, then the page.

Streamlit treats a `pages/` folder beside the entry file as its legacy multipage folder until
`st.navigation` runs for the first time in the process. Until then it may run a page file on
its own: the first request of a fresh server to a page URL, and every `AppTest.switch_page`
run. Such a run is handed to the entry file, which draws the frame and runs the same page
(its URL path matches), so a page never renders without the sidebar and the shared state.
"""

from __future__ import annotations

import contextvars
import runpy

import streamlit as st

from xray_core.config import PROJECT_ROOT

ENTRY_FILE = PROJECT_ROOT / "streamlit_app.py"
_INSIDE_ENTRY = contextvars.ContextVar("xray_app_inside_entry", default=False)


def run(page) -> None:
    """Run the page chosen by `st.navigation`, marked as routed through the entry file."""
    token = _INSIDE_ENTRY.set(True)
    try:
        page.run()
    finally:
        _INSIDE_ENTRY.reset(token)


def route_through_entry() -> None:
    """First line of every page: when Streamlit ran this page file on its own, run the entry
    file instead (it renders the frame and this page), then end this run."""
    if _INSIDE_ENTRY.get():
        return
    runpy.run_path(str(ENTRY_FILE), run_name="__main__")
    st.stop()
