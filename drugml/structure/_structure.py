"""Target structures: load PDB/mmCIF files, find ligands and binding sites, superpose, compare.

Built on Biopython. :func:`load_structure` reads one model (the first of an
NMR ensemble by default) into a :class:`Structure`, which knows its chains
(with type and one-letter sequence), its ligands and, for a ligand, its
binding site. Alternate locations resolve to the highest-occupancy one
(Biopython's rule); insertion codes are kept in residue ids.

Ligands are hetero groups other than water, ions and common crystallization
additives (:data:`NOT_LIGANDS`). Files written by some tools store ligands as
``ATOM`` records (several EGFR files in ``data/`` do): name the ligand residue
with ``ligand_residues=`` (loading a data set by name does this from the data
manifest).

Unreadable files (missing, empty, binary, malformed or truncated) raise
:class:`StructureError` naming the file and, where the parser says, the line.

Example
-------
>>> from drugml.structure import load_structure
>>> egfr = load_structure("egfr_1m17")
>>> [(c.id, c.type, len(c.sequence)) for c in egfr.chains]
[('A', 'protein', 312)]
>>> [ligand.resname for ligand in egfr.ligands()]
['AQ4']
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.errors import DrugmlError

if TYPE_CHECKING:
    import pandas as pd
    from rdkit import Chem

__all__ = [
    "NOT_LIGANDS",
    "Chain",
    "Ligand",
    "Structure",
    "StructureError",
    "load_structure",
    "one_letter_code",
    "place_like_reference",
    "residue_mapping",
    "sequence_identity",
    "superpose",
]

#: Hetero groups that are not ligands: water, common ions and crystallization
#: additives (buffers, cryoprotectants, detergents, precipitants).
NOT_LIGANDS = frozenset({
    # water
    "HOH", "WAT", "H2O", "DOD",
    # ions
    "NA", "K", "LI", "MG", "CA", "MN", "ZN", "FE", "FE2", "CO", "NI", "CU", "CU1", "CD", "HG",
    "SR", "BA", "CS", "RB", "CL", "BR", "IOD", "F", "IRI", "NH4", "SO4", "PO4", "NO3", "SCN",
    "CO3", "ACY", "ACT", "FMT", "AZI", "OH",
    # additives
    "GOL", "EDO", "PEG", "PGE", "PG4", "1PE", "P6G", "MPD", "DMS", "BME", "TRS", "EPE", "MES",
    "HEZ", "IPA", "EOH", "MOH", "BU3", "CIT", "TAR", "MLI", "SIN", "IMD", "NHE", "BOG", "LDA",
    "DTT", "TLA", "FLC", "PE4", "PE8", "2PE", "12P", "15P", "P33", "PEU", "UNX",
})  # fmt: skip

#: RNA residues (standard and common modified ones) and their one-letter base.
_RNA = {"A": "A", "C": "C", "G": "G", "U": "U", "I": "I", "PSU": "U", "5MC": "C", "OMC": "C",
        "OMG": "G", "1MA": "A", "2MG": "G", "7MG": "G", "M2G": "G", "GTP": "G", "GDP": "G",
        "CCC": "C", "H2U": "U", "5MU": "U", "4SU": "U"}  # fmt: skip
_DNA = {"DA": "A", "DC": "C", "DG": "G", "DT": "T", "DI": "I", "DU": "U"}


class StructureError(DrugmlError, ValueError):
    """A structure file cannot be read, or a requested ligand/chain is not in it."""


@dataclass(frozen=True)
class Chain:
    """One chain: its id, type (``protein``, ``RNA``, ``DNA`` or ``other``) and sequence."""

    id: str
    type: str
    sequence: str
    residue_ids: tuple[tuple[int, str], ...]  # (number, insertion code) of each sequence letter


@dataclass(frozen=True)
class Ligand:
    """A ligand residue: chain, residue name, number and insertion code, atom count, centre."""

    chain: str
    resname: str
    resnum: int
    icode: str
    n_atoms: int
    center: tuple[float, float, float]

    @property
    def label(self) -> str:
        return f"{self.resname} {self.chain}{self.resnum}{self.icode.strip()}"


def one_letter_code(resname: str) -> str | None:
    """The one-letter code of an amino-acid residue name (``None`` for anything else).

    >>> one_letter_code("MET"), one_letter_code("HOH")
    ('M', None)
    """
    return _one_letter(resname.strip().upper())


def _one_letter(resname: str) -> str | None:
    from Bio.PDB.Polypeptide import is_aa
    from Bio.SeqUtils import seq1

    if is_aa(resname, standard=False):
        letter = seq1(resname)
        return letter if letter != "X" or resname == "UNK" else "X"
    return None


class Structure:
    """One model of a macromolecular structure (see :func:`load_structure`)."""

    def __init__(self, model: Any, name: str, path: Path | None,
                 ligand_residues: Sequence[str] = ()) -> None:  # fmt: skip
        self.model = model
        self.name = name
        self.path = path
        self.ligand_residues = tuple(r.upper() for r in ligand_residues)

    def __repr__(self) -> str:
        chains = ", ".join(f"{c.id}:{c.type}({len(c.sequence)})" for c in self.chains)
        return f"<Structure {self.name}: {chains}; ligands {[x.label for x in self.ligands()]}>"

    # ---------------------------------------------------------------- chains
    @property
    def chains(self) -> list[Chain]:
        """Chains with their type and one-letter sequence (polymer residues only)."""
        chains = []
        for chain in self.model:
            letters, ids, kinds = [], [], {"protein": 0, "RNA": 0, "DNA": 0}
            for residue in chain:
                resname = residue.get_resname().strip().upper()
                if resname in self.ligand_residues or resname in NOT_LIGANDS:
                    continue
                hetero = residue.id[0].startswith("H_")
                letter = _one_letter(resname)
                if letter is not None and ("CA" in residue or not hetero):
                    kinds["protein"] += 1
                elif resname in _DNA:
                    kinds["DNA"] += 1
                    letter = _DNA[resname]
                elif resname in _RNA:
                    kinds["RNA"] += 1
                    letter = _RNA[resname]
                else:
                    continue
                letters.append(letter)
                ids.append((residue.id[1], residue.id[2]))
            kind = max(kinds, key=kinds.get) if any(kinds.values()) else "other"
            chains.append(Chain(chain.id, kind, "".join(letters), tuple(ids)))
        return chains

    def chain(self, chain_id: str) -> Chain:
        """One chain by id; the error lists the chains there are."""
        for chain in self.chains:
            if chain.id == chain_id:
                return chain
        raise StructureError(
            f"{self.name} has no chain {chain_id!r}; chains: {[c.id for c in self.chains]}"
        )

    def sequence(self, chain_id: str) -> str:
        """One-letter sequence of a chain (protein, RNA or DNA).

        >>> load_structure("rna_4gxy").sequence("A")[:12]
        'GGCGGCAGGUGC'
        """
        return self.chain(chain_id).sequence

    # --------------------------------------------------------------- ligands
    def _ligand_residues(self, include_excluded: bool = False):
        for chain in self.model:
            for residue in chain:
                resname = residue.get_resname().strip().upper()
                named = resname in self.ligand_residues
                hetero = residue.id[0] != " "  # "H_xxx" for HETATM groups, "W" for water
                if named or (hetero and (include_excluded or resname not in NOT_LIGANDS)):
                    if not named and (
                        (_one_letter(resname) is not None and "CA" in residue) or resname in _RNA
                    ):
                        continue  # a modified residue of the polymer chain, not a ligand
                    yield chain.id, residue

    def ligands(self, include_excluded: bool = False) -> list[Ligand]:
        """Ligand residues (water, ions and additives left out unless ``include_excluded``).

        >>> [x.resname for x in load_structure("egfr_5ug9").ligands()]
        ['8AM']
        """
        out = []
        for chain_id, residue in self._ligand_residues(include_excluded):
            coords = np.array([atom.coord for atom in residue.get_atoms()])
            out.append(Ligand(chain_id, residue.get_resname().strip(), residue.id[1],
                              residue.id[2], len(coords),
                              tuple(float(x) for x in coords.mean(axis=0))))  # fmt: skip
        return out

    def ligand(self, name: str | Ligand, chain: str | None = None) -> Ligand:
        """A ligand by residue name (and chain); the error lists the ligands there are."""
        if isinstance(name, Ligand):
            return name
        matches = [
            x for x in self.ligands(include_excluded=True)
            if x.resname.upper() == name.upper() and (chain is None or x.chain == chain)
        ]  # fmt: skip
        if not matches:
            present = sorted({x.resname for x in self.ligands()})
            raise StructureError(
                f"{self.name} has no ligand {name!r}"
                + (f" in chain {chain!r}" if chain else "")
                + f"; ligands present: {present or 'none'}. If the ligand is stored as ATOM "
                "records, load with ligand_residues=[...]."
            )
        return matches[0]

    def ligand_residue(self, ligand: str | Ligand) -> Any:
        """The Biopython residue of a ligand (its atoms, with coordinates)."""
        return self._residue(self.ligand(ligand))

    def _residue(self, ligand: Ligand):
        return self.model[ligand.chain][self._residue_key(ligand)]

    def _residue_key(self, ligand: Ligand):
        for residue in self.model[ligand.chain]:
            if (residue.id[1], residue.id[2]) == (ligand.resnum, ligand.icode) and \
                    residue.get_resname().strip() == ligand.resname:  # fmt: skip
                return residue.id
        raise StructureError(f"{ligand.label} not found in {self.name}")

    def _ligand_search(self, ligand: str | Ligand):
        """(ligand, its residue, a neighbour search over every other non-water atom)."""
        from Bio.PDB import NeighborSearch

        ligand = self.ligand(ligand)
        residue = self._residue(ligand)
        others = [
            atom for atom in self.model.get_atoms()
            if atom.get_parent() is not residue
            and atom.get_parent().get_resname().strip().upper() not in {"HOH", "WAT", "DOD"}
        ]  # fmt: skip
        return ligand, residue, NeighborSearch(others)

    def binding_site(self, ligand: str | Ligand, cutoff: float = 5.0) -> pd.DataFrame:
        """Residues with any atom within ``cutoff`` Å of the ligand, with the closest distance.

        Columns: ``chain``, ``resname``, ``resnum``, ``icode``, ``one_letter``,
        ``min_distance``, ``n_contacts`` (ligand-residue atom pairs within the cutoff).

        >>> site = load_structure("egfr_1m17").binding_site("AQ4", cutoff=4.0)
        >>> "MET769" in (site.resname + site.resnum.astype(str)).tolist()  # the hinge
        True
        """
        import pandas as pd

        ligand, residue, search = self._ligand_search(ligand)
        ligand_atoms = list(residue.get_atoms())
        contacts: dict[tuple, list[float]] = {}
        for atom in ligand_atoms:
            for neighbour in search.search(atom.coord, cutoff):
                res = neighbour.get_parent()
                key = (res.get_parent().id, res.get_resname().strip(), res.id[1], res.id[2])
                contacts.setdefault(key, []).append(
                    float(np.linalg.norm(atom.coord - neighbour.coord))
                )
        rows = [
            {"chain": c, "resname": n, "resnum": num, "icode": icode.strip(),
             "one_letter": _one_letter(n) or "", "min_distance": round(min(d), 2),
             "n_contacts": len(d)}
            for (c, n, num, icode), d in contacts.items()
        ]  # fmt: skip
        columns = [
            "chain",
            "resname",
            "resnum",
            "icode",
            "one_letter",
            "min_distance",
            "n_contacts",
        ]
        return pd.DataFrame(rows, columns=columns).sort_values(["chain", "resnum", "icode"],
                                                               ignore_index=True)  # fmt: skip

    def ligand_contacts(self, ligand: str | Ligand, cutoff: float = 4.0) -> pd.DataFrame:
        """Atom-level contacts of a ligand: every ligand/protein atom pair within ``cutoff`` Å.

        Columns: ``ligand_atom``, ``ligand_element``, ``chain``, ``resname``,
        ``resnum``, ``atom``, ``element``, ``distance`` and ``polar`` (both atoms N
        or O and at most 3.5 Å apart: a possible hydrogen bond; angles and donor/acceptor
        roles are not checked).

        >>> contacts = load_structure("egfr_1m17").ligand_contacts("AQ4")
        >>> hinge = contacts[contacts.polar & (contacts.resnum == 769)]
        >>> hinge[["ligand_atom", "resname", "atom"]].values.tolist()  # quinazoline N1 to the NH
        [['N2', 'MET', 'N']]
        """
        import pandas as pd

        ligand, residue, search = self._ligand_search(ligand)
        rows = []
        for atom in residue.get_atoms():
            for other in search.search(atom.coord, cutoff):
                res = other.get_parent()
                distance = float(np.linalg.norm(atom.coord - other.coord))
                rows.append({
                    "ligand_atom": atom.get_id(), "ligand_element": atom.element,
                    "chain": res.get_parent().id, "resname": res.get_resname().strip(),
                    "resnum": res.id[1], "atom": other.get_id(), "element": other.element,
                    "distance": round(distance, 2),
                    "polar": atom.element in ("N", "O") and other.element in ("N", "O")
                    and distance <= 3.5,
                })  # fmt: skip
        columns = ["ligand_atom", "ligand_element", "chain", "resname", "resnum", "atom",
                   "element", "distance", "polar"]  # fmt: skip
        return pd.DataFrame(rows, columns=columns).sort_values("distance", ignore_index=True)

    # ---------------------------------------------------------------- export
    def to_pdb(self, residues: Sequence[Any] | None = None) -> str:
        """PDB text of the model (or of some residues), one altloc per atom."""
        from Bio.PDB import PDBIO, Select

        # PDBIO copies a Model into a new Structure: select by (chain, residue id), not identity.
        keep = {(r.get_parent().id, r.id) for r in residues} if residues is not None else None

        class _Select(Select):
            def accept_residue(self, residue):
                return keep is None or (residue.get_parent().id, residue.id) in keep

            def accept_atom(self, atom):
                # Disordered atoms write only the selected (highest-occupancy) altloc.
                return not atom.is_disordered() or atom.get_altloc() in (" ", "A")

        writer = PDBIO()
        writer.set_structure(self.model)
        out = io.StringIO()
        writer.save(out, _Select())
        return out.getvalue()

    def ligand_pdb(self, ligand: str | Ligand) -> str:
        """PDB text of one ligand."""
        return self.to_pdb([self._residue(self.ligand(ligand))])

    def pocket_pdb(self, ligand: str | Ligand, cutoff: float = 5.0) -> str:
        """PDB text of the binding-site residues of a ligand."""
        site = self.binding_site(ligand, cutoff)
        wanted = set(zip(site["chain"], site["resnum"], site["icode"], strict=True))
        residues = [
            r for chain in self.model for r in chain
            if (chain.id, r.id[1], r.id[2].strip()) in wanted
        ]  # fmt: skip
        return self.to_pdb(residues)

    def ligand_mol(self, ligand: str | Ligand, smiles: str | None = None) -> Chem.Mol:
        """The ligand as an RDKit molecule with 3D coordinates.

        PDB files carry no bond orders; give the ligand's ``smiles`` (e.g. from
        the ``egfr_pdb_ligands`` table) to assign them from that template.

        >>> s = load_structure("egfr_1m17")
        >>> from rdkit import Chem
        >>> Chem.MolToSmiles(s.ligand_mol("AQ4", "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC"))
        'C#Cc1cccc(Nc2ncnc3cc(OCCOC)c(OCCOC)cc23)c1'
        """
        from rdkit import Chem, rdBase
        from rdkit.Chem import AllChem

        ligand = self.ligand(ligand)
        with rdBase.BlockLogs():
            mol = Chem.MolFromPDBBlock(self.ligand_pdb(ligand), removeHs=True, sanitize=False)
        if mol is None:
            raise StructureError(f"RDKit could not read ligand {ligand.label} of {self.name}")
        if smiles is None:
            return mol
        template = Chem.MolFromSmiles(smiles)
        if template is None:
            raise StructureError(f"Template SMILES {smiles!r} for {ligand.label} does not parse")
        # A smaller template would match part of the ligand and leave the rest
        # single-bonded without a word: the heavy atoms must agree one to one.
        if template.GetNumHeavyAtoms() != mol.GetNumHeavyAtoms():
            raise StructureError(
                f"The SMILES template {smiles!r} has {template.GetNumHeavyAtoms()} heavy atoms "
                f"but ligand {ligand.label} of {self.name} has {mol.GetNumHeavyAtoms()}: it is "
                "not this ligand's SMILES"
            )
        try:
            return AllChem.AssignBondOrdersFromTemplate(template, mol)
        except ValueError as exc:
            raise StructureError(
                f"The SMILES template does not match ligand {ligand.label} of {self.name} "
                f"({mol.GetNumAtoms()} heavy atoms in the file, {template.GetNumAtoms()} in the "
                f"template): {exc}"
            ) from exc

    def ca_atoms(self, chain_id: str) -> dict[tuple[int, str], Any]:
        """C-alpha atoms of a protein chain keyed by (residue number, insertion code)."""
        out = {}
        for residue in self.model[chain_id]:
            if "CA" in residue and _one_letter(residue.get_resname().strip().upper()):
                out[(residue.id[1], residue.id[2])] = residue["CA"]
        return out


def _check_text(path: Path) -> None:
    head = path.read_bytes()[:4096]
    if not head.strip():
        raise StructureError(f"Structure file {path} is empty.")
    if b"\x00" in head:
        raise StructureError(f"Structure file {path} is binary, not a PDB or mmCIF text file.")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the 4 KiB boundary
            raise StructureError(
                f"Structure file {path} is not text (byte {exc.start} is not UTF-8)."
            ) from None


def load_structure(
    path_or_name: str | Path,
    model: int = 0,
    ligand_residues: Sequence[str] | None = None,
    name: str | None = None,
) -> Structure:
    """Load a PDB or mmCIF file, or an embedded data set by name (``drugml data list``).

    ``model`` picks the model of an ensemble (0: the first). ``ligand_residues``
    names residues that are ligands even when stored as ATOM records; for a
    data set it defaults to the manifest's ligand.
    """
    from Bio.PDB import MMCIFParser, PDBParser
    from Bio.PDB.PDBExceptions import PDBConstructionException, PDBConstructionWarning

    from drugml import data

    candidate = Path(path_or_name)
    if not candidate.exists() and isinstance(path_or_name, str) and "/" not in path_or_name:
        try:
            info = data.info(path_or_name)
        except data.UnknownDatasetError:
            raise StructureError(
                f"{path_or_name!r} is neither a file nor an embedded data set"
            ) from None
        candidate = data.path(path_or_name)
        if ligand_residues is None and info.extra.get("ligand"):
            ligand_residues = [info.extra["ligand"]]
        name = name or path_or_name
    path = candidate
    if not path.is_file():
        raise StructureError(f"Structure file {path} does not exist.")
    _check_text(path)
    is_cif = path.suffix.lower() in (".cif", ".mmcif")
    parser = MMCIFParser(QUIET=True) if is_cif else PDBParser(QUIET=True, PERMISSIVE=False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PDBConstructionWarning)
            parsed = parser.get_structure(name or path.stem, str(path))
    except (PDBConstructionException, ValueError, KeyError, IndexError) as exc:
        raise StructureError(f"Cannot read structure file {path}: {exc}") from exc
    models = list(parsed)
    if not models or not any(True for _ in models[0].get_atoms()):
        raise StructureError(f"Structure file {path} has no atoms (is it truncated or empty?).")
    if not 0 <= model < len(models):
        raise StructureError(f"{path} has {len(models)} model(s); model {model} does not exist.")
    return Structure(models[model], name or path.stem, path, ligand_residues or ())


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


def _aligner():
    from Bio.Align import PairwiseAligner

    aligner = PairwiseAligner(mode="global", match_score=2, mismatch_score=-1,
                              open_gap_score=-5, extend_gap_score=-0.5)  # fmt: skip
    return aligner


def _aligned_pairs(alignment) -> list[tuple[int, int]]:
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
    from Bio.PDB import Superimposer

    if len(structures) < 2:
        raise StructureError("superpose needs at least two structures")
    if chain_ids is None:
        chain_ids = []
        for structure in structures:
            proteins = [c.id for c in structure.chains if c.type == "protein"]
            if not proteins:
                raise StructureError(f"{structure.name} has no protein chain to superpose on")
            chain_ids.append(proteins[0])
    reference, ref_chain = structures[0], chain_ids[0]
    ref_seq = reference.chain(ref_chain)
    ref_ca = reference.ca_atoms(ref_chain)
    rows = [{"name": reference.name, "chain": ref_chain, "n_aligned": len(ref_ca),
             "sequence_identity": 1.0, "rmsd_all": 0.0, "n_core": len(ref_ca),
             "rmsd_core": 0.0}]  # fmt: skip
    for structure, chain_id in zip(structures[1:], chain_ids[1:], strict=True):
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
        imposer.apply(list(structure.model.get_atoms()))
        rows.append({
            "name": structure.name, "chain": chain_id, "n_aligned": len(fixed),
            "sequence_identity": round(same / len(fixed), 4),
            "rmsd_all": round(float(np.sqrt(np.mean(deviation**2))), 3),
            "n_core": int(keep.sum()),
            "rmsd_core": round(float(np.sqrt(np.mean(deviation[keep] ** 2))), 3),
        })  # fmt: skip
    return pd.DataFrame(rows)


def place_like_reference(mol: Chem.Mol, reference: Chem.Mol, seed: int = 0) -> Chem.Mol:
    """A 3D pose of ``mol`` in a binding site, by analogy with a reference ligand. Not docking.

    The atoms of the maximum common substructure (MCS) take the reference's
    coordinates, the rest is embedded by RDKit's ETKDG around them, and the
    result is aligned onto the reference on the MCS atoms. Good for showing a
    close analogue in the pocket; meaningless for an unrelated molecule (the
    property ``mcs_atoms`` says how many atoms were anchored; with fewer than
    three the molecule is only centred on the reference).

    >>> s = load_structure("egfr_1m17")
    >>> erlotinib = s.ligand_mol("AQ4", "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC")
    >>> from rdkit import Chem
    >>> gefitinib = Chem.MolFromSmiles("COc1cc2ncnc(Nc3ccc(F)c(Cl)c3)c2cc1OCCCN1CCOCC1")
    >>> pose = place_like_reference(gefitinib, erlotinib)
    >>> pose.GetIntProp("mcs_atoms") >= 15
    True
    """
    from rdkit import Chem
    from rdkit.Chem import AllChem, rdFMCS, rdMolAlign
    from rdkit.Geometry import Point3D

    if reference.GetNumConformers() == 0:
        raise StructureError(
            "The reference ligand has no coordinates; take it from its structure with "
            "Structure.ligand_mol"
        )
    ref_conf = reference.GetConformer()
    mcs = rdFMCS.FindMCS([mol, reference], timeout=5, ringMatchesRingOnly=True,
                         completeRingsOnly=True)  # fmt: skip
    core = Chem.MolFromSmarts(mcs.smartsString) if mcs.numAtoms else None
    with_h = Chem.AddHs(mol)
    mol_match = with_h.GetSubstructMatch(core) if core is not None else ()
    ref_match = reference.GetSubstructMatch(core) if core is not None else ()
    pairs = list(zip(mol_match, ref_match, strict=False)) if mol_match and ref_match else []
    params = AllChem.ETKDGv3()
    params.randomSeed = seed
    if len(pairs) >= 3:
        coord_map = {m: Point3D(*ref_conf.GetAtomPosition(r)) for m, r in pairs}
        status = AllChem.EmbedMolecule(with_h, coordMap=coord_map, randomSeed=seed,
                                       useRandomCoords=True)  # fmt: skip
        if status < 0:
            status = AllChem.EmbedMolecule(with_h, params)
    else:
        status = AllChem.EmbedMolecule(with_h, params)
    if status < 0:
        raise StructureError(f"RDKit could not embed {Chem.MolToSmiles(mol)} in 3D")
    if len(pairs) >= 3:
        rdMolAlign.AlignMol(with_h, reference, atomMap=pairs)
    else:
        centre = np.mean(ref_conf.GetPositions(), axis=0)
        conf = with_h.GetConformer()
        shift = centre - np.mean(conf.GetPositions(), axis=0)
        for i in range(with_h.GetNumAtoms()):
            conf.SetAtomPosition(i, Point3D(*(np.array(conf.GetAtomPosition(i)) + shift)))
    pose = Chem.RemoveHs(with_h)
    pose.SetIntProp("mcs_atoms", len(pairs))
    return pose


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
