"""Docking's settings, statuses, errors and per-molecule result (the one home of its defaults)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from drugml.errors import DrugmlError

if TYPE_CHECKING:
    from rdkit import Chem

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
POSE_SELECTIONS = ("score", "key_interaction", "interaction_similarity")
#: Exponent of the heavy-atom count in ``docking_size_corrected_score`` (-score / N**0.3):
#: Nissink's size-independent ligand efficiency (SILE, J. Chem. Inf. Model. 2009, 49, 1617).
SIZE_EXPONENT = 0.3
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
    given); ``pose_selection``: ``score`` (plain Vina), ``key_interaction``
    (the best-scored pose making the key interaction; see the module docstring)
    or ``interaction_similarity`` (below);
    ``check_poses``: PoseBusters on every pose; ``covalent_distance``: with a
    receptor prepared for covalent docking, the best-scored pose whose warhead
    lies this close (Å) to the removed reactive atom is chosen (see the
    module's "Covalent inhibitors"); ``reference_interactions``: a reference
    complex's interactions (``"MET769.A:HBAcceptor"``, as
    :func:`reference_interactions` gives them; an :class:`InteractionReference`
    is taken too): each pose gets its interaction similarity to them, and
    ``pose_selection="interaction_similarity"`` chooses, among the poses within
    ``energy_range`` of the best score, the most similar one (ties: the better
    score). ``None``: no similarity, as before.

    These are docking's defaults: :func:`prepare_ligand` takes its ``ph`` and
    ``seed`` defaults from here.
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
    reference_interactions: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.reference_interactions is not None:
            # frozen: the normalized reference is set once, here
            object.__setattr__(
                self, "reference_interactions", _reference_labels(self.reference_interactions)
            )
        elif self.pose_selection == "interaction_similarity":
            raise DockingError(
                "pose_selection='interaction_similarity' needs reference_interactions "
                "(drugml.structure.dock.reference_interactions of a reference complex)"
            )
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
        # left out when unset, so that a run started before this setting existed resumes
        if self.reference_interactions is None:
            del out["reference_interactions"]
        else:
            out["reference_interactions"] = list(self.reference_interactions)
        if self.key_interaction is not None:
            out["key_interaction"] = {
                "residue": self.key_interaction.residue,
                "interactions": list(self.key_interaction.interactions),
            }
        return out


def _reference_labels(reference: Any) -> tuple[str, ...]:
    """A reference's interactions as a tuple of ``"RESIDUE.CHAIN:Interaction"`` labels
    (from labels or an :class:`InteractionReference`), refused when empty or malformed."""
    labels = getattr(reference, "interactions", reference)
    if isinstance(labels, str) or not isinstance(labels, Sequence):
        raise DockingError(
            "reference_interactions must be a sequence of 'RESIDUE.CHAIN:Interaction' labels "
            f"or an InteractionReference, got {type(labels).__name__}"
        )
    bad = [x for x in labels if not isinstance(x, str) or not all(x.rpartition(":")[::2])]
    if bad:
        raise DockingError(
            f"reference_interactions entries must look like 'MET769.A:HBAcceptor', got {bad[:3]}"
        )
    if not labels:
        raise DockingError("reference_interactions is empty: a similarity to nothing is 0")
    return tuple(labels)


@dataclass
class DockingResult:
    """One molecule's docking: status, poses (RDKit, with hydrogens) best score first; per
    pose (when computed) its key interaction, interactions, failed checks, warhead distance
    and interaction similarity to the settings' reference."""

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
    interaction_similarity: list[float] = field(default_factory=list)

    @property
    def score(self) -> float:
        """Vina score of the chosen pose (NaN when not docked)."""
        return self.scores[self.chosen] if self.scores else math.nan

    def row(self) -> dict[str, Any]:
        """The table row (columns of :data:`drugml.schema.DOCKING_COLUMNS`). Timing is left
        out (it is in each molecule's result file) so that a resumed run's table is
        identical to an uninterrupted one's.

        ``docking_size_corrected_score`` = -score / heavy_atoms**0.3 (Nissink's SILE): less
        size-penalizing than ``docking_ligand_efficiency`` (-score / heavy_atoms), which
        over-corrects because affinity grows less than linearly with size (Reynolds et al.
        2007). ``docking_best_interaction_similarity``: the highest of the returned poses
        (Vina returns only poses within ``energy_range`` of the best score).

        >>> row = DockingResult("docked", scores=[-9.0, -8.0], heavy_atoms=32,
        ...                     interaction_similarity=[0.25, 0.5]).row()
        >>> row["docking_ligand_efficiency"], row["docking_size_corrected_score"]
        (0.2812, 3.182)
        >>> row["docking_interaction_similarity"], row["docking_best_interaction_similarity"]
        (0.25, 0.5)
        """
        docked = self.status == "docked"
        similarity = self.interaction_similarity
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
            "docking_size_corrected_score": round(-self.score / self.heavy_atoms**SIZE_EXPONENT, 4)
            if docked and self.heavy_atoms
            else math.nan,
            "docking_interaction_similarity": round(similarity[self.chosen], 3)
            if docked and similarity
            else math.nan,
            "docking_best_interaction_similarity": round(max(similarity), 3)
            if docked and similarity
            else math.nan,
        }


def result_to_payload(result: DockingResult) -> dict[str, Any]:
    """A JSON-safe dict (poses as one SDF text): what a child process or a resume file holds."""
    payload = {k: v for k, v in asdict(result).items() if k != "poses"}
    payload["sdf"] = poses_sdf(result.poses)
    return payload


def result_from_payload(payload: Mapping[str, Any]) -> DockingResult:
    """The :class:`DockingResult` of :func:`result_to_payload`'s dict (poses read back)."""
    from rdkit import Chem

    payload = dict(payload)
    sdf = payload.pop("sdf", "")
    poses = []
    if sdf:
        supplier = Chem.SDMolSupplier()
        supplier.SetData(sdf, removeHs=False)
        poses = [m for m in supplier if m is not None]
    return DockingResult(**payload, poses=poses)


def poses_sdf(poses: Sequence[Chem.Mol]) -> str:
    """The poses as one SDF text, in order."""
    from io import StringIO

    from rdkit import Chem

    out = StringIO()
    with Chem.SDWriter(out) as writer:
        for pose in poses:
            writer.write(pose)
    return out.getvalue()
