"""The current image: set by an upload or a sample pick (the last action wins), and where it
came from, shown on every page that uses it.

Session keys (besides state.STUDY_KEY, the decoded image):
    SOURCE_KEY: {"kind": "upload" | "sample" | "gallery", "name": str, "path": str (samples
        only)}; "gallery": a Present gallery case opened in Explain, named by its neutral id.
    REFUSED_KEY: the one-line message for the last file that could not be read, or absent.
    SAMPLE_KEY: the sample picker (path as str, or None); re-seeded from SOURCE_KEY every run,
        so it agrees with the current image after a visit to another page.
    UPLOAD_ROUND_KEY: bumped to give the uploader a fresh key, which empties it (Streamlit
        cannot clear a file_uploader otherwise): after a refused file, or when a sample
        replaces an upload. The first uploader's key is "predict_upload".
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from xray_app import sites
from xray_app.state import STUDY_KEY
from xray_core import config
from xray_core.dataset.samples import ORIGIN, Sample, list_samples
from xray_core.io.decode import ImageError
from xray_core.io.study import open_study
from xray_core.store.site_profiles import load_profile, scale_name
from xray_core.text.wording import percent

SOURCE_KEY = "image_source"
REFUSED_KEY = "predict_refused"
SAMPLE_KEY = "predict_sample"
UPLOAD_ROUND_KEY = "predict_upload_round"
UPLOAD_TYPES = ["png", "jpg", "jpeg", "bmp", "tif", "tiff", "dcm", "dicom"]
UPLOAD_LABEL = "Upload a frontal chest X-ray (PNG, JPEG, BMP, TIFF or DICOM)"


def upload_key() -> str:
    """The uploader's current key ("predict_upload", then "predict_upload_1", ...)."""
    n = st.session_state.get(UPLOAD_ROUND_KEY, 0)
    return "predict_upload" if n == 0 else f"predict_upload_{n}"


def _empty_uploader() -> None:
    st.session_state[UPLOAD_ROUND_KEY] = st.session_state.get(UPLOAD_ROUND_KEY, 0) + 1


def _clear_image() -> None:
    for key in (STUDY_KEY, SOURCE_KEY):
        st.session_state.pop(key, None)


def _set_image(data: bytes, name: str, source: dict) -> bool:
    """Decode into the current image; on failure clear it and keep the message."""
    try:
        study = open_study(data, name)
    except ImageError as exc:
        _clear_image()
        st.session_state[REFUSED_KEY] = f"Cannot use this file ({name}). {exc}"
        return False
    st.session_state[STUDY_KEY] = study
    st.session_state[SOURCE_KEY] = source
    st.session_state.pop(REFUSED_KEY, None)
    return True


def on_upload(key: str) -> None:
    """Uploader callback: the new file becomes the current image (a refused one empties the
    uploader); removing the current upload clears the image."""
    f = st.session_state.get(key)
    if f is None:
        if st.session_state.get(SOURCE_KEY, {}).get("kind") == "upload":
            _clear_image()
        return
    if _set_image(f.getvalue(), f.name, {"kind": "upload", "name": f.name}):
        st.session_state[SAMPLE_KEY] = None
    else:
        _empty_uploader()


def on_sample() -> None:
    """Sample picker callback: the sample becomes the current image and empties the uploader."""
    path = st.session_state.get(SAMPLE_KEY)
    if path is None:
        if st.session_state.get(SOURCE_KEY, {}).get("kind") == "sample":
            _clear_image()
        return
    sample = sample_by_path().get(path)
    if sample is None:
        return
    source = {"kind": "sample", "name": sample.name, "path": path}
    if _set_image(Path(path).read_bytes(), sample.path.name, source) and st.session_state.get(
        upload_key()
    ):
        _empty_uploader()


@st.cache_data(show_spinner=False)
def samples() -> list[Sample]:
    """The sample X-rays in their neutral order ([] without the sample folder)."""
    return list_samples(config.samples_dir())


def sample_by_path() -> dict[str, Sample]:
    return {str(s.path): s for s in samples()}


def sample_picker() -> None:
    """The sample selectbox, showing the current sample (or none), and where samples come
    from; the dataset's label of the current sample on request."""
    found = sample_by_path()
    if not found:
        st.caption("No sample folder configured (../shared/data/fullres_samples).")
        return
    source = st.session_state.get(SOURCE_KEY, {})
    st.session_state[SAMPLE_KEY] = source.get("path") if source.get("kind") == "sample" else None
    st.selectbox(
        "…or pick a sample X-ray",
        list(found),
        key=SAMPLE_KEY,
        on_change=on_sample,
        format_func=lambda p: found[p].name,
        placeholder="Choose a training X-ray",
        help=ORIGIN,
    )
    with st.expander("Where the samples come from"):
        st.caption(ORIGIN)


def source_line() -> str:
    """Markdown naming the current image and where it came from ('' when none)."""
    source, study = st.session_state.get(SOURCE_KEY), st.session_state.get(STUDY_KEY)
    if not source or study is None:
        return ""
    size = f"{study.size[0]}×{study.size[1]} px"
    if source["kind"] == "sample":
        return f"Current image: **{source['name']}** (dataset sample, training image), {size}"
    if source["kind"] == "gallery":
        return f"Current image: **{source['name']}** (Present gallery, validation image), {size}"
    return f"Current image: uploaded file **{source['name']}**, {size}"


def reveal_label() -> None:
    """For a sample: a toggle that shows the dataset's label (off for every new sample)."""
    sample = sample_by_path().get(st.session_state.get(SOURCE_KEY, {}).get("path", ""))
    if sample is None:
        return
    if st.toggle("Reveal the dataset's label", key=f"predict_reveal_{sample.name}"):
        st.markdown(
            f"Dataset label: **{sample.label}** ({sample.subtype}), file `{sample.path.name}`"
        )


def verdict_line(assessment) -> str:
    """Markdown: the verdict and calibrated probability of the current image, with the
    probability scale both are on (the shipped one, or the active site's recalibration)."""
    pred = assessment.prediction
    site, _ = sites.active()
    scale = scale_name(load_profile(site) if site else None)
    return (
        f"Verdict **{pred.label}** · P(pneumonia) {percent(pred.probability)} "
        f"at threshold {pred.threshold:.3f} ({scale})"
    )
