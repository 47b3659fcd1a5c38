"""xray_core: the shared core of the pediatric chest X-ray demo (research and education only).

Modules: config (paths), data (dataset and split), decode + contract (the image contract),
models (builders), training, calibration, metrics, store (model store), inference,
evaluation, explain (Grad-CAM, LIME, feature maps) and cli.
"""

__version__ = "0.1.0"
