"""The options of the two curations, each with its default and its rule, in one place.

:class:`CurationSettings` holds those of
:func:`~drugml.chem.curate.curate_bioactivities`, :class:`TableCurationSettings`
those of :func:`~drugml.chem.curate.curate_table`. Either function takes
``settings=`` and/or the same options as keywords (a keyword replaces the
value of ``settings``); :func:`settings_from` makes the one object the
function runs with, and refuses an option that does not exist, naming the
closest one.

Example
-------
>>> settings = CurationSettings(activity_type=["IC50", "Ki"], active_threshold=7.0)
>>> settings.activity_types, settings.p_column
(['IC50', 'Ki'], 'pactivity')
>>> settings_from(CurationSettings, settings, {"disagrement": 2.0}, "curate_bioactivities")
Traceback (most recent call last):
...
drugml.chem.curate._log.CurationOptionError: curate_bioactivities() got an unexpected keyword \
argument 'disagrement'; did you mean `disagreement`?
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

from drugml._util.suggest import suggest
from drugml.chem.curate._log import CurationError, CurationOptionError

__all__ = ["CurationSettings", "TableCurationSettings", "settings_from"]

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


def settings_from(
    kind: type[Settings], settings: Settings | None, options: Mapping[str, Any], function: str
) -> Settings:
    """The settings ``function`` runs with: ``settings`` (default: ``kind()``) with ``options``.

    An option ``kind`` lacks raises :class:`CurationOptionError` naming the
    closest one, as Python would for a misspelt keyword argument.
    """
    names = [field.name for field in fields(kind)]
    for name in options:
        if name not in names:
            raise CurationOptionError(
                f"{function}() got an unexpected keyword argument {name!r}" + suggest(name, names)
            )
    if settings is None:
        return kind(**options)
    if not isinstance(settings, kind):
        raise CurationOptionError(
            f"{function}() takes settings= as a {kind.__name__}, not {type(settings).__name__}"
        )
    return replace(settings, **options) if options else settings
