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

**Interaction-fingerprint rescoring** (Tran-Nguyen, Bret & Rognan, J. Chem.
Inf. Model. 2021: the similarity of a pose's interaction fingerprint to a
known complex's enriched true binders better than machine-learned scoring
functions). :func:`reference_interactions` gives a crystal ligand's ProLIF
interactions with the prepared receptor, once per receptor; with it as
``DockingSettings(reference_interactions=...)`` every pose gets its
:func:`interaction_similarity` (Tanimoto over (residue, interaction type)
pairs, not recall, which would reward size; see that function), the
table gets ``docking_interaction_similarity`` (chosen pose) and
``docking_best_interaction_similarity``, and
``pose_selection="interaction_similarity"`` chooses the most similar pose
within ``energy_range`` of the best score. :func:`rescore_poses` rescores a
finished run's pose files without docking again;
:func:`pose_interaction_records` lists one pose's interactions with their
atoms (for a 2D diagram). Every docked molecule also gets
``docking_size_corrected_score`` = -score / heavy_atoms**0.3 (Nissink's
size-independent ligand efficiency, J. Chem. Inf. Model. 2009), beside
``docking_ligand_efficiency``, which divides by heavy atoms and
over-corrects, as affinity grows less than linearly with size (Reynolds et
al., Bioorg. Med. Chem. Lett. 2007).

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
>>> from drugml.structure.dock import DockingSettings
>>> DockingSettings().exhaustiveness
8
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drugml._util.lazy import lazy_submodules

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from drugml.structure.dock._box import (
        BOX_MARGIN,
        BOX_MIN_SIZE,
        Box,
        box_from_ligand,
        box_from_residues,
    )
    from drugml.structure.dock._covalent import (
        covalent_attachments,
        reactive_residue,
    )
    from drugml.structure.dock._dock import (
        dock,
        dock_many,
    )
    from drugml.structure.dock._interactions import (
        INTERACTION_METRICS,
        RESCORE_COLUMNS,
        InteractionReference,
        interaction_similarity,
        most_similar_pose,
        pose_interaction_records,
        reference_interactions,
        rescore_poses,
    )
    from drugml.structure.dock._ligand import (
        prepare_ligand,
        warhead_atoms,
        warhead_distances,
    )
    from drugml.structure.dock._poses import (
        check_poses,
        pose_interactions,
        pose_rmsd,
        read_poses,
    )
    from drugml.structure.dock._receptor import (
        Receptor,
        bridging_waters,
        check_box,
        prepare_receptor,
        receptor_files,
    )
    from drugml.structure.dock._settings import (
        COVALENT_RESIDUES,
        DOCKING_STATUSES,
        MANIFEST,
        POSE_SELECTIONS,
        SCORING_FUNCTIONS,
        SIZE_EXPONENT,
        WARHEADS,
        DockingError,
        DockingResult,
        DockingSettings,
        KeyInteraction,
        LigandPreparationError,
        ReceptorError,
    )

# Public names, each imported from its private module on first use (light `import`).
_LAZY_NAMES = {
    "BOX_MARGIN": "drugml.structure.dock._box",
    "BOX_MIN_SIZE": "drugml.structure.dock._box",
    "Box": "drugml.structure.dock._box",
    "box_from_ligand": "drugml.structure.dock._box",
    "box_from_residues": "drugml.structure.dock._box",
    "covalent_attachments": "drugml.structure.dock._covalent",
    "reactive_residue": "drugml.structure.dock._covalent",
    "dock": "drugml.structure.dock._dock",
    "dock_many": "drugml.structure.dock._dock",
    "INTERACTION_METRICS": "drugml.structure.dock._interactions",
    "RESCORE_COLUMNS": "drugml.structure.dock._interactions",
    "InteractionReference": "drugml.structure.dock._interactions",
    "interaction_similarity": "drugml.structure.dock._interactions",
    "most_similar_pose": "drugml.structure.dock._interactions",
    "pose_interaction_records": "drugml.structure.dock._interactions",
    "reference_interactions": "drugml.structure.dock._interactions",
    "rescore_poses": "drugml.structure.dock._interactions",
    "prepare_ligand": "drugml.structure.dock._ligand",
    "warhead_atoms": "drugml.structure.dock._ligand",
    "warhead_distances": "drugml.structure.dock._ligand",
    "check_poses": "drugml.structure.dock._poses",
    "pose_interactions": "drugml.structure.dock._poses",
    "pose_rmsd": "drugml.structure.dock._poses",
    "read_poses": "drugml.structure.dock._poses",
    "Receptor": "drugml.structure.dock._receptor",
    "bridging_waters": "drugml.structure.dock._receptor",
    "check_box": "drugml.structure.dock._receptor",
    "prepare_receptor": "drugml.structure.dock._receptor",
    "receptor_files": "drugml.structure.dock._receptor",
    "COVALENT_RESIDUES": "drugml.structure.dock._settings",
    "DOCKING_STATUSES": "drugml.structure.dock._settings",
    "MANIFEST": "drugml.structure.dock._settings",
    "POSE_SELECTIONS": "drugml.structure.dock._settings",
    "SCORING_FUNCTIONS": "drugml.structure.dock._settings",
    "SIZE_EXPONENT": "drugml.structure.dock._settings",
    "WARHEADS": "drugml.structure.dock._settings",
    "DockingError": "drugml.structure.dock._settings",
    "DockingResult": "drugml.structure.dock._settings",
    "DockingSettings": "drugml.structure.dock._settings",
    "KeyInteraction": "drugml.structure.dock._settings",
    "LigandPreparationError": "drugml.structure.dock._settings",
    "ReceptorError": "drugml.structure.dock._settings",
}


__getattr__, __dir__ = lazy_submodules(__name__, (), globals(), _LAZY_NAMES)

__all__ = [
    "BOX_MARGIN",
    "BOX_MIN_SIZE",
    "COVALENT_RESIDUES",
    "DOCKING_STATUSES",
    "INTERACTION_METRICS",
    "MANIFEST",
    "POSE_SELECTIONS",
    "RESCORE_COLUMNS",
    "SCORING_FUNCTIONS",
    "SIZE_EXPONENT",
    "WARHEADS",
    "Box",
    "DockingError",
    "DockingResult",
    "DockingSettings",
    "InteractionReference",
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
    "interaction_similarity",
    "most_similar_pose",
    "pose_interaction_records",
    "pose_interactions",
    "pose_rmsd",
    "prepare_ligand",
    "prepare_receptor",
    "reactive_residue",
    "read_poses",
    "receptor_files",
    "reference_interactions",
    "rescore_poses",
    "warhead_atoms",
    "warhead_distances",
]
