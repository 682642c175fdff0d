"""Structures compared: sequence identity, residue numbering mapped between files,
superposition on C-alpha atoms, and a ligand placed by analogy with a reference ligand."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.structure._structure import Chain, Structure, StructureError

if TYPE_CHECKING:
    import pandas as pd
    from rdkit import Chem


def sequence_identity(a: str, b: str) -> float:
    """Fraction of identical residues over the aligned positions of a global alignment.

    >>> sequence_identity("MKTAYIAK", "MKTAHIAK")
    0.875
    """
    aligner = _aligner()
    alignment = aligner.align(a, b)[0]
    pairs = [(i, j) for i, j in _aligned_pairs(alignment)]
    if not pairs:
        return 0.0
    return sum(a[i] == b[j] for i, j in pairs) / len(pairs)


def _aligner() -> Any:
    from Bio.Align import PairwiseAligner

    aligner = PairwiseAligner(
        mode="global",
        match_score=2,
        mismatch_score=-1,
        open_gap_score=-5,
        extend_gap_score=-0.5,
    )
    return aligner


def _aligned_pairs(alignment: Any) -> list[tuple[int, int]]:
    pairs = []
    for (a_start, a_end), (b_start, b_end) in zip(*alignment.aligned, strict=True):
        pairs.extend(zip(range(a_start, a_end), range(b_start, b_end), strict=True))
    return pairs


def superpose(
    structures: Sequence[Structure],
    chain_ids: Sequence[str] | None = None,
    cycles: int = 5,
    cutoff: float = 2.0,
) -> pd.DataFrame:
    """Superpose structures onto the first on C-alpha atoms of sequence-aligned residues.

    Like PyMOL's ``align``: after a fit on all aligned C-alpha pairs, pairs
    further apart than ``cutoff`` Å (flexible loops, tails) are dropped and the
    fit is repeated, up to ``cycles`` times. Every structure after the first is
    moved in place. One row per structure: ``name``, ``chain``, ``n_aligned``,
    ``sequence_identity`` (over aligned residues), ``rmsd_all`` (Å, all aligned
    pairs after the final fit), ``n_core`` and ``rmsd_core`` (the pairs kept).
    """
    import pandas as pd

    if len(structures) < 2:
        raise StructureError("superpose needs at least two structures")
    if chain_ids is None:
        chain_ids = _first_protein_chains(structures)
    reference, ref_chain = structures[0], chain_ids[0]
    ref_seq = reference.chain(ref_chain)
    ref_ca = reference.ca_atoms(ref_chain)
    rows = [
        {
            "name": reference.name,
            "chain": ref_chain,
            "n_aligned": len(ref_ca),
            "sequence_identity": 1.0,
            "rmsd_all": 0.0,
            "n_core": len(ref_ca),
            "rmsd_core": 0.0,
        }
    ]
    for structure, chain_id in zip(structures[1:], chain_ids[1:], strict=True):
        fixed, moving, same = _aligned_ca(reference, ref_seq, ref_ca, structure, chain_id)
        imposer, keep, deviation = _fit(fixed, moving, cycles, cutoff)
        imposer.apply(list(structure.model.get_atoms()))
        rows.append(
            {
                "name": structure.name,
                "chain": chain_id,
                "n_aligned": len(fixed),
                "sequence_identity": round(same / len(fixed), 4),
                "rmsd_all": round(float(np.sqrt(np.mean(deviation**2))), 3),
                "n_core": int(keep.sum()),
                "rmsd_core": round(float(np.sqrt(np.mean(deviation[keep] ** 2))), 3),
            }
        )
    return pd.DataFrame(rows)


def _first_protein_chains(structures: Sequence[Structure]) -> list[str]:
    chain_ids = []
    for structure in structures:
        proteins = [c.id for c in structure.chains if c.type == "protein"]
        if not proteins:
            raise StructureError(f"{structure.name} has no protein chain to superpose on")
        chain_ids.append(proteins[0])
    return chain_ids


def _aligned_ca(
    reference: Structure,
    ref_seq: Chain,
    ref_ca: dict[tuple[int, str], Any],
    structure: Structure,
    chain_id: str,
) -> tuple[list[Any], list[Any], int]:
    """The C-alpha atoms of sequence-aligned residues (reference's, structure's) and how many
    of the pairs are the same residue type."""
    mobile_seq = structure.chain(chain_id)
    mobile_ca = structure.ca_atoms(chain_id)
    alignment = _aligner().align(ref_seq.sequence, mobile_seq.sequence)[0]
    fixed, moving, same = [], [], 0
    for i, j in _aligned_pairs(alignment):
        a = ref_ca.get(ref_seq.residue_ids[i])
        b = mobile_ca.get(mobile_seq.residue_ids[j])
        if a is not None and b is not None:
            fixed.append(a)
            moving.append(b)
            same += ref_seq.sequence[i] == mobile_seq.sequence[j]
    if len(fixed) < 3:
        raise StructureError(
            f"Fewer than 3 aligned C-alpha atoms between {reference.name} and {structure.name}"
        )
    return fixed, moving, same


def _fit(
    fixed: list[Any], moving: list[Any], cycles: int, cutoff: float
) -> tuple[Any, np.ndarray, np.ndarray]:
    """The superimposer of the final fit, the pairs kept (within ``cutoff`` Å after each
    refit), and every pair's deviation after the final fit."""
    from Bio.PDB import Superimposer

    target = np.array([atom.coord for atom in fixed], dtype=float)
    probe = np.array([atom.coord for atom in moving], dtype=float)
    keep = np.ones(len(fixed), dtype=bool)
    imposer = Superimposer()
    for _ in range(max(1, cycles)):
        chosen = np.flatnonzero(keep)
        imposer.set_atoms([fixed[k] for k in chosen], [moving[k] for k in chosen])
        rotation, translation = imposer.rotran
        deviation = np.linalg.norm(probe @ rotation + translation - target, axis=1)
        pruned = deviation <= cutoff
        if pruned.sum() < 3 or np.array_equal(pruned, keep):
            break
        keep = pruned
    rotation, translation = imposer.rotran
    deviation = np.linalg.norm(probe @ rotation + translation - target, axis=1)
    return imposer, keep, deviation


def place_like_reference(mol: Chem.Mol, reference: Chem.Mol, seed: int = 0) -> Chem.Mol:
    """A 3D pose of ``mol`` in a binding site, by analogy with a reference ligand. Not docking.

    The atoms of the maximum common substructure (MCS) take the reference's
    coordinates, the rest is embedded by RDKit's ETKDG around them, and the
    result is aligned onto the reference on the MCS atoms. Good for showing a
    close analogue in the pocket; meaningless for an unrelated molecule (the
    property ``mcs_atoms`` says how many atoms were anchored; with fewer than
    three the molecule is only centred on the reference).

    >>> from drugml.structure import load_structure
    >>> s = load_structure("egfr_1m17")
    >>> erlotinib = s.ligand_mol("AQ4", "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC")
    >>> from rdkit import Chem
    >>> gefitinib = Chem.MolFromSmiles("COc1cc2ncnc(Nc3ccc(F)c(Cl)c3)c2cc1OCCCN1CCOCC1")
    >>> pose = place_like_reference(gefitinib, erlotinib)
    >>> pose.GetIntProp("mcs_atoms") >= 15
    True
    """
    from rdkit import Chem
    from rdkit.Chem import rdMolAlign

    if reference.GetNumConformers() == 0:
        raise StructureError(
            "The reference ligand has no coordinates; take it from its structure with "
            "Structure.ligand_mol"
        )
    with_h = Chem.AddHs(mol)
    pairs = _mcs_pairs(mol, with_h, reference)
    status = _embed(with_h, pairs, reference, seed)
    if status < 0:
        raise StructureError(f"RDKit could not embed {Chem.MolToSmiles(mol)} in 3D")
    if len(pairs) >= 3:
        rdMolAlign.AlignMol(with_h, reference, atomMap=pairs)
    else:
        _centre_on(with_h, reference)
    pose = Chem.RemoveHs(with_h)
    pose.SetIntProp("mcs_atoms", len(pairs))
    return pose


def _mcs_pairs(mol: Chem.Mol, with_h: Chem.Mol, reference: Chem.Mol) -> list[tuple[int, int]]:
    """(atom of ``with_h``, atom of ``reference``) pairs of their maximum common substructure
    (complete rings only)."""
    from rdkit import Chem
    from rdkit.Chem import rdFMCS

    mcs = rdFMCS.FindMCS(
        [mol, reference], timeout=5, ringMatchesRingOnly=True, completeRingsOnly=True
    )
    core = Chem.MolFromSmarts(mcs.smartsString) if mcs.numAtoms else None
    mol_match = with_h.GetSubstructMatch(core) if core is not None else ()
    ref_match = reference.GetSubstructMatch(core) if core is not None else ()
    return list(zip(mol_match, ref_match, strict=False)) if mol_match and ref_match else []


def _embed(with_h: Chem.Mol, pairs: list[tuple[int, int]], reference: Chem.Mol, seed: int) -> int:
    """Embed ``with_h`` in place, its MCS atoms (with three or more) at the reference's
    coordinates; RDKit's status (negative: failed)."""
    from rdkit.Chem import AllChem
    from rdkit.Geometry import Point3D

    ref_conf = reference.GetConformer()
    params = AllChem.ETKDGv3()
    params.randomSeed = seed
    if len(pairs) >= 3:
        coord_map = {m: Point3D(*ref_conf.GetAtomPosition(r)) for m, r in pairs}
        status = AllChem.EmbedMolecule(
            with_h, coordMap=coord_map, randomSeed=seed, useRandomCoords=True
        )
        if status < 0:
            status = AllChem.EmbedMolecule(with_h, params)
    else:
        status = AllChem.EmbedMolecule(with_h, params)
    return status


def _centre_on(with_h: Chem.Mol, reference: Chem.Mol) -> None:
    """Move ``with_h`` (in place) so that its centre is the reference's."""
    from rdkit.Geometry import Point3D

    centre = np.mean(reference.GetConformer().GetPositions(), axis=0)
    conf = with_h.GetConformer()
    shift = centre - np.mean(conf.GetPositions(), axis=0)
    for i in range(with_h.GetNumAtoms()):
        conf.SetAtomPosition(i, Point3D(*(np.array(conf.GetAtomPosition(i)) + shift)))


def residue_mapping(
    structure: Structure,
    reference: Structure,
    reference_chain: str | None = None,
    chain: str | None = None,
) -> dict[int, int]:
    """Residue numbers of ``structure`` mapped to those of ``reference`` by sequence alignment.

    Chains default to the first protein chain of each. Residues in gaps of the
    alignment are left out. Use it to compare binding sites of structures whose
    files number residues differently.

    >>> from drugml.structure import load_structure
    >>> a, b = load_structure("egfr_1m17"), load_structure("egfr_5ug9")
    >>> residue_mapping(b, a)[793]  # 5UG9 numbers the full-length protein, 1M17 the mature one
    769
    """

    def first_protein(s: Structure) -> str:
        proteins = [c.id for c in s.chains if c.type == "protein"]
        if not proteins:
            raise StructureError(f"{s.name} has no protein chain")
        return proteins[0]

    mobile = structure.chain(chain or first_protein(structure))
    fixed = reference.chain(reference_chain or first_protein(reference))
    alignment = _aligner().align(fixed.sequence, mobile.sequence)[0]
    return {mobile.residue_ids[j][0]: fixed.residue_ids[i][0] for i, j in _aligned_pairs(alignment)}
