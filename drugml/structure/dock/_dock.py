"""Docking: the target's structure judges the candidates (Vina, Meeko, ProLIF, PoseBusters).

A docking run has four pieces, each a public function here:

1. :func:`prepare_receptor` turns a :class:`~drugml.structure.Structure` (or a
   file, or an embedded data set) into a Vina receptor: the chosen chains'
   standard residues, waters, ions and ligands removed (except waters kept on
   purpose), one alternate location per atom, hydrogens added by Meeko's
   residue templates. What was removed and fixed is in
   :attr:`Receptor.report`. Residues Meeko has no template for are removed
   *before* Meeko sees them: Meeko would otherwise try to fetch a template
   from the PDB, and drugml never goes online.
2. :func:`box_from_ligand` / :func:`box_from_residues`: the search box.
3. :func:`prepare_ligand`: SMILES to a 3D molecule with hydrogens, protonated
   at ``ph`` by Dimorphite-DL (Ropp et al. 2019), embedded by RDKit's ETKDG
   with a fixed seed, typed by Meeko.
4. :func:`dock` docks one molecule; :func:`dock_many` docks a list (local
   processes or Dask, resumable, one SDF of poses per molecule). Every pose
   gets PoseBusters' docking checks (``pose_ok``) and ProLIF's interaction
   fingerprint; the target's *key interaction* (for EGFR the hinge hydrogen
   bond from Met793's backbone NH, Met769 in 1M17's numbering) is a column
   the ranking can use.

**The protocol** (validated in ``benchmarks/docking.py``). Plain Vina at its
defaults ranks the pose with the best score first. On EGFR it ranks a
reversed pose of erlotinib first in 1M17 although a near-native pose is among
the nine returned. Two documented choices fix that without looking at the
answer: keeping the conserved water that bridges the quinazoline N3 and
Thr766 (``keep_waters``), and choosing, among the returned poses within
``energy_range`` of the best score, the best-scored pose that makes the key
interaction (``pose_selection="key_interaction"``). A molecule with no such
pose keeps its best-scored pose and ``docking_key_interaction = False``.

**Covalent inhibitors** (``covalent_residue="CYS797"`` in
:func:`prepare_receptor`). Vina has no covalent bond term: docked next to
the cysteine's SG, an acrylamide's reactive carbon stays at contact distance
and the whole ligand shifts (EGFR's 5HG8, 5UG8, 5UG9, 5UGC redock at
2.1-3.6 Å). The receptor is docked with that residue's reactive atom
removed (Cys -> Ala: SG and HG; Ser: OG and HG), so the warhead can take its
place, and among the returned poses the best-scored one whose reactive atom
(:func:`warhead_atoms`) lies within ``DockingSettings.covalent_distance``
of the removed atom is chosen. The default, 5 Å, is the cysteine's reach:
its SG turns about the CA-CB bond and can sit up to 3.3 Å from where the
crystal has it, and the C-S bond adds 1.8 Å. With no pose that close, and
for molecules without a warhead, the usual selection stands (in the same
truncated receptor); ``docking_covalent_distance`` says how far the chosen
pose's warhead is.

Every molecule ends in the output table with a ``docking_status``: ``docked``
or the reason it was not (``unparsable``, ``embedding_failed``,
``untypeable``, ``too_large_for_box``, ``vina_failed``, ``timeout``).

Example
-------
>>> from drugml.structure.dock import prepare_receptor, box_from_ligand
>>> receptor = prepare_receptor("egfr_1m17", chains=["A"], keep_waters=["A:10"])
>>> receptor.report["kept_waters"], receptor.report["removed"]["ligands"]
(['A:HOH10'], ['A:AQ4999'])
>>> box = box_from_ligand("egfr_1m17", "AQ4")
>>> [round(x) for x in box.size]  # the ligand's extent + 5 A each side, at least 22 A
[26, 22, 22]
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import math
import tempfile
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml import __version__
from drugml._util.io import write_atomic, write_json_atomic
from drugml.errors import DrugmlError, MissingDependencyError

if TYPE_CHECKING:
    import pandas as pd
    from rdkit import Chem

    from drugml.structure import Structure

__all__ = [
    "COVALENT_RESIDUES",
    "DOCKING_STATUSES",
    "WARHEADS",
    "Box",
    "DockingError",
    "DockingResult",
    "DockingSettings",
    "KeyInteraction",
    "LigandPreparationError",
    "Receptor",
    "ReceptorError",
    "box_from_ligand",
    "box_from_residues",
    "bridging_waters",
    "check_box",
    "check_poses",
    "covalent_attachments",
    "dock",
    "dock_many",
    "pose_interactions",
    "pose_rmsd",
    "prepare_ligand",
    "prepare_receptor",
    "reactive_residue",
    "read_poses",
    "receptor_files",
    "warhead_atoms",
    "warhead_distances",
]

#: Why a molecule was not docked (``docking_status``), in words.
DOCKING_STATUSES: dict[str, str] = {
    "docked": "docked",
    "unparsable": "the SMILES does not parse",
    "embedding_failed": "RDKit could not embed the molecule in 3D",
    "untypeable": "Meeko/Vina cannot type an atom (a metal, a radical, an unusual element)",
    "too_large_for_box": "the molecule does not fit in the search box",
    "vina_failed": "Vina stopped with an error",
    "timeout": "docking took longer than the time limit",
}

SCORING_FUNCTIONS = ("vina", "vinardo")
#: Electrophiles that bond a cysteine or serine, as SMARTS whose first atom is the one the
#: nucleophile attacks (:func:`warhead_atoms`).
WARHEADS: dict[str, str] = {
    "michael_acceptor": "[C;X3;!R]=[C;X3][C;X3]=O",  # acrylamides, crotonamides, enones
    "vinyl_sulfone": "[C;X3;!R]=[C;X3][S;X4](=O)=O",  # vinyl sulfones and sulfonamides
    "alkynamide": "[C;X2]#[C;X2][C;X3](=O)[#7,#8]",  # propiolamides, butynamides
    "haloacetamide": "[CH2;X4]([Cl,Br,I])[C;X3](=O)[#7]",  # chloro-/bromoacetamides
}
#: Residues drugml can dock covalently: the reactive atom removed (with its hydrogen) and the
#: residue written as the one it becomes.
COVALENT_RESIDUES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "CYS": ("SG", ("SG", "HG"), "ALA"),
    "SER": ("OG", ("OG", "HG"), "ALA"),
}
POSE_SELECTIONS = ("score", "key_interaction")
MANIFEST = "docking_manifest.json"


class DockingError(DrugmlError, ValueError):
    """A docking run cannot start (receptor, box or settings); per-molecule failures are
    statuses, not errors."""


class ReceptorError(DockingError):
    """A structure cannot be prepared as a receptor; the message says which residue or why."""


class LigandPreparationError(DockingError):
    """One molecule cannot be prepared; ``status`` is a key of :data:`DOCKING_STATUSES`."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(f"{status}: {reason}")
        self.status = status
        self.reason = reason


def _require(module: str, what: str) -> Any:
    import importlib
    import importlib.util

    try:
        with warnings.catch_warnings():  # MDAnalysis (under ProLIF) warns about its own moves
            warnings.simplefilter("ignore")
            if module == "prolif" and importlib.util.find_spec("MDAnalysis") is not None:
                # MDAnalysis makes its deprecation warnings loud as it is imported (a filter
                # put first), before ProLIF imports its moved tables: silence them again
                importlib.import_module("MDAnalysis")
                warnings.simplefilter("ignore")
            return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{what} needs the `{module.split('.')[0]}` package: pip install 'drugml[dock]'"
        ) from exc


def _quiet_logs() -> None:
    """Meeko, MDAnalysis and PoseBusters log warnings per residue; the report says what counts."""
    for name in ("meeko", "MDAnalysis", "posebusters", "prolif"):
        logging.getLogger(name).setLevel(logging.ERROR)


# ---------------------------------------------------------------- receptor
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
                if name in {"HOH", "WAT", "DOD"}:
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


def covalent_attachments(structure: Structure | str | Path, ligand: str, cutoff: float = 2.1
                         ) -> list[str]:  # fmt: skip
    """Protein atoms within bonding distance (``cutoff`` Å) of a ligand, as ``"CYS797:SG"``:
    a covalent inhibitor. Vina docks without that bond, so such a ligand's crystal pose is
    not what a non-covalent redocking can reproduce (its warhead sits where the bond held it).

    >>> covalent_attachments("egfr_5ug9", "8AM"), covalent_attachments("egfr_1m17", "AQ4")
    (['CYS797:SG'], [])
    """
    from drugml.structure import load_structure

    if not hasattr(structure, "model"):
        structure = load_structure(structure)
    residue = structure.ligand_residue(ligand)
    coords = np.array([a.coord for a in residue.get_atoms() if a.element != "H"])
    found = []
    for chain in structure.model:
        for other in chain:
            if other is residue or other.id[0] != " ":
                continue
            for atom in other.get_atoms():
                if (
                    atom.element != "H"
                    and np.linalg.norm(coords - atom.coord, axis=1).min() <= cutoff
                ):
                    found.append(f"{other.get_resname().strip()}{other.id[1]}:{atom.get_id()}")
    return found


def reactive_residue(structure: Structure | str | Path, ligand: str,
                     attachments: Sequence[str] | None = None) -> str | None:  # fmt: skip
    """The residue a covalent reference ligand is bonded to, as ``prepare_receptor``'s
    ``covalent_residue`` takes it (``"CYS797"``); None when it is bonded to none drugml can
    dock covalently (:data:`COVALENT_RESIDUES`). ``attachments``: the ligand's
    :func:`covalent_attachments`, when the caller has them already.

    >>> reactive_residue("egfr_5ug9", "8AM"), reactive_residue("egfr_1m17", "AQ4")
    ('CYS797', None)
    """
    found = covalent_attachments(structure, ligand) if attachments is None else attachments
    return next((c.split(":")[0] for c in found if c[:3] in COVALENT_RESIDUES), None)


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
    from drugml.structure import NOT_LIGANDS, StructureError, load_structure, one_letter_code

    _require("meeko", "Receptor preparation")
    _quiet_logs()
    try:
        if not hasattr(structure, "model"):
            structure = load_structure(structure, ligand_residues=ligand_residues)
    except StructureError as exc:
        raise ReceptorError(str(exc)) from None
    protein_chains = [c.id for c in structure.chains if c.type == "protein"]
    chains = list(chains) if chains else protein_chains
    unknown = [c for c in chains if c not in [x.id for x in structure.chains]]
    if unknown:
        raise ReceptorError(
            f"{structure.name} has no chain(s) {unknown}; chains: "
            f"{[c.id for c in structure.chains]}"
        )
    wanted_waters = [_water_key(w) for w in keep_waters]
    templates = _template_names()
    removed: dict[str, list[str]] = {
        "waters": [],
        "ions": [],
        "additives": [],
        "ligands": [],
        "nonstandard": [],
        "incomplete": [],
        "other_chains": [],
    }
    kept, kept_waters, altlocs = [], [], []
    ions = {
        "NA",
        "K",
        "LI",
        "MG",
        "CA",
        "MN",
        "ZN",
        "FE",
        "FE2",
        "CO",
        "NI",
        "CU",
        "CU1",
        "CD",
        "HG",
        "SR",
        "BA",
        "CS",
        "RB",
        "CL",
        "BR",
        "IOD",
        "F",
    }
    for chain in structure.model:
        for residue in chain:
            label = _residue_label(chain.id, residue)
            name = residue.get_resname().strip().upper()
            if name in {"HOH", "WAT", "DOD"}:
                if any(n == residue.id[1] and c in (None, chain.id) for c, n in wanted_waters):
                    kept.append(residue)
                    kept_waters.append(label)
                else:
                    removed["waters"].append(label)
                continue
            if chain.id not in chains:
                removed["other_chains"].append(label)
                continue
            polymer = (
                one_letter_code(name) is not None
                and "CA" in residue
                and name not in structure.ligand_residues
            )
            if not polymer:
                kind = "ions" if name in ions else "additives" if name in NOT_LIGANDS else "ligands"
                removed[kind].append(label)
            elif name not in templates:
                removed["nonstandard"].append(label)
            else:
                kept.append(residue)
                if any(atom.is_disordered() for atom in residue.get_atoms()):
                    altlocs.append(label)
    missing = [
        w
        for w, (c, n) in zip(keep_waters, wanted_waters, strict=True)
        if not any(
            lbl.endswith(f"HOH{n}") and (c is None or lbl.startswith(f"{c}:"))
            for lbl in kept_waters
        )
    ]
    if missing:
        raise ReceptorError(
            f"keep_waters {missing} not found in {structure.name} (waters there: "
            f"{len(removed['waters'])}, e.g. {removed['waters'][:5]})"
        )
    if not kept:
        raise ReceptorError(f"{structure.name} has no standard residue in chain(s) {chains}")
    pdb = _one_altloc(structure.to_pdb(kept))
    covalent = None
    if covalent_residue is not None:
        pdb, covalent = _remove_reactive_atom(pdb, covalent_residue, structure.name)
    heavy_in = sum(
        1
        for line in pdb.splitlines()
        if line.startswith(("ATOM", "HETATM")) and line[76:78].strip() != "H"
    )
    polymer_obj, rigid = _meeko_receptor(pdb, structure.name)
    for residue_id in polymer_obj.get_ignored_monomers():
        removed["incomplete"].append(residue_id)
    pdb_h = polymer_obj.to_pdb()
    atoms_out = [line for line in pdb_h.splitlines() if line.startswith(("ATOM", "HETATM"))]
    hydrogens = sum(1 for line in atoms_out if line[76:78].strip() == "H")
    heavy_out = len(atoms_out) - hydrogens
    histidines = sorted(
        {
            line[17:20]
            for line in rigid.splitlines()
            if line.startswith("ATOM") and line[17:20] in ("HIE", "HID", "HIP")
        }
    )
    notes = []
    if removed["incomplete"]:
        notes.append(
            f"{len(removed['incomplete'])} residue(s) with missing atoms removed: "
            f"{removed['incomplete'][:10]}"
        )
    if altlocs:
        notes.append(f"{len(altlocs)} residue(s) with alternate locations: the first kept")
    if covalent is not None:
        notes.append(f"covalent docking at {covalent['residue']}: its {covalent['atom']} "
                     f"removed ({covalent['residue'][:3]} written as {covalent['written_as']})"
                     " so that a warhead can take its place")  # fmt: skip
    if histidines:
        notes.append(
            "histidines typed as " + ", ".join(histidines) + " (Meeko's default "
            "tautomer; check them if one is in the pocket)"
        )
    report = {
        "structure": structure.name,
        "chains": chains,
        "kept_waters": kept_waters,
        "removed": {k: v for k, v in removed.items()},
        "altlocs_resolved": altlocs,
        "residues": len(kept) - len(kept_waters) - len(removed["incomplete"]),
        "heavy_atoms_in": heavy_in,
        "heavy_atoms_out": heavy_out,
        "hydrogens_added": hydrogens,
        "histidines": histidines,
        "notes": notes,
    }
    if covalent is not None:
        report["covalent"] = covalent
    return Receptor(structure.name, rigid, pdb_h, report)


def _parse_residue(text: str) -> tuple[str, int, str | None]:
    """``"CYS797"`` / ``"CYS797.A"`` -> ``("CYS", 797, "A")`` (chain None when not given)."""
    import re

    match = re.fullmatch(r"\s*([A-Za-z]{3})(-?\d+)(?:\.([A-Za-z0-9]))?\s*", str(text))
    if match is None:
        raise ReceptorError(f"covalent_residue {text!r} is not a residue like 'CYS797' or "
                            "'CYS797.A' (name, number, optional chain)")  # fmt: skip
    return match.group(1).upper(), int(match.group(2)), match.group(3)


def _remove_reactive_atom(pdb: str, residue: str, name: str) -> tuple[str, dict[str, Any]]:
    """The PDB text without the reactive atom of ``residue`` (and its hydrogen), the residue
    renamed (Cys -> Ala); and where that atom was."""
    resname, number, chain = _parse_residue(residue)
    if resname not in COVALENT_RESIDUES:
        raise ReceptorError(f"covalent_residue {residue!r}: covalent docking supports "
                            f"{sorted(COVALENT_RESIDUES)} residues, not {resname}")  # fmt: skip
    atom, removed, written_as = COVALENT_RESIDUES[resname]

    def ours(line: str) -> bool:
        return (line.startswith(("ATOM", "HETATM")) and line[17:20].strip() == resname
                and line[22:26].strip() == str(number)
                and (chain is None or line[21] == chain))  # fmt: skip

    lines = pdb.splitlines()
    chains = sorted({line[21] for line in lines if ours(line)})
    if not chains:
        here = [line for line in lines if line.startswith("ATOM")]
        same = sorted({line[17:20].strip() + str(number) for line in here
                       if line[22:26].strip() == str(number)})  # fmt: skip
        raise ReceptorError(f"covalent_residue {residue!r}: {name} has no such residue among the "
                            f"kept chains (residue {number} there: {same or 'none'})")  # fmt: skip
    if len(chains) > 1:
        raise ReceptorError(f"covalent_residue {residue!r} is in chains {chains} of {name}: "
                            f"say which, e.g. '{resname}{number}.{chains[0]}'")  # fmt: skip
    reactive = [line for line in lines if ours(line) and line[12:16].strip() == atom]
    if not reactive:
        raise ReceptorError(f"covalent_residue {residue!r}: {name}'s {resname}{number} has no "
                            f"{atom} atom (an incomplete side chain)")  # fmt: skip
    position = [float(reactive[0][30:38]), float(reactive[0][38:46]), float(reactive[0][46:54])]
    out = []
    for line in lines:
        if ours(line):
            if line[12:16].strip() in removed:
                continue
            line = f"{line[:17]}{written_as:>3}{line[20:]}"
        out.append(line)
    site = {"residue": f"{resname}{number}.{chains[0]}", "atom": atom, "written_as": written_as,
            "position": [round(x, 3) for x in position]}  # fmt: skip
    return "\n".join(out) + "\n", site


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


# --------------------------------------------------------------------- box
@dataclass(frozen=True)
class Box:
    """The search box: ``center`` and ``size`` (Å, per axis)."""

    center: tuple[float, float, float]
    size: tuple[float, float, float]

    def as_dict(self) -> dict[str, list[float]]:
        return {
            "center": [round(x, 3) for x in self.center],
            "size": [round(x, 3) for x in self.size],
        }

    def contains(self, coords: np.ndarray) -> np.ndarray:
        """Which of the points (n x 3) are inside the box."""
        half = np.asarray(self.size) / 2
        return (np.abs(np.asarray(coords) - np.asarray(self.center)) <= half).all(axis=1)


def _box_around(coords: np.ndarray, margin: float, min_size: float) -> Box:
    coords = np.asarray(coords, dtype=float)
    low, high = coords.min(axis=0), coords.max(axis=0)
    center = (low + high) / 2
    size = np.maximum(high - low + 2 * margin, min_size)
    return Box(tuple(float(x) for x in center), tuple(float(x) for x in size))


def box_from_ligand(
    structure: Structure | str | Path, ligand: str, margin: float = 5.0, min_size: float = 22.0
) -> Box:
    """A box around a ligand of a structure: its extent plus ``margin`` on each side, at
    least ``min_size`` Å per axis (room for larger candidates than the reference).

    >>> box_from_ligand("egfr_5ug9", "8AM").size
    (22.0, 22.0, 22.0)
    """
    from drugml.structure import StructureError, load_structure

    try:
        if not hasattr(structure, "model"):
            structure = load_structure(structure)
        pdb = structure.ligand_pdb(ligand)
    except StructureError as exc:
        raise DockingError(str(exc)) from None
    coords = [
        (float(line[30:38]), float(line[38:46]), float(line[46:54]))
        for line in pdb.splitlines()
        if line.startswith(("ATOM", "HETATM"))
    ]
    return _box_around(np.array(coords), margin, min_size)


def box_from_residues(
    structure: Structure | str | Path,
    residues: Iterable[int | str],
    margin: float = 5.0,
    min_size: float = 22.0,
) -> Box:
    """A box around residues (numbers, or ``"A:769"``), e.g. a pocket with no ligand bound.

    >>> box_from_residues("egfr_1m17", [719, 769, 831]).size[0] >= 22
    True
    """
    from drugml.structure import load_structure

    if not hasattr(structure, "model"):
        structure = load_structure(structure)
    wanted = set()
    for item in residues:
        chain, _, number = str(item).rpartition(":")
        wanted.add((chain or None, int(number)))
    coords = [
        atom.coord
        for chain in structure.model
        for residue in chain
        for atom in residue.get_atoms()
        if any(n == residue.id[1] and c in (None, chain.id) for c, n in wanted)
        and residue.id[0] == " "
    ]
    if not coords:
        raise DockingError(
            f"None of the residues {sorted(n for _, n in wanted)} is in {structure.name}"
        )
    return _box_around(np.array(coords), margin, min_size)


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


# ------------------------------------------------------------------ ligand
def prepare_ligand(
    molecule: str | Chem.Mol, ph: float | None = 7.4, seed: int = 0
) -> tuple[Chem.Mol, str]:
    """``(mol, pdbqt)``: a 3D molecule with hydrogens, protonated at ``ph``, and its PDBQT.

    ``ph=None`` keeps the input's protonation. Salts: the largest fragment is
    docked. Raises :class:`LigandPreparationError` with a status of
    :data:`DOCKING_STATUSES`.

    >>> mol, pdbqt = prepare_ligand("CN1CCN(CC1)c1ccccc1C(=O)O")
    >>> from rdkit import Chem
    >>> Chem.MolToSmiles(Chem.RemoveHs(mol))  # zwitterion at pH 7.4
    'C[NH+]1CCN(c2ccccc2C(=O)[O-])CC1'
    """
    from rdkit import Chem, rdBase
    from rdkit.Chem import AllChem
    from rdkit.Chem.MolStandardize import rdMolStandardize

    _require("meeko", "Ligand preparation")
    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(molecule) if isinstance(molecule, str) else Chem.Mol(molecule)
    if mol is None or mol.GetNumAtoms() == 0:
        raise LigandPreparationError("unparsable", f"SMILES {molecule!r} does not parse")
    metals = sorted({a.GetSymbol() for a in mol.GetAtoms()} - _DOCKABLE_ELEMENTS - _COUNTER_IONS)
    if metals:
        # Vina has no atom type for a metal, and dropping it would dock another molecule
        raise LigandPreparationError("untypeable", f"Vina has no atom type for {metals}")
    if len(Chem.GetMolFrags(mol)) > 1:
        mol = rdMolStandardize.LargestFragmentChooser().choose(mol)
    if ph is not None:
        mol = _protonate(mol, ph)
    for atom in mol.GetAtoms():
        if atom.GetNumRadicalElectrons():
            raise LigandPreparationError(
                "untypeable", f"atom {atom.GetSymbol()}{atom.GetIdx()} is a radical"
            )
    with_h = Chem.AddHs(mol)
    params = AllChem.ETKDGv3()
    params.randomSeed = seed
    with rdBase.BlockLogs():
        status = AllChem.EmbedMolecule(with_h, params)
        if status < 0:
            params.useRandomCoords = True
            status = AllChem.EmbedMolecule(with_h, params)
        if status < 0:
            raise LigandPreparationError(
                "embedding_failed",
                "ETKDG found no 3D conformer (strained or impossible stereochemistry?)",
            )
        if AllChem.MMFFHasAllMoleculeParams(with_h):
            AllChem.MMFFOptimizeMolecule(with_h, maxIters=500)
    return with_h, _ligand_pdbqt(with_h)


#: Elements Vina's scoring types (AutoDock 4 types used by Meeko).
_DOCKABLE_ELEMENTS = frozenset({"H", "C", "N", "O", "F", "P", "S", "Cl", "Br", "I", "Si", "B"})
#: Counter ions of salts: the largest fragment is docked without them.
_COUNTER_IONS = frozenset({"Li", "Na", "K", "Mg", "Ca"})


def _protonate(mol: Chem.Mol, ph: float) -> Chem.Mol:
    from rdkit import Chem

    dimorphite = _require("dimorphite_dl", "Protonation at a pH")
    logging.getLogger("dimorphite_dl").setLevel(logging.ERROR)
    with contextlib.suppress(AttributeError):  # Dimorphite logs through loguru
        dimorphite.logger.disable("dimorphite_dl")
    smiles = Chem.MolToSmiles(mol)
    try:
        variants = dimorphite.protonate_smiles(smiles, ph_min=ph, ph_max=ph, max_variants=1)
    except Exception:  # Dimorphite fails on some unusual input; keep it as given
        return mol
    protonated = Chem.MolFromSmiles(variants[0]) if variants else None
    return protonated if protonated is not None else mol


def _ligand_pdbqt(mol: Chem.Mol) -> str:
    from meeko import MoleculePreparation, PDBQTWriterLegacy

    odd = sorted({a.GetSymbol() for a in mol.GetAtoms()} - _DOCKABLE_ELEMENTS)
    if odd:
        raise LigandPreparationError("untypeable", f"Vina has no atom type for {odd}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            setups = MoleculePreparation().prepare(mol)
            text, ok, error = PDBQTWriterLegacy.write_string(setups[0])
    except Exception as exc:
        raise LigandPreparationError("untypeable", f"Meeko: {exc}") from None
    if not ok:
        raise LigandPreparationError("untypeable", f"Meeko: {error.strip()}")
    return text


# ------------------------------------------------------------- settings
@dataclass(frozen=True)
class KeyInteraction:
    """The target's key interaction: a ProLIF interaction with one residue.

    ``residue`` as ProLIF writes it (``MET769.A``) or without the chain
    (``MET769``); ``interactions``: the ProLIF interaction names that count
    (``HBAcceptor``: the ligand accepts a hydrogen bond from the residue).
    """

    residue: str
    interactions: tuple[str, ...] = ("HBAcceptor",)

    def label(self) -> str:
        return f"{'/'.join(self.interactions)} with {self.residue}"

    def matches(self, residue: str, interaction: str) -> bool:
        """Whether ProLIF's ``interaction`` with ``residue`` (``MET769.A``) is this one.

        >>> KeyInteraction("MET769").matches("MET769.A", "HBAcceptor")
        True
        """
        target, name = self.residue.upper(), residue.upper()
        same = name == target or ("." not in target and name.split(".")[0] == target)
        return same and interaction in self.interactions


@dataclass(frozen=True)
class DockingSettings:
    """How each molecule is docked (one Vina run on one core per molecule).

    ``exhaustiveness``: Vina's independent Monte Carlo runs (8 is Vina's
    default); ``n_poses``: poses returned; ``energy_range``: poses within this
    many kcal/mol of the best; ``seed``: same seed, same poses; ``scoring``:
    ``vina`` or ``vinardo``; ``time_limit``: seconds per molecule (``None``:
    none; the molecule gets ``timeout``); ``ph``: protonation (``None``: as
    given); ``pose_selection``: ``score`` (plain Vina) or ``key_interaction``
    (the best-scored pose making the key interaction; see the module docstring);
    ``check_poses``: PoseBusters on every pose; ``covalent_distance``: with a
    receptor prepared for covalent docking, the best-scored pose whose warhead
    lies this close (Å) to the removed reactive atom is chosen (see the
    module's "Covalent inhibitors").
    """

    exhaustiveness: int = 8
    n_poses: int = 9
    energy_range: float = 3.0
    seed: int = 0
    scoring: str = "vina"
    time_limit: float | None = None
    ph: float | None = 7.4
    pose_selection: str = "key_interaction"
    key_interaction: KeyInteraction | None = None
    check_poses: bool = True
    covalent_distance: float = 5.0

    def __post_init__(self) -> None:
        if self.scoring not in SCORING_FUNCTIONS:
            raise DockingError(f"scoring must be one of {SCORING_FUNCTIONS}, got {self.scoring!r}")
        if self.pose_selection not in POSE_SELECTIONS:
            raise DockingError(
                f"pose_selection must be one of {POSE_SELECTIONS}, got {self.pose_selection!r}"
            )
        if self.exhaustiveness < 1 or self.n_poses < 1:
            raise DockingError("exhaustiveness and n_poses must be at least 1")
        if self.time_limit is not None and self.time_limit <= 0:
            raise DockingError(f"time_limit must be positive seconds, got {self.time_limit}")
        if not self.covalent_distance > 0:
            raise DockingError(
                f"covalent_distance must be positive Å, got {self.covalent_distance}"
            )

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if self.key_interaction is not None:
            out["key_interaction"] = {
                "residue": self.key_interaction.residue,
                "interactions": list(self.key_interaction.interactions),
            }
        return out


@dataclass
class DockingResult:
    """One molecule's docking: status, poses (RDKit, with hydrogens) best score first."""

    status: str
    reason: str = ""
    scores: list[float] = field(default_factory=list)
    poses: list[Any] = field(default_factory=list)
    chosen: int = 0
    key_interaction: list[bool] = field(default_factory=list)
    interactions: list[list[str]] = field(default_factory=list)
    failed_checks: list[list[str]] = field(default_factory=list)
    heavy_atoms: int = 0
    seconds: float = 0.0
    covalent_distance: list[float] = field(default_factory=list)

    @property
    def score(self) -> float:
        """Vina score of the chosen pose (NaN when not docked)."""
        return self.scores[self.chosen] if self.scores else math.nan

    def row(self) -> dict[str, Any]:
        """The table row (columns of :data:`drugml.schema.DOCKING_COLUMNS`). Timing is left
        out (it is in each molecule's result file) so that a resumed run's table is
        identical to an uninterrupted one's."""
        docked = self.status == "docked"
        return {
            "docking_status": self.status,
            "docking_reason": self.reason,
            "docking_score": round(self.score, 3) if docked else math.nan,
            "docking_best_score": round(min(self.scores), 3) if docked else math.nan,
            "docking_ligand_efficiency": round(-self.score / self.heavy_atoms, 4)
            if docked and self.heavy_atoms
            else math.nan,
            "docking_pose_rank": self.chosen + 1 if docked else None,
            "docking_key_interaction": bool(self.key_interaction[self.chosen])
            if docked and self.key_interaction
            else None,
            "docking_interactions": "; ".join(self.interactions[self.chosen])
            if docked and self.interactions
            else "",
            "pose_ok": (not self.failed_checks[self.chosen])
            if docked and self.failed_checks
            else None,
            "pose_failed_checks": "; ".join(self.failed_checks[self.chosen])
            if docked and self.failed_checks
            else "",
            "docking_covalent_distance": round(self.covalent_distance[self.chosen], 2)
            if docked and self.covalent_distance
            else math.nan,
        }


# ------------------------------------------------------------------ docking
_VINA_CACHE: dict[tuple, Any] = {}


def _vina(receptor_path: str, box: Box, scoring: str, seed: int) -> Any:
    """One Vina object per (receptor, box, scoring, seed) and process, its maps computed once.

    Vina re-seeds its random generator from ``seed`` at each ``dock`` call, so
    reusing the object gives the same poses as a fresh one (tested).
    """
    vina = _require("vina", "Docking")
    key = (receptor_path, box, scoring, seed)
    if key not in _VINA_CACHE:
        # Vina reads seed 0 as "pick a random seed": shift by one so that every drugml seed,
        # 0 included, is a fixed one
        engine = vina.Vina(sf_name=scoring, seed=seed + 1, cpu=1, verbosity=0)
        engine.set_receptor(receptor_path)
        engine.compute_vina_maps(center=list(box.center), box_size=list(box.size))
        _VINA_CACHE.clear()  # one receptor at a time per process: maps are large
        _VINA_CACHE[key] = engine
    return _VINA_CACHE[key]


def _poses_from_pdbqt(text: str) -> list[Chem.Mol]:
    from meeko import PDBQTMolecule, RDKitMolCreate
    from rdkit import Chem

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        molecule = PDBQTMolecule(text, skip_typing=True)
        mols = RDKitMolCreate.from_pdbqt_mol(molecule)
    mol = mols[0] if mols else None
    if mol is None:
        raise LigandPreparationError("vina_failed", "Meeko could not rebuild the docked poses")
    poses = []
    for conf in mol.GetConformers():
        pose = Chem.Mol(mol)
        pose.RemoveAllConformers()
        pose.AddConformer(Chem.Conformer(conf), assignId=True)
        poses.append(pose)
    return poses


def _ligand_extent(mol: Chem.Mol) -> float:
    heavy = [a.GetIdx() for a in mol.GetAtoms() if a.GetAtomicNum() > 1]
    coords = mol.GetConformer().GetPositions()[heavy]
    return (
        float(np.max(np.linalg.norm(coords[:, None] - coords[None], axis=2)))
        if len(heavy) > 1
        else 0.0
    )


def _dock_in_process(
    smiles: str, receptor_path: str, receptor_pdb_path: str, box: Box, settings: DockingSettings
) -> DockingResult:
    from rdkit import Chem

    started = time.perf_counter()
    try:
        mol, pdbqt = prepare_ligand(smiles, ph=settings.ph, seed=settings.seed)
    except LigandPreparationError as exc:
        return DockingResult(exc.status, exc.reason, seconds=time.perf_counter() - started)
    heavy = mol.GetNumHeavyAtoms()
    extent = _ligand_extent(mol)
    if extent > min(box.size) - 1.0:
        return DockingResult(
            "too_large_for_box",
            f"the molecule spans {extent:.1f} Å; the box's shortest side is {min(box.size):.1f} Å",
            heavy_atoms=heavy,
            seconds=time.perf_counter() - started,
        )
    try:
        engine = _vina(receptor_path, box, settings.scoring, settings.seed)
        engine.set_ligand_from_string(pdbqt)
        engine.dock(
            exhaustiveness=settings.exhaustiveness,
            n_poses=settings.n_poses,
            min_rmsd=1.0,
            max_evals=0,
        )
        text = engine.poses(n_poses=settings.n_poses, energy_range=settings.energy_range)
        scores = [
            float(e[0])
            for e in engine.energies(n_poses=settings.n_poses, energy_range=settings.energy_range)
        ]
    except (RuntimeError, ValueError, TypeError) as exc:
        status = "untypeable" if "type" in str(exc).lower() else "vina_failed"
        return DockingResult(
            status,
            f"Vina: {str(exc).strip()[:300]}",
            heavy_atoms=heavy,
            seconds=time.perf_counter() - started,
        )
    try:
        poses = _poses_from_pdbqt(text)
    except LigandPreparationError as exc:
        return DockingResult(
            exc.status, exc.reason, heavy_atoms=heavy, seconds=time.perf_counter() - started
        )
    poses = poses[: len(scores)]
    for i, (pose, score) in enumerate(zip(poses, scores, strict=True)):
        pose.SetProp("_Name", Chem.MolToSmiles(Chem.RemoveHs(pose)))
        pose.SetDoubleProp("docking_score", score)
        pose.SetIntProp("pose_rank", i + 1)
    result = DockingResult("docked", scores=scores, poses=poses, heavy_atoms=heavy)
    if settings.key_interaction is not None or settings.pose_selection == "key_interaction":
        result.interactions = pose_interactions(poses, receptor_pdb_path)
        key = settings.key_interaction
        result.key_interaction = [
            key is not None
            and any(key.matches(residue, name) for residue, name in _split_interactions(found))
            for found in result.interactions
        ]
        if settings.pose_selection == "key_interaction" and any(result.key_interaction):
            result.chosen = result.key_interaction.index(True)
    site = _covalent_site(receptor_path)
    if site is not None:
        distances = warhead_distances(poses, site["position"])
        if any(math.isfinite(d) for d in distances):
            result.covalent_distance = distances
            close = [i for i, d in enumerate(distances) if d <= settings.covalent_distance]
            if close:  # else: no pose can bond; the usual choice stands, its distance said
                result.chosen = close[0]
    if settings.check_poses:
        result.failed_checks = check_poses(poses, receptor_pdb_path)
    for i, pose in enumerate(poses):
        if result.key_interaction:
            pose.SetProp("key_interaction", str(result.key_interaction[i]))
        if result.interactions:
            pose.SetProp("interactions", "; ".join(result.interactions[i]))
        if result.failed_checks:
            pose.SetProp("pose_failed_checks", "; ".join(result.failed_checks[i]))
        if result.covalent_distance:
            pose.SetDoubleProp("covalent_distance", round(result.covalent_distance[i], 2))
        pose.SetProp("chosen", str(i == result.chosen))
    result.seconds = time.perf_counter() - started
    return result


def warhead_atoms(mol: Chem.Mol) -> list[int]:
    """Atoms of ``mol`` a cysteine or serine can bond (:data:`WARHEADS`), in atom order.

    >>> from rdkit import Chem
    >>> warhead_atoms(Chem.MolFromSmiles("C=CC(=O)Nc1ccccc1"))
    [0]
    >>> warhead_atoms(Chem.MolFromSmiles("CCC(=O)Nc1ccccc1"))  # the reacted form: none
    []
    """
    found: set[int] = set()
    for smarts in WARHEADS.values():
        found.update(match[0] for match in mol.GetSubstructMatches(_smarts(smarts)))
    return sorted(found)


@functools.cache
def _smarts(smarts: str) -> Chem.Mol:
    from rdkit import Chem

    return Chem.MolFromSmarts(smarts)


def warhead_distances(poses: Sequence[Chem.Mol], position: Sequence[float]) -> list[float]:
    """Per pose, the distance (Å) from its nearest warhead atom to ``position`` (NaN: the
    molecule has no warhead)."""
    out = []
    target = np.asarray(position, dtype=float)
    for pose in poses:
        atoms = warhead_atoms(pose)
        if not atoms:
            out.append(math.nan)
            continue
        coords = pose.GetConformer().GetPositions()[atoms]
        out.append(float(np.linalg.norm(coords - target, axis=1).min()))
    return out


def _covalent_site(receptor_path: str) -> dict[str, Any] | None:
    """The covalent site of a receptor folder written by :meth:`Receptor.write` (its
    ``receptor.json`` beside the PDBQT), None when it was not prepared for covalent docking."""
    report = Path(receptor_path).with_name("receptor.json")
    if not report.is_file():
        return None
    return json.loads(report.read_text()).get("covalent")


def _split_interactions(found: list[str]) -> list[tuple[str, str]]:
    """``["MET769.A:HBAcceptor"]`` -> ``[("MET769.A", "HBAcceptor")]``."""
    return [tuple(item.rsplit(":", 1)) for item in found]  # type: ignore[misc]


def dock(
    molecule: str,
    receptor: Receptor | str | Path,
    box: Box,
    settings: DockingSettings | None = None,
    work_dir: str | Path | None = None,
) -> DockingResult:
    """Dock one molecule (SMILES); a failure is a status of the result, never an exception.

    ``receptor``: a :class:`Receptor` or a folder written by
    :meth:`Receptor.write`. With ``settings.time_limit`` the docking runs in
    a child process that is stopped after that many seconds.

    >>> receptor = prepare_receptor("egfr_1m17", chains=["A"], keep_waters=["A:10"])
    >>> result = dock("not a smiles", receptor, box_from_ligand("egfr_1m17", "AQ4"))
    >>> result.status, result.reason
    ('unparsable', "SMILES 'not a smiles' does not parse")
    """
    settings = settings or DockingSettings()
    paths = receptor_files(receptor, box, work_dir)
    if settings.time_limit is None:
        return _dock_in_process(molecule, paths["pdbqt"], paths["pdb"], box, settings)
    return _with_time_limit(molecule, paths, box, settings)


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


def _child(
    connection: Any, molecule: str, paths: dict[str, str], box: Box, settings: DockingSettings
) -> None:
    result = _dock_in_process(molecule, paths["pdbqt"], paths["pdb"], box, settings)
    connection.send(_result_to_payload(result))
    connection.close()


def _with_time_limit(
    molecule: str, paths: dict[str, str], box: Box, settings: DockingSettings
) -> DockingResult:
    import multiprocessing

    started = time.perf_counter()
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, molecule, paths, box, settings))
    process.start()
    sender.close()
    ready = receiver.poll(settings.time_limit)
    if not ready:
        process.kill()
        process.join()
        return DockingResult(
            "timeout",
            f"stopped after {settings.time_limit:g} s",
            seconds=time.perf_counter() - started,
        )
    try:
        payload = receiver.recv()
    except EOFError:
        process.join()
        return DockingResult(
            "vina_failed",
            f"the docking process died (exit code {process.exitcode})",
            seconds=time.perf_counter() - started,
        )
    process.join()
    return _result_from_payload(payload)


def _result_to_payload(result: DockingResult) -> dict[str, Any]:
    """A JSON-safe dict (poses as one SDF text): what a child process or a resume file holds."""
    payload = {k: v for k, v in asdict(result).items() if k != "poses"}
    payload["sdf"] = _poses_sdf(result.poses)
    return payload


def _result_from_payload(payload: Mapping[str, Any]) -> DockingResult:
    from rdkit import Chem

    payload = dict(payload)
    sdf = payload.pop("sdf", "")
    poses = []
    if sdf:
        supplier = Chem.SDMolSupplier()
        supplier.SetData(sdf, removeHs=False)
        poses = [m for m in supplier if m is not None]
    return DockingResult(**payload, poses=poses)


def _poses_sdf(poses: Sequence[Chem.Mol]) -> str:
    from io import StringIO

    from rdkit import Chem

    out = StringIO()
    with Chem.SDWriter(out) as writer:
        for pose in poses:
            writer.write(pose)
    return out.getvalue()


# ---------------------------------------------------------- pose analysis
def _protein_for_prolif(receptor_pdb_path: str) -> Any:
    from rdkit import Chem

    plf = _require("prolif", "Interaction fingerprints")
    key = ("prolif", receptor_pdb_path)
    if key not in _VINA_CACHE:
        mol = Chem.MolFromPDBFile(receptor_pdb_path, removeHs=False)
        if mol is None:
            raise DockingError(f"RDKit cannot read the prepared receptor {receptor_pdb_path}")
        _VINA_CACHE[key] = plf.Molecule.from_rdkit(mol)
    return _VINA_CACHE[key]


def pose_interactions(poses: Sequence[Chem.Mol], receptor_pdb: str | Path) -> list[list[str]]:
    """ProLIF interactions of each pose with the receptor, as ``"RESIDUE.CHAIN:Interaction"``.

    ``receptor_pdb``: the prepared receptor with hydrogens (``receptor.pdb``).
    """
    from rdkit import Chem

    _quiet_logs()
    plf = _require("prolif", "Interaction fingerprints")
    out = []
    with warnings.catch_warnings():  # MDAnalysis, under ProLIF, warns about its own modules
        warnings.simplefilter("ignore")
        protein = _protein_for_prolif(str(receptor_pdb))
        for pose in poses:
            # a clean copy: residue info on some atoms only would split the ligand in ProLIF
            clean = Chem.MolFromMolBlock(Chem.MolToMolBlock(pose), removeHs=False)
            fingerprint = plf.Fingerprint()
            fingerprint.run_from_iterable([plf.Molecule.from_rdkit(clean)], protein, progress=False)
            found = []
            for (_, residue), interactions in fingerprint.ifp[0].items():
                found += [f"{residue}:{name}" for name in interactions]
            out.append(sorted(found, key=_residue_order))
    return out


def _residue_order(item: str) -> tuple[int, str]:
    residue = item.split(".")[0]
    digits = "".join(ch for ch in residue if ch.isdigit())
    return (int(digits) if digits else 0, item)


def check_poses(poses: Sequence[Chem.Mol], receptor_pdb: str | Path) -> list[list[str]]:
    """PoseBusters' docking checks of each pose: the names of the failed checks ([] = ok).

    The checks catch broken chemistry and clashes (bond lengths, planarity,
    internal clashes, overlap with the protein), not a wrong binding mode:
    a reversed pose with sound chemistry passes.
    """
    _quiet_logs()
    posebusters = _require("posebusters", "Pose checks")
    if not poses:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = posebusters.PoseBusters(config="dock").bust(list(poses), None, str(receptor_pdb))
    failed = []
    for _, row in table.iterrows():
        failed.append(
            [
                str(name)
                for name, value in row.items()
                if isinstance(value, (bool, np.bool_)) and not value
            ]
        )
    return failed


def pose_rmsd(pose: Chem.Mol, reference: Chem.Mol) -> float:
    """Symmetry-aware heavy-atom RMSD (Å) between a pose and a reference, in place (no
    alignment): the redocking measure. Atoms are matched by graph symmetry (RDKit
    ``CalcRMS``), so a flipped phenyl ring costs nothing."""
    from rdkit import Chem
    from rdkit.Chem import rdMolAlign

    probe, ref = Chem.RemoveAllHs(pose), Chem.RemoveAllHs(reference)
    try:
        return float(rdMolAlign.CalcRMS(probe, ref))
    except RuntimeError:
        # the pose's protonation (pH 7.4) may differ from the crystal ligand's bond orders:
        # match the two by connectivity alone
        return float(rdMolAlign.CalcRMS(_skeleton(probe), _skeleton(ref)))


def _skeleton(mol: Chem.Mol) -> Chem.Mol:
    """Single bonds, no charges, no aromaticity: matching by connectivity only."""
    from rdkit import Chem

    rw = Chem.RWMol(mol)
    for atom in rw.GetAtoms():
        atom.SetFormalCharge(0)
        atom.SetIsAromatic(False)
        atom.SetNoImplicit(True)
        atom.SetNumExplicitHs(0)
    for bond in rw.GetBonds():
        bond.SetBondType(Chem.BondType.SINGLE)
        bond.SetIsAromatic(False)
    out = rw.GetMol()
    out.UpdatePropertyCache(strict=False)
    return out


# --------------------------------------------------------------- many
def _fingerprint(
    smiles: Sequence[str], receptor: Receptor, box: Box, settings: DockingSettings
) -> dict[str, Any]:
    inputs = hashlib.sha256("\n".join(smiles).encode()).hexdigest()
    return {
        "inputs_sha256": inputs,
        "n": len(smiles),
        "receptor_sha256": receptor.sha256,
        "box": box.as_dict(),
        "settings": settings.as_dict(),
    }


def _dock_one_to_file(
    index: int,
    smiles: str,
    paths: dict[str, str],
    box: Box,
    settings: DockingSettings,
    out_dir: str,
) -> int:
    """Worker: dock one molecule, write its pose SDF and result JSON atomically."""
    _quiet_logs()
    if settings.time_limit is None:
        result = _dock_in_process(smiles, paths["pdbqt"], paths["pdb"], box, settings)
    else:
        result = _with_time_limit(smiles, paths, box, settings)
    folder = Path(out_dir)
    payload = _result_to_payload(result)
    sdf = payload.pop("sdf")
    if sdf:
        write_atomic(folder / "poses" / f"{index:06d}.sdf", lambda p: p.write_text(sdf))
    write_json_atomic(folder / "results" / f"{index:06d}.json", payload)
    return index


def dock_many(
    molecules: Sequence[str] | pd.DataFrame,
    receptor: Receptor,
    box: Box,
    out_dir: str | Path,
    settings: DockingSettings | None = None,
    smiles_column: str = "smiles",
    n_jobs: int = 1,
    backend: str = "local",
    client: Any = None,
    resume: bool | str = True,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Dock many molecules: one row per input (same order), the poses in ``out_dir/poses``.

    ``molecules``: SMILES or a DataFrame with ``smiles_column`` (its columns are
    kept). Each molecule is docked on one core (``n_jobs`` processes, or a
    Dask ``client`` with ``backend="dask"``). Each result is written as soon
    as it is done (``out_dir/results/NNNNNN.json`` and ``poses/NNNNNN.sdf``),
    so a killed run resumed with the same inputs and settings skips the
    molecules done and ends with identical output; a folder holding another
    run's results is refused (``resume="if_same"``: started again instead;
    ``resume=False``: always started again). The table is also written to
    ``out_dir/docking.csv``.
    """
    import pandas as pd
    from tqdm.auto import tqdm

    settings = settings or DockingSettings()
    if isinstance(molecules, pd.DataFrame):
        if smiles_column not in molecules:
            raise DockingError(f"No column {smiles_column!r}; columns: {list(molecules.columns)}")
        table = molecules.reset_index(drop=True).copy()
    else:
        table = pd.DataFrame({smiles_column: list(molecules)})
    smiles = [str(s) if isinstance(s, str) else "" for s in table[smiles_column]]
    if backend not in ("local", "dask"):
        raise DockingError(f"backend must be 'local' or 'dask', got {backend!r}")
    out = Path(out_dir)
    for folder in ("results", "poses", "receptor"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    check_box(receptor, box)
    paths = receptor_files(receptor, box, out / "receptor")
    fingerprint = _fingerprint(smiles, receptor, box, settings)
    done = _check_docking_resume(out, fingerprint, resume)
    todo = [i for i in range(len(smiles)) if i not in done]
    bar = tqdm(
        total=len(smiles), initial=len(done), unit="mol", desc="dock", disable=progress is False
    )
    arguments = [(i, smiles[i], paths, box, settings, str(out)) for i in todo]
    try:
        if backend == "dask":
            from dask.distributed import as_completed, get_client

            client = client or get_client()
            futures = [client.submit(_dock_one_to_file, *a, pure=False) for a in arguments]
            for future in as_completed(futures):
                future.result()
                bar.update(1)
        elif n_jobs <= 1 or len(todo) <= 1:
            for a in arguments:
                _dock_one_to_file(*a)
                bar.update(1)
        else:
            import concurrent.futures
            import multiprocessing

            # spawn, as the screen: fresh interpreters, no fork of a threaded parent, no
            # server socket
            from drugml._util.parallel import limit_threads, threads_per_worker

            context = multiprocessing.get_context("spawn")
            workers = min(n_jobs, len(todo))
            with concurrent.futures.ProcessPoolExecutor(
                workers, mp_context=context, initializer=limit_threads,
                initargs=(threads_per_worker(workers),)
            ) as pool:  # fmt: skip
                futures = [pool.submit(_dock_one_to_file, *a) for a in arguments]
                for future in concurrent.futures.as_completed(futures):
                    future.result()
                    bar.update(1)
    finally:
        bar.close()
    rows = []
    for i in range(len(smiles)):
        payload = json.loads((out / "results" / f"{i:06d}.json").read_text())
        result = _result_from_payload({**payload, "sdf": ""})
        row = result.row()
        pose_file = out / "poses" / f"{i:06d}.sdf"
        row["docking_pose_file"] = str(pose_file.relative_to(out)) if pose_file.is_file() else ""
        rows.append(row)
    result_table = pd.concat([table, pd.DataFrame(rows)], axis=1)
    write_atomic(out / "docking.csv", lambda p: result_table.to_csv(p, index=False))
    return result_table


def _check_docking_resume(out: Path, fingerprint: dict[str, Any], resume: bool | str
                          ) -> set[int]:  # fmt: skip
    manifest_path = out / MANIFEST
    if manifest_path.is_file():
        previous = json.loads(manifest_path.read_text()).get("fingerprint", {})
        if previous != fingerprint and resume is True:
            differences = [k for k in fingerprint if previous.get(k) != fingerprint[k]]
            raise DockingError(
                f"{out} holds a docking run with other inputs or settings (differs in: "
                f"{', '.join(differences)}); refusing to mix them. Use another folder, or "
                "resume=False to start this one again."
            )
        if resume is False or previous != fingerprint:
            for folder in ("results", "poses"):
                for old in (out / folder).iterdir():
                    old.unlink()
    for folder in ("results", "poses"):
        for partial in (out / folder).glob(".*.tmp-*"):
            partial.unlink()  # half-written by a killed run
    write_json_atomic(manifest_path, {"drugml": __version__, "fingerprint": fingerprint})
    done = set()
    for path in (out / "results").glob("*.json"):
        index = int(path.stem)
        if index < fingerprint["n"]:
            done.add(index)
    return done


def read_poses(pose_file: str | Path) -> list[Chem.Mol]:
    """The poses of one docked molecule (an SDF written by :func:`dock_many`), best first."""
    from rdkit import Chem

    return [m for m in Chem.SDMolSupplier(str(pose_file), removeHs=False) if m is not None]
