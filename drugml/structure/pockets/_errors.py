"""The error of pocket detection."""

from __future__ import annotations

from drugml.structure import StructureError


class PocketError(StructureError):
    """No cavity was found with the settings given, or a pocket asked for does not exist.

    >>> from drugml.structure import StructureError
    >>> issubclass(PocketError, StructureError) and issubclass(PocketError, ValueError)
    True
    """
