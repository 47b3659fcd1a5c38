"""Review sessions on the app side: the database path, the URL (query params) that lets a
reader resume after a reload or restart, cached images, the viewer, read timers and the AI
panel shown after the blinded read.

Page-only session-state keys start with `review_`. The database is the only shared state:
every save is committed at once (xray_core.review), so nothing here holds reads.
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from xray_app.explanations import ResultCache
from xray_app.loaders import get_cam, get_model, model_names
from xray_core.explain import overlay
from xray_core.review import db, explain, sessions, viewing
from xray_core.review.reads import CONFIDENCE_LABELS
from xray_core.wording import percent

READ_PAGE = "pages/review.py"
RESULTS_PAGE = "pages/review_results.py"
NEW_PAGE = "pages/review_new.py"
GRADCAM_CAPTION = "Grad-CAM: warm = pushes toward PNEUMONIA (on the image the AI saw)"


def db_path() -> str:
    """The review database: $XRAY_APP_DATA/review.sqlite (or the platform default)."""
    return str(db.default_path())


def session_names() -> list[str]:
    with db.connect(db_path()) as con:
        return [s.name for s in sessions.list_sessions(con)]


def pick_session(key: str) -> str | None:
    """A session chosen from the URL (?session=) or a select box; None when there is none."""
    names = session_names()
    if not names:
        st.info("No review session yet: create one first.")
        st.page_link(NEW_PAGE, label="New session", icon=":material/add:")
        return None
    wanted = st.query_params.get("session")
    index = names.index(wanted) if wanted in names else 0
    name = st.selectbox("Session", names, index=index, key=key)
    if name != wanted:
        st.query_params["session"] = name
        st.query_params.pop("case", None)
    return name


@st.cache_data(show_spinner=False, max_entries=256)
def case_image(path: str, sha256: str) -> np.ndarray:
    """The stored reading image (immutable: keyed by its SHA-256)."""
    with db.connect(path) as con:
        return sessions.case_view(con, sha256)


def viewer(gray: np.ndarray, key: str) -> None:
    """The image, large, with window/level (contrast) and zoom controls."""
    c1, c2, c3, c4, c5 = st.columns(5)
    width = c1.slider("Window (contrast)", 1, 255, 255, key=f"{key}_width")
    level = c2.slider("Level (brightness)", 0, 255, 128, key=f"{key}_level")
    factor = c3.slider("Zoom", 1.0, viewing.MAX_ZOOM, 1.0, 0.25, key=f"{key}_zoom")
    cx = c4.slider("Pan left–right", 0.0, 1.0, 0.5, 0.05, key=f"{key}_cx")
    cy = c5.slider("Pan up–down", 0.0, 1.0, 0.5, 0.05, key=f"{key}_cy")
    shown = viewing.zoom(viewing.window_level(gray, level, width), factor, cx, cy)
    st.image(shown, width="stretch")


def timer(key: str) -> float:
    """Seconds since this key was first seen in this browser session (the reading time)."""
    started = st.session_state.setdefault(f"review_t0_{key}", time.monotonic())
    return round(time.monotonic() - started, 1)


def read_form(key: str, verdict: str | None = None, confidence: int | None = None):
    """Verdict, 1-5 confidence and note widgets -> (verdict or None, confidence, note).

    The confidence choices follow the verdict (NORMAL 1-3, PNEUMONIA 3-5), so a read can
    never contradict itself."""
    options = ["NORMAL", "PNEUMONIA"]
    index = options.index(verdict) if verdict else None
    v = st.radio("Verdict", options, index=index, key=f"{key}_v", horizontal=True)
    if v is None:  # no confidence shown before the verdict: nothing to anchor on
        st.caption("Choose a verdict, then your confidence (1–5).")
        c = None
    else:
        scale = [1, 2, 3] if v == "NORMAL" else [3, 4, 5]
        default = confidence if confidence in scale and v == verdict else scale[1]
        c = st.select_slider(
            "Confidence", scale, default, CONFIDENCE_LABELS.get, key=f"{key}_c_{v}"
        )
    note = st.text_input("Note (optional)", key=f"{key}_n", max_chars=2000)
    return v, c, note


def ai_panel(session: sessions.Session, case: sessions.Case) -> None:
    """The AI's result for a case: probability, verdict at the session threshold, Grad-CAM;
    LIME on demand. Call only after the reader's unaided read is saved."""
    if not case.gate_ok:
        st.warning(
            f"The input check refused this image: {case.gate_reason}. The AI gives no verdict.",
            icon=":material/block:",
        )
        return
    st.metric("AI: P(pneumonia), calibrated", percent(case.probability))
    st.markdown(f"**AI verdict at the session threshold {session.threshold:.3f}: {case.ai_label}**")
    if session.model not in model_names():
        st.caption(f"Model {session.model} is not in the store: no explanation.")
        return
    model = get_model(session.model)
    with db.connect(db_path()) as con:
        seen = sessions.case_model_view(con, session.id, case.sha256)
    if model.last_conv is not None:
        heat = explain.case_gradcam(
            db_path(), session.name, case.sha256, model, get_cam(session.model, "gradcam")
        )
        st.image(overlay.blend_heatmap(seen, heat, 0.4), width="stretch", caption=GRADCAM_CAPTION)
    if st.toggle("Show LIME (a few seconds)", key=f"review_lime_{case.sha256[:12]}"):
        result = _lime(session, case, model)
        st.image(
            overlay.draw_lime(seen, result.segments, result.mask(4, 1), result.mask(4, -1)),
            width="stretch",
            caption="LIME: green for PNEUMONIA, red against",
        )


@st.cache_resource(show_spinner=False)
def _lime_cache() -> ResultCache:
    return ResultCache(32)


def _lime(session: sessions.Session, case: sessions.Case, model):
    cache, key = _lime_cache(), (session.model, case.sha256)
    result = cache.get(key)
    if result is None:
        bar = st.progress(0.0, text="LIME running…")

        def progress(f: float) -> None:
            bar.progress(f, text=f"LIME {f:.0%}")

        result = explain.case_lime(db_path(), session.name, case.sha256, model, progress=progress)
        bar.empty()
        cache.put(key, result)
    return result


def collect_items(
    source: str,
    folder: str = "",
    labels_path: str = "",
    uploads=(),
    labels_upload=None,
    n: int = 40,
    seed: int = 0,
):
    """The chosen source's items (labels applied) and its kind; raises ReviewError."""
    from xray_core import config
    from xray_core.review import sources

    if source == "sample":
        root = config.data_dir()
        if root is None:
            raise db.ReviewError("no data folder configured ($XRAY_DATA_DIR).")
        return sources.sample_items(root, n, seed), "sample"
    if source == "folder":
        items = sources.path_items(folder.strip())
        kind = "zip" if folder.strip().lower().endswith(".zip") else "folder"
    else:
        items, kind = sources.upload_items([(u.name, u.getvalue()) for u in uploads]), "uploads"
    if labels_path.strip():
        items = sources.apply_labels(items, sources.read_labels(labels_path.strip()))
    if labels_upload is not None:
        text = labels_upload.getvalue().decode("utf-8", errors="replace")
        items = sources.apply_labels(items, sources.parse_labels(text, labels_upload.name))
    return items, kind


def prepare_exports(name: str) -> dict[str, bytes]:
    """Write the iMRMC CSV and the PDF report (audited) and return their bytes by file name."""
    from xray_core import config
    from xray_core.review.imrmc import write_imrmc
    from xray_core.review.report import write_report

    out = config.app_data_dir() / "exports"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    files = {}
    try:
        write_imrmc(db_path(), name, out / f"{safe}_imrmc.csv")
        files[f"{safe}_imrmc.csv"] = (out / f"{safe}_imrmc.csv").read_bytes()
    except db.ReviewError as exc:
        st.caption(f"No iMRMC file: {exc}")
    write_report(db_path(), name, out / f"{safe}_report.pdf")
    files[f"{safe}_report.pdf"] = (out / f"{safe}_report.pdf").read_bytes()
    return files
