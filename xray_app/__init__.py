"""xray_app: the Streamlit side of the demo (xray_core never imports streamlit).

Modules:
    frame: routes every page through the entry file (streamlit_app.py).
    state: the session-state keys, their initialisation, and the shared sidebar.
    loaders: the cached loaders (`st.cache_resource` models and explainers, read-only;
        `st.cache_data` scores, assessments, dataset views) - the only hidden globals.
    explanations: per-image explanations of any method and their faithfulness checks (one
        locked, bounded cache, so LIME can drive a progress bar), model handles, case indexes.
    faithfulness_view: settings widgets from an explainer's params, the faithfulness panel,
        the model card's "how far to trust the maps".
    cases_view: cases like this one (nearest training images).
    widgets: small widgets and guards shared by pages (banner, upload, require_study).
    current: the current image (upload or sample, the last action wins) and where it came from.
    views: plain-data helpers for pages (rows, captions, the feature-map layer to open on).
    charts: plotly figures from core results (no computation).
    present: the stakeholder views' cached figures with 95% intervals, the TP/FP/FN gallery
        (map tiles, open in Explain), the prevalence control, the PDF download.
"""
