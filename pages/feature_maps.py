"""Feature maps: a convolutional layer's channels for the current image."""

import streamlit as st

from xray_app import frame, loaders, state, widgets
from xray_core.explain.feature_maps import conv_layers, feature_maps

frame.route_through_entry()

st.title("Feature maps")
model, (study, _) = state.current_model(), widgets.require_study()
layers = conv_layers(model.model)
if not layers:
    st.info(f"{model.name} has no convolutional layers (dense baseline): nothing to show.")
    st.stop()

labels = {
    x["name"]: f"{i + 1}. {x['name']} ({x['type']}) → {x['shape'][0]}×{x['shape'][1]}×"
    f"{x['shape'][2]}"
    for i, x in enumerate(layers)
}
default = model.last_conv if model.last_conv in labels else layers[0]["name"]
layer = st.selectbox(
    "Layer (model order, output shape)",
    list(labels),
    key="fm_layer",
    index=list(labels).index(default),
    format_func=labels.get,
)
maps = feature_maps(loaders.get_probe(model.name, layer), study.model_input(model.contract))
st.caption(
    f"Showing {len(maps)} channels, each scaled to its own min–max (bright = strong activation)."
)
cols = st.columns(8)
for i, fmap in enumerate(maps):
    cols[i % 8].image(fmap, caption=str(i), clamp=True, width="stretch")
channel = st.number_input("Enlarge channel", 0, len(maps) - 1, 0, key="fm_channel")
left, right = st.columns(2)
left.image(study.display(model.contract), caption="Model input", width="stretch")
right.image(maps[channel], caption=f"{layer}, channel {channel}", clamp=True, width="stretch")
