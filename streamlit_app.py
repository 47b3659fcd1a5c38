"""Pediatric chest X-ray demo: NORMAL or PNEUMONIA, and why. The frame: navigation, sidebar.

Every page is listed here (pages/ holds only these) and runs inside this file: see
xray_app.frame for the one case where Streamlit runs a page file on its own.
"""

import streamlit as st

from xray_app import frame, state

st.set_page_config(
    page_title="Chest X-ray: pneumonia demo", page_icon=":material/radiology:", layout="wide"
)

pages = st.navigation(
    {
        "Read an X-ray": [
            st.Page("pages/predict.py", title="Predict", icon=":material/radiology:", default=True),
            st.Page("pages/explain.py", title="Explain", icon=":material/local_fire_department:"),
            st.Page("pages/feature_maps.py", title="Feature maps", icon=":material/grid_view:"),
        ],
        "The model": [
            st.Page("pages/present.py", title="Present", icon=":material/co_present:"),
            st.Page("pages/model_card.py", title="Model card", icon=":material/description:"),
            st.Page("pages/compare.py", title="Compare models", icon=":material/compare:"),
            st.Page("pages/dataset.py", title="Dataset", icon=":material/folder_open:"),
        ],
        "Review sessions": [
            st.Page("pages/review.py", title="Read cases", icon=":material/visibility:"),
            st.Page("pages/review_results.py", title="Results", icon=":material/insights:"),
            st.Page("pages/review_new.py", title="New session", icon=":material/add:"),
        ],
    }
)
state.sidebar()
frame.run(pages)
