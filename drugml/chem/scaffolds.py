"""Bemis-Murcko scaffolds: the ring systems and linkers that define a chemical series.

The scaffold split of the models step groups molecules by these scaffolds so
that a test set holds chemotypes the model has not seen.

- ``murcko_scaffold``: rings plus the linkers between them, side chains removed
  (Bemis & Murcko 1996), atoms and bond orders kept, stereo dropped (DeepChem's
  convention, so that stereoisomers fall into one series).
- ``generic`` scaffolds also turn every atom into carbon and every bond single
  (the "framework"), so that a pyridine and a benzene series share one.

Acyclic molecules have the empty scaffold ``""``.

Example
-------
>>> murcko_scaffold("COc1cc2ncnc(Nc3cccc(Cl)c3)c2cc1OC")
'c1ccc(Nc2ncnc3ccccc23)cc1'
>>> murcko_scaffold("COc1cc2ncnc(Nc3cccc(Cl)c3)c2cc1OC", generic=True)
'C1CCC(CC2CCCC3CCCCC32)CC1'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from drugml.errors import DrugmlError

if TYPE_CHECKING:
    import pandas as pd
    from rdkit import Chem

__all__ = ["ScaffoldError", "murcko_scaffold", "scaffold_table", "scaffolds"]


class ScaffoldError(DrugmlError, ValueError):
    """Scaffolds cannot be tabulated from the arguments given (e.g. ids that do not match
    the molecules one to one); the message says what does not fit."""


#: Private (underscore) computed property: never written to an SD file.
_CACHED = "_drugml_murcko_scaffold"


def murcko_scaffold(mol: Chem.Mol | str, generic: bool = False) -> str | None:
    """Canonical SMILES of a molecule's Bemis-Murcko scaffold; ``None`` if it cannot be parsed.

    >>> murcko_scaffold("CCO")
    ''
    >>> murcko_scaffold("not a molecule") is None
    True
    """
    from rdkit import Chem
    from rdkit.Chem.Scaffolds import MurckoScaffold

    from drugml.chem import to_mol

    parsed = to_mol(mol)
    if parsed is None:
        return None
    if not generic and parsed.HasProp(_CACHED):
        return parsed.GetProp(_CACHED)
    # Stereo is dropped (as in DeepChem's scaffold splitter): stereoisomers share a series.
    scaffold = MurckoScaffold.MurckoScaffoldSmiles(mol=parsed, includeChirality=False)
    if not generic:
        # Kept on the molecule, as RDKit keeps its own computed properties: a
        # split and the models of one notebook ask for the same scaffolds.
        parsed.SetProp(_CACHED, scaffold, computed=True)
    if generic and scaffold:
        core = MurckoScaffold.MakeScaffoldGeneric(Chem.MolFromSmiles(scaffold))
        # Re-parse so the generic framework drops the ring atoms' old H counts.
        core = Chem.MolFromSmiles(Chem.MolToSmiles(core))
        return Chem.MolToSmiles(MurckoScaffold.GetScaffoldForMol(core)) if core else None
    return scaffold


def scaffolds(molecules: Sequence[Any], generic: bool = False) -> list[str | None]:
    """Scaffold SMILES for each molecule, in order (``None`` where parsing failed).

    >>> scaffolds(["c1ccccc1CC", "c1ccccc1CCC", "CC"])
    ['c1ccccc1', 'c1ccccc1', '']
    """
    from rdkit import rdBase

    with rdBase.BlockLogs():
        return [murcko_scaffold(m, generic=generic) for m in molecules]


def scaffold_table(
    molecules: Sequence[Any],
    generic: bool = False,
    ids: Sequence[Any] | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    """Frequency of each scaffold: ``scaffold``, ``count``, ``fraction``, ``example_id``.

    Sorted by count (ties by scaffold SMILES, so the order is deterministic).
    Unparsable molecules are counted under the scaffold ``None``.

    >>> table = scaffold_table(["c1ccccc1C", "c1ccccc1N", "C1CC1"])
    >>> table[["scaffold", "count"]].to_numpy().tolist()
    [['c1ccccc1', 2], ['C1CC1', 1]]
    """
    import pandas as pd

    values = scaffolds(molecules, generic=generic)
    ids = list(ids) if ids is not None else list(range(len(values)))
    if len(ids) != len(values):
        raise ScaffoldError(f"Got {len(values)} molecules but {len(ids)} ids.")
    frame = pd.DataFrame({"scaffold": values, "id": ids})
    frame["scaffold"] = frame["scaffold"].astype(object)
    grouped = (
        frame.groupby("scaffold", dropna=False, sort=False)
        .agg(count=("id", "size"), example_id=("id", "first"))
        .reset_index()
    )
    grouped["fraction"] = grouped["count"] / len(frame) if len(frame) else 0.0
    grouped["_key"] = grouped["scaffold"].fillna("~")
    grouped = grouped.sort_values(["count", "_key"], ascending=[False, True]).drop(columns="_key")
    grouped = grouped[["scaffold", "count", "fraction", "example_id"]].reset_index(drop=True)
    grouped["scaffold"] = (
        grouped["scaffold"].astype(object).where(grouped["scaffold"].notna(), None)
    )
    return grouped.head(top) if top is not None else grouped
