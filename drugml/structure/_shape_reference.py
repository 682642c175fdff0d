"""Reference ligands for 3D shape and pharmacophore similarity: the pose each molecule is
overlaid on (:func:`drugml.structure.shape_similarity`).

A reference pose comes from one of three places:

- a **crystal structure**: the ligand residue of a complex, with bond orders from its
  SMILES (PDB files carry none, and the pharmacophore features need them);
- a **SMILES** alone: a generated pose, the lowest-MMFF-energy conformer of
  :data:`REFERENCE_CONFORMERS` ETKDG conformers (fixed seed, so the same pose every run);
- an **RDKit molecule** with a 3D conformer (a docked pose, a pose from another tool).

The crystal pose is the one to use when there is one: it is the shape the target binds, not
one of the ligand's many low-energy shapes in solution.

Example
-------
>>> from drugml.structure import reference_ligands
>>> [ref.name for ref in reference_ligands(
...     [("egfr_1m17", "AQ4", "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC")])]
['egfr_1m17:AQ4']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from drugml.structure._structure import Structure, StructureError, load_structure

if TYPE_CHECKING:
    from rdkit import Chem

__all__ = [
    "REFERENCE_CONFORMERS",
    "ReferenceLigand",
    "ShapeReferenceError",
    "crystal_ligand_pose",
    "reference_ligands",
]

#: ETKDG conformers generated for a reference given as SMILES; the lowest-MMFF-energy one is
#: the reference pose.
REFERENCE_CONFORMERS = 10

#: Embedding attempts per conformer, ETKDG's then random starting coordinates' (for the
#: molecules scored; a reference's conformers use the first). Of 600 approved drugs, those
#: that embed needed at most 125 failed attempts (99 % at most 32, one rescued by random
#: coordinates), while the few that never embed (buprenorphine, dolasetron) spent 20-90 s
#: each on RDKit's default of 10 per atom; these caps fail them in 2-5 s, and attempts
#: (unlike a time limit) keep the result the same on any machine.
_EMBED_ATTEMPTS = (100, 20)

#: What :func:`reference_ligands` accepts for one reference: a :class:`ReferenceLigand`, a
#: SMILES, an RDKit molecule with a 3D conformer, or ``(structure, ligand residue, SMILES)``.
ReferenceSpec = Union["ReferenceLigand", str, "Chem.Mol", tuple]


class ShapeReferenceError(StructureError):
    """No 3D reference pose can be made: the SMILES does not parse or embed, the molecule
    has no 3D conformer, or the structure's ligand cannot be read with its SMILES."""


@dataclass(frozen=True)
class ReferenceLigand:
    """One reference pose: ``name`` (shown in ``shape_reference``), ``mol`` (heavy atoms,
    one 3D conformer), ``source`` (``crystal``, ``generated`` or ``given``) and ``smiles``.

    >>> ref = ReferenceLigand.from_smiles("c1ccccc1O", name="phenol")
    >>> ref.name, ref.source, ref.mol.GetNumConformers()
    ('phenol', 'generated', 1)
    """

    name: str
    mol: Any = field(repr=False, compare=False)
    source: str
    smiles: str

    @classmethod
    def from_structure(
        cls,
        structure: Structure | str | Path,
        ligand: str,
        smiles: str,
        name: str | None = None,
    ) -> ReferenceLigand:
        """The crystal pose of residue ``ligand`` in ``structure`` (a :class:`Structure`, a
        file or a data set name), bond orders from ``smiles``.

        >>> ReferenceLigand.from_structure(
        ...     "egfr_1m17", "AQ4", "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC").name
        'egfr_1m17:AQ4'
        """
        from rdkit import Chem

        if not isinstance(smiles, str) or not smiles.strip():
            raise ShapeReferenceError(
                f"Give the SMILES of ligand {ligand!r}: a PDB file has no bond orders, and the "
                "pharmacophore features (aromatic rings, donors, acceptors) need them"
            )
        try:
            if not isinstance(structure, Structure):
                structure = load_structure(structure)
            mol = crystal_ligand_pose(structure, ligand, smiles)
        except StructureError as exc:
            raise ShapeReferenceError(str(exc)) from exc
        label = name or f"{structure.name}:{ligand}"
        return cls(label, _heavy_atom_pose(mol, -1, label), "crystal", Chem.MolToSmiles(mol))

    @classmethod
    def from_smiles(cls, smiles: str, name: str | None = None, seed: int = 0) -> ReferenceLigand:
        """A generated pose: the lowest-MMFF-energy of :data:`REFERENCE_CONFORMERS` ETKDG
        conformers (``seed``: the same pose every run).

        >>> ReferenceLigand.from_smiles("CCO").name
        'CCO'
        """
        from rdkit import Chem

        from drugml.chem import parse_smiles

        mol, _, error = parse_smiles(smiles)
        if mol is None:
            raise ShapeReferenceError(f"Reference SMILES {smiles!r} cannot be used: {error}")
        label = name or smiles
        pose = _generated_pose(largest_fragment(mol), seed, label)
        return cls(label, pose, "generated", Chem.MolToSmiles(pose))

    @classmethod
    def from_mol(cls, mol: Chem.Mol, name: str | None = None, conf_id: int = -1) -> ReferenceLigand:
        """A given pose: conformer ``conf_id`` of ``mol``, which must be 3D.

        >>> from rdkit import Chem
        >>> from rdkit.Chem import AllChem
        >>> mol = Chem.AddHs(Chem.MolFromSmiles("CCO"))
        >>> AllChem.EmbedMolecule(mol, randomSeed=1)
        0
        >>> ReferenceLigand.from_mol(mol, name="ethanol").mol.GetNumAtoms()
        3
        """
        from rdkit import Chem

        if not isinstance(mol, Chem.Mol):
            raise ShapeReferenceError(f"Expected an RDKit molecule, got {type(mol).__name__}")
        title = name or (mol.GetProp("_Name") if mol.HasProp("_Name") else "")
        pose = _heavy_atom_pose(mol, conf_id, title or "given molecule")
        smiles = Chem.MolToSmiles(pose)
        return cls(title or smiles, pose, "given", smiles)


def reference_ligands(
    references: ReferenceSpec | Sequence[ReferenceSpec], seed: int = 0
) -> list[ReferenceLigand]:
    """The reference poses, from any mix of :class:`ReferenceLigand`, SMILES (a generated
    pose, ``seed`` fixing it), RDKit molecules with a 3D conformer and
    ``(structure, ligand residue, SMILES)`` tuples (one reference, or a list of them: a
    tuple is always one structure's ligand). Names must differ (they are what
    ``shape_reference`` says); :class:`ShapeReferenceError` when a pose cannot be made.

    >>> refs = reference_ligands([
    ...     ("egfr_1m17", "AQ4", "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC"),
    ...     "COc1cc2ncnc(Nc3ccc(F)c(Cl)c3)c2cc1OCCCN1CCOCC1",
    ... ])
    >>> [(ref.name[:9], ref.source) for ref in refs]
    [('egfr_1m17', 'crystal'), ('COc1cc2nc', 'generated')]
    """
    from rdkit import Chem

    # A tuple is one (structure, ligand, SMILES) reference; several references come as a list.
    single = isinstance(references, (ReferenceLigand, str, Chem.Mol, tuple))
    items = [references] if single else list(references)
    if not items:
        raise ShapeReferenceError("No reference ligand given: name at least one")
    out = [_one_reference(item, seed) for item in items]
    names = [ref.name for ref in out]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ShapeReferenceError(
            f"Reference names must differ; {repeated} is used more than once (give name=)"
        )
    return out


def _one_reference(item: Any, seed: int) -> ReferenceLigand:
    from rdkit import Chem

    if isinstance(item, ReferenceLigand):
        return item
    if isinstance(item, str):
        return ReferenceLigand.from_smiles(item, seed=seed)
    if isinstance(item, Chem.Mol):
        return ReferenceLigand.from_mol(item)
    if isinstance(item, tuple) and len(item) == 3:
        return ReferenceLigand.from_structure(*item)
    raise ShapeReferenceError(
        "A reference is a ReferenceLigand, a SMILES, an RDKit molecule with a 3D conformer or "
        f"a (structure, ligand residue, SMILES) tuple; got {type(item).__name__} {item!r:.80}"
    )


def crystal_ligand_pose(structure: Structure, ligand: str, smiles: str) -> Chem.Mol:
    """The ligand with bond orders from ``smiles``. Files rewritten by MDAnalysis spell
    chlorine's element as carbon (EGFR 3POZ in ``data/``): when the template does not fit,
    it is matched with Cl read as C, and each terminal "carbon" 1.7 Å or more from its
    neighbour (a C-Cl bond, 0.2 Å longer than any C-C) is made chlorine again."""
    from rdkit import Chem

    try:
        return structure.ligand_mol(ligand, smiles)
    except StructureError:
        if "Cl" not in smiles:
            raise
    mol = Chem.RWMol(structure.ligand_mol(ligand, smiles.replace("Cl", "C")))
    conf = mol.GetConformer()
    for atom in mol.GetAtoms():
        if atom.GetSymbol() == "C" and atom.GetDegree() == 1:
            other = atom.GetNeighbors()[0].GetIdx()
            length = (conf.GetAtomPosition(atom.GetIdx()) - conf.GetAtomPosition(other)).Length()
            if length > 1.65:
                atom.SetAtomicNum(17)
    out = mol.GetMol()
    Chem.SanitizeMol(out)
    return out


def largest_fragment(mol: Chem.Mol) -> Chem.Mol:
    """The fragment with the most heavy atoms (a salt's counter-ion has no place in a shape)."""
    from rdkit import Chem

    fragments = Chem.GetMolFrags(mol, asMols=True)
    return max(fragments, key=lambda f: f.GetNumHeavyAtoms()) if len(fragments) > 1 else mol


def _generated_pose(mol: Chem.Mol, seed: int, label: str) -> Chem.Mol:
    """The lowest-MMFF-energy of :data:`REFERENCE_CONFORMERS` ETKDG conformers (the first
    conformer when MMFF lacks parameters for an atom), heavy atoms only."""
    from rdkit import Chem, rdBase
    from rdkit.Chem import AllChem

    with_h = Chem.AddHs(mol)
    params = AllChem.ETKDGv3()
    params.randomSeed = seed
    params.enableSequentialRandomSeeds = True  # see _shape._embed: seed 0 repeats one conformer
    params.maxIterations = _EMBED_ATTEMPTS[0]
    with rdBase.BlockLogs():
        ids = list(AllChem.EmbedMultipleConfs(with_h, REFERENCE_CONFORMERS, params))
        if not ids:
            raise ShapeReferenceError(
                f"Reference {label!r}: ETKDG found no 3D conformer (strained or impossible "
                "stereochemistry?)"
            )
        best = ids[0]
        if AllChem.MMFFHasAllMoleculeParams(with_h):
            results = AllChem.MMFFOptimizeMoleculeConfs(with_h, numThreads=1, maxIters=1000)
            energies = [energy for _, energy in results]
            best = ids[min(range(len(ids)), key=energies.__getitem__)]
    return _heavy_atom_pose(with_h, best, label)


def _heavy_atom_pose(mol: Chem.Mol, conf_id: int, label: str) -> Chem.Mol:
    """``mol`` with one conformer (``conf_id``) and no hydrogens: the overlay's shape and
    features are heavy-atom ones. Refused when the conformer is missing or flat."""
    from rdkit import Chem

    if mol.GetNumConformers() == 0:
        raise ShapeReferenceError(f"Reference {label!r} has no conformer: give a 3D pose")
    try:
        conf = mol.GetConformer(conf_id)
    except ValueError:
        raise ShapeReferenceError(f"Reference {label!r} has no conformer {conf_id}") from None
    if not conf.Is3D() or not conf.GetPositions().any():
        raise ShapeReferenceError(f"Reference {label!r} has a 2D conformer: give a 3D pose")
    try:  # sanitized: the colour features need rings and aromaticity
        return Chem.RemoveHs(Chem.Mol(mol, confId=conf.GetId()))
    except (ValueError, RuntimeError) as exc:
        raise ShapeReferenceError(f"Reference {label!r} does not sanitize: {exc}") from None
