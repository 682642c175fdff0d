"""The run configuration of ``drugml run``: every key typed, checked and explained before any work.

A campaign is one YAML file (:func:`load_config`); its sections are the
fields of :class:`CampaignConfig`:

- ``target``: the structure with its reference ligand (optional: without it
  the report shows no pocket);
- ``models``: a list of named models, each with its data, either ChEMBL
  activity records (API/SQL columns or the web interface's CSV export) curated
  by :mod:`drugml.chem.curate`, or a plain table with a SMILES column and a value
  (regression) or a label (classification); task, estimator, split;
- ``library``: the molecules to screen;
- ``ranking``: objectives and hard filters on the columns of
  :mod:`drugml.schema` (``<model>_prediction``, ``qed``, ...);
- ``docking`` (optional): dock the top of the short list into the target's
  structure with AutoDock Vina (:mod:`drugml.structure.dock`); its columns
  (``docking_score``, ``docking_key_interaction``, ``pose_ok``, ...) can be
  objectives and filters of the ranking;
- ``design`` (optional): analogues of the short list by fragment replacement, scored
  and ranked like the screen, and the next batch to test (:mod:`drugml.design`);
- ``validation``: known actives in the library, to see where they land.

Every key at every depth is checked: an unknown key is an error with a
suggestion (``library.chunksize`` is not a setting; did you mean
``chunk_size``?), a wrong type or range names the key and the value. The
checks on files, columns, the structure and the ranking's columns are in
:mod:`drugml.campaign.pipeline` (:func:`drugml.campaign.pipeline.check_inputs`), which also
runs before any work.

Example
-------
>>> from drugml.campaign.config import load_config
>>> config = load_config({"models": [{"name": "logs", "data": {"table": "esol",
...     "target_column": "measured log solubility in mols per litre"}}],
...     "library": {"path": "approved_drugs"}})
>>> config.models[0].task, config.models[0].estimator, config.library.chunk_size
('regression', 'auto', 1000)
>>> load_config({"library": {"path": "x.smi", "chunksize": 100}, "models": []})
Traceback (most recent call last):
...
drugml.errors.ConfigError: The configuration has 2 problems:
  - `models`: give at least one model; got []
  - `library.chunksize` is not a setting; did you mean `chunk_size`?
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from drugml import schema
from drugml._util.settings import (
    Section,
    describe_error,
    format_problems,
    short,
    unknown_key,
    where,
)
from drugml._util.suggest import suggest
from drugml.campaign._design_config import BatchConfig, DesignConfig, GeneratorConfig
from drugml.campaign._docking_config import DockingBox, DockingConfig, KeyInteractionConfig
from drugml.campaign._similarity_config import TARGET_REFERENCE, Similarity3DConfig
from drugml.campaign._template import config_template
from drugml.chem.curate import CurationSettings
from drugml.errors import ConfigError
from drugml.screening.ranking_config import (
    FilterRule,
    Objective,
    RankingConfig,
    parse_ranking,
)
from drugml.screening.screen import BACKENDS, DEFAULT_CHUNK_SIZE, PROFILES

__all__ = [
    "CONFIG_DIR",
    "AdmetData",
    "BatchConfig",
    "CampaignConfig",
    "ChemblData",
    "ConfigError",
    "DesignConfig",
    "DockingBox",
    "DockingConfig",
    "FilterRule",
    "GeneratorConfig",
    "KeyInteractionConfig",
    "LibraryConfig",
    "ModelConfig",
    "Objective",
    "RankingConfig",
    "Similarity3DConfig",
    "TableData",
    "TargetConfig",
    "ValidationConfig",
    "config_template",
    "default_config_path",
    "example_configs",
    "format_problems",
    "load_config",
    "parse_ranking",
    "suggest",
]

Split = Literal["scaffold", "cluster", "random"]
Task = Literal[schema.TASKS]  # type: ignore[valid-type]
AlertCatalogue = Literal[tuple(schema.ALERT_CATALOGS)]  # type: ignore[valid-type]
MODEL_NAME = r"^[A-Za-z][A-Za-z0-9_]*$"


# ------------------------------------------------------------------- target
class TargetConfig(Section):
    """The target's structure and the reference ligand that marks its binding site."""

    structure: str = Field(description="PDB/mmCIF file or embedded data set")
    ligand: str | None = Field(None, description="residue name of the reference ligand")
    ligand_smiles: str | None = Field(None, description="SMILES of that ligand (bond orders)")
    pocket_cutoff: float = Field(5.0, gt=0, le=15, description="pocket radius around it (A)")
    pocket: Literal["ligand", "residues", "auto"] | None = Field(
        None,
        description="the binding site: ligand (around the reference ligand), residues "
        "(pocket_residues), auto (cavities found in the structure, the pocket_rank-th best); "
        "null: ligand when one is given, else auto",
    )
    pocket_rank: int = Field(1, ge=1, le=50, description="auto: which detected pocket (1: best)")
    pocket_residues: list[str | int] | None = Field(None, description="e.g. [719, 769, 831]")

    @model_validator(mode="after")
    def _pocket_has_what_it_needs(self) -> TargetConfig:
        if self.pocket == "ligand" and not self.ligand:
            raise ValueError("pocket: ligand needs target.ligand (or use pocket: auto)")
        if self.pocket == "residues" and not self.pocket_residues:
            raise ValueError("pocket: residues needs target.pocket_residues")
        return self

    @property
    def pocket_source(self) -> str:
        """How the binding site is found: ``ligand``, ``residues`` or ``auto``."""
        return self.pocket or ("ligand" if self.ligand else "auto")


# --------------------------------------------------------------------- data
_CURATION = CurationSettings()


class ChemblData(Section):
    """ChEMBL activity records, curated by :func:`drugml.chem.curate.curate_bioactivities`."""

    chembl: str = Field(description="activity records: API/SQL columns or the web CSV export")
    structures: str | None = Field(None, description="id -> SMILES table if the records lack it")
    # Defaults: the curation's own (drugml.chem.curate.CurationSettings).
    activity_type: str = Field(
        _CURATION.activity_type, description="standard_type to keep (IC50, Ki, Kd ...)"
    )
    id_column: str = Field(_CURATION.id_column, description="the records' molecule id column")
    active_threshold: float | None = Field(
        None, description="pX at or above which a compound is active (classification)"
    )


class TableData(Section):
    """A plain table: SMILES and a value (regression) or a label (classification)."""

    table: str = Field(description="CSV/TSV/Parquet file or embedded data set")
    smiles_column: str = "smiles"
    target_column: str | None = Field(None, description="measured value (regression)")
    label_column: str | None = Field(None, description="two-valued label (classification)")
    positive_label: str | int | bool | None = Field(
        None, description="the label value meaning active/positive when it is not 1 or True"
    )
    active_threshold: float | None = Field(
        None, description="turns target_column into a label: value >= threshold is positive"
    )

    @model_validator(mode="after")
    def _one_target(self) -> TableData:
        if (self.target_column is None) == (self.label_column is None):
            raise ValueError("give exactly one of target_column (a value) or label_column")
        if self.active_threshold is not None and self.target_column is None:
            raise ValueError(
                "active_threshold turns target_column into a label; with label_column it has no use"
            )
        if self.positive_label is not None and self.label_column is None:
            raise ValueError("positive_label goes with label_column")
        return self


class AdmetData(Section):
    """An endpoint of the ADMET panel (:data:`drugml.models.admet.ENDPOINTS`): its embedded TDC data
    set, task, unit and target transform come with it."""

    admet: str = Field(description="the endpoint's name, e.g. herg, ames, caco2_wang")
    rows: Literal["all", "train_val"] = Field(
        "all", description="all rows, or TDC's train_val rows only (keeps its test set unseen)"
    )

    @field_validator("admet")
    @classmethod
    def _known_endpoint(cls, value: str) -> str:
        from drugml.models.admet import ENDPOINTS

        if value not in ENDPOINTS:
            raise ValueError(
                f"unknown ADMET endpoint {value!r}; the panel has {list(ENDPOINTS)}"
                + suggest(value, ENDPOINTS, " (did you mean `{}`?)")
            )
        return value


def _data_kind(value: Any) -> str | None:
    if isinstance(value, (ChemblData, TableData, AdmetData)):  # serializing
        return {ChemblData: "chembl", TableData: "table", AdmetData: "admet"}[type(value)]
    if isinstance(value, Mapping):
        for kind in ("chembl", "table", "admet"):
            if kind in value:
                return kind
    return None


DataSource = Annotated[
    Union[  # noqa: UP007
        Annotated[ChemblData, Tag("chembl")],
        Annotated[TableData, Tag("table")],
        Annotated[AdmetData, Tag("admet")],
    ],
    Discriminator(
        _data_kind,
        custom_error_type="data_source",
        custom_error_message="a model's data names `chembl:` (activity records), `table:` (a "
        "plain table) or `admet:` (an endpoint of the ADMET panel)",
    ),
]


DATA_TAGS = {"chembl": ChemblData, "table": TableData, "admet": AdmetData}


# ------------------------------------------------------------------- models
class ModelConfig(Section):
    """One named model: its data, task, estimator and held-out evaluation."""

    name: str = Field(
        pattern=MODEL_NAME,
        max_length=40,
        description="names the screen's columns: <name>_prediction, ...",
    )
    data: DataSource
    task: Task | None = Field(None, description="inferred from the data when not given")
    estimator: str = Field("auto", description="a model backend; auto: chosen per data set")
    estimator_params: dict[str, Any] = Field(default_factory=dict)
    split: Split = Field("scaffold", description="held-out evaluation split")
    test_size: float = Field(0.2, gt=0, lt=0.9)
    endpoint: str | None = Field(None, description="what it predicts, for the model card")
    unit: str | None = None

    @field_validator("estimator")
    @classmethod
    def _known_estimator(cls, value: str) -> str:
        known = estimator_names()
        if value not in known:
            raise ValueError(
                f"unknown estimator {value!r}; use one of {list(known)}"
                + suggest(value, known, " (did you mean `{}`?)")
            )
        return value

    @model_validator(mode="after")
    def _resolve_task(self) -> ModelConfig:
        data = self.data
        if isinstance(data, AdmetData):
            from drugml.models.admet import ENDPOINTS

            inferred = ENDPOINTS[data.admet].task
        elif isinstance(data, TableData):
            inferred = (
                "classification"
                if data.label_column or data.active_threshold is not None
                else "regression"
            )
        else:
            inferred = "classification" if self.task == "classification" else "regression"
            if inferred == "classification" and data.active_threshold is None:
                raise ValueError(
                    "a ChEMBL classification model needs data.active_threshold "
                    "(the pX of an active compound)"
                )
        if self.task is not None and self.task != inferred:
            why = (
                "a label column or an active_threshold makes a classification"
                if inferred == "classification"
                else "a target_column without active_threshold is a regression"
            )
            raise ValueError(f"task {self.task!r} does not fit the data: {why}")
        self.task = inferred
        from drugml.models.backends import get_backend

        get_backend(self.estimator).params(self.task, self.estimator_params)  # ValueError: say so
        return self


def estimator_names() -> tuple[str, ...]:
    """The model backends a configuration may name (``available_backends()``)."""
    from drugml.models.backends import available_backends

    return tuple(available_backends())


# ------------------------------------------------------------------ library
class LibraryConfig(Section):
    """The molecules to screen."""

    path: str = Field(description="SMILES, CSV/TSV, SDF or Parquet file, or a data set")
    smiles_column: str | None = None
    id_column: str | None = None
    name_column: str | None = Field(None, description="shown in the report; finds known actives")
    chunk_size: int = Field(DEFAULT_CHUNK_SIZE, ge=1, le=1_000_000)
    n_jobs: int | None = Field(None, ge=1, description="processes; null: the run's n_jobs")
    alerts: list[AlertCatalogue] = Field(default_factory=lambda: list(schema.DEFAULT_ALERTS))
    profile: Literal[PROFILES] = Field(  # type: ignore[valid-type]
        "full",
        description="shortlist: domain, alerts, QED and SA only for molecules that can still "
        "reach the ranking's short list (same short list, faster; drugml.screening.screen)",
    )
    backend: Literal[BACKENDS] = Field(  # type: ignore[valid-type]
        "local", description="local: n_jobs processes on this machine; dask: a Dask cluster"
    )
    scheduler: str | None = Field(
        None,
        description="backend dask: the scheduler's address (tcp://host:8786); null starts a "
        "LocalCluster of n_jobs single-threaded workers for the run",
    )

    @field_validator("alerts")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError(f"alert catalogues must be distinct, got {value}")
        return value


# --------------------------------------------------------------- validation
class ValidationConfig(Section):
    """Known actives in the library, found by name (``library.name_column``)."""

    known_actives: list[str] = Field(default_factory=list)


# ----------------------------------------------------------------- campaign
class CampaignConfig(Section):
    """A whole campaign: target, models, library, ranking, validation."""

    name: str = "campaign"
    seed: int = Field(0, ge=0)
    n_jobs: int | None = Field(None, ge=1, description="threads/processes; null: all cores")
    target: TargetConfig | None = None
    models: list[ModelConfig] = Field(min_length=1)
    library: LibraryConfig
    ranking: RankingConfig = Field(default_factory=RankingConfig)
    similarity_3d: Similarity3DConfig | None = None
    docking: DockingConfig | None = None
    design: DesignConfig | None = None
    validation: ValidationConfig = Field(default_factory=ValidationConfig)
    #: Folder relative paths are resolved against (the configuration file's).
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)

    @field_validator("models")
    @classmethod
    def _distinct_names(cls, models: list[ModelConfig]) -> list[ModelConfig]:
        seen: set[str] = set()
        for model in models:
            if model.name in seen:
                raise ValueError(
                    f"model name {model.name!r} is used twice; each model's name "
                    "must be unique (it names the screen's columns)"
                )
            seen.add(model.name)
        return models

    @model_validator(mode="after")
    def _docking_needs_a_structure(self) -> CampaignConfig:
        docking, target = self.docking, self.target
        has_structure = docking is not None and (docking.structure or (target and target.structure))
        if docking is not None and docking.top_n and not has_structure:
            raise ValueError("docking needs a structure: set docking.structure or target.structure")
        ligand = (docking.ligand if docking else None) or (target.ligand if target else None)
        reference = bool(ligand and target and target.ligand_smiles)
        by_similarity = docking is not None and docking.pose_selection == "interaction_similarity"
        if by_similarity and not (docking.interaction_reference and reference):
            raise ValueError(
                "docking.pose_selection: interaction_similarity compares poses with the "
                "reference ligand's interactions: it needs target.ligand and "
                "target.ligand_smiles, and docking.interaction_reference: true"
            )
        return self

    @model_validator(mode="after")
    def _similarity_has_its_reference(self) -> CampaignConfig:
        wanted = (
            self.similarity_3d is not None and TARGET_REFERENCE in self.similarity_3d.references
        )
        target = self.target
        if wanted and not (target and target.ligand and target.ligand_smiles):
            raise ValueError(
                "similarity_3d.references: 'target' is the target's ligand in its crystal pose: "
                "it needs target.ligand and target.ligand_smiles (or give SMILES)"
            )
        return self

    @model_validator(mode="after")
    def _design_objective_is_a_model(self) -> CampaignConfig:
        objective = self.design.objective if self.design else None
        if objective is not None and objective not in self.model_tasks():
            raise ValueError(
                f"design.objective {objective!r} is not a model of the campaign; "
                f"the models are {list(self.model_tasks())}"
            )
        return self

    @model_validator(mode="after")
    def _known_actives_need_names(self) -> CampaignConfig:
        if self.validation.known_actives and not self.library.name_column:
            raise ValueError(
                "validation.known_actives are found by name: set "
                "library.name_column to the library's name column"
            )
        return self

    def model(self, name: str) -> ModelConfig:
        """The model called ``name``."""
        for model in self.models:
            if model.name == name:
                return model
        raise KeyError(name)

    def model_tasks(self) -> dict[str, str]:
        """Model name -> task, in order."""
        return {m.name: str(m.task) for m in self.models}

    def to_yaml(self) -> str:
        """The fully resolved configuration (every default filled in) as YAML."""
        import yaml

        payload = self.model_dump(mode="json", exclude={"base_dir"})
        payload["ranking"]["filters"] = {
            c: {k: v for k, v in rule.items() if v is not None}
            for c, rule in payload["ranking"]["filters"].items()
        }  # the ranking's as_dict(), in JSON mode
        return yaml.safe_dump(payload, sort_keys=False, allow_unicode=True, width=100)


# ------------------------------------------------------------------ loading
def load_config(source: str | Path | Mapping[str, Any] | CampaignConfig) -> CampaignConfig:
    """Read and check a configuration: a YAML file, a dict, or a :class:`CampaignConfig`.

    Relative paths in a file's configuration are relative to that file. Every
    problem found is reported at once, each naming its key.
    """
    import yaml

    if isinstance(source, CampaignConfig):
        return source
    base_dir = Path.cwd()
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ConfigError(f"Configuration file {path} does not exist")
        try:
            given = yaml.safe_load(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"Configuration file {path} is not a text (UTF-8) file: "
                f"{exc.reason} at byte {exc.start}"
            ) from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"Configuration file {path} is not valid YAML: {exc}") from None
        base_dir = path.resolve().parent
    else:
        given = source
    if not isinstance(given, Mapping):
        sections = ", ".join(f for f in CampaignConfig.model_fields if f != "base_dir")
        raise ConfigError(
            f"A configuration is a mapping of sections ({sections}); "
            f"got a {type(given).__name__}: {str(given)[:80]!r}"
        )
    given = dict(given)
    names = (
        [m.get("name") for m in given.get("models") or [] if isinstance(m, Mapping)]
        if isinstance(given.get("models"), list)
        else []
    )
    twice = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
    if twice:  # before the rest: every other message names models by name
        raise ConfigError(
            format_problems(
                [
                    f"`models`: the name {n!r} is used twice; each model's "
                    "name must be unique (it names the screen's columns)"
                    for n in twice
                ]
            )
        )
    if "base_dir" in given:
        raise ConfigError(format_problems([unknown_key(("base_dir",), given, CampaignConfig)]))
    try:
        return CampaignConfig.model_validate({**given, "base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError(format_problems([_describe(e, given) for e in exc.errors()])) from None


# ------------------------------------------------------------------ messages
def _describe(error: Mapping[str, Any], given: Any) -> str:
    """One line per pydantic error (:func:`drugml._util.settings.describe_error`), with the
    campaign's own wording for a data source and a model name."""
    loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    if kind == "data_source":
        hints = [
            suggest(k, DATA_TAGS, f"`{k}`: did you mean `{{}}`?")
            for k in (value if isinstance(value, Mapping) else {})
        ]
        hint = "; ".join(h for h in hints if h)
        return f"`{where(loc, given, DATA_TAGS)}`: {error['msg']}; got {short(value)}" + (
            f" ({hint})" if hint else ""
        )
    if kind == "string_pattern_mismatch" and loc[-1] == "name":
        return (
            f"`{where(loc, given, DATA_TAGS)}`: a model name starts with a letter and has only "
            f"letters, digits and _ (it prefixes column names); got {value!r}"
        )
    return describe_error(error, given, CampaignConfig, tags=DATA_TAGS)


# ------------------------------------------------------- shipped campaigns
#: The shipped campaign configurations (``drugml config examples``).
CONFIG_DIR = Path(__file__).resolve().parent / "configs"


def example_configs() -> dict[str, Path]:
    """The shipped campaign configurations by name (``egfr``, ``table_example``).

    >>> sorted(example_configs())
    ['egfr', 'table_example']
    """
    return {path.stem: path for path in sorted(CONFIG_DIR.glob("*.yaml"))}


def default_config_path() -> Path:
    """The shipped EGFR configuration."""
    return CONFIG_DIR / "egfr.yaml"
