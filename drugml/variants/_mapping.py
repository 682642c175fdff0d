"""A reference sequence (UniProt numbering) aligned to the residues a structure models.

:func:`sequence_mapping` pairs each reference residue with the structure residue it
aligns to, or marks it not modelled; :func:`mapping_summary` says what the pairing
amounts to: the numbering offset(s), the unmodelled stretches, the sequence identity
and, in one line of words, how the structure's numbering relates to UniProt's.

Example
-------
>>> from drugml.variants import mapping_summary, reference_from_pdb, sequence_mapping
>>> mapping = sequence_mapping(reference_from_pdb("egfr_1m17", "A"), "egfr_1m17", "A")
>>> mapping.set_index("reference_number").loc[790, "structure_id"]
'THR766.A'
>>> mapping_summary(mapping)["offsets"]
[{'offset': -24, 'first': 696, 'last': 1019, 'residues': 312}]
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml.variants._protein_change import VariantError

if TYPE_CHECKING:
    import pandas as pd

    from drugml.structure import Chain, Structure
    from drugml.variants._reference import ReferenceSequence

__all__ = [
    "MAPPING_COLUMNS",
    "MAPPING_STATUSES",
    "StructureMappingError",
    "mapping_summary",
    "sequence_mapping",
]

#: The columns of :func:`sequence_mapping`'s table, one row per reference residue.
MAPPING_COLUMNS = (
    "reference_number",
    "reference_residue",
    "structure_residue_number",
    "insertion_code",
    "structure_residue",
    "structure_id",
    "status",
)
#: A reference residue is ``identical`` to, or ``substituted`` by, the structure residue it
#: aligns to, or ``not_modelled`` (a gap in the structure: disordered, or outside the construct).
MAPPING_STATUSES = ("identical", "substituted", "not_modelled")

# The letters of BLOSUM62; any other (U, O) is aligned as X.
_BLOSUM_LETTERS = frozenset("ARNDCQEGHILKMFPSTWYVBZX*")


class StructureMappingError(VariantError):
    """A reference cannot be placed on a structure as asked: a chain without modelled
    residues, a chain of another protein (identity too low), a bad option."""


def as_structure(structure: Structure | str | Path) -> Structure:
    """A loaded structure, from a Structure, a file or a data set name."""
    from drugml.structure import Structure, load_structure

    return structure if isinstance(structure, Structure) else load_structure(structure)


def protein_chain(structure: Structure, chain: str | None) -> str:
    """``chain``, or the structure's first protein chain."""
    if chain is not None:
        return chain
    proteins = [c.id for c in structure.chains if c.type == "protein"]
    if not proteins:
        raise StructureMappingError(f"{structure.name} has no protein chain to map variants onto")
    return proteins[0]


def _aligner() -> Any:
    """Global alignment with free end gaps, scored by BLOSUM62.

    Global, because every modelled residue should find its place or be seen not to: a
    local alignment stops at the first poorly matching stretch (a mutated, tagged or
    homologous end) and drops the residues beyond it. End gaps cost nothing because the
    reference usually reaches past the modelled residues (full-length UniProt, a
    construct with disordered termini) and the structure may carry a tag the reference
    lacks. Internal gaps cost as usual: they are disordered loops, and BLOSUM62 keeps a
    homologue's or a mutant's residues in register.
    """
    from Bio.Align import PairwiseAligner, substitution_matrices

    aligner = PairwiseAligner(mode="global")
    aligner.substitution_matrix = substitution_matrices.load("BLOSUM62")
    aligner.open_gap_score = -10.0
    aligner.extend_gap_score = -0.5
    aligner.end_gap_score = 0.0
    return aligner


def _for_alignment(sequence: str) -> str:
    return "".join(x if x in _BLOSUM_LETTERS else "X" for x in sequence)


def sequence_mapping(
    reference: ReferenceSequence,
    structure: Structure | str | Path,
    chain: str | None = None,
    min_identity: float = 0.5,
) -> pd.DataFrame:
    """Each reference residue (UniProt numbering) paired with the structure residue it aligns to.

    The reference is aligned to the residues the chain models (Biopython's
    ``PairwiseAligner``: global, end gaps free, BLOSUM62; see ``_aligner`` for why). One
    row per reference residue in the columns of :data:`MAPPING_COLUMNS`:
    ``reference_number``, ``reference_residue``, the structure's
    ``structure_residue_number`` and ``insertion_code``, its one-letter
    ``structure_residue``, its ``structure_id`` as drugml names residues elsewhere
    (``"THR766.A"``: name, number, insertion code, chain) and the ``status`` of
    :data:`MAPPING_STATUSES`. Structure residues that align to no reference residue
    (a tag) have no row; ``mapping.attrs`` lists them under ``unaligned_structure``,
    with the structure, chain and reference the summary names.

    ``chain`` defaults to the first protein chain. Raises :class:`StructureMappingError`
    for a chain that models no amino acid, or whose identity to the reference over the
    aligned residues is below ``min_identity`` (the wrong chain, or another protein).

    >>> from drugml.variants import reference_from_pdb
    >>> mapping = sequence_mapping(reference_from_pdb("egfr_1m17", "A"), "egfr_1m17", "A")
    >>> mapping.iloc[95:97, :6].values.tolist()
    [[790, 'T', 766, '', 'T', 'THR766.A'], [791, 'Q', 767, '', 'Q', 'GLN767.A']]
    >>> mapping.status.value_counts().to_dict()
    {'identical': 312, 'not_modelled': 16}
    """
    import pandas as pd

    if not 0.0 <= min_identity <= 1.0:
        raise StructureMappingError(f"min_identity is a fraction in [0, 1], got {min_identity!r}")
    structure = as_structure(structure)
    chain = protein_chain(structure, chain)
    modelled = _modelled_chain(structure, chain)
    labels = _residue_labels(structure, chain, modelled.residue_ids)
    alignment = _aligner().align(
        _for_alignment(reference.sequence), _for_alignment(modelled.sequence)
    )[0]
    pairs = {
        i: j
        for (a0, a1), (b0, b1) in zip(*alignment.aligned, strict=True)
        for i, j in zip(range(a0, a1), range(b0, b1), strict=True)
    }
    rows = []
    for i, letter in enumerate(reference.sequence):
        j = pairs.get(i)
        if j is None:
            rows.append((reference.number_of(i), letter, None, None, None, None, "not_modelled"))
            continue
        number, icode = modelled.residue_ids[j]
        in_structure = modelled.sequence[j]
        same = in_structure == letter or "X" in (in_structure, letter)
        status = "identical" if same else "substituted"
        rows.append(
            (reference.number_of(i), letter, number, icode.strip(), in_structure, labels[j], status)
        )
    mapping = pd.DataFrame(rows, columns=list(MAPPING_COLUMNS))
    mapping["structure_residue_number"] = mapping["structure_residue_number"].astype("Int64")
    for column in ("reference_residue", "insertion_code", "structure_residue", "structure_id"):
        values = mapping[column].astype(object)
        mapping[column] = values.where(values.notna(), None)
    mapping["status"] = mapping["status"].astype(object)
    _check_identity(mapping, reference, structure, chain, min_identity)
    aligned = set(pairs.values())
    mapping.attrs.update(
        structure=structure.name,
        chain=chain,
        reference=reference.describe(),
        gene=reference.name,
        reference_source=reference.source,
        unaligned_structure=[label for j, label in enumerate(labels) if j not in aligned],
    )
    return mapping


def _modelled_chain(structure: Structure, chain: str) -> Chain:
    modelled = structure.chain(chain)  # a StructureError naming the chains there are
    if modelled.type != "protein" or not modelled.sequence:
        raise StructureMappingError(
            f"Chain {chain!r} of {structure.name} models no amino-acid residues (it is "
            f"{modelled.type}); protein chains: "
            f"{[c.id for c in structure.chains if c.type == 'protein'] or 'none'}"
        )
    return modelled


def _residue_labels(
    structure: Structure, chain: str, residue_ids: tuple[tuple[int, str], ...]
) -> list[str]:
    """Each modelled residue's id as drugml spells residues elsewhere (``"MET769.A"``)."""
    names: dict[tuple[int, str], str] = {}
    for residue in structure.model[chain]:
        names.setdefault((residue.id[1], residue.id[2]), residue.get_resname().strip())
    return [f"{names[(n, icode)]}{n}{icode.strip()}.{chain}" for n, icode in residue_ids]


def _check_identity(
    mapping: pd.DataFrame,
    reference: ReferenceSequence,
    structure: Structure,
    chain: str,
    min_identity: float,
) -> None:
    aligned = int((mapping["status"] != "not_modelled").sum())
    identical = int((mapping["status"] == "identical").sum())
    identity = identical / aligned if aligned else 0.0
    if aligned == 0 or identity < min_identity:
        others = [c.id for c in structure.chains if c.type == "protein" and c.id != chain]
        raise StructureMappingError(
            f"{structure.name} chain {chain} is not {reference.describe()}: "
            f"{identity:.0%} identity over {aligned} aligned residues (min_identity "
            f"{min_identity:.0%}). Check the chain (other protein chains: {others or 'none'}) "
            "and the reference sequence"
        )


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted integers as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


def _ranges_in_words(runs: list[tuple[int, int]]) -> str:
    parts = [f"{a}" if a == b else f"{a}-{b}" for a, b in runs]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def mapping_summary(mapping: pd.DataFrame, example: int | None = None) -> dict[str, Any]:
    """What a :func:`sequence_mapping` amounts to, in numbers and in one line of words.

    Keys: ``structure``, ``chain``, ``reference``; ``offsets``, the numbering offsets
    (structure number - reference number) with the reference range each holds over
    (``first``, ``last``, ``residues`` aligned: one entry where the structure numbers the
    protein consistently); ``gaps``, the unmodelled reference ranges as (first, last)
    pairs; ``aligned``, ``identical`` and ``identity`` (identical / aligned);
    ``substitutions``, where the structure's residue differs from the reference
    (``"T790M"``: a mutant structure); ``unaligned_structure``, modelled residues with no
    reference residue (a tag); and ``description``, all of it in one line, where a
    residue shows an offset: ``example`` (a UniProt number) if it is aligned, else the
    middle aligned residue.

    >>> from drugml.variants import reference_from_pdb, sequence_mapping
    >>> summary = mapping_summary(
    ...     sequence_mapping(reference_from_pdb("egfr_1m17", "A"), "egfr_1m17", "A")
    ... )
    >>> summary["gaps"], summary["identity"]
    ([(695, 695), (989, 1000), (1020, 1022)], 1.0)
    >>> print(summary["description"])  # doctest: +NORMALIZE_WHITESPACE
    egfr_1m17 chain A numbers EGFR 24 lower than UniProt (K852 is LYS828);
    residues 695, 989-1000 and 1020-1022 not modelled; identity 100% over 312 aligned residues
    """
    missing = [c for c in MAPPING_COLUMNS if c not in mapping.columns]
    if missing:
        raise StructureMappingError(
            "Not a sequence mapping (make one with sequence_mapping): it lacks the columns "
            + ", ".join(missing)
        )
    aligned = mapping[mapping["status"] != "not_modelled"]
    offsets: list[dict[str, int]] = []
    for number, structure_number in zip(
        aligned["reference_number"], aligned["structure_residue_number"], strict=True
    ):
        offset = int(structure_number) - int(number)
        if offsets and offsets[-1]["offset"] == offset:
            offsets[-1].update(last=int(number), residues=offsets[-1]["residues"] + 1)
        else:
            offsets.append({"offset": offset, "first": int(number), "last": int(number)})
            offsets[-1]["residues"] = 1
    substituted = aligned[aligned["status"] == "substituted"]
    summary: dict[str, Any] = {
        "structure": mapping.attrs.get("structure", "the structure"),
        "chain": mapping.attrs.get("chain", "?"),
        "reference": mapping.attrs.get("reference", "the reference"),
        "offsets": offsets,
        "gaps": _runs(
            mapping.loc[mapping["status"] == "not_modelled", "reference_number"].tolist()
        ),
        "aligned": len(aligned),
        "identical": int((aligned["status"] == "identical").sum()),
        "identity": round(float((aligned["status"] == "identical").mean()), 4)
        if len(aligned)
        else 0.0,
        "substitutions": [
            f"{a}{n}{b}"
            for a, n, b in zip(
                substituted["reference_residue"],
                substituted["reference_number"],
                substituted["structure_residue"],
                strict=True,
            )
        ],
        "unaligned_structure": list(mapping.attrs.get("unaligned_structure", [])),
    }
    summary["description"] = _describe(summary, aligned, mapping.attrs.get("gene"), example)
    return summary


def _example(by_number: pd.DataFrame, run: dict[str, int], number: int | None) -> str:
    """One residue of an offset's range in both numberings (``"T790 is THR766"``)."""
    inside = by_number.loc[run["first"] : run["last"]]
    if number is None or number not in inside.index:
        same = inside[inside["status"] == "identical"]
        pick = same if len(same) else inside
        number = int(pick.index[len(pick) // 2])
    row = inside.loc[number]
    return f"{row['reference_residue']}{number} is {row['structure_id'].split('.')[0]}"


def _describe(
    summary: dict[str, Any], aligned: pd.DataFrame, gene: str | None, example: int | None
) -> str:
    protein = gene or "the protein"
    by_number = aligned.set_index("reference_number")
    parts = []
    for run in summary["offsets"]:
        offset = run["offset"]
        if offset == 0:
            words = f"numbers {protein} as UniProt does"
        else:
            words = f"numbers {protein} {abs(offset)} {'lower' if offset < 0 else 'higher'} "
            words += f"than UniProt ({_example(by_number, run, example)})"
        if len(summary["offsets"]) > 1:
            words += f" over {run['first']}-{run['last']}"
        parts.append(words)
    text = f"{summary['structure']} chain {summary['chain']} " + ", ".join(parts)
    if summary["gaps"]:
        plural = (
            "s"
            if len(summary["gaps"]) > 1 or summary["gaps"][0][0] != summary["gaps"][0][1]
            else ""
        )
        text += f"; residue{plural} {_ranges_in_words(summary['gaps'])} not modelled"
    text += f"; identity {summary['identity']:.0%} over {summary['aligned']} aligned residues"
    substitutions = summary["substitutions"]
    if substitutions:
        shown = ", ".join(substitutions[:6]) + (
            f" ... ({len(substitutions)} in all)" if len(substitutions) > 6 else ""
        )
        text += f"; the structure differs from the reference at {shown}"
    if summary["unaligned_structure"]:
        text += f"; {len(summary['unaligned_structure'])} modelled residues outside the reference"
    return text
