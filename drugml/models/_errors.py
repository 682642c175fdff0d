"""The errors of a :class:`~drugml.models.PropertyModel` that the backends do not own.

:class:`~drugml.models.backends.ModelLoadError` and
:class:`~drugml.models.backends.UnknownEstimatorError` live with the backends that
raise them; these two are shared by the model's private files.

>>> issubclass(ModelVersionError, ModelLoadError)
True
"""

from __future__ import annotations

from drugml.errors import DrugmlError
from drugml.models.backends import ModelLoadError

__all__ = ["ModelInputError", "ModelVersionError"]


class ModelInputError(DrugmlError, ValueError):
    """Parameters or training data a model cannot use (one class, a non-positive target for a
    log transform, too few molecules to calibrate); the message says which and why."""


class ModelVersionError(ModelLoadError):
    """A saved model was written by an incompatible version of drugml or its libraries."""
