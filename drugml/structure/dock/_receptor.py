"""Receptor preparation: the chosen chains' standard residues and kept waters, one altloc per
atom, the covalent residue's reactive atom removed, hydrogens and PDBQT by Meeko."""

from __future__ import annotations

import hashlib
import json
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml._util.io import write_atomic, write_json_atomic
from drugml.structure.dock._box import Box
from drugml.structure.dock._covalent import remove_reactive_atom
from drugml.structure.dock._deps import quiet_logs, require
from drugml.structure.dock._settings import DockingError, ReceptorError

if TYPE_CHECKING:
    from drugml.structure import Structure

_WATERS = frozenset({"HOH", "WAT", "DOD"})
#: Ions removed from the receptor (reported apart from additives and ligands).
_IONS = frozenset({
    "NA", "K", "LI", "MG", "CA", "MN", "ZN", "FE", "FE2", "CO", "NI", "CU", "CU1", "CD", "HG",
    "SR", "BA", "CS", "RB", "CL", "BR", "IOD", "F",
})  # fmt: skip


@dataclass
class Receptor:
    """A prepared receptor: Vina's PDBQT, a PDB with hydrogens, and what preparation did.

    ``report`` holds ``chains``, ``kept_waters``, ``removed`` (waters, ions,
    additives, ligands, nonstandard and incomplete residues, by ``chain:NAMEnum``),
    ``altlocs_resolved`` (residues), ``hydrogens_added``, ``histidines``
    (the tautomer each histidine got) and ``notes``.
    """

    name: str
    pdbqt: str
    pdb: str
    report: dict[str, Any]

    @property
    def sha256(self) -> str:
        """Checksum of the PDBQT (a docking run's fingerprint includes it)."""
        return hashlib.sha256(self.pdbqt.encode()).hexdigest()

    def write(self, folder: str | Path) -> dict[str, Path]:
        """Write ``receptor.pdbqt``, ``receptor.pdb`` and ``receptor.json`` into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {
            "pdbqt": folder / "receptor.pdbqt",
            "pdb": folder / "receptor.pdb",
            "report": folder / "receptor.json",
        }
        write_atomic(paths["pdbqt"], lambda p: p.write_text(self.pdbqt))
        write_atomic(paths["pdb"], lambda p: p.write_text(self.pdb))
        write_json_atomic(paths["report"], {"name": self.name, **self.report})
        return paths

    def pocket_pdb(self, box: Box, margin: float = 6.0) -> str:
        """PDB text (with hydrogens) of the residues with an atom within ``margin`` Å of the
        box: what pose checks and interactions need, at a fraction of the protein's cost."""
        lines = [line for line in self.pdb.splitlines() if line.startswith(("ATOM", "HETATM"))]
        coords = np.array([(float(x[30:38]), float(x[38:46]), float(x[46:54])) for x in lines])
        grown = Box(box.center, tuple(x + 2 * margin for x in box.size))
        near = grown.contains(coords)
        residues = {line[21:27] for line, inside in zip(lines, near, strict=True) if inside}
        kept = [line for line in lines if line[21:27] in residues]
        return "\n".join([*kept, "END"]) + "\n"

    def atom_coordinates(self) -> np.ndarray:
        """Heavy-atom coordinates of the receptor (from the PDBQT)."""
        rows = [
            (float(line[30:38]), float(line[38:46]), float(line[46:54]))
            for line in self.pdbqt.splitlines()
            if line.startswith(("ATOM", "HETATM")) and line[77:79].strip() not in ("HD", "H")
        ]
        return np.array(rows)


def bridging_waters(
    structure: Structure | str | Path, ligand: str, cutoff: float = 3.5
) -> list[str]:
    """Waters that bridge a ligand and the protein: oxygen within ``cutoff`` Å of a ligand
    N/O and of a protein N/O. Conserved bridging waters often decide a binding mode
    (``prepare_receptor(keep_waters=...)``).

    >>> bridging_waters("egfr_1m17", "AQ4")
    ['A:10']
    """
    from drugml.structure import load_structure

    if not hasattr(structure, "model"):
        structure = load_structure(structure)
    target = structure.ligand(ligand)
    ligand_polar, protein_polar, waters = [], [], []
    for chain in structure.model:
        for residue in chain:
            name = residue.get_resname().strip().upper()
            for atom in residue.get_atoms():
                element = (atom.element or atom.get_id()[0]).upper()
                if name in _WATERS:
                    if element == "O":
                        waters.append((f"{chain.id}:{residue.id[1]}", atom.coord))
                elif element in ("N", "O"):
                    is_ligand = (chain.id, residue.id[1], name) == (
                        target.chain,
                        target.resnum,
                        target.resname.upper(),
                    )
                    if is_ligand:
                        ligand_polar.append(atom.coord)
                    elif residue.id[0] == " ":
                        protein_polar.append(atom.coord)
    if not waters or not ligand_polar:
        return []
    lig, prot = np.array(ligand_polar), np.array(protein_polar)
    out = []
    for label, coord in waters:
        if (
            np.linalg.norm(lig - coord, axis=1).min() <= cutoff
            and np.linalg.norm(prot - coord, axis=1).min() <= cutoff
        ):
            out.append(label)
    return out


@dataclass
class _Selection:
    """The residues the receptor keeps, and those removed by reason (the report's keys)."""

    kept: list[Any] = field(default_factory=list)
    kept_waters: list[str] = field(default_factory=list)
    altlocs: list[str] = field(default_factory=list)
    removed: dict[str, list[str]] = field(
        default_factory=lambda: {
            "waters": [],
            "ions": [],
            "additives": [],
            "ligands": [],
            "nonstandard": [],
            "incomplete": [],
            "other_chains": [],
        }
    )


def prepare_receptor(
    structure: Structure | str | Path,
    chains: Sequence[str] | None = None,
    keep_waters: Sequence[str | int] = (),
    ligand_residues: Sequence[str] | None = None,
    covalent_residue: str | None = None,
) -> Receptor:
    """A Vina receptor from a structure; see :class:`Receptor` for what is reported.

    ``chains``: the chains to keep (default: every protein chain).
    ``keep_waters``: waters kept as part of the receptor, as ``"A:10"`` or ``10``
    (a conserved, bridging water can decide the binding mode; 1M17's HOH 10
    does for erlotinib). Residues with missing atoms that Meeko's templates
    cannot complete are removed and listed under ``removed["incomplete"]``;
    if the structure keeps no residue, :class:`ReceptorError`.
    ``covalent_residue`` (``"CYS797"``, or ``"CYS797.A"`` with its chain): the
    residue covalent inhibitors bond; its reactive atom is removed and its
    place kept in ``report["covalent"]`` (see the module's "Covalent inhibitors").

    >>> r = prepare_receptor("egfr_5ug9")
    >>> r.report["chains"], r.report["hydrogens_added"] > 2000
    (['X'], True)
    """
    require("meeko", "Receptor preparation")
    quiet_logs()
    structure = _load(structure, ligand_residues)
    chains = _chosen_chains(structure, chains)
    selection = _select_residues(structure, chains, keep_waters)
    pdb = _one_altloc(structure.to_pdb(selection.kept))
    covalent = None
    if covalent_residue is not None:
        pdb, covalent = remove_reactive_atom(pdb, covalent_residue, structure.name)
    heavy_in = sum(
        1
        for line in pdb.splitlines()
        if line.startswith(("ATOM", "HETATM")) and line[76:78].strip() != "H"
    )
    polymer, rigid = _meeko_receptor(pdb, structure.name)
    selection.removed["incomplete"].extend(polymer.get_ignored_monomers())
    pdb_h = polymer.to_pdb()
    report = _report(structure.name, chains, selection, heavy_in, pdb_h, rigid, covalent)
    return Receptor(structure.name, rigid, pdb_h, report)


def _load(structure: Structure | str | Path, ligand_residues: Sequence[str] | None) -> Structure:
    from drugml.structure import StructureError, load_structure

    try:
        if not hasattr(structure, "model"):
            structure = load_structure(structure, ligand_residues=ligand_residues)
    except StructureError as exc:
        raise ReceptorError(str(exc)) from None
    return structure


def _chosen_chains(structure: Structure, chains: Sequence[str] | None) -> list[str]:
    """The chains asked for (default: every protein chain), refused when one is not there."""
    protein_chains = [c.id for c in structure.chains if c.type == "protein"]
    chains = list(chains) if chains else protein_chains
    unknown = [c for c in chains if c not in [x.id for x in structure.chains]]
    if unknown:
        raise ReceptorError(
            f"{structure.name} has no chain(s) {unknown}; chains: "
            f"{[c.id for c in structure.chains]}"
        )
    return chains


def _select_residues(
    structure: Structure, chains: list[str], keep_waters: Sequence[str | int]
) -> _Selection:
    """Sort every residue into kept or removed (by reason); refuse waters asked for but
    absent, and a receptor with no residue left."""
    wanted_waters = [_water_key(w) for w in keep_waters]
    templates = _template_names()
    selection = _Selection()
    for chain in structure.model:
        for residue in chain:
            label = _residue_label(chain.id, residue)
            fate = _fate(residue, chain.id, chains, wanted_waters, structure, templates)
            if fate == "kept_water":
                selection.kept.append(residue)
                selection.kept_waters.append(label)
            elif fate == "kept":
                selection.kept.append(residue)
                if any(atom.is_disordered() for atom in residue.get_atoms()):
                    selection.altlocs.append(label)
            else:
                selection.removed[fate].append(label)
    missing = [
        w
        for w, (c, n) in zip(keep_waters, wanted_waters, strict=True)
        if not any(
            lbl.endswith(f"HOH{n}") and (c is None or lbl.startswith(f"{c}:"))
            for lbl in selection.kept_waters
        )
    ]
    if missing:
        waters = selection.removed["waters"]
        raise ReceptorError(
            f"keep_waters {missing} not found in {structure.name} (waters there: "
            f"{len(waters)}, e.g. {waters[:5]})"
        )
    if not selection.kept:
        raise ReceptorError(f"{structure.name} has no standard residue in chain(s) {chains}")
    return selection


def _fate(
    residue: Any,
    chain: str,
    chains: list[str],
    wanted_waters: list[tuple[str | None, int]],
    structure: Structure,
    templates: set[str],
) -> str:
    """``"kept"``, ``"kept_water"``, or why the residue is removed (a key of the report's
    ``removed``)."""
    from drugml.structure import NOT_LIGANDS, one_letter_code

    name = residue.get_resname().strip().upper()
    if name in _WATERS:
        kept = any(n == residue.id[1] and c in (None, chain) for c, n in wanted_waters)
        return "kept_water" if kept else "waters"
    if chain not in chains:
        return "other_chains"
    polymer = (
        one_letter_code(name) is not None
        and "CA" in residue
        and name not in structure.ligand_residues
    )
    if not polymer:
        return "ions" if name in _IONS else "additives" if name in NOT_LIGANDS else "ligands"
    if name not in templates:
        return "nonstandard"
    return "kept"


def _report(
    name: str,
    chains: list[str],
    selection: _Selection,
    heavy_in: int,
    pdb_h: str,
    rigid: str,
    covalent: dict[str, Any] | None,
) -> dict[str, Any]:
    """What preparation kept, removed and added (:attr:`Receptor.report`)."""
    atoms_out = [line for line in pdb_h.splitlines() if line.startswith(("ATOM", "HETATM"))]
    hydrogens = sum(1 for line in atoms_out if line[76:78].strip() == "H")
    histidines = sorted(
        {
            line[17:20]
            for line in rigid.splitlines()
            if line.startswith("ATOM") and line[17:20] in ("HIE", "HID", "HIP")
        }
    )
    removed = selection.removed
    report = {
        "structure": name,
        "chains": chains,
        "kept_waters": selection.kept_waters,
        "removed": dict(removed),
        "altlocs_resolved": selection.altlocs,
        "residues": len(selection.kept) - len(selection.kept_waters) - len(removed["incomplete"]),
        "heavy_atoms_in": heavy_in,
        "heavy_atoms_out": len(atoms_out) - hydrogens,
        "hydrogens_added": hydrogens,
        "histidines": histidines,
        "notes": _notes(selection, covalent, histidines),
    }
    if covalent is not None:
        report["covalent"] = covalent
    return report


def _notes(
    selection: _Selection, covalent: dict[str, Any] | None, histidines: list[str]
) -> list[str]:
    notes = []
    incomplete = selection.removed["incomplete"]
    if incomplete:
        notes.append(f"{len(incomplete)} residue(s) with missing atoms removed: {incomplete[:10]}")
    if selection.altlocs:
        notes.append(
            f"{len(selection.altlocs)} residue(s) with alternate locations: the first kept"
        )
    if covalent is not None:
        notes.append(
            f"covalent docking at {covalent['residue']}: its {covalent['atom']} "
            f"removed ({covalent['residue'][:3]} written as {covalent['written_as']})"
            " so that a warhead can take its place"
        )
    if histidines:
        notes.append(
            "histidines typed as " + ", ".join(histidines) + " (Meeko's default "
            "tautomer; check them if one is in the pocket)"
        )
    return notes


def _template_names() -> set[str]:
    from meeko import ResidueChemTemplates

    templates = ResidueChemTemplates.create_from_defaults()
    return set(templates.residue_templates) | set(templates.ambiguous)


def _residue_label(chain: str, residue: Any) -> str:
    return f"{chain}:{residue.get_resname().strip()}{residue.id[1]}{residue.id[2].strip()}"


def _water_key(value: str | int) -> tuple[str | None, int]:
    """``"A:10"`` -> ("A", 10); ``10`` -> (None, 10)."""
    if isinstance(value, int):
        return None, value
    text = str(value).replace("HOH", "")
    chain, _, number = text.rpartition(":")
    try:
        return (chain or None), int(number)
    except ValueError:
        raise ReceptorError(
            f"keep_waters entry {value!r} is not 'CHAIN:NUMBER' or a number"
        ) from None


def _one_altloc(pdb: str) -> str:
    """Keep one alternate location per atom (blank or 'A', as Structure.to_pdb writes) and
    blank the altloc column, so Meeko sees one conformation."""
    lines = []
    for line in pdb.splitlines():
        if line.startswith(("ATOM", "HETATM")) and len(line) > 16 and line[16] != " ":
            if line[16] != "A":
                continue
            line = line[:16] + " " + line[17:]
        lines.append(line)
    return "\n".join(lines) + "\n"


def _meeko_receptor(pdb: str, name: str) -> tuple[Any, str]:
    from meeko import MoleculePreparation, PDBQTWriterLegacy, Polymer, ResidueChemTemplates

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            polymer = Polymer.from_pdb_string(
                pdb,
                ResidueChemTemplates.create_from_defaults(),
                MoleculePreparation(),
                allow_bad_res=True,
            )
            rigid, _flex = PDBQTWriterLegacy.write_from_polymer(polymer)
    except Exception as exc:  # Meeko raises RuntimeError/ValueError/its own classes
        raise ReceptorError(f"Meeko could not prepare {name}: {exc}") from exc
    if not polymer.get_valid_monomers():
        raise ReceptorError(f"Meeko matched no residue of {name} to a template")
    return polymer, rigid


def receptor_files(
    receptor: Receptor | str | Path, box: Box, work_dir: str | Path | None = None
) -> dict[str, str]:
    """The receptor's PDBQT and its pocket's PDB (``pdbqt``, ``pdb``: paths) for a box,
    written once into ``work_dir`` (default: a temporary folder named by the receptor's
    checksum). ``receptor``: a :class:`Receptor` or a folder of :meth:`Receptor.write`."""
    if not isinstance(receptor, Receptor):
        folder = Path(receptor)
        if not (folder / "receptor.json").is_file():
            raise DockingError(f"{folder} holds no receptor (write one with Receptor.write)")
        report = json.loads((folder / "receptor.json").read_text())
        receptor = Receptor(
            report.pop("name"),
            (folder / "receptor.pdbqt").read_text(),
            (folder / "receptor.pdb").read_text(),
            report,
        )
    folder = (
        Path(work_dir)
        if work_dir
        else Path(tempfile.gettempdir()) / f"drugml-receptor-{receptor.sha256[:16]}"
    )
    pdbqt = folder / "receptor.pdbqt"
    if not pdbqt.is_file() or hashlib.sha256(pdbqt.read_bytes()).hexdigest() != receptor.sha256:
        receptor.write(folder)
    box_key = hashlib.sha256(json.dumps(box.as_dict()).encode()).hexdigest()[:12]
    pocket = folder / f"pocket-{box_key}.pdb"
    if not pocket.is_file():
        text = receptor.pocket_pdb(box)
        write_atomic(pocket, lambda p: p.write_text(text))
    return {"pdbqt": str(pdbqt), "pdb": str(pocket)}


def check_box(receptor: Receptor, box: Box, min_atoms: int = 20, shell: float = 4.0) -> None:
    """Refuse a box with (almost) no receptor atom in it or within ``shell`` Å of its faces:
    it misses the pocket (a pocket is empty space, so the shell counts too)."""
    grown = Box(box.center, tuple(x + 2 * shell for x in box.size))
    inside = int(grown.contains(receptor.atom_coordinates()).sum())
    if inside < min_atoms:
        raise DockingError(
            f"The box centred at {box.as_dict()['center']} ({box.as_dict()['size']} Å) has "
            f"{inside} receptor heavy atoms within {shell:g} Å (< {min_atoms}): it does not "
            f"contain a pocket of {receptor.name}. Centre it on the reference ligand "
            "(box_from_ligand) or on pocket residues (box_from_residues)."
        )
