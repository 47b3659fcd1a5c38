"""Grad-CAM and Grad-CAM++ on the model's recorded last convolutional layer (tf-keras-vis).

The sigmoid output is replaced by a linear one (`ReplaceToLinear`), so the score explained is
the logit: for target "PNEUMONIA" warm regions push toward PNEUMONIA; for "NORMAL" the negated
logit is explained, so warm regions push toward NORMAL.
"""

from __future__ import annotations

import numpy as np

from xray_core.config import CLASS_NAMES

METHODS = ("gradcam", "gradcam++")
BLANK_REASON = (
    "it keeps only what pushes the score toward {target}, and no part of the last "
    "convolutional layer does"
)


class NoConvLayerError(ValueError):
    """The model has no convolutional layer (the dense baseline), so no Grad-CAM."""


def linear_clone(model):
    """A copy of MODEL (same weights) whose sigmoid is replaced by the identity, so gradients
    are those of the logit: what every Grad-CAM explainer reads. Built once per model and
    shared by Grad-CAM and Grad-CAM++ (read-only after this)."""
    import keras
    from tf_keras_vis.utils.model_modifiers import ReplaceToLinear

    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    ReplaceToLinear()(clone)
    return clone


def make_cam(model, method: str = "gradcam", linear=None):
    """Build the (reusable, read-only) tf-keras-vis explainer. LINEAR: `linear_clone(model)`
    when one exists already (the explainer then copies nothing); else one is made."""
    from tf_keras_vis.gradcam import Gradcam
    from tf_keras_vis.gradcam_plus_plus import GradcamPlusPlus

    if method not in METHODS:
        raise ValueError(f"unknown Grad-CAM method {method!r}; choose one of {METHODS}")
    cls = Gradcam if method == "gradcam" else GradcamPlusPlus
    return cls(linear if linear is not None else linear_clone(model), clone=False)


def gradcam_heatmap(cam, x: np.ndarray, layer: str | None, target: str = "PNEUMONIA") -> np.ndarray:
    """Heatmap for one preprocessed image.

    Args:
        cam: explainer from `make_cam`.
        x: (H, W, C) float32 model input.
        layer: name of the convolutional layer to explain (card's last_conv_layer).
        target: class whose evidence is shown, "PNEUMONIA" or "NORMAL".
    Returns:
        (H, W) float32 in [0, 1].
    """
    from tf_keras_vis.utils.scores import BinaryScore

    if layer is None:
        raise NoConvLayerError("this model has no convolutional layer; use LIME instead")
    if target not in CLASS_NAMES:
        raise ValueError(f"target must be one of {CLASS_NAMES}, got {target!r}")
    if x.ndim != 3:
        raise ValueError(f"expected one image (H, W, C), got shape {x.shape}")
    heat = cam(
        BinaryScore(float(target == "PNEUMONIA")),
        x[None].astype(np.float32),
        penultimate_layer=layer,
        seek_penultimate_conv_layer=False,
        normalize_cam=True,
    )
    heat = np.nan_to_num(np.asarray(heat[0], dtype=np.float32))
    return np.clip(heat, 0.0, 1.0)


class GradCamExplainer:
    """Grad-CAM or Grad-CAM++ behind the one explainer shape (see `base`)."""

    def __init__(self, method: str, title: str):
        self.name, self.title = method, title

    def params(self, handle) -> tuple:
        from xray_core.explain.base import Param

        return (
            Param(
                "target", "Evidence for", CLASS_NAMES, "PNEUMONIA", "class whose evidence is shown"
            ),
        )

    def unavailable(self, handle) -> str | None:
        if handle.last_conv is None:
            return f"{handle.name} has no convolutional layer, so {self.title} does not apply."
        return None

    def explain(self, handle, x: np.ndarray, settings: dict | None = None, progress=None):
        """(H, W, C) float32 model input -> Explanation with the (H, W) [0, 1] heatmap."""
        from xray_core.explain.base import Explanation, resolve_settings

        s = resolve_settings(self.params(handle), settings)
        heat = gradcam_heatmap(handle.cam(self.name), x, handle.last_conv, s["target"])
        side = handle.model.get_layer(handle.last_conv).output.shape[1]
        return Explanation(
            method=self.name,
            title=self.title,
            heatmap=heat,
            target=s["target"],
            settings=s,
            caption=f"{self.title} on layer {handle.last_conv}: evidence for {s['target']}",
            resolution=int(side or 7),
            extra={} if heat.any() else {"blank_reason": BLANK_REASON.format(target=s["target"])},
        )


GRADCAM = GradCamExplainer("gradcam", "Grad-CAM")
GRADCAM_PP = GradCamExplainer("gradcam++", "Grad-CAM++")
