"""xray_core: the shared core of the pediatric chest X-ray demo (research and education only).

Never imports streamlit (the app's side is `xray_app`). Layers, lowest first (ARCHITECTURE.md):
    decode, dicom: file bytes -> grayscale uint8; study: one decoded upload.
    contract: the image contract (size, channels, scaling, CLAHE) -> model input.
    models (architectures as data), training, scoring (the one forward-pass loop),
    store + store_files + card (the model store and its typed model card).
    calibration, metrics, uncertainty, reporting, compare, scores, evaluation.
    gate (out-of-distribution check), ood_corpus; inference (assess: gate + verdict).
    explain: occlusion, Grad-CAM, LIME, feature maps, their checks and verdict, overlays.
    config (paths), intended_use (population text), hashing, cli (`python -m xray_core`).
"""

__version__ = "0.1.0"
