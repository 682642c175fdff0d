"""The root of drugml's errors: every error drugml raises on purpose derives from
:class:`DrugmlError`, so that a script (and the ``drugml`` command) can catch one class.

Each child also derives from the built-in class a caller would expect
(``ValueError`` for a bad value, ``FileNotFoundError`` for a missing file ...)
and lives in the module of its stage. This module owns the root and the
children that belong to no one stage: :class:`MissingDependencyError`, for an
optional package (an extra) that is not installed, and :class:`ConfigError`, for a
setting that is unknown or wrong (a campaign's, or a ranking's on its own).

>>> from drugml.errors import DrugmlError
>>> from drugml.structure import StructureError
>>> issubclass(StructureError, DrugmlError) and issubclass(StructureError, ValueError)
True
"""

from __future__ import annotations

__all__ = ["ConfigError", "DrugmlError", "MissingDependencyError"]


class DrugmlError(Exception):
    """Something drugml was asked to do cannot be done; the message says what and why."""


class MissingDependencyError(DrugmlError, ImportError):
    """An optional package that a feature needs is not installed; the message says what to
    ``pip install``.

    >>> issubclass(MissingDependencyError, ImportError)
    True
    """


class ConfigError(DrugmlError, ValueError):
    """A configuration has an unknown key, a wrong value, or names a missing file or column."""
