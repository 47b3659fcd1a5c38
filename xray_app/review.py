"""Review sessions on the app side: the database path, cached images, the read form and the
AI panel shown after the blinded read (access: `review_access`; the viewer: `review_viewer`).

Page-only session-state keys start with `review_`. The database is the only shared state:
every save is committed at once (xray_core.review), so nothing here holds reads.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from xray_app.explanations import ResultCache, get_handle
from xray_app.loaders import get_model, model_names
from xray_core.explain import overlay
from xray_core.review import db, explain, sessions
from xray_core.review.reads import CONFIDENCE_LABELS
from xray_core.text.wording import percent

READ_PAGE = "pages/review.py"
RESULTS_PAGE = "pages/review_results.py"
NEW_PAGE = "pages/review_new.py"


def db_path() -> str:
    """The review database: $XRAY_APP_DATA/review.sqlite (or the platform default)."""
    return str(db.default_path())


@st.cache_data(show_spinner=False, max_entries=256)
def case_image(path: str, sha256: str) -> np.ndarray:
    """The stored reading image (immutable: keyed by its SHA-256)."""
    with db.connect(path) as con:
        return sessions.case_view(con, sha256)


def read_form(phase: str, position: int):
    """Verdict, 1-5 confidence and note -> (verdict or None, confidence or None, note).

    Nothing is pre-set: the reader picks a verdict, then a confidence among those that go
    with it (NORMAL 1-3, PNEUMONIA 3-5), so a read can never contradict itself. The widget
    keys (`review_verdict…`, `review_conf…`) are what the viewer's N / P / 1-5 keys press."""
    v = st.radio(
        "Verdict", ["NORMAL", "PNEUMONIA"], index=None, horizontal=True,
        key=f"review_verdict_{phase}_{position}",
    )  # fmt: skip
    c = None
    if v is None:
        st.caption("Choose a verdict (N / P), then your confidence (1–5).")
    else:
        c = st.radio(
            "Confidence", [1, 2, 3] if v == "NORMAL" else [3, 4, 5], index=None,
            format_func=CONFIDENCE_LABELS.get, key=f"review_conf_{phase}_{position}_{v}",
        )  # fmt: skip
    note = st.text_input("Note (optional)", key=f"review_note_{phase}_{position}", max_chars=2000)
    return v, c, note


def ai_panel(session: sessions.Session, case: sessions.Case) -> None:
    """The AI's result for a case: probability, verdict at the session threshold, the map;
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
    handle = get_handle(session.model)
    heat, title = explain.case_map(db_path(), session.name, case.sha256, model, handle)
    if heat.any():
        caption = f"{title}: the brighter, the more this region pushes toward PNEUMONIA"
        st.image(overlay.blend_heatmap(seen, heat, 0.4), width="stretch", caption=caption)
    else:
        st.image(seen, width="stretch", caption=f"{title}: no region pushes toward PNEUMONIA")
    if st.toggle("Show LIME (a few seconds)", key=f"review_lime_{case.sha256[:12]}"):
        result = _lime(session, case, model)
        st.image(
            overlay.draw_lime(seen, result.segments, result.mask(4, 1), result.mask(4, -1)),
            width="stretch",
            caption="LIME: orange = for PNEUMONIA, blue = against",
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

        result = explain.case_lime(
            db_path(), session.name, case.sha256, model, get_handle(session.model), progress
        )
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
        labels = sources.parse_labels(labels_upload.getvalue(), labels_upload.name)
        items = sources.apply_labels(items, labels)
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
