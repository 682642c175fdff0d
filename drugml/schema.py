"""The names drugml writes and reads: columns, their meaning, alert catalogues, ranking defaults.

One owner for every column name. The screen writes these columns, the
ranking reads them, the configuration checks objectives and filters against
them, the report labels them and the CLI documents them; none of those
modules spells a column name of its own.

**Per model.** A screen scores every molecule with every model of a campaign;
model ``<name>`` writes (:func:`model_columns`):

- regression: ``<name>_prediction``, ``<name>_lower``, ``<name>_upper``
  (the prediction interval) and, derived by the ranking,
  ``<name>_interval_width``;
- classification: ``<name>_probability`` (calibrated probability of the
  positive class);
- both: ``<name>_nearest_similarity`` (Tanimoto to the nearest training
  molecule) and ``<name>_in_domain`` (the applicability domain's verdict).

**Per molecule.** Identity (``record``, ``id``, ``input``, ``smiles``,
``inchikey``), drug-likeness properties (:data:`PROPERTY_COLUMNS`), one pair
``<catalogue>``/``<catalogue>_alerts`` per structural-alert catalogue
checked, ``qed`` and ``sa_score``; the ranking adds :data:`RANKING_COLUMNS`
and one ``d_<objective>`` desirability per objective.

Example
-------
>>> from drugml import schema
>>> schema.model_columns("potency", "regression")
('potency_prediction', 'potency_lower', 'potency_upper', 'potency_nearest_similarity', \
'potency_in_domain')
>>> schema.prediction_column("herg", "classification")
'herg_probability'
>>> schema.column_meaning("herg_probability")
'herg model: calibrated probability of the positive class'
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ALERT_CATALOGS",
    "DEFAULT_ALERTS",
    "DEFAULT_FILTERS",
    "DEFAULT_OBJECTIVES",
    "DEFAULT_RANKING",
    "DOCKING_COLUMNS",
    "IDENTITY_COLUMNS",
    "MODEL_OUTPUTS",
    "NEXT_BATCH_COLUMNS",
    "PROFILED",
    "PROPERTY_COLUMNS",
    "PROPOSAL_COLUMNS",
    "RANKED_CSV",
    "RANKED_PARQUET",
    "RANKING_COLUMNS",
    "SIMILARITY_3D_COLUMNS",
    "TASKS",
    "RunFolder",
    "column_meaning",
    "default_ranking",
    "filter_columns",
    "model_column",
    "model_columns",
    "models_in_columns",
    "prediction_column",
    "screen_columns",
]

TASKS = ("regression", "classification")

#: Columns that say which record a row is.
IDENTITY_COLUMNS: dict[str, str] = {
    "record": "position of the record in the library (0-based)",
    "id": "the library's identifier of the record",
    "input": "the record's SMILES as read",
    "smiles": "standardized SMILES (largest fragment, neutralized, canonical)",
    "inchikey": "InChIKey of the standardized structure (salt forms share it)",
}

#: Drug-likeness properties of a screen, in order, with their meaning.
PROPERTY_COLUMNS: dict[str, str] = {
    "mw": "molecular weight (Da)",
    "clogp": "Crippen logP",
    "hbd": "hydrogen-bond donors (Lipinski)",
    "hba": "hydrogen-bond acceptors (Lipinski)",
    "tpsa": "topological polar surface area (A^2)",
    "rotatable_bonds": "rotatable bonds",
    "heavy_atoms": "heavy atoms",
    "ro5_violations": "Lipinski rule-of-five violations (0-4)",
    "ro5_pass": "at most one rule-of-five violation",
    "veber_pass": "Veber: TPSA <= 140 and rotatable bonds <= 10",
}

#: Written by a screen with ``profile="shortlist"`` (:mod:`drugml.screening.screen`): False for a
#: molecule that cannot reach the short list, whose domain columns (interval,
#: nearest similarity, in domain), alerts, QED and SA score may then be empty.
PROFILED = "profiled"
_PROFILED_MEANING = ("every column computed (a short-list-profile screen leaves the domain, "
                     "alerts, QED and SA score of molecules that cannot reach the short list "
                     "empty)")  # fmt: skip

#: Structural-alert catalogues: name -> RDKit ``FilterCatalogParams`` member(s).
ALERT_CATALOGS: dict[str, tuple[str, ...]] = {
    "pains": ("PAINS_A", "PAINS_B", "PAINS_C"),
    "brenk": ("BRENK",),
    "nih": ("NIH",),
}

#: Alert catalogues a screen checks unless told otherwise. NIH is opt-in: its
#: 180 mostly recursive SMARTS take more time than PAINS, Brenk and QED's
#: alerts together (benchmarks/results/screen.json).
DEFAULT_ALERTS: tuple[str, ...] = ("pains", "brenk")

#: What each model writes per molecule: output -> (tasks, meaning).
MODEL_OUTPUTS: dict[str, tuple[tuple[str, ...], str]] = {
    "prediction": (("regression",), "predicted value"),
    "lower": (("regression",), "lower end of the prediction interval"),
    "upper": (("regression",), "upper end of the prediction interval"),
    "probability": (("classification",), "calibrated probability of the positive class"),
    "prediction_set": (
        ("classification",),
        "conformal prediction set at the model's coverage "
        "for each class: active, inactive, active|inactive, or empty",
    ),
    "set_size": (
        ("classification",),
        "classes in the conformal prediction set (2: the model "
        "cannot tell at its coverage; 0: unlike either class)",
    ),
    "nearest_similarity": (TASKS, "Tanimoto similarity (ECFP4) to the nearest training molecule"),
    "in_domain": (TASKS, "inside the applicability domain (nearest similarity >= threshold)"),
}
#: Derived by the ranking from ``_lower``/``_upper``.
INTERVAL_WIDTH = "interval_width"

#: Columns the ranking adds.
RANKING_COLUMNS: dict[str, str] = {
    "rank": "place in the ranking (1 = best; molecules passing the filters first)",
    "score": "weighted geometric mean of the objectives' desirabilities (0-1)",
    "passes_filters": "passes every hard filter",
    "filter_reasons": "the filters a molecule fails, with their rules",
    "pareto_rank": "Pareto front over the objectives (1 = not dominated)",
    "novelty": "1 - similarity to the nearest training molecule of the novelty column's model",
    "selected": "on the diverse short list",
    "in_training_data": "the structure (InChIKey) is in a model's training data",
    "known_active": "one of the configuration's known actives",
}


#: Columns of the 3D overlay on reference ligands (:func:`drugml.structure.shape_similarity`).
SIMILARITY_3D_COLUMNS: dict[str, str] = {
    "shape_similarity": "3D shape overlap with the reference ligand's pose (Tanimoto, 0-1)",
    "pharmacophore_similarity": "overlap of H-bond donors, acceptors, rings and charges in that "
    "overlay (Tanimoto, 0-1)",
    "shape_pharmacophore_similarity": "the mean of the two: the overlay's overall score",
    "shape_reference": "the reference ligand of the best overlay",
    "shape_status": "ok, or why the molecule has no 3D score (embedding failed, too large ...)",
    "shape_reason": "what went wrong, in words (empty when ok)",
}


#: Columns the docking stage adds (:mod:`drugml.structure.dock`) to the molecules it docks.
DOCKING_COLUMNS: dict[str, str] = {
    "docking_status": "docked, or why the molecule could not be docked",
    "docking_reason": "what went wrong, in words (empty when docked)",
    "docking_score": "Vina score of the chosen pose (kcal/mol; lower is better)",
    "docking_best_score": "best Vina score of any returned pose (kcal/mol)",
    "docking_ligand_efficiency": "-docking_score / heavy atoms (kcal/mol per atom)",
    "docking_pose_rank": "which of the returned poses was chosen (1 = best scored)",
    "docking_key_interaction": "the chosen pose makes the target's key interaction",
    "docking_interactions": "protein-ligand interactions of the chosen pose (ProLIF)",
    "pose_ok": "the chosen pose passes PoseBusters' docking checks",
    "pose_failed_checks": "PoseBusters checks the chosen pose fails",
    "docking_covalent_distance": "covalent docking: Å from the chosen pose's warhead to the "
    "residue's reactive atom (empty without a warhead or a covalent receptor)",
    "docking_size_corrected_score": "-docking_score / heavy atoms^0.3: Vina's score with the "
    "part that size alone explains taken out (Nissink 2009; higher is better)",
    "docking_interaction_similarity": "how much the chosen pose repeats the reference "
    "ligand's contacts (Tanimoto of interaction fingerprints, 0-1)",
    "docking_best_interaction_similarity": "the highest interaction similarity of any "
    "returned pose",
    "docking_pose_file": "SDF file with every returned pose and its score",
    "score_with_docking": "score under the whole ranking, docking objectives included",
    "rank_before_docking": "rank before the docked molecules were re-ordered by docking",
}


#: Columns of a table of analogue proposals (:func:`drugml.design.propose_analogues`); the
#: screen then adds every model's, filter's and ranking's columns under their usual names.
PROPOSAL_COLUMNS: dict[str, str] = {
    "proposal_id": "identifier of the proposal: its parent's id, a dash, a number",
    "parent_id": "identifier of the seed molecule it was made from",
    "parent_smiles": "SMILES of the seed molecule",
    "operation": "mutate (a fragment replaced), grow (a fragment added at a hydrogen) or link",
    "replaced": "the parent's fragment that was replaced (SMILES, [*:n] attachment points)",
    "replacement": "the fragment put in its place (SMILES, [*:n] attachment points)",
    "transformation": "the change as reaction SMARTS (CReM's rule)",
    "heavy_atom_change": "heavy atoms of the proposal minus those of its parent",
    "fragment_frequency": "how often the replacement occurs in this context in the fragment "
    "database (how common the change is in known chemistry)",
    "is_new": "the structure is in no model's training data and not in the screened library",
    "known_as": "where the structure is already known (training set or library); empty when new",
    "proposal_status": "proposed, or why a seed gave no proposals",
    "proposal_reason": "what went wrong, in words (empty when proposed)",
}

#: Columns of a next batch (:func:`drugml.design.next_batch`), beside the pool's own columns.
NEXT_BATCH_COLUMNS: dict[str, str] = {
    "batch_rank": "order of the pick (1 = picked first)",
    "source": "where the molecule comes from: screen (the library) or proposals (analogues)",
    "acquisition": "the acquisition function that chose it",
    "objective": "the column the acquisition read (a model's prediction or probability)",
    "expected_value": "the model's prediction (or probability) for the objective",
    "uncertainty": "standard deviation implied by the model's prediction interval",
    "acquisition_value": "the acquisition function's value (the batch takes the highest)",
    "nearest_pick_similarity": "Tanimoto (ECFP4) to the most similar molecule picked before it",
    "pick_reason": "why it was chosen, in words",
}


def model_column(name: str, output: str) -> str:
    """The column of one model output, e.g. ``model_column("potency", "lower")``.

    >>> model_column("potency", "in_domain")
    'potency_in_domain'
    """
    if output not in MODEL_OUTPUTS and output != INTERVAL_WIDTH:
        known = [*MODEL_OUTPUTS, INTERVAL_WIDTH]
        raise KeyError(f"Unknown model output {output!r}; known: {known}")
    return f"{name}_{output}"


def model_columns(name: str, task: str, derived: bool = False) -> tuple[str, ...]:
    """The columns model ``name`` of ``task`` writes in a screen (``derived``: with the
    ranking's ``<name>_interval_width`` for regression)."""
    columns = [f"{name}_{o}" for o, (tasks, _) in MODEL_OUTPUTS.items() if task in tasks]
    if derived and task == "regression":
        columns.append(f"{name}_{INTERVAL_WIDTH}")
    return tuple(columns)


def prediction_column(name: str, task: str) -> str:
    """``<name>_prediction`` (regression) or ``<name>_probability`` (classification)."""
    return f"{name}_prediction" if task == "regression" else f"{name}_probability"


def models_in_columns(columns: Iterable[str]) -> dict[str, str]:
    """Model name -> task of the models whose prediction columns are among ``columns``.

    The inverse of :func:`prediction_column`, for a screen or ranking read
    without its configuration: a model's prediction column counts where its
    ``<name>_nearest_similarity`` is there too (every model writes one), so a
    library column that happens to end in ``_prediction`` is not taken for a model.

    >>> models_in_columns(["id", "potency_prediction", "potency_nearest_similarity",
    ...                    "herg_probability", "herg_nearest_similarity", "vendor_prediction"])
    {'potency': 'regression', 'herg': 'classification'}
    """
    columns = list(columns)
    present = set(columns)
    found = {}
    for column in columns:
        for suffix, task in (("_prediction", "regression"), ("_probability", "classification")):
            name = column[: -len(suffix)]
            if column.endswith(suffix) and name and f"{name}_nearest_similarity" in present:
                found[name] = task
    return found


def filter_columns(alerts: Sequence[str] = DEFAULT_ALERTS) -> tuple[str, ...]:
    """The drug-likeness columns of a screen with these alert catalogues, in order.

    >>> filter_columns(("pains",))[-4:]
    ('pains', 'pains_alerts', 'qed', 'sa_score')
    """
    flags = tuple(column for name in alerts for column in (name, f"{name}_alerts"))
    return (*PROPERTY_COLUMNS, *flags, "qed", "sa_score")


def screen_columns(
    models: Mapping[str, str],
    alerts: Sequence[str] = DEFAULT_ALERTS,
    keep_columns: Iterable[str] = (),
    derived: bool = True,
) -> list[str]:
    """Every column a screen (and, with ``derived``, the ranking's inputs) holds.

    ``models``: model name -> task.

    >>> "herg_probability" in screen_columns({"herg": "classification"})
    True
    """
    columns = [*IDENTITY_COLUMNS, *keep_columns]
    for name, task in models.items():
        columns += model_columns(name, task, derived=derived)
    return columns + list(filter_columns(alerts))


def column_meaning(column: str, models: Mapping[str, str] | None = None) -> str:
    """What a column of a screen or ranking holds, in words ('' when unknown).

    ``models`` (name -> task) resolves model columns whose name has underscores.
    """
    for table in (IDENTITY_COLUMNS, PROPERTY_COLUMNS, RANKING_COLUMNS, DOCKING_COLUMNS,
                  SIMILARITY_3D_COLUMNS, PROPOSAL_COLUMNS, NEXT_BATCH_COLUMNS):  # fmt: skip
        if column in table:
            return table[column]
    if column == PROFILED:
        return _PROFILED_MEANING
    for name in ALERT_CATALOGS:
        if column == name:
            return f"matches a {name.upper()} structural alert"
        if column == f"{name}_alerts":
            return f"names of the {name.upper()} alerts matched"
    if column == "qed":
        return "quantitative estimate of drug-likeness (0-1)"
    if column == "sa_score":
        return "synthetic accessibility score (1 easy - 10 hard)"
    if column.startswith("d_"):
        return f"desirability of objective {column[2:]!r} (0-1)"
    outputs = {**{o: m for o, (_, m) in MODEL_OUTPUTS.items()},
               INTERVAL_WIDTH: "width of the prediction interval (upper - lower)"}  # fmt: skip
    names = sorted(models or {}, key=len, reverse=True)
    for output, meaning in outputs.items():
        suffix = f"_{output}"
        if column.endswith(suffix):
            name = column[: -len(suffix)]
            if not names or name in names:
                return f"{name} model: {meaning}"
    return ""


# ------------------------------------------------------------------ ranking
#: Objectives on the screen's own properties, used when a configuration gives none.
DEFAULT_OBJECTIVES: dict[str, dict[str, Any]] = {
    "qed": {"column": "qed", "shape": "increasing", "low": 0.2, "high": 0.7, "weight": 1.0},
    "sa_score": {"column": "sa_score", "shape": "decreasing", "low": 3.0, "high": 6.0,
                 "weight": 1.0},
    "rule_of_five": {"column": "ro5_violations", "shape": "decreasing", "low": 1.0, "high": 3.0,
                     "weight": 0.5},
}  # fmt: skip
#: Hard filters used when a configuration gives none: PAINS hits are assay artefacts.
DEFAULT_FILTERS: dict[str, dict[str, Any]] = {"pains": {"equals": False}}
#: The ranking's settings and their defaults (see :mod:`drugml.screening.rank`).
DEFAULT_RANKING: dict[str, Any] = {
    "objectives": DEFAULT_OBJECTIVES,
    "filters": DEFAULT_FILTERS,
    "floor": 0.01,
    "top_k": 20,
    "diversity": "maxmin",
    "pool_factor": 2,
    "max_similarity": 0.6,
    "diversity_radius": 2,
    "novelty_column": None,
}


def default_ranking() -> dict[str, Any]:
    """A fresh (deep) copy of :data:`DEFAULT_RANKING` to modify."""
    return copy.deepcopy(DEFAULT_RANKING)


# ------------------------------------------------------------- run folder
#: The ranking's top rows, in a run folder and in a ``drugml rank`` folder.
RANKED_CSV = "ranked_candidates.csv"
RANKED_PARQUET = "ranked_candidates.parquet"


@dataclass(frozen=True)
class RunFolder:
    """The layout of a ``drugml run`` output folder: the one place its files are named.

    The run writes through it and every reader (``drugml rank`` finding the
    training sets, the report's links) reads through it; ``RunFolder("")``
    gives the paths relative to the folder, as a page inside it links them.

    >>> run = RunFolder("results/run")
    >>> run.training_set("potency").as_posix(), run.model("potency").as_posix()
    ('results/run/training/potency/curated.csv', 'results/run/models/potency')
    """

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))  # a str is welcome

    @property
    def config(self) -> Path:
        """The fully resolved configuration the run used (``config.yaml``)."""
        return self.root / "config.yaml"

    @property
    def metrics(self) -> Path:
        return self.root / "metrics.json"

    @property
    def report(self) -> Path:
        return self.root / "report.html"

    @property
    def ranked_csv(self) -> Path:
        return self.root / RANKED_CSV

    @property
    def ranked_parquet(self) -> Path:
        return self.root / RANKED_PARQUET

    @property
    def screen(self) -> Path:
        """The screen's folder (:mod:`drugml.screening.screen` owns what is inside)."""
        return self.root / "screen"

    @property
    def docking(self) -> Path:
        return self.root / "docking"

    @property
    def proposals(self) -> Path:
        """The design stage's folder: proposals.csv, their screen and their ranking."""
        return self.root / "proposals"

    @property
    def next_batch(self) -> Path:
        """The next batch to test, with the reason for each pick."""
        return self.root / "next_batch.csv"

    def training(self, model: str) -> Path:
        """The folder of one model's curated training data, its log and its rejects."""
        return self.root / "training" / model

    def training_set(self, model: str) -> Path:
        """One model's curated training set (``curated.csv``, with an ``inchikey`` column)."""
        return self.training(model) / "curated.csv"

    def curation_log(self, model: str) -> Path:
        """One model's curation log: one row per step, with the records it removed."""
        return self.training(model) / "curation_log.csv"

    def rejected(self, model: str) -> Path:
        """Every record of one model's data that was not used, with its step and reason."""
        return self.training(model) / "rejected.csv"

    def model_card(self, model: str) -> Path:
        """One model's card (written by :meth:`drugml.models.PropertyModel.save`)."""
        return self.model(model) / "MODEL_CARD.md"

    def model(self, model: str) -> Path:
        """One model's saved folder (:meth:`drugml.models.PropertyModel.save`)."""
        return self.root / "models" / model
