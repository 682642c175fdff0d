"""The errors of the design stage (analogues and the next batch)."""

from __future__ import annotations

from drugml.errors import DrugmlError

__all__ = ["DesignError", "FragmentDatabaseError", "NextBatchOptionError", "PoolError"]


class DesignError(DrugmlError, ValueError):
    """Analogues or a next batch cannot be made as asked; the message says what and why."""


class FragmentDatabaseError(DesignError):
    """A fragment database is missing, corrupt (its checksum differs) or from another version.

    >>> issubclass(FragmentDatabaseError, DesignError)
    True
    """


class PoolError(DesignError):
    """The pool a batch is picked from cannot give what was asked: it is empty, smaller than
    the batch, has too few values to fit a model, or no batch meets the diversity asked."""


class NextBatchOptionError(DesignError, TypeError):
    """A keyword :func:`next_batch` does not know (a ``TypeError`` too, as Python says it)."""
