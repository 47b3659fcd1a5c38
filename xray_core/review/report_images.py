"""Pictures of a session's cases for the report: a thumbnail of the image as read and the map
toward pneumonia on the image the model saw (`explain.case_map`, cached in the database)."""

from __future__ import annotations

import numpy as np

from xray_core.explain.overlay import blend_heatmap
from xray_core.review import db
from xray_core.review.explain import case_map
from xray_core.review.images import view_image
from xray_core.review.sessions import case_model_view, case_view, get_session, list_cases

THUMB_PX = 400  # longest side of a thumbnail


class CasePictures:
    """Callable: case position -> (thumbnail (H, W) uint8, overlay (s, s, 3) uint8 or None).

    The session's model is loaded once, by `prepare()`; when it cannot be (missing from the
    store) the overlays are None and `prepare()` says why. `method` is the map's title.
    """

    def __init__(self, path, session_name: str, store=None, stored=None):
        self.path, self.session_name, self.store, self.stored = path, session_name, store, stored
        self.handle, self.method = None, "Map"
        self.reason = ""

    def prepare(self) -> str:
        """Load the model and its explanation tools; returns '' or a sentence saying why not."""
        from xray_core.explain import registry
        from xray_core.explain.handle import ModelHandle
        from xray_core.review.explain import map_method
        from xray_core.store.catalog import StoreError, list_models, load_model

        with db.connect(self.path) as con:
            session = get_session(con, self.session_name)
        if self.stored is None and session.model not in list_models(self.store):
            # one short sentence: the store's list of names does not belong in a report
            self.reason = f" Maps unavailable: model {session.model!r} is not in this store."
            return self.reason
        try:
            if self.stored is None or self.stored.name != session.model:
                self.stored = load_model(session.model, self.store)
            self.handle = ModelHandle(self.stored)
            self.method = registry.get_explainer(map_method(self.stored, self.handle)).title
        except StoreError as exc:
            self.stored, self.reason = None, f" Maps unavailable: {exc}"
        return self.reason

    def __call__(self, position: int) -> tuple[np.ndarray, np.ndarray | None]:
        with db.connect(self.path) as con:
            session = get_session(con, self.session_name)
            case = next(c for c in list_cases(con, session.id) if c.position == position)
            thumb = view_image(case_view(con, case.sha256), THUMB_PX)
            model_view = case_model_view(con, session.id, case.sha256)
        if self.handle is None:
            return thumb, None
        heat, _ = case_map(self.path, self.session_name, case.sha256, self.stored, self.handle)
        return thumb, blend_heatmap(model_view, heat, 0.4)
