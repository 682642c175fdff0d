"""Interaction-fingerprint rescoring: a pose judged by the interactions it shares with a
reference complex (Tran-Nguyen, Bret & Rognan, J. Chem. Inf. Model. 2021, "True accuracy of
fast scoring functions to predict high-throughput screening data from docking poses: the
simpler the better": on LIT-PCBA, rescoring docking poses by the similarity of their
interaction fingerprint to known complexes' enriched true binders better than machine-learned
scoring functions).

**The similarity.** Each pose's interactions are ProLIF's, one per (residue, interaction
type) as :func:`pose_interactions` lists them (``"MET769.A:HBAcceptor"``); the reference's
are the crystal ligand's with the same prepared receptor. The similarity is the Tanimoto
coefficient of the two sets of (residue, type) pairs, |P ∩ R| / |P ∪ R|: the measure of
interaction-fingerprint similarity that paper used. Recall, |P ∩ R| / |R|, is offered
(``metric="recall"``) but is not the default: it does not penalize interactions the
reference lacks, so a large ligand, or a pose sprawled over the pocket, scores at least as
well as a compact native-like one; that rewards size, the bias docking scores already have.
Recall suits analogues that grow beyond the reference (to the solvent front), which Tanimoto
penalizes for their new contacts. ProLIF's ``VdWContact`` counts: its hydrophobic and polar
types alone give a handful of pairs for a kinase hinge binder (four for erlotinib in 1M17),
too few to tell poses apart; per-residue contacts say where in the pocket the pose lies
(``ignore=("VdWContact",)`` drops them). Residues are matched by name, number and chain, so
the reference and the poses must share the receptor's numbering.

A pose with no interaction scores 0.0, and :func:`rescore_poses` says why (``reason``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml.structure.dock._poses import (
    _protein_for_prolif,
    _residue_order,
    interaction_labels,
    pose_fingerprints,
    read_poses,
)
from drugml.structure.dock._receptor import Receptor
from drugml.structure.dock._settings import DockingError, DockingSettings, KeyInteraction

if TYPE_CHECKING:
    import pandas as pd
    from rdkit import Chem

#: How a pose's interactions are compared with the reference's (see the module docstring).
INTERACTION_METRICS = ("tanimoto", "recall")
#: Columns of :func:`rescore_poses`, in order.
RESCORE_COLUMNS = (
    "pose_rank",
    "docking_score",
    "interaction_similarity",
    "most_similar",
    "key_interaction",
    "n_interactions",
    "interactions",
    "reason",
)


@dataclass(frozen=True)
class InteractionReference:
    """A reference complex's interactions (``"RESIDUE.CHAIN:Interaction"``) and where they
    came from. :class:`DockingSettings` takes it as ``reference_interactions``."""

    interactions: tuple[str, ...]
    source: str = ""

    def pairs(self) -> frozenset[tuple[str, str]]:
        """The (residue, interaction type) pairs the similarity compares.

        >>> InteractionReference(("MET769.A:HBAcceptor",)).pairs()
        frozenset({('MET769.A', 'HBAcceptor')})
        """
        return _pairs(self.interactions)


def reference_interactions(
    receptor: Receptor | str | Path, ligand_mol: Chem.Mol, source: str = ""
) -> InteractionReference:
    """A crystal ligand's ProLIF interactions with a prepared receptor: the reference that
    poses are compared with (compute it once per receptor and pass it to
    :class:`DockingSettings` or :func:`rescore_poses`).

    ``receptor``: a :class:`Receptor`, a folder of :meth:`Receptor.write` or a PDB file
    with hydrogens (``receptor.pdb`` or the pocket of :func:`receptor_files`).
    ``ligand_mol``: the ligand in the receptor's frame, with bond orders (give
    ``Structure.ligand_mol`` its SMILES); hydrogens are added with coordinates.
    A ligand that makes no interaction (not in this receptor's frame) is refused.

    >>> from drugml.structure import load_structure
    >>> from drugml.structure.dock import prepare_receptor
    >>> receptor = prepare_receptor("egfr_1m17", chains=["A"], keep_waters=["A:10"])
    >>> smiles = "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC"
    >>> ligand = load_structure("egfr_1m17").ligand_mol("AQ4", smiles)
    >>> reference = reference_interactions(receptor, ligand)
    >>> "MET769.A:HBAcceptor" in reference.interactions, reference.source
    (True, 'AQ4999.A in egfr_1m17')
    """
    from rdkit import Chem

    if ligand_mol is None or ligand_mol.GetNumConformers() == 0:
        raise DockingError("the reference ligand needs 3D coordinates (one conformer)")
    protein, name = _prolif_protein(receptor)
    with_h = Chem.AddHs(ligand_mol, addCoords=True)  # no-op for a ligand with all its H
    labels = interaction_labels(pose_fingerprints([with_h], protein)[0])
    if not labels:
        raise DockingError(
            f"the reference ligand makes no interaction with {name}: is it in the frame of "
            "the structure the receptor was prepared from?"
        )
    return InteractionReference(tuple(labels), source or f"{_ligand_label(ligand_mol)} in {name}")


def interaction_similarity(
    pose_interactions: Sequence[str] | str,
    reference: InteractionReference | Sequence[str],
    metric: str = "tanimoto",
    ignore: Iterable[str] = (),
) -> float:
    """Similarity (0-1) of a pose's interactions to the reference's, over (residue,
    interaction type) pairs: Tanimoto |P ∩ R| / |P ∪ R| (default, the measure of
    Tran-Nguyen et al. 2021) or ``"recall"`` |P ∩ R| / |R|. Recall does not penalize
    interactions the reference lacks, so a large or sprawled pose scores at least as well
    as a compact native-like one (it rewards size, as docking scores already do); it suits
    analogues that grow beyond the reference. ``pose_interactions``: labels as
    :func:`pose_interactions` gives them (ProLIF's ``VdWContact`` included: its other types
    give too few pairs to tell poses apart), or one ``"; "``-joined string (the
    ``interactions`` SDF property). A pose with no interaction scores 0.0. ``ignore``:
    interaction types left out of both sets. Residues match by name, number and chain.

    >>> reference = ["MET769.A:HBAcceptor", "LEU694.A:Hydrophobic"]
    >>> interaction_similarity(["MET769.A:HBAcceptor"], reference)
    0.5
    >>> interaction_similarity(["MET769.A:HBAcceptor", "CYS773.A:HBDonor"], reference)
    0.3333333333333333
    >>> interaction_similarity([], reference)
    0.0
    """
    reference_pairs = _reference_pairs(reference, metric, ignore)
    return _similarity(_pairs(pose_interactions, ignore), reference_pairs, metric)


def most_similar_pose(
    scores: Sequence[float], similarities: Sequence[float], energy_range: float
) -> int:
    """Index of the pose with the highest similarity among those within ``energy_range``
    kcal/mol of the best score; ties go to the better score (``pose_selection=
    "interaction_similarity"``).

    >>> most_similar_pose([-9.0, -8.5, -5.0], [0.2, 0.4, 0.9], energy_range=3.0)
    1
    """
    if not scores:
        raise DockingError("no pose to choose from")
    if len(similarities) != len(scores):
        raise DockingError(f"{len(scores)} scores but {len(similarities)} similarities")
    best = min(scores)
    # a tolerance: scores read back from an SDF carry float noise
    within = [i for i, s in enumerate(scores) if s <= best + energy_range + 1e-6]
    return min(within, key=lambda i: (-similarities[i], scores[i], i))


def rescore_poses(
    poses: str | Path | Sequence[Chem.Mol],
    receptor_pdb: Receptor | str | Path | None,
    reference: InteractionReference | Sequence[str],
    key_interaction: KeyInteraction | None = None,
    metric: str = "tanimoto",
    ignore: Iterable[str] = (),
    energy_range: float | None = None,
) -> pd.DataFrame:
    """Each pose's interaction similarity to ``reference``, without docking again: one row
    per pose (columns :data:`RESCORE_COLUMNS`), in the order given.

    ``poses``: an SDF written by :func:`dock_many` (``poses/NNNNNN.sdf``) or molecules.
    ``receptor_pdb``: where the interactions are computed (see
    :func:`reference_interactions`); ``None`` reads each pose's ``interactions`` SDF
    property, as a run with a key interaction or a reference wrote it (fast: no ProLIF).
    ``pose_rank`` and ``docking_score`` come from the poses' properties (else the
    position, NaN); ``key_interaction`` from ``key_interaction`` when given, else the
    pose's property (else None); ``most_similar``: the pose ``pose_selection=
    "interaction_similarity"`` chooses (within ``energy_range``, default
    :class:`DockingSettings`'); ``reason``: why a similarity is 0 (empty otherwise).

    >>> table = rescore_poses("run/poses/000000.sdf", None, reference)  # doctest: +SKIP
    >>> list(table.columns[:3])  # doctest: +SKIP
    ['pose_rank', 'docking_score', 'interaction_similarity']
    """
    import pandas as pd

    reference_pairs = _reference_pairs(reference, metric, ignore)
    mols = _poses_from(poses)
    found = _interactions_of(mols, receptor_pdb, poses)
    scores = [_float_prop(m, "docking_score") for m in mols]
    similarities = [_similarity(_pairs(f, ignore), reference_pairs, metric) for f in found]
    rows = []
    for i, (mol, labels) in enumerate(zip(mols, found, strict=True)):
        rows.append(
            {
                "pose_rank": int(mol.GetProp("pose_rank")) if mol.HasProp("pose_rank") else i + 1,
                "docking_score": scores[i],
                "interaction_similarity": similarities[i],
                "most_similar": False,
                "key_interaction": _key_interaction(mol, labels, key_interaction),
                "n_interactions": len(labels),
                "interactions": "; ".join(labels),
                "reason": _zero_reason(_pairs(labels, ignore), reference_pairs, similarities[i]),
            }
        )
    table = pd.DataFrame(rows, columns=list(RESCORE_COLUMNS))
    if rows:
        energy_range = DockingSettings().energy_range if energy_range is None else energy_range
        # poses without a score are ranked by similarity alone
        ranked = [s if math.isfinite(s) else 0.0 for s in scores]
        table.loc[most_similar_pose(ranked, similarities, energy_range), "most_similar"] = True
    return table


def pose_interaction_records(
    pose: Chem.Mol, receptor_pdb: Receptor | str | Path, every_occurrence: bool = False
) -> list[dict[str, Any]]:
    """One pose's interactions with their atoms, for drawing: dicts with ``residue``
    (``"MET769.A"``), ``interaction`` (ProLIF's name, ``"HBAcceptor"``), ``ligand_atoms``
    (indices in ``pose`` as given, hydrogens included when it has them: an H-bond donor
    lists the donor and its H) and ``distance`` (Å, ProLIF's for that type; None when
    ProLIF gives none), sorted by residue number.

    Per (residue, interaction), the closest occurrence (ProLIF's "best"); with
    ``every_occurrence``, every atom combination ProLIF finds (``count=True``).

    >>> crystal = Chem.AddHs(ligand, addCoords=True)  # doctest: +SKIP
    >>> records = pose_interaction_records(crystal, receptor)  # doctest: +SKIP
    >>> hbonds = [r for r in records if r["interaction"] == "HBAcceptor"]  # doctest: +SKIP
    >>> [(r["residue"], r["ligand_atoms"]) for r in hbonds]  # doctest: +SKIP
    [('MET769.A', (23,))]
    """
    if pose is None or pose.GetNumConformers() == 0:
        raise DockingError("the pose needs 3D coordinates (one conformer)")
    protein, _ = _prolif_protein(receptor_pdb)
    ifp = pose_fingerprints([pose], protein, count=True)[0]
    records = []
    for (_, residue), interactions in ifp.items():
        for name, occurrences in interactions.items():
            found = [_record(str(residue), name, metadata) for metadata in occurrences]
            if not every_occurrence:
                found = [min(found, key=_distance_or_inf)]
            records += found
    return sorted(
        records,
        key=lambda r: (
            _residue_order(f"{r['residue']}:{r['interaction']}"),
            _distance_or_inf(r),
            r["ligand_atoms"],
        ),
    )


def _record(residue: str, name: str, metadata: dict[str, Any]) -> dict[str, Any]:
    distance = metadata.get("distance")
    return {
        "residue": residue,
        "interaction": name,
        # parent_indices: the whole ligand's atom indices (indices: within its residue)
        "ligand_atoms": tuple(int(i) for i in metadata["parent_indices"]["ligand"]),
        "distance": float(distance) if distance is not None else None,
    }


def _distance_or_inf(record: dict[str, Any]) -> float:
    return math.inf if record["distance"] is None else record["distance"]


def _pairs(labels: Sequence[str] | str, ignore: Iterable[str] = ()) -> frozenset[tuple[str, str]]:
    """``["MET769.A:HBAcceptor"]`` (or ``"MET769.A:HBAcceptor; ..."``) -> the set of
    ``("MET769.A", "HBAcceptor")``, without the ``ignore`` types."""
    if isinstance(labels, str):
        labels = [x for x in labels.split(";") if x.strip()]
    skipped = set(ignore)
    out = set()
    for label in labels:
        residue, _, name = label.strip().rpartition(":")
        if not residue or not name:
            raise DockingError(f"interaction {label!r} is not 'RESIDUE.CHAIN:Interaction'")
        if name not in skipped:
            out.add((residue, name))
    return frozenset(out)


def _reference_pairs(
    reference: InteractionReference | Sequence[str], metric: str, ignore: Iterable[str]
) -> frozenset[tuple[str, str]]:
    """The reference's pairs, refused (with the metric) before any work when unusable."""
    if metric not in INTERACTION_METRICS:
        raise DockingError(f"metric must be one of {INTERACTION_METRICS}, got {metric!r}")
    labels = reference.interactions if isinstance(reference, InteractionReference) else reference
    pairs = _pairs(labels, ignore)
    if not pairs:
        raise DockingError("the reference has no interaction to compare with (after ignore)")
    return pairs


def _similarity(
    pose: frozenset[tuple[str, str]], reference: frozenset[tuple[str, str]], metric: str
) -> float:
    if not pose:
        return 0.0
    shared = len(pose & reference)
    return shared / len(pose | reference) if metric == "tanimoto" else shared / len(reference)


def _zero_reason(
    pose: frozenset[tuple[str, str]], reference: frozenset[tuple[str, str]], similarity: float
) -> str:
    if not pose:
        return "the pose makes no interaction with the receptor (outside the pocket?)"
    if similarity == 0.0:
        return f"the pose makes none of the reference's {len(reference)} interactions"
    return ""


def _prolif_protein(receptor: Receptor | str | Path) -> tuple[Any, str]:
    """ProLIF's protein for a :class:`Receptor`, a receptor folder or a PDB file (read once
    per process), and its name for messages."""
    if isinstance(receptor, Receptor):
        checksum = hashlib.sha256(receptor.pdb.encode()).hexdigest()
        return _protein_for_prolif(f"receptor:{checksum}", receptor.pdb), receptor.name
    path = Path(receptor)
    if path.is_dir():
        path = path / "receptor.pdb"
    if not path.is_file():
        raise DockingError(
            f"no receptor PDB at {path} (give a Receptor, a folder of Receptor.write or a PDB "
            "file with hydrogens)"
        )
    return _protein_for_prolif(str(path)), path.name


def _poses_from(poses: str | Path | Sequence[Chem.Mol]) -> list[Chem.Mol]:
    if isinstance(poses, (str, Path)):
        if not Path(poses).is_file():
            raise DockingError(f"no pose file {poses}")
        return read_poses(poses)
    mols = list(poses)
    if any(m is None or m.GetNumConformers() == 0 for m in mols):
        raise DockingError("every pose needs 3D coordinates (None or no conformer given)")
    return mols


def _interactions_of(
    mols: list[Chem.Mol], receptor_pdb: Receptor | str | Path | None, where: Any
) -> list[list[str]]:
    """Each pose's interaction labels: computed with the receptor, or read back from the
    poses' ``interactions`` property (``receptor_pdb=None``)."""
    if receptor_pdb is not None:
        protein, _ = _prolif_protein(receptor_pdb)
        return [interaction_labels(ifp) for ifp in pose_fingerprints(mols, protein)]
    missing = [i + 1 for i, m in enumerate(mols) if not m.HasProp("interactions")]
    if missing:
        source = where if isinstance(where, (str, Path)) else "the poses"
        raise DockingError(
            f"pose(s) {missing[:5]} of {source} have no 'interactions' property (docked without "
            "a key interaction or reference): give receptor_pdb to compute them"
        )
    return [[x.strip() for x in m.GetProp("interactions").split(";") if x.strip()] for m in mols]


def _key_interaction(mol: Chem.Mol, labels: list[str], key: KeyInteraction | None) -> bool | None:
    if key is not None:
        return any(key.matches(*label.rsplit(":", 1)) for label in labels)
    if mol.HasProp("key_interaction"):
        return mol.GetProp("key_interaction") == "True"
    return None


def _float_prop(mol: Chem.Mol, name: str) -> float:
    return float(mol.GetProp(name)) if mol.HasProp(name) else math.nan


def _ligand_label(mol: Chem.Mol) -> str:
    """``AQ4999.A`` from the ligand's PDB residue info, else its name, else ``ligand``."""
    info = mol.GetAtomWithIdx(0).GetPDBResidueInfo() if mol.GetNumAtoms() else None
    if info is not None:
        return f"{info.GetResidueName().strip()}{info.GetResidueNumber()}.{info.GetChainId()}"
    return mol.GetProp("_Name") if mol.HasProp("_Name") and mol.GetProp("_Name") else "ligand"
