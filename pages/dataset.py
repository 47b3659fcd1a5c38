"""Dataset: class balance per split, samples per class, image sizes, bacterial vs viral."""

import pandas as pd
import streamlit as st

from xray_app import charts, frame, loaders, state, views
from xray_core import config
from xray_core.config import NEGATIVE_CLASS, POSITIVE_CLASS
from xray_core.dataset.folders import DatasetError
from xray_core.text.intended_use import CITATION, HOSPITAL, POPULATION_SHORT

frame.route_through_entry()

st.title("Dataset")
st.caption(
    "The X-rays the models learned from: who they show, how many of each class, and what they "
    "look like."
)
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
    f"{CITATION} {POPULATION_SHORT.capitalize()} ({HOSPITAL}). Official test split withheld "
    "here: models are scored on it outside this app."
)
c1, c2 = st.columns(2)
c1.plotly_chart(charts.class_balance(overview), width="stretch")
first_split, first = next(iter(overview["splits"].items()))
c2.plotly_chart(charts.subtype_bars(first["summary"], first_split), width="stretch")
st.caption(
    f"{POSITIVE_CLASS} outnumbers {NEGATIVE_CLASS} about 3 to 1: training uses class weights, "
    "and the threshold is chosen for sensitivity."
)

st.subheader("Which images each figure comes from")
name = st.session_state[state.MODEL_KEY]
card = loaders.get_model_card(name)
st.table(pd.DataFrame(views.split_rows(overview, card["data"]["splits"])).set_index("split"))
st.caption(
    "The app's validation figures (Predict's operating point, the model card, Compare) come "
    "from the model's own validation split, carved from the official train split "
    f"({card['data']['split_rule']}). Model shown: {name} (sidebar)."
)

st.subheader(f"Samples per class ({first_split} split)")
seed = st.number_input("Shuffle samples (seed)", 0, 10_000, 0, key="dataset_seed")
grid = loaders.get_sample_grid(str(root), 6, int(seed))
for cls, items in grid.items():
    st.markdown(f"**{cls}**")
    cols = st.columns(len(items))
    for col, (subtype, thumb) in zip(cols, items):
        col.image(thumb, caption=subtype, width="stretch")
st.plotly_chart(charts.size_scatter(loaders.get_fullres_sizes()), width="stretch")
st.caption(
    "The dataset copy here was squash-resized to 224×224 (the cross); the originals are larger "
    "and not square, as the dots show for the 48 full-resolution samples of the train split. "
    "Uploads are squash-resized to the model's input the same way."
)
