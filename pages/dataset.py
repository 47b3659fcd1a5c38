"""Dataset: class balance per split, samples per class, image sizes, bacterial vs viral."""

import streamlit as st

from xray_app import charts, frame, loaders
from xray_core import config
from xray_core.card import CITATION
from xray_core.data import DatasetError

frame.route_through_entry()

st.title("Dataset")
root = config.data_dir()
if root is None:
    st.info(
        "No data folder configured. Download the Kaggle *chest-xray-pneumonia* dataset and set "
        f"`{config.DATA_ENV_VAR}` to its `chest_xray` folder (train/ val/ test/, each with "
        "NORMAL/ and PNEUMONIA/), or place it at ../shared/data/chest_xray."
    )
    st.stop()
try:
    overview = loaders.get_overview(str(root))
except DatasetError as exc:
    st.error(str(exc))
    st.stop()

st.caption(
    f"{CITATION} Children aged 1–5, one hospital (Guangzhou). Official test split withheld "
    "here: models are scored on it outside this app."
)
c1, c2 = st.columns(2)
c1.plotly_chart(charts.class_balance(overview), width="stretch")
first = next(iter(overview["splits"].values()))["summary"]
c2.plotly_chart(charts.subtype_bars(first), width="stretch")
st.table(
    {
        split: {
            "images": d["summary"]["n"],
            "patients": d["summary"]["patients"],
            **d["summary"]["classes"],
        }
        for split, d in overview["splits"].items()
    }
)
st.caption(
    "PNEUMONIA outnumbers NORMAL about 3 to 1: training uses class weights, and the "
    "threshold is chosen for sensitivity."
)

st.subheader("Samples per class")
seed = st.number_input("Shuffle samples (seed)", 0, 10_000, 0, key="dataset_seed")
grid = loaders.get_sample_grid(str(root), 6, int(seed))
for cls, items in grid.items():
    st.markdown(f"**{cls}**")
    cols = st.columns(len(items))
    for col, (subtype, thumb) in zip(cols, items):
        col.image(thumb, caption=subtype, width="stretch")
st.plotly_chart(charts.size_scatter(overview), width="stretch")
st.caption(
    "This copy of the data was squash-resized to 224×224, so every point sits there; "
    "original X-rays are larger and not square (the 48 full-resolution samples are 952 to "
    "2,396 px wide). Uploads are squash-resized to the model's input the same way."
)
