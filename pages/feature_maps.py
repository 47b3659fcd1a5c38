"""Feature maps: a convolutional layer's channels for the current image."""

import streamlit as st

from xray_app import current, frame, loaders, state, views, widgets
from xray_core.explain.feature_maps import conv_layers, feature_maps

frame.route_through_entry()

st.title("Feature maps")
st.caption("What one layer of the network responds to on this X-ray, channel by channel.")
model, (study, assessment) = state.current_model(), widgets.require_study()
st.markdown(f"{current.source_line()}  \n{current.verdict_line(assessment)} · model {model.name}")
layers = conv_layers(model.model)
if not layers:
    st.info(f"{model.name} has no convolutional layers (dense baseline): nothing to show.")
    st.stop()

labels = {
    x["name"]: f"{i + 1}. {x['name']} ({x['type']}) → {x['shape'][0]}×{x['shape'][1]}×"
    f"{x['shape'][2]}"
    for i, x in enumerate(layers)
}
default = views.default_layer(layers, model.last_conv)
layer = st.selectbox(
    "Layer (model order, output shape)",
    list(labels),
    key="fm_layer",
    index=list(labels).index(default),
    format_func=labels.get,
)
maps = feature_maps(loaders.get_probe(model.name, layer), study.model_input(model.contract))
total = next(x["shape"][2] for x in layers if x["name"] == layer)
st.caption(views.channels_caption(len(maps), total))
cols = st.columns(8)
for i, fmap in enumerate(maps):
    cols[i % 8].image(fmap, caption=str(i), clamp=True, width="stretch")
channel = st.number_input("Enlarge channel", 0, len(maps) - 1, 0, key="fm_channel")
left, right = st.columns(2)
left.image(study.display(model.contract), caption="Model input", width="stretch")
right.image(maps[channel], caption=f"{layer}, channel {channel}", clamp=True, width="stretch")
