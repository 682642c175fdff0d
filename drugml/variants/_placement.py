"""Variants placed on a structure: each protein change's residue in the structure, its
distance to the ligand, and whether it lines the pocket or is a key or covalent residue.

Example
-------
>>> import pandas as pd
>>> from drugml.variants import map_variants, read_variants, reference_from_pdb
>>> table = read_variants(pd.DataFrame({"mutation": ["T790M", "L858R", "R108K"]}), gene="EGFR")
>>> mapped = map_variants(table, reference_from_pdb("egfr_1m17", "A"), "egfr_1m17", "A", "AQ4")
>>> mapped[["protein_change", "status", "structure_residue", "lines_pocket"]]
  protein_change             status structure_residue  lines_pocket
0          T790M             mapped          THR766.A          True
1          L858R             mapped          LEU834.A         False
2          R108K  outside_structure              None          <NA>
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml.variants._mapping import (
    StructureMappingError,
    as_structure,
    protein_chain,
    sequence_mapping,
)
from drugml.variants._table import MAPPED_COLUMNS, VARIANT_COLUMNS, _check_table

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from drugml.structure import Ligand, Structure
    from drugml.variants._reference import ReferenceSequence

__all__ = ["map_variants"]

# Statuses a row may have before placement and be placed (again): a table read by
# read_variants, or one already placed on another structure.
_PLACEABLE = frozenset({"parsed", "mapped", "outside_structure", "reference_mismatch"})
_RESIDUE = re.compile(r"(?:p\.)?(?P<letters>[A-Za-z]{1,3})?(?P<number>[1-9]\d*)")
_HYDROGENS = frozenset({"H", "D"})


def map_variants(
    table: pd.DataFrame,
    reference: ReferenceSequence,
    structure: Structure | str | Path,
    chain: str | None = None,
    ligand: str | Ligand | None = None,
    pocket_cutoff: float = 5.0,
    key_residues: Iterable[str | int] = (),
    covalent_residues: Iterable[str | int] = (),
    *,
    min_identity: float = 0.5,
) -> pd.DataFrame:
    """Place a variant table's protein changes on a structure, through the reference sequence.

    ``table`` is what :func:`~drugml.variants.read_variants` gives; ``reference`` the
    protein's sequence in UniProt numbering, the numbering of the protein changes; it is
    aligned to ``chain`` (default: the first protein chain) by
    :func:`~drugml.variants.sequence_mapping`. The table comes back with its rows in
    order, none added or dropped, and the columns of
    :data:`~drugml.variants.MAPPED_COLUMNS` added (replaced if present). The distance is
    to ``ligand`` (a residue name such as ``"AQ4"``; none: no distance, no pocket);
    ``key_residues`` and ``covalent_residues`` are named in UniProt numbering (``"M793"``,
    ``"Met793"`` or ``793``; a letter that differs from the reference raises an error:
    a residue named in the structure's numbering, most likely).

    Statuses: rows neither ``parsed`` nor already placed keep theirs. A parsed row on
    another gene than the reference's ``name`` (where both are known) becomes
    ``other_gene``; one whose positions all lie outside the reference, or are not
    modelled, ``outside_structure``; one whose named residue (``reference`` at ``start``,
    and its last letter at ``end`` for a span) differs from the reference sequence,
    ``reference_mismatch``; the rest ``mapped``. A span (deletion, insertion, delins,
    duplication) is mapped if any of its residues is modelled, and its distance is the
    shortest of them. Every status but ``mapped`` comes with the reason; a mapped row's
    reason notes a partly modelled span or a structure residue other than the
    reference's (a mutant structure).

    >>> import pandas as pd
    >>> from drugml.variants import read_variants, reference_from_pdb
    >>> table = read_variants(pd.DataFrame({"mutation": ["C797S", "A858R"]}), gene="EGFR")
    >>> out = map_variants(
    ...     table, reference_from_pdb("egfr_1m17"), "egfr_1m17", covalent_residues=["C797"]
    ... )
    >>> out[["protein_change", "status", "structure_residue", "covalent_residue"]]
      protein_change              status structure_residue  covalent_residue
    0          C797S              mapped          CYS773.A              True
    1          A858R  reference_mismatch              None             False
    >>> out.reason[1]
    'the change names A858, but the reference has L858'
    """

    _check_table(table, VARIANT_COLUMNS)
    if (
        isinstance(pocket_cutoff, bool)
        or not isinstance(pocket_cutoff, (int, float))
        or not (pocket_cutoff > 0)
    ):
        raise StructureMappingError(f"pocket_cutoff is a distance in Å > 0, got {pocket_cutoff!r}")
    key = _residue_numbers(key_residues, reference, "key_residues")
    covalent = _residue_numbers(covalent_residues, reference, "covalent_residues")
    structure = as_structure(structure)
    chain = protein_chain(structure, chain)
    ligand_xyz = _ligand_coordinates(structure, ligand) if ligand is not None else None
    mapping = sequence_mapping(reference, structure, chain, min_identity)
    placer = _Placer(reference, structure, chain, mapping, ligand_xyz, pocket_cutoff)
    rows = []
    for fields in table[list(VARIANT_COLUMNS)].to_dict("records"):
        if fields["status"] in _PLACEABLE:
            rows.append(placer.place(fields, key, covalent))
        else:
            rows.append({"status": fields["status"], "reason": fields["reason"]})
    out = _with_placements(table, rows)
    out.attrs.update(mapping.attrs)
    return out


def _with_placements(table: pd.DataFrame, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The table with each row's status and reason replaced and the structure columns added."""
    import pandas as pd

    placed = pd.DataFrame.from_records(rows, columns=["status", "reason", *MAPPED_COLUMNS])
    out = table.drop(columns=[c for c in MAPPED_COLUMNS if c in table.columns]).copy()
    out["status"] = pd.Series(placed["status"].tolist(), index=out.index, dtype=object)
    out["reason"] = pd.Series(
        [None if pd.isna(reason) else reason for reason in placed["reason"]],
        index=out.index,
        dtype=object,
    )
    dtypes = ("object", "Int64", "Float64", "boolean", "bool", "bool")
    for column, dtype in zip(MAPPED_COLUMNS, dtypes, strict=True):
        values = [None if pd.isna(value) else value for value in placed[column]]
        if dtype == "bool":
            values = [bool(value) for value in values]
        out[column] = pd.Series(values, index=out.index, dtype=dtype)
    return out


def _residue_numbers(
    residues: Iterable[str | int], reference: ReferenceSequence, option: str
) -> frozenset[int]:
    """UniProt numbers of residues named as ``793``, ``"M793"`` or ``"Met793"``; a letter that
    disagrees with the reference raises an error."""
    from drugml.structure import one_letter_code

    if isinstance(residues, (str, int)):
        residues = [residues]
    numbers = set()
    for item in residues:
        if isinstance(item, int) and not isinstance(item, bool) and item >= 1:
            numbers.add(item)
            continue
        match = _RESIDUE.fullmatch(str(item).strip())
        letters = (match["letters"] or "") if match else ""
        letter = one_letter_code(letters) if len(letters) == 3 else letters.upper() or None
        if match is None or len(letters) == 2 or (letters and letter is None):
            raise StructureMappingError(
                f"{option}: cannot read {item!r} as a residue; name it in UniProt numbering "
                "as 793, 'M793' or 'Met793'"
            )
        number = int(match["number"])
        if letter and number in reference and reference.residue(number) != letter:
            raise StructureMappingError(
                f"{option}: {item!r} names {letter}{number}, but the reference "
                f"({reference.describe()}) has {reference.label(number)}. Residues are named "
                "in UniProt numbering, not the structure's"
            )
        numbers.add(number)
    return frozenset(numbers)


def _ligand_coordinates(structure: Structure, ligand: str | Ligand) -> np.ndarray:
    import numpy as np

    residue = structure.ligand_residue(ligand)  # a StructureError naming the ligands there are
    heavy = [atom.coord for atom in residue.get_atoms() if atom.element not in _HYDROGENS]
    return np.array(heavy, dtype=float).reshape(-1, 3)


class _Placer:
    """Places one variant row at a time on a mapped structure, caching residue distances."""

    def __init__(
        self,
        reference: ReferenceSequence,
        structure: Structure,
        chain: str,
        mapping: pd.DataFrame,
        ligand_xyz: np.ndarray | None,
        pocket_cutoff: float,
    ) -> None:
        self.reference = reference
        self.where = f"{structure.name} chain {chain}"
        self.ligand_xyz = ligand_xyz
        self.pocket_cutoff = pocket_cutoff
        modelled = mapping[mapping["status"] != "not_modelled"]
        # reference number -> (structure id, structure number, insertion code, letter)
        self.modelled = {
            int(number): (structure_id, int(structure_number), icode, letter)
            for number, structure_id, structure_number, icode, letter in zip(
                modelled["reference_number"],
                modelled["structure_id"],
                modelled["structure_residue_number"],
                modelled["insertion_code"],
                modelled["structure_residue"],
                strict=True,
            )
        }
        self.residues: dict[tuple[int, str], Any] = {}
        for residue in structure.model[chain]:
            self.residues.setdefault((residue.id[1], residue.id[2].strip()), residue)
        self.distances: dict[int, float] = {}

    def place(self, row: dict[str, Any], key: frozenset[int], covalent: frozenset[int]) -> dict:
        """The row's status, reason and structure columns."""
        gene, name = row["gene"], self.reference.name
        if isinstance(gene, str) and name is not None and gene.upper() != name.upper():
            return {
                "status": "other_gene",
                "reason": f"gene {gene}, not the reference's {name}",
            }
        start, end = int(row["start"]), int(row["end"])
        span = range(start, end + 1)
        flags = {
            "key_residue": any(n in key for n in span),
            "covalent_residue": any(n in covalent for n in span),
        }
        inside = [n for n in span if n in self.reference]
        if not inside:
            return flags | {"status": "outside_structure", "reason": self._outside(start, end)}
        mismatch = self._mismatch(row["reference"] or "", start, end)
        if mismatch:
            return flags | {"status": "reference_mismatch", "reason": mismatch}
        modelled = [n for n in span if n in self.modelled]
        if not modelled:
            return flags | {
                "status": "outside_structure",
                "reason": f"{_span_words(start, end)} not modelled in {self.where}",
            }
        return flags | self._mapped(span, modelled)

    def _outside(self, start: int, end: int) -> str:
        return (
            f"{_span_words(start, end)} outside the reference sequence "
            f"{self.reference.describe()}, residues {self.reference.start}-{self.reference.end}"
        )

    def _mismatch(self, letters: str, start: int, end: int) -> str | None:
        named = [(start, letters[:1])] + ([(end, letters[-1:])] if end != start else [])
        wrong = [
            (f"{letter}{number}", self.reference.label(number))
            for number, letter in named
            if letter
            and number in self.reference
            and "X" not in (letter, self.reference.residue(number))
            and letter != self.reference.residue(number)
        ]
        if not wrong:
            return None
        return "; ".join(f"the change names {a}, but the reference has {b}" for a, b in wrong)

    def _mapped(self, span: range, modelled: list[int]) -> dict[str, Any]:
        first, last = self.modelled[modelled[0]], self.modelled[modelled[-1]]
        residue = first[0] if len(modelled) == 1 else f"{first[0]}_{last[0]}"
        notes = []
        if len(modelled) < len(span):
            missing = [n for n in span if n not in self.modelled]
            notes.append(f"residues {', '.join(map(str, missing))} of the span not modelled")
        for number in modelled:
            if self.modelled[number][3] not in (self.reference.residue(number), "X"):
                notes.append(
                    f"the structure has {self.modelled[number][0].split('.')[0]} where the "
                    f"reference has {self.reference.label(number)}"
                )
        distance = None
        if self.ligand_xyz is not None:
            distance = min(self._distance(number) for number in modelled)
        return {
            "status": "mapped",
            "reason": "; ".join(notes) or None,
            "structure_residue": residue,
            "structure_number": first[1],
            "distance_to_ligand": distance,
            "lines_pocket": None if distance is None else distance <= self.pocket_cutoff,
        }

    def _distance(self, number: int) -> float:
        """Shortest heavy-atom distance (Å) between reference residue ``number``'s structure
        residue and the ligand."""
        import numpy as np

        if number not in self.distances:
            _, structure_number, icode, _ = self.modelled[number]
            residue = self.residues[(structure_number, icode)]
            atoms = [a.coord for a in residue.get_atoms() if a.element not in _HYDROGENS]
            xyz = np.array(atoms, dtype=float).reshape(-1, 3)
            if len(xyz) == 0 or len(self.ligand_xyz) == 0:
                self.distances[number] = float("nan")
            else:
                gaps = np.linalg.norm(xyz[:, None, :] - self.ligand_xyz[None, :, :], axis=-1)
                self.distances[number] = round(float(gaps.min()), 2)
        return self.distances[number]


def _span_words(start: int, end: int) -> str:
    return f"residue {start} is" if start == end else f"residues {start}-{end} are"
