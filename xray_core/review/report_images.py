"""Pictures of a session's cases for the report: a thumbnail of the image as read and the
Grad-CAM overlay on the image the model saw (the heatmap cached in the database)."""

from __future__ import annotations

import numpy as np

from xray_core.explain.overlay import blend_heatmap
from xray_core.review import db
from xray_core.review.explain import case_gradcam
from xray_core.review.images import view_image
from xray_core.review.sessions import case_model_view, case_view, get_session, list_cases

THUMB_PX = 400  # longest side of a thumbnail


class CasePictures:
    """Callable: case position -> (thumbnail (H, W) uint8, overlay (s, s, 3) uint8 or None).

    The session's model is loaded once, by `prepare()`; when it cannot be (missing from the
    store, or a model without convolutions) the overlays are None and `prepare()` says why.
    """

    def __init__(self, path, session_name: str, store=None, stored=None):
        self.path, self.session_name, self.store, self.stored = path, session_name, store, stored
        self.cam = None
        self.reason = ""

    def prepare(self) -> str:
        """Load the model and Grad-CAM explainer; returns '' or a sentence saying why not."""
        from xray_core.explain import gradcam
        from xray_core.store import StoreError, list_models, load_model

        with db.connect(self.path) as con:
            session = get_session(con, self.session_name)
        if self.stored is None and session.model not in list_models(self.store):
            # one short sentence: the store's list of names does not belong in a report
            self.reason = f" Grad-CAM unavailable: model {session.model!r} is not in this store."
            return self.reason
        try:
            if self.stored is None or self.stored.name != session.model:
                self.stored = load_model(session.model, self.store)
            if self.stored.last_conv is None:
                raise gradcam.NoConvLayerError("the model has no convolutional layer")
            self.cam = gradcam.make_cam(self.stored.model)
        except (StoreError, gradcam.NoConvLayerError) as exc:
            self.stored, self.reason = None, f" Grad-CAM unavailable: {exc}"
        return self.reason

    def __call__(self, position: int) -> tuple[np.ndarray, np.ndarray | None]:
        with db.connect(self.path) as con:
            session = get_session(con, self.session_name)
            case = next(c for c in list_cases(con, session.id) if c.position == position)
            thumb = view_image(case_view(con, case.sha256), THUMB_PX)
            model_view = case_model_view(con, session.id, case.sha256)
        if self.cam is None:
            return thumb, None
        heat = case_gradcam(self.path, self.session_name, case.sha256, self.stored, self.cam)
        return thumb, blend_heatmap(model_view, heat, 0.4)
