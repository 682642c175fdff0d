"""One molecule docked by Vina in this process (or in a child stopped at a time limit): the
ligand prepared, the poses rebuilt, chosen (key interaction or interaction similarity, then
covalent reach) and checked."""

from __future__ import annotations

import json
import math
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.structure.dock._box import Box
from drugml.structure.dock._deps import ENGINE_CACHE, require
from drugml.structure.dock._interactions import interaction_similarity, most_similar_pose
from drugml.structure.dock._ligand import prepare_ligand, warhead_distances
from drugml.structure.dock._poses import check_poses, pose_interactions
from drugml.structure.dock._settings import (
    DockingResult,
    DockingSettings,
    LigandPreparationError,
    result_from_payload,
    result_to_payload,
)

if TYPE_CHECKING:
    from rdkit import Chem


def dock_in_process(
    smiles: str, receptor_path: str, receptor_pdb_path: str, box: Box, settings: DockingSettings
) -> DockingResult:
    """Dock one molecule here; every failure is a status of the result."""
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
        text, scores = _run_vina(pdbqt, receptor_path, box, settings)
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
    poses = _named_poses(poses[: len(scores)], scores)
    result = DockingResult("docked", scores=scores, poses=poses, heavy_atoms=heavy)
    _choose_by_interactions(result, settings, receptor_pdb_path)
    _choose_by_covalent_reach(result, settings, receptor_path)
    if settings.check_poses:
        result.failed_checks = check_poses(poses, receptor_pdb_path)
    _annotate_poses(result)
    result.seconds = time.perf_counter() - started
    return result


def _vina(receptor_path: str, box: Box, scoring: str, seed: int) -> Any:
    """One Vina object per (receptor, box, scoring, seed) and process, its maps computed once.

    Vina re-seeds its random generator from ``seed`` at each ``dock`` call, so
    reusing the object gives the same poses as a fresh one (tested).
    """
    vina = require("vina", "Docking")
    key = (receptor_path, box, scoring, seed)
    if key not in ENGINE_CACHE:
        # Vina reads seed 0 as "pick a random seed": shift by one so that every drugml seed,
        # 0 included, is a fixed one
        engine = vina.Vina(sf_name=scoring, seed=seed + 1, cpu=1, verbosity=0)
        engine.set_receptor(receptor_path)
        engine.compute_vina_maps(center=list(box.center), box_size=list(box.size))
        ENGINE_CACHE.clear()  # one receptor at a time per process: maps are large
        ENGINE_CACHE[key] = engine
    return ENGINE_CACHE[key]


def _run_vina(
    pdbqt: str, receptor_path: str, box: Box, settings: DockingSettings
) -> tuple[str, list[float]]:
    """Vina's poses (PDBQT text) and their scores, best first."""
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
    return text, scores


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


def _named_poses(poses: list[Chem.Mol], scores: list[float]) -> list[Chem.Mol]:
    """The poses, each named by its SMILES and given its score and rank (in place)."""
    from rdkit import Chem

    for i, (pose, score) in enumerate(zip(poses, scores, strict=True)):
        pose.SetProp("_Name", Chem.MolToSmiles(Chem.RemoveHs(pose)))
        pose.SetDoubleProp("docking_score", score)
        pose.SetIntProp("pose_rank", i + 1)
    return poses


def _choose_by_interactions(
    result: DockingResult, settings: DockingSettings, receptor_pdb_path: str
) -> None:
    """Each pose's interactions, whether it makes the key one and its similarity to the
    reference; with ``key_interaction`` selection, the best-scored pose making the key one
    is chosen, with ``interaction_similarity`` the most similar within ``energy_range``."""
    key, reference = settings.key_interaction, settings.reference_interactions
    wants_key = key is not None or settings.pose_selection == "key_interaction"
    if not wants_key and reference is None:
        return
    result.interactions = pose_interactions(result.poses, receptor_pdb_path)
    if wants_key:  # without a key or key selection the column stays empty, as before
        result.key_interaction = [
            key is not None
            and any(key.matches(residue, name) for residue, name in _split_interactions(found))
            for found in result.interactions
        ]
    if reference is not None:
        result.interaction_similarity = [
            interaction_similarity(found, reference) for found in result.interactions
        ]
    if settings.pose_selection == "key_interaction" and any(result.key_interaction):
        result.chosen = result.key_interaction.index(True)
    elif settings.pose_selection == "interaction_similarity":
        result.chosen = most_similar_pose(
            result.scores, result.interaction_similarity, settings.energy_range
        )


def _choose_by_covalent_reach(
    result: DockingResult, settings: DockingSettings, receptor_path: str
) -> None:
    """With a covalent receptor, each pose's warhead distance to the removed reactive atom;
    the best-scored pose within ``covalent_distance`` is chosen."""
    site = _covalent_site(receptor_path)
    if site is None:
        return
    distances = warhead_distances(result.poses, site["position"])
    if any(math.isfinite(d) for d in distances):
        result.covalent_distance = distances
        close = [i for i, d in enumerate(distances) if d <= settings.covalent_distance]
        if close:  # else: no pose can bond; the usual choice stands, its distance said
            result.chosen = close[0]


def _annotate_poses(result: DockingResult) -> None:
    """Write each pose's findings and whether it is the chosen one as SDF properties."""
    for i, pose in enumerate(result.poses):
        if result.key_interaction:
            pose.SetProp("key_interaction", str(result.key_interaction[i]))
        if result.interactions:
            pose.SetProp("interactions", "; ".join(result.interactions[i]))
        if result.failed_checks:
            pose.SetProp("pose_failed_checks", "; ".join(result.failed_checks[i]))
        if result.covalent_distance:
            pose.SetDoubleProp("covalent_distance", round(result.covalent_distance[i], 2))
        if result.interaction_similarity:
            pose.SetDoubleProp("interaction_similarity", round(result.interaction_similarity[i], 3))
        pose.SetProp("chosen", str(i == result.chosen))


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


def _child(
    connection: Any, molecule: str, paths: dict[str, str], box: Box, settings: DockingSettings
) -> None:
    result = dock_in_process(molecule, paths["pdbqt"], paths["pdb"], box, settings)
    connection.send(result_to_payload(result))
    connection.close()


def dock_with_time_limit(
    molecule: str, paths: dict[str, str], box: Box, settings: DockingSettings
) -> DockingResult:
    """Dock one molecule in a forked child process, stopped after ``settings.time_limit``
    seconds (status ``timeout``). ``paths``: :func:`receptor_files`' ``pdbqt`` and ``pdb``."""
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
    return result_from_payload(payload)
