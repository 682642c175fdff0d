"""The scorer contract and its registry: one class per structure-based score."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from drugml.errors import DrugmlError

if TYPE_CHECKING:
    import pandas as pd

#: What a scorer's evidence comes from (the report groups scorers by it).
SCORER_KINDS = (
    "docking",
    "interactions",
    "similarity_3d",
    "ligand_model",
    "baseline",
    "consensus",
)


class ScorerError(DrugmlError):
    """A scorer that does not exist, a parameter it does not take, or a table without the
    columns it reads."""


class StructureScorer(ABC):
    """One structure-based score of a table of molecules: higher means more likely active.

    A scorer reads columns that earlier steps wrote (docking, interaction
    fingerprints, 3D overlays) or the SMILES, and returns one float per row,
    NaN where its evidence is missing (a molecule not docked, not embedded).
    Parameters are stored unchanged by ``__init__`` (scikit-learn's rule), so
    :meth:`get_params` reads them back and a scorer can be described and rebuilt.

    Class attributes: ``name`` (the registry key), ``kind`` (one of
    :data:`SCORER_KINDS`), ``columns`` (what it reads), ``description`` (one line a
    chemist reads in the report).
    """

    name: ClassVar[str]
    kind: ClassVar[str]
    columns: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str]

    def get_params(self) -> dict[str, Any]:
        """The parameters given to ``__init__`` (by the names of its arguments)."""
        import inspect

        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def check(self, table: pd.DataFrame) -> None:
        """Raise :class:`ScorerError` naming the columns ``table`` lacks."""
        missing = [c for c in self.required_columns() if c not in table.columns]
        if missing:
            raise ScorerError(
                f"scorer {self.name!r} reads {missing}, which the table lacks "
                f"(columns: {list(table.columns)[:20]})"
            )

    def required_columns(self) -> tuple[str, ...]:
        """The columns :meth:`score` reads (the class's ``columns`` unless a scorer says
        otherwise)."""
        return tuple(self.columns)

    @abstractmethod
    def score(self, table: pd.DataFrame) -> pd.Series:
        """One float per row of ``table`` (same index), higher = more likely active."""

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"


_REGISTRY: dict[str, type[StructureScorer]] = {}


def register_scorer(cls: type[StructureScorer]) -> type[StructureScorer]:
    """Class decorator: make ``cls`` available by its ``name``.

    Example
    -------
    >>> import pandas as pd
    >>> from drugml.structure.scoring import StructureScorer, register_scorer, make_scorer
    >>> @register_scorer
    ... class RotatableBonds(StructureScorer):
    ...     '''Fewer rotatable bonds, less entropy lost on binding (a toy).'''
    ...     name = "fewer_rotatable_bonds"
    ...     kind = "baseline"
    ...     columns = ("rotatable_bonds",)
    ...     description = "fewer rotatable bonds score higher"
    ...     def score(self, table):
    ...         return -table["rotatable_bonds"].astype(float)
    >>> table = pd.DataFrame({"rotatable_bonds": [2, 7]})
    >>> make_scorer("fewer_rotatable_bonds").score(table).tolist()
    [-2.0, -7.0]
    """
    if not isinstance(cls, type) or not issubclass(cls, StructureScorer):
        raise ScorerError(f"{cls!r} is not a StructureScorer subclass")
    if getattr(cls, "kind", None) not in SCORER_KINDS:
        raise ScorerError(f"scorer {cls.__name__}: kind must be one of {SCORER_KINDS}")
    _REGISTRY[cls.name] = cls
    return cls


def available_scorers() -> list[str]:
    """The registered scorers' names (the built-in ones register when the package loads)."""
    return sorted(_REGISTRY)


def scorer_class(name: str) -> type[StructureScorer]:
    """The registered class of ``name``; :class:`ScorerError` with a suggestion otherwise."""
    if name not in _REGISTRY:
        from drugml._util.suggest import suggest

        raise ScorerError(
            f"no scorer {name!r}{suggest(name, _REGISTRY)}; available: {sorted(_REGISTRY)}"
        )
    return _REGISTRY[name]


def make_scorer(name: str, **params: Any) -> StructureScorer:
    """An instance of the scorer ``name`` with ``params``.

    Example
    -------
    >>> from drugml.structure.scoring import make_scorer
    >>> make_scorer("docking_score").kind
    'docking'
    """
    cls = scorer_class(name)
    try:
        return cls(**params)
    except TypeError as exc:
        raise ScorerError(f"scorer {name!r}: {exc}") from None
