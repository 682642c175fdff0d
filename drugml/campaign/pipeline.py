"""A whole campaign, target to ranked candidates, from one configuration: ``drugml run``.

:func:`run` reads a configuration (:mod:`drugml.campaign.config`; the EGFR default
ships as ``drugml/configs/egfr.yaml``, a second example built from plain
tables as ``drugml/configs/table_example.yaml``: :func:`example_configs`),
checks every file, column, the structure and the ranking's columns before
any work starts (:func:`check_inputs`), then:

1. prepares each model's training data: ChEMBL activity records are curated
   by :mod:`drugml.chem.curate`; a plain table is standardized and merged per
   structure by :func:`drugml.chem.curate.curate_table`; nothing is dropped
   without a row saying why;
2. trains each model, reports it on a held-out split (scaffold, cluster or
   random) that is one of its calibration folds, and saves it with its
   model card;
3. screens the library once with every model and the drug-likeness filters
   (:mod:`drugml.screening.screen`); salt forms of one parent (same InChIKey) merge;
4. ranks the candidates on the configured objectives and filters
   (:mod:`drugml.screening.rank`; columns from :mod:`drugml.schema`); a screen of more
   than :data:`IN_MEMORY_RANKING_ROWS` rows is ranked streaming
   (:mod:`drugml.screening.rank_stream`: ``ranked/`` holds every structure,
   ``ranked_candidates.csv`` the top 1,000, Pareto fronts over the best pool);
5. checks itself: where do the known actives named in the configuration
   land? Enrichment factors at 1 % and 5 % and BEDROC (alpha 20), on the
   whole library and without the compounds any model was trained on, for
   the final ranking and for each scoring model alone (:mod:`drugml.models.metrics`);
6. writes ``out_dir``: ``ranked_candidates.csv`` / ``.parquet``,
   ``models/<name>/`` (safe formats, model cards), ``training/<name>/``
   (the curated table, the curation log and every rejected record),
   ``screen/`` (parts, rejects, manifest), ``metrics.json``,
   ``config.yaml`` (the resolved configuration) and the self-contained
   ``report.html``.

The same seed gives the same ranking. Nothing is downloaded.

Example
-------
>>> from drugml.campaign.pipeline import default_config_path, load_config
>>> config = load_config(default_config_path())
>>> config.name, [m.name for m in config.models]
('EGFR', ['potency', 'solubility'])
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml import schema
from drugml._version import __version__
from drugml.campaign.config import (
    AdmetData,
    CampaignConfig,
    ChemblData,
    ConfigError,
    ModelConfig,
    format_problems,
    load_config,
    suggest,
)
from drugml.screening.ranking_config import RankingConfig
from drugml.screening.validation import find_known_actives

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CampaignInputs",
    "ConfigError",
    "TrainingData",
    "check_inputs",
    "default_config_path",
    "dock_candidates",
    "docking_setup",
    "example_configs",
    "input_label",
    "lead_models",
    "load_config",
    "run",
    "training_data",
]

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


# ------------------------------------------------------------------- inputs
@dataclass
class CampaignInputs:
    """Every input file of a campaign, resolved and checked; each table read once.

    ``paths`` and ``given`` are keyed by the configuration key that names the
    file (``"models.potency.data"``, ``"library.path"``, ...): the file, and
    the configuration's own words for it (a data set name or a path).
    """

    config: CampaignConfig
    paths: dict[str, Path] = field(default_factory=dict)
    given: dict[str, str] = field(default_factory=dict)
    datasets: dict[str, str] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict, repr=False)

    def table(self, key: str) -> pd.DataFrame:
        """The table named at ``key``, read on first use (ChEMBL records normalized)."""
        if key not in self.tables:
            self.tables[key] = _read_input(self.paths[key], self.datasets.get(key),
                                           chembl=key.endswith(".chembl"))  # fmt: skip
        return self.tables[key]

    def label(self, key: str, out_dir: str | Path) -> str:
        """How a report names the input at ``key`` (see :func:`input_label`)."""
        return input_label(self.given[key], self.paths[key], Path(out_dir))


def _read_input(path: Path, dataset: str | None, chembl: bool) -> pd.DataFrame:
    from drugml import data
    from drugml._util.io import read_table

    if chembl:
        from drugml.chem.curate import read_chembl_activities

        return read_chembl_activities(data.load(dataset) if dataset else path)
    return data.load(dataset) if dataset else read_table(path)


def _resolve(
    value: str, base_dir: Path, key: str, problems: list[str]
) -> tuple[Path | None, str | None]:
    """A data set name or a path (relative to the configuration) as ``(file, data set)``."""
    from drugml import data

    text = str(value)
    if "/" not in text and "." not in Path(text).name:
        try:
            return data.path(text), text
        except data.UnknownDatasetError:
            names = list(data.list_datasets()["name"])
            problems.append(
                f"`{key}`: {text!r} is neither a file nor an embedded data set"
                + suggest(text, names)
                + " (`drugml data list` shows them)"
            )
            return None, None
    path = Path(text).expanduser()
    path = path if path.is_absolute() else base_dir / path
    if not path.is_file():
        problems.append(f"`{key}`: file {path} does not exist")
        return None, None
    return path, None


def _column_problem(key: str, column: str, columns: list[str], where: str) -> str:
    hint = suggest(column, columns)
    return (f"`{key}`: {column!r} is not a column of {where}" + hint
            + (" It has " if hint else "; it has ") + f"{columns[:30]}"
            + (" ..." if len(columns) > 30 else ""))  # fmt: skip


def check_inputs(config: CampaignConfig | str | Path | Mapping[str, Any]) -> CampaignInputs:
    """Check every file, column, the structure and the ranking's columns; before any work.

    Every problem found is reported at once in one :class:`~drugml.campaign.config.ConfigError`,
    each naming the configuration key, the value and what would be valid.
    Tables read here are kept in the result, so nothing is read twice.
    """
    config = load_config(config)
    inputs = CampaignInputs(config)
    problems: list[str] = []

    def resolve(key: str, value: str | None) -> bool:
        return value is not None and resolve_into(inputs, key, value, problems)

    for model in config.models:
        prefix = f"models[{model.name}].data"
        if isinstance(model.data, ChemblData):
            if resolve(f"{prefix}.chembl", model.data.chembl):
                _check_chembl(model, inputs, prefix, problems)
        elif isinstance(model.data, AdmetData):
            from drugml.models.admet import ENDPOINTS

            resolve(f"{prefix}.admet", ENDPOINTS[model.data.admet].dataset)
        elif resolve(f"{prefix}.table", model.data.table):
            _check_table(model, inputs, prefix, problems)
    if resolve("library.path", config.library.path):
        _check_library(config, inputs, problems)
    problems += _library_backend_problems(config)
    if config.target is not None and resolve("target.structure", config.target.structure):
        _check_structure(config, inputs, problems)
    if config.docking is not None and config.docking.top_n:
        _check_docking(config, inputs, problems, resolve)
    problems += _ranking_problems(config)
    if problems:
        raise ConfigError(format_problems(problems))
    _warn_if_the_ranking_ignores_the_models(config)
    return inputs


def _table_columns(inputs: CampaignInputs, key: str) -> list[str]:
    from drugml._util.io import table_columns

    if key in inputs.datasets or key.endswith(".chembl"):
        return [str(c) for c in inputs.table(key).columns]
    return table_columns(inputs.paths[key])


def _check_chembl(model: ModelConfig, inputs: CampaignInputs, prefix: str,
                  problems: list[str]) -> None:  # fmt: skip
    from drugml.chem import SMILES_COLUMN_CANDIDATES
    from drugml.chem.curate import activity_type_counts

    data = model.data
    assert isinstance(data, ChemblData)
    key = f"{prefix}.chembl"
    try:
        records = inputs.table(key)
    except Exception as exc:  # a table that is neither ChEMBL style: the reader says why
        problems.append(f"`{key}`: {exc}")
        return
    columns = [str(c) for c in records.columns]
    if data.id_column not in columns:
        problems.append(_column_problem(f"{prefix}.id_column", data.id_column, columns,
                                        inputs.given[key]))  # fmt: skip
    counts = activity_type_counts(records)
    if data.activity_type not in counts:
        found = ", ".join(f"{t} ({n:,} records)" for t, n in list(counts.items())[:10])
        problems.append(f"`{prefix}.activity_type`: {data.activity_type!r} matches no record of "
                        f"{inputs.given[key]}; it has {found or 'no activity type column'}"
                        + suggest(data.activity_type, counts))  # fmt: skip
    if not any(c in columns for c in SMILES_COLUMN_CANDIDATES):
        if data.structures is None:
            problems.append(f"`{prefix}.structures`: the records of {inputs.given[key]} have no "
                            "SMILES column; name a table of molecule id -> SMILES")  # fmt: skip
            return
        skey = f"{prefix}.structures"
        if resolve_into(inputs, skey, data.structures, problems):
            scolumns = _table_columns(inputs, skey)
            if data.id_column not in scolumns:
                problems.append(_column_problem(f"{prefix}.id_column", data.id_column, scolumns,
                                                inputs.given[skey]))  # fmt: skip
            if not any(c in scolumns for c in SMILES_COLUMN_CANDIDATES):
                problems.append(
                    f"`{skey}`: {inputs.given[skey]} has no SMILES column (one of "
                    f"{list(SMILES_COLUMN_CANDIDATES)}); it has {scolumns}"
                )


def resolve_into(inputs: CampaignInputs, key: str, value: str, problems: list[str]) -> bool:
    """Resolve one more input file into ``inputs`` (used for optional inputs)."""
    path, dataset = _resolve(value, inputs.config.base_dir, key, problems)
    if path is None:
        return False
    inputs.paths[key], inputs.given[key] = path, str(value)
    if dataset:
        inputs.datasets[key] = dataset
    return True


def _check_table(model: ModelConfig, inputs: CampaignInputs, prefix: str,
                 problems: list[str]) -> None:  # fmt: skip
    import pandas as pd

    data = model.data
    key = f"{prefix}.table"
    table = inputs.table(key)
    columns = [str(c) for c in table.columns]
    where = inputs.given[key]
    wanted = {"smiles_column": data.smiles_column, "target_column": data.target_column,
              "label_column": data.label_column}  # fmt: skip
    missing = False
    for setting, column in wanted.items():
        if column is not None and column not in columns:
            problems.append(_column_problem(f"{prefix}.{setting}", column, columns, where))
            missing = True
    if missing:
        return
    if data.target_column is not None:
        values = pd.to_numeric(table[data.target_column], errors="coerce")
        text = table[data.target_column][values.isna() & table[data.target_column].notna()]
        if values.notna().sum() < 10:
            problems.append(f"`{prefix}.target_column`: {data.target_column!r} of {where} has "
                            f"{int(values.notna().sum())} numeric values; a model needs at "
                            f"least 10 (e.g. {text.head(3).tolist()})")  # fmt: skip
    else:
        labels = table[data.label_column].dropna().unique().tolist()
        if len(labels) != 2:
            problems.append(f"`{prefix}.label_column`: a classification label has two values; "
                            f"{data.label_column!r} of {where} has {len(labels)}: "
                            f"{sorted(map(str, labels))[:10]}")  # fmt: skip
        elif data.positive_label is not None:
            if str(data.positive_label) not in map(str, labels):
                problems.append(f"`{prefix}.positive_label`: {data.positive_label!r} is not one of "
                                f"the values of {data.label_column!r}: {labels}")  # fmt: skip
        elif not _binary_labels(labels):
            problems.append(f"`{prefix}.positive_label`: {data.label_column!r} has the values "
                            f"{sorted(map(str, labels))}; say which one is positive "
                            "(positive_label: ...)")  # fmt: skip


def _binary_labels(labels: list[Any]) -> bool:
    return {str(v).strip().lower() for v in labels} in ({"0", "1"}, {"false", "true"},
                                                         {"0.0", "1.0"})  # fmt: skip


def _check_library(config: CampaignConfig, inputs: CampaignInputs, problems: list[str]) -> None:
    from drugml._util.io import PARQUET_SUFFIXES, table_columns

    path = inputs.paths["library.path"]
    library = config.library
    if path.suffix.lower() not in (".csv", ".tsv", ".tab", *PARQUET_SUFFIXES):
        return
    columns = table_columns(path)
    for setting in ("smiles_column", "id_column", "name_column"):
        column = getattr(library, setting)
        if column and column not in columns:
            problems.append(_column_problem(f"library.{setting}", column, columns,
                                            inputs.given["library.path"]))  # fmt: skip


def _library_backend_problems(config: CampaignConfig) -> list[str]:
    """``library.backend: dask`` needs Dask's distributed; a scheduler only with it."""
    import importlib.util

    library = config.library
    if library.backend == "dask" and importlib.util.find_spec("distributed") is None:
        return ["`library.backend: dask` needs dask.distributed, which is not installed: "
                "pip install 'drugml[scale]' (or backend: local)"]  # fmt: skip
    if library.backend == "local" and library.scheduler:
        return [f"`library.scheduler` ({library.scheduler!r}) is used only with "
                "`library.backend: dask`; set backend: dask or remove the scheduler"]  # fmt: skip
    return []


def _check_structure(config: CampaignConfig, inputs: CampaignInputs, problems: list[str]) -> None:
    from drugml.errors import DrugmlError
    from drugml.structure import load_structure

    target = config.target
    assert target is not None
    if not target.ligand:
        if target.ligand_smiles:
            problems.append("`target.ligand_smiles` is given but `target.ligand` (the residue "
                            "name of the reference ligand) is not")  # fmt: skip
        return
    # A data set by name knows its ligand even when the file stores it as ATOM records.
    source = inputs.datasets.get("target.structure") or inputs.paths["target.structure"]
    try:
        structure = load_structure(source, ligand_residues=[target.ligand])
    except DrugmlError as exc:
        problems.append(f"`target.structure`: {exc}")
        return
    every = {ligand.resname.upper() for ligand in structure.ligands(include_excluded=True)}
    if target.ligand.upper() not in every:
        names = sorted({ligand.resname for ligand in load_structure(source).ligands()})
        problems.append(f"`target.ligand`: {target.ligand!r} is not a ligand of "
                        f"{inputs.given['target.structure']}" + suggest(target.ligand, names)
                        + f" Its ligands are {names or 'none'}")  # fmt: skip
        return
    if target.ligand_smiles:
        try:
            structure.ligand_mol(target.ligand, target.ligand_smiles)
        except DrugmlError as exc:
            problems.append(f"`target.ligand_smiles`: {exc}")


def _check_docking(config: CampaignConfig, inputs: CampaignInputs, problems: list[str],
                   resolve: Any) -> None:  # fmt: skip
    """The docking section: packages installed, structure, reference ligand, waters, residue."""
    import importlib.util

    from drugml.errors import DrugmlError
    from drugml.structure import load_structure

    docking = config.docking
    assert docking is not None
    missing = [m for m in ("vina", "meeko", "prolif", "posebusters", "dimorphite_dl")
               if importlib.util.find_spec(m) is None]  # fmt: skip
    if missing:
        problems.append(f"`docking`: the packages {missing} are not installed: "
                        "pip install 'drugml[dock]' (or remove the docking section)")  # fmt: skip
    if docking.structure is not None:
        if not resolve("docking.structure", docking.structure):
            return
        key = "docking.structure"
    else:
        key = "target.structure"
        if key not in inputs.paths:
            return  # reported by the target's check
    ligand = docking.ligand or (config.target.ligand if config.target else None)
    source = inputs.datasets.get(key) or inputs.paths[key]
    try:
        structure = load_structure(source, ligand_residues=[ligand] if ligand else None)
    except DrugmlError as exc:
        problems.append(f"`{key}`: {exc}")
        return
    box = docking.box
    if box.center is None and box.residues is None:
        names = sorted({x.resname for x in structure.ligands()})
        if not ligand:
            problems.append("`docking.ligand`: the box needs a reference ligand (or "
                            "docking.box.residues, or docking.box.center and size)")  # fmt: skip
        elif ligand.upper() not in {x.resname.upper()
                                    for x in structure.ligands(include_excluded=True)}:  # fmt: skip
            problems.append(f"`docking.ligand`: {ligand!r} is not a ligand of "
                            f"{inputs.given[key]}" + suggest(ligand, names)
                            + f" Its ligands are {names or 'none'}")  # fmt: skip
    residues = {f"{r.get_resname().strip()}{r.id[1]}".upper()
                for chain in structure.model for r in chain}  # fmt: skip
    if docking.key_interaction is not None:
        wanted = docking.key_interaction.residue.split(".")[0].upper()
        if wanted not in residues:
            near = [r for r in residues if r[:3] == wanted[:3]]
            problems.append(f"`docking.key_interaction.residue`: {inputs.given[key]} has no "
                            f"residue {docking.key_interaction.residue!r}"
                            + suggest(wanted, near))  # fmt: skip
    if docking.covalent_residue not in (None, "auto"):
        from drugml.structure.dock import COVALENT_RESIDUES

        wanted = docking.covalent_residue.split(".")[0].upper()
        if wanted[:3] not in COVALENT_RESIDUES:
            problems.append(f"`docking.covalent_residue`: {docking.covalent_residue!r} is not a "
                            f"{' or '.join(sorted(COVALENT_RESIDUES))} residue (covalent "
                            "docking removes a cysteine's SG or a serine's OG)")  # fmt: skip
        elif wanted not in residues:
            near = [r for r in residues if r[:3] == wanted[:3]]
            problems.append(f"`docking.covalent_residue`: {inputs.given[key]} has no residue "
                            f"{docking.covalent_residue!r}" + suggest(wanted, near))  # fmt: skip
    if isinstance(docking.keep_waters, list):
        waters = {f"{c.id}:{r.id[1]}" for c in structure.model for r in c
                  if r.get_resname().strip() in ("HOH", "WAT")}  # fmt: skip
        numbers = {w.split(":")[1] for w in waters}
        for water in docking.keep_waters:
            if str(water) not in waters and str(water) not in numbers:
                problems.append(f"`docking.keep_waters`: no water {water!r} in "
                                f"{inputs.given[key]} (it has {len(waters)})")  # fmt: skip


def _ranking_problems(config: CampaignConfig) -> list[str]:
    """Objectives, filters and the novelty column must name columns the run produces."""
    keep = [config.library.name_column] if config.library.name_column else []
    produced = schema.screen_columns(config.model_tasks(), config.library.alerts, keep)
    if config.docking is not None and config.docking.top_n:
        produced += list(schema.DOCKING_COLUMNS)
    problems = []
    ranking = config.ranking
    alert_columns = {c for name in schema.ALERT_CATALOGS for c in (name, f"{name}_alerts")}

    def check(key: str, column: str) -> None:
        if column in produced:
            return
        if column in alert_columns:
            name = column.removesuffix("_alerts")
            problems.append(
                f"`{key}`: {column!r} is an alert column, but library.alerts "
                f"{config.library.alerts} does not check {name!r}; add it there"
            )
            return
        hint = suggest(column, produced)
        problems.append(f"`{key}`: no model or property produces the column {column!r}" + hint
                        + (" The run produces " if hint else "; the run produces ")
                        + f"{produced}")  # fmt: skip

    for name, objective in ranking.objectives.items():
        check(f"ranking.objectives.{name}.column", objective.column)
    for column in ranking.filters:
        check(f"ranking.filters.{column}", column)
    if ranking.novelty_column:
        check("ranking.novelty_column", ranking.novelty_column)
    return problems


def _warn_if_the_ranking_ignores_the_models(config: CampaignConfig) -> None:
    model_columns = {c for name, task in config.model_tasks().items()
                     for c in schema.model_columns(name, task, derived=True)}  # fmt: skip
    if not {o.column for o in config.ranking.objectives.values()} & model_columns:
        warnings.warn("No ranking objective uses a model's column: the models are trained and "
                      "screened, but the ranking ignores them.", stacklevel=3)  # fmt: skip


# ------------------------------------------------------------ training data
@dataclass
class TrainingData:
    """One model's training set: standardized SMILES, targets, and where they came from."""

    smiles: list[str]
    y: np.ndarray
    inchikeys: list[str]
    summary: dict[str, Any]
    card: dict[str, Any]
    table: Any = None  # the curated table
    log: Any = None  # curation log (one row per step)
    rejected: Any = None  # every record not used, with its reason


def training_data(model: ModelConfig, inputs: CampaignInputs, out_dir: str | Path,
                  n_jobs: int = 1) -> TrainingData:  # fmt: skip
    """Curate the records of ``model`` into its training set (nothing dropped silently)."""
    from drugml._util.io import sha256
    from drugml.chem.curate import curate_bioactivities, curate_table

    config = inputs.config
    prefix = f"models[{model.name}].data"
    data = model.data
    if isinstance(data, ChemblData):
        key = f"{prefix}.chembl"
        structures = inputs.table(f"{prefix}.structures") if data.structures else None
        threshold = data.active_threshold
        curated = curate_bioactivities(
            inputs.table(key), structures=structures, activity_type=data.activity_type,
            id_column=data.id_column,
            **({"active_threshold": threshold} if threshold is not None else {}),
            n_jobs=n_jobs, progress=False)  # fmt: skip
        table, log = curated
        value = f"p{data.activity_type}"
        target = "active" if model.task == "classification" else value
        summary = {"source": "chembl", "raw_records": len(inputs.table(key)),
                   "compounds": len(table), "activity_type": data.activity_type}  # fmt: skip
        if threshold is not None:
            summary["active_threshold"] = threshold
            summary["active_fraction"] = float(table["active"].mean()) if len(table) else 0.0
        endpoint = (model.endpoint or (f"active ({value} >= {threshold})"
                    if model.task == "classification" else value))  # fmt: skip
        unit = model.unit or ("probability" if model.task == "classification"
                              else "-log10(molar)")  # fmt: skip
        how = f"{inputs.label(key, out_dir)}, curated ({data.activity_type} records)"
        card_target = str(config.name)
        rejected = curated.rejected
    elif isinstance(data, AdmetData):
        from drugml.models.admet import ENDPOINTS

        endpoint = ENDPOINTS[data.admet]
        key = f"{prefix}.admet"
        table = inputs.table(key)
        if data.rows == "train_val":
            table = table[table["tdc_split"] == "train_val"]
        column = {"target_column": "y"} if model.task == "regression" else {"label_column": "y"}
        curated = curate_table(table, smiles_column="smiles", n_jobs=n_jobs, **column)
        table, log = curated
        rejected = curated.rejected
        target = "value" if model.task == "regression" else "label"
        summary = {"source": "admet", "endpoint": endpoint.name,
                   "raw_records": len(inputs.table(key)), "compounds": len(table)}  # fmt: skip
        if model.task == "classification":
            summary["active_fraction"] = float(table["label"].mean()) if len(table) else 0.0
        endpoint_words = model.endpoint or f"{endpoint.title}: {endpoint.meaning}"
        unit = model.unit or endpoint.unit
        how = f"{inputs.label(key, out_dir)} (TDC {endpoint.tdc_name}, {data.rows} rows)"
        card_target = None
        y = table[target].to_numpy(dtype=float)
        card = {"endpoint": endpoint_words, "unit": unit, "target": card_target,
                "data_source": how, "data_source_sha256": sha256(inputs.paths[key])}  # fmt: skip
        return TrainingData(smiles=table["smiles"].tolist(), y=y,
                            inchikeys=table["inchikey"].tolist(), summary=summary, card=card,
                            table=table, log=log, rejected=rejected)  # fmt: skip
    else:
        key = f"{prefix}.table"
        curated = curate_table(inputs.table(key), smiles_column=data.smiles_column,
                               target_column=data.target_column, label_column=data.label_column,
                               positive_label=data.positive_label,
                               active_threshold=data.active_threshold, n_jobs=n_jobs)  # fmt: skip
        table, log = curated
        rejected = curated.rejected
        target = "value" if model.task == "regression" else "label"
        summary = {"source": "table", "raw_records": len(inputs.table(key)),
                   "compounds": len(table)}  # fmt: skip
        if model.task == "classification":
            summary["active_fraction"] = float(table["label"].mean()) if len(table) else 0.0
        column = data.target_column or data.label_column
        endpoint = model.endpoint or (
            f"{column} >= {data.active_threshold}" if data.active_threshold is not None
            else (f"{column} (positive: {data.positive_label!r})" if data.positive_label
                  is not None else column))  # fmt: skip
        unit = model.unit or ("probability" if model.task == "classification" else "as given")
        how = inputs.label(key, out_dir)
        card_target = None
    y = table[target].to_numpy(dtype=float)
    card = {"endpoint": endpoint, "unit": unit, "target": card_target, "data_source": how,
            "data_source_sha256": sha256(inputs.paths[key])}  # fmt: skip
    return TrainingData(smiles=table["smiles"].tolist(), y=y, inchikeys=table["inchikey"].tolist(),
                        summary=summary, card=card, table=table, log=log,
                        rejected=rejected)  # fmt: skip


# -------------------------------------------------------------------- train
def _split(smiles: list[str], kind: str, test_size: float, seed: int):
    from drugml.models import split

    function = {"scaffold": split.scaffold_split, "cluster": split.cluster_split,
                "random": split.random_split}[kind]  # fmt: skip
    return function(smiles, test_size=test_size, seed=seed)


def _train(model_config: ModelConfig, training: TrainingData, *, seed: int, n_jobs: int,
           progress: bool) -> tuple[Any, dict, dict]:  # fmt: skip
    """The screening model with a held-out test fold; (model, metrics, test data).

    The returned metrics are the held-out test's, with the screening model's
    cross-validation beside them (``cross_validation``); the model's card says
    what it predicts and how each number was obtained.
    """
    from drugml.models import PropertyModel

    name, kind = model_config.name, model_config.split
    train, test = _split(training.smiles, kind, model_config.test_size, seed)
    model = PropertyModel(task=str(model_config.task), estimator=model_config.estimator,
                          estimator_params=model_config.estimator_params or None,
                          random_state=seed, n_jobs=n_jobs,
                          progress=f"{name} model, {kind}-split test fold + screening model"
                          if progress else False)  # fmt: skip
    # The held-out molecules are one of the screening model's calibration folds:
    # that fold's model never sees them, so their metrics are a held-out test,
    # and no second model is trained for it.
    model.fit(training.smiles, training.y, held_out=test)
    metrics = dict(model.held_out_metrics_)
    metrics.update({"task": model_config.task, "estimator": model_config.estimator,
                    "split": kind, "n_train": len(train), "n_test": len(test)})  # fmt: skip
    how = (f"{kind} split: {len(test):,} of {len(training.smiles):,} molecules held out as one "
           f"of the calibration folds (their model never saw them), seed {seed}")  # fmt: skip
    card = {k: v for k, v in training.card.items() if v is not None}
    model.describe(**card, held_out_test={**metrics, "how": how})
    if getattr(model, "selection_", None):
        metrics["selection"] = model.selection_
    metrics.update({"how": how, "cross_validation": model.cv_metrics_,
                    "features": model.features_description(), **card})  # fmt: skip
    test_data = {"y": training.y[model.held_out_index_],
                 "predictions": model.held_out_predictions_, "task": model_config.task}  # fmt: skip
    return model, metrics, test_data


def input_label(value: Any, path: Path, out_dir: Path) -> str:
    """How a report names an input: the data set's name, or the file relative to ``out_dir``.

    Never a machine's absolute path: a report travels.

    >>> from pathlib import Path
    >>> input_label("esol", Path("/x/data/esol.csv"), Path("/y"))
    'esol'
    >>> input_label("lib.smi", Path("/work/t/lib.smi"), Path("/work/t/out"))
    '../lib.smi'
    """
    import os

    text = str(value)
    if "/" not in text and "." not in Path(text).name:
        return text
    return os.path.relpath(Path(path).resolve(), Path(out_dir).resolve())


def lead_models(config: CampaignConfig) -> list[str]:
    """Models scored by an increasing objective on their prediction, heaviest weight first.

    The first is the campaign's lead model: the report plots it, and the
    validation compares the final ranking with each of these models alone
    (:func:`drugml.screening.rank.lead_models` of its ranking).
    """
    from drugml.screening.rank import lead_models as ranking_leads

    return ranking_leads(config.ranking, config.model_tasks())


# ------------------------------------------------------------------ docking
def docking_setup(config: CampaignConfig, inputs: CampaignInputs, seed: int | None = None
                  ) -> tuple[Any, Any, Any]:  # fmt: skip
    """``(receptor, box, settings)`` of a campaign's docking section."""
    from drugml.structure import dock, load_structure

    docking = config.docking
    assert docking is not None
    key = "docking.structure" if docking.structure is not None else "target.structure"
    ligand = docking.ligand or (config.target.ligand if config.target else None)
    source = inputs.datasets.get(key) or inputs.paths[key]
    structure = load_structure(source, ligand_residues=[ligand] if ligand else None)
    if docking.keep_waters == "bridging":
        waters = dock.bridging_waters(structure, ligand) if ligand else []
    elif docking.keep_waters == "none":
        waters = []
    else:
        waters = list(docking.keep_waters)
    covalent = dock.covalent_attachments(structure, ligand) if ligand else []
    covalent_residue = docking.covalent_residue
    if covalent_residue == "auto":
        covalent_residue = dock.reactive_residue(structure, ligand, covalent) if ligand else None
    receptor = dock.prepare_receptor(structure, chains=docking.chains, keep_waters=waters,
                                     covalent_residue=covalent_residue)  # fmt: skip
    box_config = docking.box
    if box_config.center is not None and box_config.size is not None:
        box = dock.Box(tuple(box_config.center), tuple(box_config.size))
    elif box_config.residues is not None:
        box = dock.box_from_residues(structure, box_config.residues, box_config.margin,
                                     box_config.min_size)  # fmt: skip
    else:
        box = dock.box_from_ligand(structure, ligand, box_config.margin, box_config.min_size)
    key_interaction = None
    if docking.key_interaction is not None:
        wanted = docking.key_interaction
        key_interaction = dock.KeyInteraction(wanted.residue, tuple(wanted.interactions))
    settings = dock.DockingSettings(
        exhaustiveness=docking.exhaustiveness, n_poses=docking.n_poses, seed=int(
            config.seed if seed is None else seed), scoring=docking.scoring,
        time_limit=docking.time_limit, ph=docking.ph,
        pose_selection=docking.pose_selection if key_interaction is not None else "score",
        key_interaction=key_interaction, check_poses=docking.check_poses,
        covalent_distance=docking.covalent_distance)  # fmt: skip
    receptor.report["reference_covalent_to"] = covalent
    return receptor, box, settings


def dock_candidates(config: CampaignConfig, inputs: CampaignInputs, ranked: pd.DataFrame,
                    out_dir: str | Path, n_jobs: int = 1, progress: bool = True
                    ) -> tuple[pd.DataFrame, dict[str, Any]]:  # fmt: skip
    """Dock the ``docking.top_n`` best molecules of the short list; ``(ranked, summary)``.

    ``ranked`` gets the columns of :data:`drugml.schema.DOCKING_COLUMNS` (empty
    for molecules not docked) and keeps its order. Poses, the receptor and
    ``docking.csv`` go to ``out_dir``. The short list (``selected``) is taken
    in rank order; with fewer selected molecules than ``top_n``, the next
    passing molecules by rank fill up.
    """
    from drugml.structure.dock import dock_many

    docking = config.docking
    assert docking is not None
    started = time.perf_counter()
    receptor, box, settings = docking_setup(config, inputs)
    order = ranked.sort_values("rank") if "rank" in ranked else ranked
    chosen = list(order.index[order["selected"]]) if "selected" in order else []
    if len(chosen) < docking.top_n and "passes_filters" in order:
        chosen += [i for i in order.index[order["passes_filters"]] if i not in set(chosen)]
    chosen = chosen[: docking.top_n]
    keep = [c for c in ("rank", "id", "smiles", "inchikey") if c in ranked]
    # resume: a run repeated into the same folder with the same molecules and settings
    # reuses the poses (identical by construction); anything else starts again
    table = dock_many(ranked.loc[chosen, keep], receptor, box, out_dir, settings,
                      n_jobs=int(docking.n_jobs or n_jobs), resume="if_same",
                      progress=progress)  # fmt: skip
    added = table.drop(columns=keep)
    added.index = chosen
    out = ranked.drop(columns=[c for c in added.columns if c in ranked]).join(added)
    # pose files relative to the run's folder (the report's), not the docking folder
    folder = Path(out_dir).name
    poses = [f"{folder}/{p}" if isinstance(p, str) and p else "" for p in out["docking_pose_file"]]
    out["docking_pose_file"] = poses
    statuses = table["docking_status"].value_counts().to_dict()
    key = "docking.structure" if docking.structure is not None else "target.structure"
    summary = {
        "structure": str(inputs.datasets.get(key) or inputs.paths[key]),
        "reference_ligand": docking.ligand or (config.target.ligand if config.target else None),
        "docked": int((table["docking_status"] == "docked").sum()),
        "asked": len(chosen),
        "statuses": statuses,
        "receptor": receptor.report,
        "box": box.as_dict(),
        "settings": settings.as_dict(),
        "key_interaction_made": int(table["docking_key_interaction"].eq(True).sum()),
        "poses_ok": int(table["pose_ok"].eq(True).sum()),
        "seconds": round(time.perf_counter() - started, 1),
        "folder": str(Path(out_dir).name),
    }  # fmt: skip
    return out, summary


def rerank_docked(ranked: pd.DataFrame, ranking_config: RankingConfig) -> pd.DataFrame:
    """Re-order the docked molecules among the places they hold, by the full ranking
    (docking objectives and filters included); every other row keeps its place.

    Docking scores exist only for the molecules docked, so they cannot rank the rest:
    the docked molecules (the top of the short list) swap places among themselves.
    ``score_with_docking`` is their score under the full configuration;
    ``passes_filters`` and ``filter_reasons`` take its docking filters into account.
    """
    from drugml.screening.rank import rank_candidates

    docked = ranked.index[ranked["docking_status"].notna()]
    if not len(docked) or not ranking_config.uses_docking():
        return ranked
    config = ranking_config.model_copy(update={"top_k": 0})  # the short list is already chosen
    kept = ("in_training_data", "known_active", "rank")
    ranking = [c for c in ranked.columns if c in schema.RANKING_COLUMNS and c not in kept]
    derived = ranking + [c for c in ranked.columns if c.startswith("d_")]
    subset = ranked.loc[docked].drop(columns=derived)
    subset = subset.rename(columns={"rank": "rank_before_docking"})
    subset["_row"] = list(docked)
    again = rank_candidates(subset.reset_index(drop=True), config)
    out = ranked.copy()
    out["score_with_docking"] = np.nan
    places = sorted(out.loc[docked, "rank"])
    new_rows = list(again["_row"])
    moved = out.loc[new_rows].copy()
    moved["rank_before_docking"] = moved["rank"].to_numpy()
    moved["rank"] = places
    moved["score_with_docking"] = again["score"].to_numpy()
    moved["passes_filters"] = again["passes_filters"].to_numpy()
    moved["filter_reasons"] = again["filter_reasons"].to_numpy()
    import pandas as pd

    out = pd.concat([out.drop(index=docked), moved])
    return out.sort_values("rank", kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------- run
#: Screens with more scored rows are ranked by :func:`drugml.screening.rank_stream.rank_screen` (in
#: bounded memory; Pareto fronts over the best pool), smaller ones in memory by
#: :func:`drugml.screening.rank.rank_candidates` (every column of every structure in
#: ``ranked_candidates.csv``; Pareto fronts over all of them: O(n^2)).
IN_MEMORY_RANKING_ROWS = 20_000


def run(config: str | Path | Mapping[str, Any] | CampaignConfig | None, out_dir: str | Path,
        progress: bool = True) -> dict[str, Any]:  # fmt: skip
    """Run a campaign; returns the metrics (also in ``out_dir/metrics.json``).

    ``config``: a YAML path, dict or :class:`~drugml.campaign.config.CampaignConfig`
    (``None``: the shipped EGFR default). ``progress``: say what runs, with
    progress bars for training and screening.
    """
    import os

    import pandas as pd

    from drugml import data
    from drugml._util.io import sha256
    from drugml.models.metrics import enrichment_summary
    from drugml.screening.rank import rank_candidates
    from drugml.screening.screen import load_rejects, load_results, merge_salt_forms, screen_library

    started = time.perf_counter()
    config = load_config(config if config is not None else default_config_path())
    inputs = check_inputs(config)  # every file, column and ranking column, before any work
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.yaml").write_text(config.to_yaml(), encoding="utf-8")
    seed = int(config.seed)
    n_jobs = int(config.n_jobs or os.cpu_count() or 1)
    timings: dict[str, float] = {}

    def say(message: str) -> None:
        if progress:
            print(f"[drugml run] {message}", flush=True)

    # 1. Training data, 2. models: each checked on a held-out fold and saved.
    model_metrics: dict[str, dict] = {}
    held_out: dict[str, dict] = {}
    training: dict[str, TrainingData] = {}
    model_dirs: dict[str, Path] = {}
    timings["curate"] = timings["models"] = 0.0
    for model_config in config.models:
        name = model_config.name
        tick = time.perf_counter()
        set_ = training[name] = training_data(model_config, inputs, out, n_jobs=n_jobs)
        folder = out / "training" / name
        folder.mkdir(parents=True, exist_ok=True)
        set_.table.to_csv(folder / "curated.csv", index=False)
        set_.log.to_csv(folder / "curation_log.csv", index=False)
        set_.rejected.to_csv(folder / "rejected.csv", index=False)
        timings["curate"] += time.perf_counter() - tick
        say(f"{name}: {set_.summary['raw_records']:,} records curated into "
            f"{len(set_.smiles):,} compounds ({len(set_.rejected):,} records not used, "
            f"see training/{name}/rejected.csv)")  # fmt: skip
        tick = time.perf_counter()
        say(f"training the {name} model ({model_config.task}, {model_config.estimator}, "
            f"{n_jobs} threads)")  # fmt: skip
        model, metrics, held_out[name] = _train(model_config, set_, seed=seed, n_jobs=n_jobs,
                                                progress=progress)  # fmt: skip
        metrics["training_data"] = set_.summary
        model_metrics[name] = metrics
        model_dirs[name] = out / "models" / name
        model.save(model_dirs[name])
        timings["models"] += time.perf_counter() - tick
        say(f"{name} model, {metrics['split']}-split test: " + _headline(metrics))

    # 3. Screen, once, with every model.
    tick = time.perf_counter()
    library = config.library
    keep = [library.name_column] if library.name_column else []
    library_label = inputs.label("library.path", out)
    say(f"screening {library_label}")
    screen_summary = screen_library(
        inputs.paths["library.path"], model_dirs, out / "screen",
        chunk_size=library.chunk_size, n_jobs=int(library.n_jobs or n_jobs),
        smiles_column=library.smiles_column, id_column=library.id_column,
        keep_columns=keep, alerts=library.alerts, resume=False, progress=progress,
        profile=library.profile, ranking=config.ranking,
        backend=library.backend, client=library.scheduler)  # fmt: skip
    screen_summary["library"] = library_label
    rejects = load_rejects(out / "screen")
    timings["screen"] = time.perf_counter() - tick

    # 4. Rank: one row per parent structure (salt forms and duplicates merged); a big
    # screen streams (drugml.screening.rank_stream): ranked_candidates.csv is then its top.
    tick = time.perf_counter()
    ranking_config = config.ranking
    # objectives and filters on docking columns wait for the docking (step 4b)
    first_pass = ranking_config.without_docking()
    trained_on: dict[str, list[str]] = {}  # InChIKey -> the models trained on it
    for name, set_ in training.items():
        for key in dict.fromkeys(set_.inchikeys):
            trained_on.setdefault(key, []).append(name)
    leads = {name: schema.prediction_column(name, config.model_tasks()[name])
             for name in lead_models(config)}  # fmt: skip
    seen = set(trained_on)
    validation: dict[str, Any] = {}
    if screen_summary["scored"] > IN_MEMORY_RANKING_ROWS:
        from drugml.screening.rank_stream import rank_screen

        ranked = rank_screen(out / "screen", first_pass, out, name_column=keep[0] if keep
                             else None, trained_on=trained_on,
                             known_actives=config.validation.known_actives,
                             rank_by=list(leads.values()), overwrite=True)  # fmt: skip
        actives, n_unique = ranked.known_inchikeys, len(ranked)
        validation.update(ranked.validation(leads))
        known = ranked.known
    else:
        screened = load_results(out / "screen")
        unique = merge_salt_forms(screened, keep[0] if keep else None)
        ranked = rank_candidates(unique, first_pass)
        ranked["in_training_data"] = ranked["inchikey"].isin(trained_on)
        ranked["training_data_of"] = ["; ".join(trained_on.get(k, []))
                                      for k in ranked["inchikey"]]  # fmt: skip
        actives = find_known_actives(screened, config.validation.known_actives,
                                     library.name_column or "")  # fmt: skip
        ranked["known_active"] = ranked["inchikey"].isin(actives)
        ranked.to_csv(out / "ranked_candidates.csv", index=False)
        ranked.to_parquet(out / "ranked_candidates.parquet", index=False)
        n_unique = len(unique)
        del screened, unique
        # 5. Validation: the final ranking, and each scoring model alone.
        validation["all_compounds"] = enrichment_summary(ranked, actives)
        validation["without_training_compounds"] = enrichment_summary(ranked, actives, seen)
        for name, column in leads.items():
            validation[f"{name}_alone"] = enrichment_summary(ranked, actives, by=column)
            validation[f"{name}_alone_without_training_compounds"] = enrichment_summary(
                ranked, actives, seen, by=column)  # fmt: skip
        known = ranked[ranked["known_active"]]
    timings["rank"] = time.perf_counter() - tick

    # 4b. Dock the top of the short list; docking objectives re-order the docked molecules.
    docking_summary = None
    if config.docking is not None and config.docking.top_n:
        tick = time.perf_counter()
        streamed = not isinstance(ranked, pd.DataFrame)
        frame = ranked.top if streamed else ranked
        say(f"docking the best {config.docking.top_n} of the short list "
            f"(exhaustiveness {config.docking.exhaustiveness})")  # fmt: skip
        frame, docking_summary = dock_candidates(config, inputs, frame, out / "docking",
                                                 n_jobs=n_jobs, progress=progress)  # fmt: skip
        frame = rerank_docked(frame, ranking_config)
        if streamed:  # the docked molecules are at the top: its table and the highlights
            ranked.top = frame
            columns = ["inchikey", *[c for c in frame.columns if c in schema.DOCKING_COLUMNS]]
            ranked.highlights = ranked.highlights.drop(
                columns=[c for c in columns[1:] if c in ranked.highlights]).merge(
                frame[columns], on="inchikey", how="left")  # fmt: skip
            frame.to_csv(out / "ranked_candidates.csv", index=False)
        else:
            ranked = frame
            ranked.to_csv(out / "ranked_candidates.csv", index=False)
            ranked.to_parquet(out / "ranked_candidates.parquet", index=False)
        timings["docking"] = time.perf_counter() - tick
        done = docking_summary
        say(f"docked {done['docked']} of {done['asked']} in {timings['docking']:.0f} s: "
            f"{done['key_interaction_made']} make the key interaction, {done['poses_ok']} "
            "poses pass PoseBusters' checks")  # fmt: skip
    validation["known_actives_failing_filters"] = known.loc[
        ~known["passes_filters"], "id"].astype(str).tolist()  # fmt: skip
    found = validation["all_compounds"]
    n_seen = int(known["in_training_data"].sum())
    say(f"screened {screen_summary['records']:,} records; known actives in the top 5 %: "
        f"{found['n_in_top_5pct']} of {found['n_known_actives']} ({n_seen} of the "
        f"{found['n_known_actives']} are in a model's training data)")  # fmt: skip

    metrics = {
        "name": config.name,
        "drugml": __version__,
        "seed": seed,
        "models": model_metrics,
        "screen": {**screen_summary, "unique_structures": n_unique,
                   "salt_forms_merged": int(screen_summary["scored"] - n_unique)},
        "validation": validation,
        **({"docking": docking_summary} if docking_summary else {}),
        "timings_seconds": {k: round(v, 1) for k, v in timings.items()},
        "inputs": {key: {"source": inputs.label(key, out), "sha256": sha256(path)}
                   for key, path in inputs.paths.items()},
    }  # fmt: skip
    from drugml.report import write_report

    tick = time.perf_counter()
    say("writing the report")
    report = write_report(out / "report.html", config=config, metrics=metrics, ranked=ranked,
                          rejects=rejects, held_out=held_out,
                          curation_logs={n: s.log for n, s in training.items()},
                          structure_path=inputs.paths.get("target.structure"),
                          data_versions=_data_checksums(data))  # fmt: skip
    metrics["timings_seconds"]["report"] = round(time.perf_counter() - tick, 1)
    metrics["timings_seconds"]["total"] = round(time.perf_counter() - started, 1)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, default=_json_default) + "\n")
    say(f"done in {metrics['timings_seconds']['total']:.0f} s: {report}")
    return metrics


def _headline(metrics: Mapping[str, Any]) -> str:
    if metrics.get("task") == "classification":
        return (f"ROC-AUC {metrics['roc_auc']:.2f}, PR-AUC {metrics['pr_auc']:.2f} "
                f"({metrics['n_test']:,} molecules)")  # fmt: skip
    return (f"RMSE {metrics['rmse']:.2f}, R2 {metrics['r2']:.2f}, interval coverage "
            f"{metrics['coverage']:.0%} ({metrics['n_test']:,} molecules)")  # fmt: skip


def _data_checksums(data_module) -> list[dict[str, str]]:
    table = data_module.list_datasets()
    return table[["name", "sha256", "licence"]].to_dict(orient="records")


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return str(value)
