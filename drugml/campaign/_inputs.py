"""Every input of a campaign checked before any work: files, columns, the structure and its
ligand, the docking section and the ranking's columns; each problem names its key."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml import schema
from drugml.campaign._design import check_design
from drugml.campaign._pocket import check_pocket, pocket_source
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

if TYPE_CHECKING:
    import pandas as pd


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
            self.tables[key] = _read_input(
                self.paths[key], self.datasets.get(key), chembl=key.endswith(".chembl")
            )
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
    return (
        f"`{key}`: {column!r} is not a column of {where}"
        + hint
        + (" It has " if hint else "; it has ")
        + f"{columns[:30]}"
        + (" ..." if len(columns) > 30 else "")
    )


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
    check_design(config, inputs, resolve, problems)
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


def _check_chembl(
    model: ModelConfig, inputs: CampaignInputs, prefix: str, problems: list[str]
) -> None:
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
        problems.append(
            _column_problem(f"{prefix}.id_column", data.id_column, columns, inputs.given[key])
        )
    counts = activity_type_counts(records)
    if data.activity_type not in counts:
        found = ", ".join(f"{t} ({n:,} records)" for t, n in list(counts.items())[:10])
        problems.append(
            f"`{prefix}.activity_type`: {data.activity_type!r} matches no record of "
            f"{inputs.given[key]}; it has {found or 'no activity type column'}"
            + suggest(data.activity_type, counts)
        )
    if not any(c in columns for c in SMILES_COLUMN_CANDIDATES):
        if data.structures is None:
            problems.append(
                f"`{prefix}.structures`: the records of {inputs.given[key]} have no "
                "SMILES column; name a table of molecule id -> SMILES"
            )
            return
        skey = f"{prefix}.structures"
        if resolve_into(inputs, skey, data.structures, problems):
            scolumns = _table_columns(inputs, skey)
            if data.id_column not in scolumns:
                problems.append(
                    _column_problem(
                        f"{prefix}.id_column", data.id_column, scolumns, inputs.given[skey]
                    )
                )
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


def _check_table(
    model: ModelConfig, inputs: CampaignInputs, prefix: str, problems: list[str]
) -> None:
    import pandas as pd

    data = model.data
    key = f"{prefix}.table"
    table = inputs.table(key)
    columns = [str(c) for c in table.columns]
    where = inputs.given[key]
    wanted = {
        "smiles_column": data.smiles_column,
        "target_column": data.target_column,
        "label_column": data.label_column,
    }
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
            problems.append(
                f"`{prefix}.target_column`: {data.target_column!r} of {where} has "
                f"{int(values.notna().sum())} numeric values; a model needs at "
                f"least 10 (e.g. {text.head(3).tolist()})"
            )
    else:
        labels = table[data.label_column].dropna().unique().tolist()
        if len(labels) != 2:
            problems.append(
                f"`{prefix}.label_column`: a classification label has two values; "
                f"{data.label_column!r} of {where} has {len(labels)}: "
                f"{sorted(map(str, labels))[:10]}"
            )
        elif data.positive_label is not None:
            if str(data.positive_label) not in map(str, labels):
                problems.append(
                    f"`{prefix}.positive_label`: {data.positive_label!r} is not one of "
                    f"the values of {data.label_column!r}: {labels}"
                )
        elif not _binary_labels(labels):
            problems.append(
                f"`{prefix}.positive_label`: {data.label_column!r} has the values "
                f"{sorted(map(str, labels))}; say which one is positive "
                "(positive_label: ...)"
            )


def _binary_labels(labels: list[Any]) -> bool:
    return {str(v).strip().lower() for v in labels} in (
        {"0", "1"},
        {"false", "true"},
        {"0.0", "1.0"},
    )


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
            problems.append(
                _column_problem(f"library.{setting}", column, columns, inputs.given["library.path"])
            )


def _library_backend_problems(config: CampaignConfig) -> list[str]:
    """``library.backend: dask`` needs Dask's distributed; a scheduler only with it."""
    import importlib.util

    library = config.library
    if library.backend == "dask" and importlib.util.find_spec("distributed") is None:
        return [
            "`library.backend: dask` needs dask.distributed, which is not installed: "
            "pip install 'drugml[scale]' (or backend: local)"
        ]
    if library.backend == "local" and library.scheduler:
        return [
            f"`library.scheduler` ({library.scheduler!r}) is used only with "
            "`library.backend: dask`; set backend: dask or remove the scheduler"
        ]
    return []


def _check_structure(config: CampaignConfig, inputs: CampaignInputs, problems: list[str]) -> None:
    from drugml.errors import DrugmlError
    from drugml.structure import load_structure

    target = config.target
    assert target is not None
    if not target.ligand and target.ligand_smiles:
        problems.append(
            "`target.ligand_smiles` is given but `target.ligand` (the residue "
            "name of the reference ligand) is not"
        )
    # A data set by name knows its ligand even when the file stores it as ATOM records.
    source = inputs.datasets.get("target.structure") or inputs.paths["target.structure"]
    try:
        structure = load_structure(
            source, ligand_residues=[target.ligand] if target.ligand else None
        )
    except DrugmlError as exc:
        problems.append(f"`target.structure`: {exc}")
        return
    check_pocket(config, inputs, structure, problems)
    if not target.ligand:
        return
    every = {ligand.resname.upper() for ligand in structure.ligands(include_excluded=True)}
    if target.ligand.upper() not in every:
        names = sorted({ligand.resname for ligand in load_structure(source).ligands()})
        problems.append(
            f"`target.ligand`: {target.ligand!r} is not a ligand of "
            f"{inputs.given['target.structure']}"
            + suggest(target.ligand, names)
            + f" Its ligands are {names or 'none'}"
        )
        return
    if target.ligand_smiles:
        try:
            structure.ligand_mol(target.ligand, target.ligand_smiles)
        except DrugmlError as exc:
            problems.append(f"`target.ligand_smiles`: {exc}")


def _check_docking(
    config: CampaignConfig, inputs: CampaignInputs, problems: list[str], resolve: Any
) -> None:
    """The docking section: packages installed, structure, reference ligand, waters, residue."""
    from drugml.errors import DrugmlError
    from drugml.structure import load_structure

    docking = config.docking
    assert docking is not None
    _check_docking_packages(problems)
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
    where = inputs.given[key]
    _check_docking_ligand(config, docking, ligand, structure, where, problems)
    _check_docking_residues(docking, structure, where, problems)
    _check_kept_waters(docking, structure, where, problems)


def _check_docking_packages(problems: list[str]) -> None:
    import importlib.util

    missing = [
        m
        for m in ("vina", "meeko", "prolif", "posebusters", "dimorphite_dl")
        if importlib.util.find_spec(m) is None
    ]
    if missing:
        problems.append(
            f"`docking`: the packages {missing} are not installed: "
            "pip install 'drugml[dock]' (or remove the docking section)"
        )


def _check_docking_ligand(
    config: CampaignConfig,
    docking: Any,
    ligand: str | None,
    structure: Any,
    where: str,
    problems: list[str],
) -> None:
    """The reference ligand the box is drawn around, unless residues or a centre place it."""
    box = docking.box
    if box.center is not None or box.residues is not None:
        return
    if not docking.ligand and pocket_source(config) != "ligand":
        return  # the box follows target.pocket (residues or a detected pocket)
    names = sorted({x.resname for x in structure.ligands()})
    if not ligand:
        problems.append(
            "`docking.ligand`: the box needs a reference ligand (or "
            "docking.box.residues, or docking.box.center and size)"
        )
    elif ligand.upper() not in {
        x.resname.upper() for x in structure.ligands(include_excluded=True)
    }:
        problems.append(
            f"`docking.ligand`: {ligand!r} is not a ligand of {where}"
            + suggest(ligand, names)
            + f" Its ligands are {names or 'none'}"
        )


def _check_docking_residues(docking: Any, structure: Any, where: str, problems: list[str]) -> None:
    """The key interaction's residue and the covalent residue exist in the structure."""
    residues = {
        f"{r.get_resname().strip()}{r.id[1]}".upper() for chain in structure.model for r in chain
    }
    if docking.key_interaction is not None:
        wanted = docking.key_interaction.residue.split(".")[0].upper()
        if wanted not in residues:
            near = [r for r in residues if r[:3] == wanted[:3]]
            problems.append(
                f"`docking.key_interaction.residue`: {where} has no "
                f"residue {docking.key_interaction.residue!r}" + suggest(wanted, near)
            )
    if docking.covalent_residue not in (None, "auto"):
        from drugml.structure.dock import COVALENT_RESIDUES

        wanted = docking.covalent_residue.split(".")[0].upper()
        if wanted[:3] not in COVALENT_RESIDUES:
            problems.append(
                f"`docking.covalent_residue`: {docking.covalent_residue!r} is not a "
                f"{' or '.join(sorted(COVALENT_RESIDUES))} residue (covalent "
                "docking removes a cysteine's SG or a serine's OG)"
            )
        elif wanted not in residues:
            near = [r for r in residues if r[:3] == wanted[:3]]
            problems.append(
                f"`docking.covalent_residue`: {where} has no residue "
                f"{docking.covalent_residue!r}" + suggest(wanted, near)
            )


def _check_kept_waters(docking: Any, structure: Any, where: str, problems: list[str]) -> None:
    """Waters listed in ``keep_waters`` exist (by ``chain:number`` or number)."""
    if not isinstance(docking.keep_waters, list):
        return
    waters = {
        f"{c.id}:{r.id[1]}"
        for c in structure.model
        for r in c
        if r.get_resname().strip() in ("HOH", "WAT")
    }
    numbers = {w.split(":")[1] for w in waters}
    for water in docking.keep_waters:
        if str(water) not in waters and str(water) not in numbers:
            problems.append(
                f"`docking.keep_waters`: no water {water!r} in {where} (it has {len(waters)})"
            )


def _ranking_problems(config: CampaignConfig) -> list[str]:
    """Objectives, filters and the novelty column must name columns the run produces."""
    keep = [config.library.name_column] if config.library.name_column else []
    produced = schema.screen_columns(config.model_tasks(), config.library.alerts, keep)
    if config.docking is not None and config.docking.top_n:
        produced += list(schema.DOCKING_COLUMNS)
    if config.similarity_3d is not None:
        produced += list(schema.SIMILARITY_3D_COLUMNS)
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
        problems.append(
            f"`{key}`: no model or property produces the column {column!r}"
            + hint
            + (" The run produces " if hint else "; the run produces ")
            + f"{produced}"
        )

    for name, objective in ranking.objectives.items():
        check(f"ranking.objectives.{name}.column", objective.column)
    for column in ranking.filters:
        check(f"ranking.filters.{column}", column)
    if ranking.novelty_column:
        check("ranking.novelty_column", ranking.novelty_column)
    return problems


def _warn_if_the_ranking_ignores_the_models(config: CampaignConfig) -> None:
    model_columns = {
        c
        for name, task in config.model_tasks().items()
        for c in schema.model_columns(name, task, derived=True)
    }
    if not {o.column for o in config.ranking.objectives.values()} & model_columns:
        warnings.warn(
            "No ranking objective uses a model's column: the models are trained and "
            "screened, but the ranking ignores them.",
            stacklevel=3,
        )


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
