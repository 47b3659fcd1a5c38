"""xray_core: the shared core of the pediatric chest X-ray demo (research and education only).

Never imports streamlit (the app's side is `xray_app`). One package per domain; each imports
only those below it (ARCHITECTURE.md, checked by `lint-imports`):
    cli; review; report, site; archive; evaluation; explain, training; predict; store;
    models, gate; dataset; io; stats; text; config.
"""

__version__ = "0.1.0"
