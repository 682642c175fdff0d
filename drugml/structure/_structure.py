"""Target structures: load PDB/mmCIF files, find chains, ligands and binding sites.

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
from drugml.structure._residues import DNA_BASES, NOT_LIGANDS, RNA_BASES, one_letter

if TYPE_CHECKING:
    import pandas as pd
    from rdkit import Chem


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


class Structure:
    """One model of a macromolecular structure (see :func:`load_structure`)."""

    def __init__(
        self, model: Any, name: str, path: Path | None, ligand_residues: Sequence[str] = ()
    ) -> None:
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
                letter = one_letter(resname)
                if letter is not None and ("CA" in residue or not hetero):
                    kinds["protein"] += 1
                elif resname in DNA_BASES:
                    kinds["DNA"] += 1
                    letter = DNA_BASES[resname]
                elif resname in RNA_BASES:
                    kinds["RNA"] += 1
                    letter = RNA_BASES[resname]
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
                        (one_letter(resname) is not None and "CA" in residue)
                        or resname in RNA_BASES
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
            out.append(
                Ligand(
                    chain_id,
                    residue.get_resname().strip(),
                    residue.id[1],
                    residue.id[2],
                    len(coords),
                    tuple(float(x) for x in coords.mean(axis=0)),
                )
            )
        return out

    def ligand(self, name: str | Ligand, chain: str | None = None) -> Ligand:
        """A ligand by residue name (and chain); the error lists the ligands there are."""
        if isinstance(name, Ligand):
            return name
        matches = [
            x
            for x in self.ligands(include_excluded=True)
            if x.resname.upper() == name.upper() and (chain is None or x.chain == chain)
        ]
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
            if (residue.id[1], residue.id[2]) == (
                ligand.resnum,
                ligand.icode,
            ) and residue.get_resname().strip() == ligand.resname:
                return residue.id
        raise StructureError(f"{ligand.label} not found in {self.name}")

    def _ligand_search(self, ligand: str | Ligand):
        """(ligand, its residue, a neighbour search over every other non-water atom)."""
        from Bio.PDB import NeighborSearch

        ligand = self.ligand(ligand)
        residue = self._residue(ligand)
        others = [
            atom
            for atom in self.model.get_atoms()
            if atom.get_parent() is not residue
            and atom.get_parent().get_resname().strip().upper() not in {"HOH", "WAT", "DOD"}
        ]
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
            {
                "chain": c,
                "resname": n,
                "resnum": num,
                "icode": icode.strip(),
                "one_letter": one_letter(n) or "",
                "min_distance": round(min(d), 2),
                "n_contacts": len(d),
            }
            for (c, n, num, icode), d in contacts.items()
        ]
        columns = [
            "chain",
            "resname",
            "resnum",
            "icode",
            "one_letter",
            "min_distance",
            "n_contacts",
        ]
        return pd.DataFrame(rows, columns=columns).sort_values(
            ["chain", "resnum", "icode"], ignore_index=True
        )

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
                rows.append(
                    {
                        "ligand_atom": atom.get_id(),
                        "ligand_element": atom.element,
                        "chain": res.get_parent().id,
                        "resname": res.get_resname().strip(),
                        "resnum": res.id[1],
                        "atom": other.get_id(),
                        "element": other.element,
                        "distance": round(distance, 2),
                        "polar": atom.element in ("N", "O")
                        and other.element in ("N", "O")
                        and distance <= 3.5,
                    }
                )
        columns = [
            "ligand_atom",
            "ligand_element",
            "chain",
            "resname",
            "resnum",
            "atom",
            "element",
            "distance",
            "polar",
        ]
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
            r
            for chain in self.model
            for r in chain
            if (chain.id, r.id[1], r.id[2].strip()) in wanted
        ]
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
            if "CA" in residue and one_letter(residue.get_resname().strip().upper()):
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
