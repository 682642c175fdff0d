"""The options of the two curations, each with its default and its rule, in one place.

:class:`CurationSettings` holds those of
:func:`~drugml.chem.curate.curate_bioactivities`, :class:`TableCurationSettings`
those of :func:`~drugml.chem.curate.curate_table`. Either function takes
``settings=`` and/or the same options as keywords (a keyword replaces the
value of ``settings``; :func:`drugml._util.settings.with_options` makes the one
object the function runs with, and refuses an option that does not exist, naming
the closest one).

Example
-------
>>> settings = CurationSettings(activity_type=["IC50", "Ki"], active_threshold=7.0)
>>> settings.activity_types, settings.p_column
(['IC50', 'Ki'], 'pactivity')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from drugml.chem.curate._log import CurationError

__all__ = ["CurationSettings", "TableCurationSettings"]

Settings = TypeVar("Settings", "CurationSettings", "TableCurationSettings")


@dataclass(frozen=True)
class CurationSettings:
    """Options of :func:`~drugml.chem.curate.curate_bioactivities`.

    ``activity_type``: the activity type(s) kept (one name or several).
    ``relation``: the relation(s) kept; ``<``/``>`` values are censored.
    ``id_column``: the molecule id, in the activity table and in ``structures``.
    ``record_id_column``: names each dropped record (optional: ignored where
    the table lacks it). ``type_column``/``relation_column``: default to
    ChEMBL's ``standard_type``/``standard_relation`` where the table has them,
    else ``type``/``relation``. ``value_column``, ``unit_column``: the value
    and its unit. ``smiles_column``: the SMILES, in the activity table or
    else in ``structures`` (default: a column named like ``smiles``).
    ``active_threshold``: pX at or above which a compound is active.
    ``disagreement``: a compound whose measurements span more log units is
    flagged. ``n_jobs``, ``progress``: as for :func:`drugml.chem.standardize`.

    >>> CurationSettings().activity_types, CurationSettings().active_threshold
    (['IC50'], 6.3)
    """

    activity_type: str | Sequence[str] = "IC50"
    relation: str | Sequence[str] = "="
    id_column: str = "molecule_chembl_id"
    record_id_column: str | None = "activity_id"
    type_column: str | None = None
    relation_column: str | None = None
    value_column: str = "standard_value"
    unit_column: str = "standard_units"
    smiles_column: str | None = None
    active_threshold: float = 6.3
    disagreement: float = 1.0
    n_jobs: int = 1
    progress: bool | None = None

    @property
    def activity_types(self) -> list[str]:
        """The activity types kept, as a list."""
        kinds = self.activity_type
        return [kinds] if isinstance(kinds, str) else list(kinds)

    @property
    def relations(self) -> list[str]:
        """The relations kept, as a list."""
        return [self.relation] if isinstance(self.relation, str) else list(self.relation)

    @property
    def label(self) -> str:
        """What the values measure: the activity type, or ``activity`` for several."""
        types = self.activity_types
        return types[0] if len(types) == 1 else "activity"

    @property
    def p_column(self) -> str:
        """The column of the table's pX values (``pIC50`` for IC50)."""
        return f"p{self.label}"


@dataclass(frozen=True)
class TableCurationSettings:
    """Options of :func:`~drugml.chem.curate.curate_table`.

    Exactly one of ``target_column`` (a value; with ``active_threshold`` it
    also gives a label, value >= threshold is 1) and ``label_column`` (a
    label: 1/True is positive, or the value equal to ``positive_label``).
    ``smiles_column``: the SMILES. ``id_column``: names each compound (default:
    the row number). ``n_jobs``, ``progress``: as for :func:`drugml.chem.standardize`.

    >>> TableCurationSettings(label_column="y").smiles_column
    'smiles'
    >>> TableCurationSettings()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    drugml.chem.curate._log.CurationError: give exactly one of target_column ... or label_column
    """

    smiles_column: str = "smiles"
    target_column: str | None = None
    label_column: str | None = None
    positive_label: Any = None
    active_threshold: float | None = None
    id_column: str | None = None
    n_jobs: int = 1
    progress: bool | None = False

    def __post_init__(self) -> None:
        if (self.target_column is None) == (self.label_column is None):
            raise CurationError("give exactly one of target_column (a value) or label_column")
