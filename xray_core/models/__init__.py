"""Model builders: the classic line-up, each a flat functional Keras model.

`build_model(arch, **options)` returns a `BuiltModel` (model, input contract, last conv layer
name). A wrong architecture name raises ValueError listing the valid ones.
"""

from xray_core.models.registry import ARCHITECTURES, Architecture, BuiltModel, build_model

__all__ = ["ARCHITECTURES", "Architecture", "BuiltModel", "build_model"]
