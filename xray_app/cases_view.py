"""Cases like this one: the nearest training images in the model's feature space, with their
labels and distances; the images come from the data folder when it is present."""

from __future__ import annotations

import streamlit as st

from xray_app import explanations, loaders
from xray_core import config
from xray_core.io.study import Study

K = 5


def render(name: str, study: Study, k: int = K) -> None:
    """A row of the k nearest training cases of `study` under model `name`."""
    index = explanations.get_case_index(name)
    if index is None:
        st.info(
            f"No nearest-case index for {name}: build it with "
            f"`python -m xray_core build-index --model {name}`."
        )
        return
    model = loaders.get_model(name)
    if index.model_sha256 != model.card["model_sha256"]:
        st.warning(
            f"The nearest-case index of {name} was built from another model file: rebuild it "
            f"with `python -m xray_core build-index --model {name}`."
        )
        return
    cases, ms = explanations.nearest_cases(name, study.digest, k, study)
    root = config.data_dir()
    shown = 0
    for col, case in zip(st.columns(k), cases):
        path = case.file(root)
        if path is not None:
            col.image(str(path), width="stretch")
            shown += 1
        col.markdown(f"**{case.label}** ({case.subtype})  \ndistance {case.distance:.2f}")
    if shown < len(cases):
        st.caption(
            "The training images are not on this machine (data folder "
            f"{root or 'not configured'}), so only their labels and distances are shown."
        )
    n_pneu = sum(c.label == "PNEUMONIA" for c in cases)
    st.caption(f"{n_pneu} of the {len(cases)} training X-rays most like this one were PNEUMONIA.")
    with st.expander("How “most like” is measured"):
        st.caption(
            f"Most like to this model: the distance between penultimate features, reduced to "
            f"{index.features.shape[1]} dimensions by PCA. A typical training image's nearest "
            f"neighbour is at {index.typical:.2f}; looked up in {ms:.1f} ms among "
            f"{len(index.labels):,}. Similar to the model is not similar to a radiologist."
        )
