"""xray_app: the Streamlit side of the demo (xray_core never imports streamlit).

Modules:
    frame: routes every page through the entry file (streamlit_app.py).
    state: the session-state keys, their initialisation, and the shared sidebar.
    loaders: the cached loaders (`st.cache_resource` models and explainers, read-only;
        `st.cache_data` scores, assessments, dataset views) - the only hidden globals.
    explanations: per-image explanation results (Grad-CAM in st.cache_data, LIME in a
        locked, bounded cache so it can drive a progress bar).
    widgets: small widgets and guards shared by pages (banner, upload, require_study).
    current: the current image (upload or sample, the last action wins) and where it came from.
    views: plain-data helpers for pages (rows, captions, the feature-map layer to open on).
    charts: plotly figures from core results (no computation).
    present: the stakeholder views' cached figures with 95% intervals, the TP/FP/FN gallery
        (Grad-CAM tiles, open in Explain), the prevalence control, the PDF download.
"""
