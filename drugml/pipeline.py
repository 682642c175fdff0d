"""The whole walk, target to ranked candidates, from one configuration: ``drugml run``.

:func:`run` reads a YAML configuration (the EGFR default ships as
``drugml/configs/egfr.yaml``; :func:`default_config_path`), checks every file
and column it names before any work starts, then:

1. curates the target's bioactivity records (:mod:`drugml.curate`);
2. trains the potency model and reports it on a held-out scaffold (or
   cluster) split, then refits it on all compounds for screening; trains the
   solubility model the same way;
3. screens the library with both models and the drug-likeness filters
   (:mod:`drugml.screen`), merges salt forms of one parent (same InChIKey);
4. ranks the candidates (:mod:`drugml.rank`);
5. checks itself: where do the known actives named in the configuration
   land? Enrichment factors at 1 % and 5 % and BEDROC (alpha 20), on the whole
   library and without the compounds whose InChIKey is in the training data;
6. writes ``out_dir``: ``ranked_candidates.csv`` / ``.parquet``, ``models/``
   (safe formats, model cards), ``curated_bioactivities.csv``,
   ``curation_log.csv``, ``screen/`` (parts, rejects, manifest),
   ``metrics.json`` and the self-contained ``report.html``.

The same seed gives the same ranking. Nothing is downloaded.

Example
-------
>>> from drugml.pipeline import default_config_path, load_config
>>> load_config(default_config_path())["name"]
'EGFR'
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from drugml._version import __version__
from drugml.errors import DrugmlError

__all__ = [
    "ConfigError",
    "default_config_path",
    "enrichment_summary",
    "known_active_inchikeys",
    "load_config",
    "merge_salt_forms",
    "run",
    "validate_config",
]

SPLITS = ("scaffold", "cluster", "random")


class ConfigError(DrugmlError, ValueError):
    """A pipeline configuration names a missing file, data set or column, or a bad value."""


def default_config_path() -> Path:
    """The shipped EGFR configuration."""
    return Path(__file__).resolve().parent / "configs" / "egfr.yaml"


# ------------------------------------------------------------- configuration
_DEFAULTS: dict[str, Any] = {
    "name": "target",
    "seed": 0,
    "n_jobs": None,  # threads for model training, processes for the screen; None: all cores
    "target": {"structure": None, "ligand": None, "ligand_smiles": None, "pocket_cutoff": 5.0},
    "bioactivity": {"raw": None, "structures": None, "activity_type": "IC50",
                    "active_threshold": 6.3},
    "models": {
        "potency": {"estimator": "xgboost", "split": "scaffold", "test_size": 0.2,
                    "estimator_params": {}},
        "solubility": {"data": "esol", "smiles_column": "smiles",
                       "target_column": "measured log solubility in mols per litre",
                       "estimator": "xgboost", "estimator_params": {}},
    },
    "library": {"path": None, "smiles_column": None, "id_column": None, "name_column": None,
                "chunk_size": 500, "n_jobs": None, "alerts": ["pains", "brenk"]},
    "ranking": {},
    "validation": {"known_actives": []},
}  # fmt: skip


def _merge(base: dict, given: Mapping) -> dict:
    out = copy.deepcopy(base)
    for key, value in given.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict) and key != "ranking":
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_config(source: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    """Read a configuration (YAML file or dict) over the defaults; paths resolved to this file."""
    import yaml

    base_dir = Path.cwd()
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ConfigError(f"Configuration file {path} does not exist")
        try:
            given = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except UnicodeDecodeError as exc:
            raise ConfigError(f"Configuration file {path} is not a text (UTF-8) file: "
                              f"{exc.reason} at byte {exc.start}") from None  # fmt: skip
        except yaml.YAMLError as exc:
            raise ConfigError(f"Configuration file {path} is not valid YAML: {exc}") from exc
        base_dir = path.resolve().parent
    else:
        given = source
    if not isinstance(given, Mapping):
        raise ConfigError(f"A configuration is a mapping of sections ({', '.join(_DEFAULTS)}); "
                          f"got a {type(given).__name__}: {str(given)[:80]!r}")  # fmt: skip
    given = dict(given)
    unknown = set(given) - set(_DEFAULTS)
    if unknown:
        raise ConfigError(f"Unknown configuration sections {sorted(unknown)}; known: "
                          f"{sorted(_DEFAULTS)}")  # fmt: skip
    for key, value in given.items():
        if isinstance(_DEFAULTS[key], dict) and not isinstance(value, Mapping):
            raise ConfigError(f"Configuration section {key!r} must be a mapping of settings "
                              f"(e.g. {key}: {{...}}), got {value!r}")  # fmt: skip
    config = _merge(_DEFAULTS, given)
    config["_base_dir"] = str(base_dir)
    return config


def _source(value: Any, base_dir: str, what: str) -> Path:
    """A data set name or a path (relative to the configuration) as an existing file."""
    from drugml import data

    if value is None:
        raise ConfigError(f"The configuration does not name {what}")
    text = str(value)
    if "/" not in text and "." not in Path(text).name:
        try:
            return data.path(text)
        except data.UnknownDatasetError:
            raise ConfigError(f"{what}: {text!r} is neither a file nor an embedded data set "
                              f"(see `drugml data list`)") from None  # fmt: skip
    path = Path(text)
    path = path if path.is_absolute() else Path(base_dir) / path
    if not path.is_file():
        raise ConfigError(f"{what}: file {path} does not exist")
    return path


def _read_table(path: Path):
    import pandas as pd

    if path.suffix.lower() in (".parquet", ".pq"):
        return pd.read_parquet(path)
    sep = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    return pd.read_csv(path, sep=sep)


def _columns(path: Path) -> list[str]:
    import pandas as pd

    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        return list(pq.ParquetFile(path).schema_arrow.names)
    sep = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    return list(pd.read_csv(path, sep=sep, nrows=0).columns)


def validate_config(config: Mapping[str, Any]) -> dict[str, Path]:
    """Check every file, data set and column the configuration names; return resolved paths."""
    base = config["_base_dir"]
    paths = {
        "structure": _source(config["target"]["structure"], base, "target.structure"),
        "raw": _source(config["bioactivity"]["raw"], base, "bioactivity.raw"),
        "library": _source(config["library"]["path"], base, "library.path"),
        "solubility": _source(config["models"]["solubility"]["data"], base,
                              "models.solubility.data"),
    }  # fmt: skip
    if config["bioactivity"].get("structures"):
        paths["structures"] = _source(config["bioactivity"]["structures"], base,
                                      "bioactivity.structures")  # fmt: skip
    raw_columns = _columns(paths["raw"])
    for column in ("standard_value", "standard_units"):
        if column not in raw_columns:
            raise ConfigError(f"bioactivity.raw {paths['raw']} has no column {column!r}; "
                              f"it has {raw_columns}")  # fmt: skip
    solubility = config["models"]["solubility"]
    sol_columns = _columns(paths["solubility"])
    for key in ("smiles_column", "target_column"):
        if solubility[key] not in sol_columns:
            raise ConfigError(f"models.solubility.{key} {solubility[key]!r} is not a column of "
                              f"{paths['solubility']}; it has {sol_columns}")  # fmt: skip
    n_jobs = config.get("n_jobs")
    if n_jobs is not None and (not isinstance(n_jobs, int) or isinstance(n_jobs, bool)
                               or n_jobs < 1):  # fmt: skip
        raise ConfigError(f"n_jobs must be a whole number >= 1 or null (all cores), "
                          f"got {n_jobs!r}")  # fmt: skip
    library = config["library"]
    if paths["library"].suffix.lower() in (".csv", ".tsv", ".parquet", ".pq"):
        lib_columns = _columns(paths["library"])
        for key in ("smiles_column", "id_column", "name_column"):
            if library.get(key) and library[key] not in lib_columns:
                raise ConfigError(f"library.{key} {library[key]!r} is not a column of "
                                  f"{paths['library']}; it has {lib_columns}")  # fmt: skip
    from drugml.filters import ALERT_CATALOGS

    alerts = library.get("alerts")
    if (not isinstance(alerts, list) or not set(alerts) <= set(ALERT_CATALOGS)
            or len(set(alerts)) != len(alerts)):  # fmt: skip
        raise ConfigError(f"library.alerts must be a list of distinct names of "
                          f"{list(ALERT_CATALOGS)}, got {alerts!r}")  # fmt: skip
    potency = config["models"]["potency"]
    if potency["split"] not in SPLITS:
        raise ConfigError(f"models.potency.split must be one of {SPLITS}, got {potency['split']!r}")
    if not config["target"].get("ligand"):
        raise ConfigError("target.ligand must name the reference ligand's residue")
    from drugml.rank import load_ranking_config

    ranking = load_ranking_config(config["ranking"] or None)
    # A ranking on alerts the screen does not check would fail only after the screen.
    used = set(ranking["filters"]) | {o["column"] for o in ranking["objectives"].values()}
    for name in ALERT_CATALOGS:
        if name not in alerts and used & {name, f"{name}_alerts"}:
            raise ConfigError(f"ranking uses the {name!r} alert column but library.alerts "
                              f"{alerts} does not check {name!r}; add it there")  # fmt: skip
    return paths


# ---------------------------------------------------------------------- run
def _split(smiles: list[str], kind: str, test_size: float, seed: int):
    from drugml import split

    function = {"scaffold": split.scaffold_split, "cluster": split.cluster_split,
                "random": split.random_split}[kind]  # fmt: skip
    return function(smiles, test_size=test_size, seed=seed)


def _train(name: str, smiles: list[str], y: np.ndarray, settings: Mapping[str, Any], *,
           seed: int, split_kind: str, test_size: float, n_jobs: int, progress: bool,
           card: Mapping[str, Any]) -> tuple[Any, dict, dict]:  # fmt: skip
    """The screening model with a held-out test fold; (model, metrics, test data).

    The returned metrics are the held-out test's, with the screening model's
    cross-validation beside them (``cross_validation``); the model's card says
    what it predicts and how each number was obtained.
    """
    from drugml.models import PropertyModel

    def new_model(step: str):
        return PropertyModel(estimator=settings.get("estimator", "xgboost"),
                             estimator_params=settings.get("estimator_params") or None,
                             random_state=seed, n_jobs=n_jobs,
                             progress=f"{name} model, {step}" if progress else False)  # fmt: skip

    train, test = _split(smiles, split_kind, test_size, seed)
    # The held-out molecules are one of the screening model's calibration folds:
    # that fold's model never sees them, so their metrics are a held-out test,
    # and no second model is trained for it.
    model = new_model(f"{split_kind}-split test fold + screening model").fit(
        smiles, y, held_out=test)  # fmt: skip
    predictions = model.held_out_predictions_
    metrics = dict(model.held_out_metrics_)
    metrics.update({"split": split_kind, "n_train": len(train), "n_test": len(test)})
    how = (f"{split_kind} split: {len(test):,} of {len(smiles):,} molecules held out as one of "
           f"the calibration folds (their model never saw them), seed {seed}")  # fmt: skip
    model.describe(**card, held_out_test={**metrics, "how": how})
    metrics.update({"how": how, "cross_validation": model.cv_metrics_,
                    "features": model.features_description(), **card})  # fmt: skip
    return model, metrics, {"y": y[model.held_out_index_], "predictions": predictions}


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


def known_active_inchikeys(library_path: str | Path, names: list[str], name_column: str,
                           smiles_column: str | None = None,
                           id_column: str | None = None) -> set[str]:  # fmt: skip
    """InChIKeys of library molecules with the given names (salt forms fold to the parent).

    A name matches exactly or as the first word (``ERLOTINIB`` finds
    ``ERLOTINIB HYDROCHLORIDE``), case-insensitively.

    >>> from drugml import data
    >>> keys = known_active_inchikeys(data.path("approved_drugs"), ["erlotinib"], "pref_name")
    >>> sorted(keys)
    ['AAKJLRGGTJKAMG-UHFFFAOYSA-N']
    """
    from drugml.chem import read_molecules, standardize

    names = [n.upper() for n in names]
    if not names or not name_column:
        return set()
    table = read_molecules(library_path, smiles_column=smiles_column, id_column=id_column)
    if name_column not in table:
        raise ConfigError(f"{library_path} has no column {name_column!r} to find actives by name")
    base_names = table[name_column].astype(str).str.upper()
    chosen = table[base_names.isin(names) | base_names.str.split().str[0].isin(names)]
    std = standardize(chosen, progress=False)
    return set(std.loc[std["ok"], "inchikey"])


def merge_salt_forms(screened, name_column: str | None = None):
    """One row per parent structure (InChIKey): salts and duplicates merged, ids/names joined."""
    aggregations: dict[str, Any] = {c: "first" for c in screened.columns if c != "inchikey"}
    aggregations["id"] = lambda ids: "; ".join(map(str, dict.fromkeys(ids)))
    if name_column:
        aggregations[name_column] = lambda names: "; ".join(map(str, dict.fromkeys(names)))
    unique = screened.groupby("inchikey", sort=False).agg(aggregations).reset_index()
    return unique.sort_values("record", ignore_index=True)


def enrichment_summary(ranked, actives: set[str], exclude: set[str] = frozenset(),
                       by: str = "rank") -> dict:  # fmt: skip
    """EF 1 %, EF 5 % and BEDROC (alpha 20) of ``actives`` (InChIKeys) in a ranked table,
    optionally without the compounds in ``exclude`` (e.g. the training set).

    ``by``: ``"rank"`` (the final ranking, 1 best) or a column where higher is
    better (e.g. ``"potency"``: the prediction alone, to see what the other
    objectives and the filters cost). ``n_in_top_1pct``/``n_in_top_5pct`` count
    the known actives there.
    """
    from drugml.metrics import actives_in_top, bedroc, enrichment_factor

    table = ranked[~ranked["inchikey"].isin(exclude)] if exclude else ranked
    is_active = table["inchikey"].isin(actives).to_numpy()
    if by == "rank":
        scores = -table["rank"].to_numpy(dtype=float)
    else:  # a missing prediction ranks last
        scores = np.nan_to_num(table[by].to_numpy(dtype=float), nan=-np.inf)
    top = {f"n_in_top_{p}pct": actives_in_top(scores, is_active, p / 100) for p in (1, 5)}
    return {
        "ranked_by": by,
        "n_compounds": len(table),
        "n_known_actives": int(is_active.sum()),
        **top,
        "ef_1pct": enrichment_factor(scores, is_active, 0.01),
        "ef_5pct": enrichment_factor(scores, is_active, 0.05),
        "bedroc_alpha20": bedroc(scores, is_active, 20.0),
    }


def run(config: str | Path | Mapping[str, Any] | None, out_dir: str | Path,
        progress: bool = True) -> dict[str, Any]:  # fmt: skip
    """Run the pipeline; returns the metrics (also in ``out_dir/metrics.json``).

    ``config``: a YAML path or dict (``None``: the shipped EGFR default).
    ``progress``: say what runs, with progress bars for training and screening.
    """
    import os

    from drugml import data
    from drugml.curate import curate_bioactivities
    from drugml._io import sha256 as _sha256
    from drugml.rank import load_ranking_config, rank_candidates
    from drugml.screen import load_rejects, load_results, screen_library

    started = time.perf_counter()
    config = load_config(config if config is not None else default_config_path())
    paths = validate_config(config)  # every file and column, before any work
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    seed = int(config["seed"])
    n_jobs = int(config.get("n_jobs") or os.cpu_count() or 1)
    timings: dict[str, float] = {}
    labels = {name: input_label(_config_value(config, name), path, out)
              for name, path in paths.items()}  # fmt: skip

    def say(message: str) -> None:
        if progress:
            print(f"[drugml run] {message}", flush=True)

    # 1. Curate.
    tick = time.perf_counter()
    bio = config["bioactivity"]
    say(f"curating {labels['raw']} ({bio['activity_type']} records)")
    raw = _read_table(paths["raw"])
    structures = _read_table(paths["structures"]) if "structures" in paths else None
    curated = curate_bioactivities(raw, structures=structures, activity_type=bio["activity_type"],
                                   active_threshold=float(bio["active_threshold"]),
                                   progress=False)  # fmt: skip
    table, log = curated
    activity = f"p{bio['activity_type']}"
    table.to_csv(out / "curated_bioactivities.csv", index=False)
    log.to_csv(out / "curation_log.csv", index=False)
    curated.rejected.to_csv(out / "curation_rejected.csv", index=False)
    timings["curate"] = time.perf_counter() - tick
    say(f"curated {len(raw):,} records into {len(table):,} compounds")

    # 2. Models: each checked on a held-out split, then refit on all its data.
    tick = time.perf_counter()
    potency_cfg = config["models"]["potency"]
    smiles = table["smiles"].tolist()
    say(f"training the potency model on {len(smiles):,} compounds ({n_jobs} threads)")
    potency, potency_metrics, potency_test = _train(
        "potency", smiles, table[activity].to_numpy(dtype=float), potency_cfg, seed=seed,
        split_kind=potency_cfg["split"], test_size=float(potency_cfg["test_size"]),
        n_jobs=n_jobs, progress=progress,
        card={"endpoint": activity, "unit": "-log10(molar)", "target": str(config["name"]),
              "data_source": f"{labels['raw']}, curated ({bio['activity_type']} records)",
              "data_source_sha256": _sha256(paths["raw"])})  # fmt: skip
    sol_cfg = config["models"]["solubility"]
    sol_table = _read_table(paths["solubility"])
    sol_smiles = sol_table[sol_cfg["smiles_column"]].astype(str).str.strip().tolist()
    say(f"training the solubility model on {len(sol_smiles):,} molecules")
    solubility, solubility_metrics, _ = _train(
        "solubility", sol_smiles, sol_table[sol_cfg["target_column"]].to_numpy(dtype=float),
        sol_cfg, seed=seed, split_kind="scaffold", test_size=0.2, n_jobs=n_jobs,
        progress=progress,
        card={"endpoint": f"logS, aqueous solubility ({sol_cfg['target_column']!r})",
              "unit": "log10(mol/L)", "target": "none: a physicochemical property",
              "data_source": labels["solubility"],
              "data_source_sha256": _sha256(paths["solubility"])})  # fmt: skip
    models_dir = out / "models"
    potency.save(models_dir / "potency")
    solubility.save(models_dir / "solubility")
    timings["models"] = time.perf_counter() - tick
    say(f"potency model ({potency_metrics['split']} split): RMSE {potency_metrics['rmse']:.2f}, "
        f"R2 {potency_metrics['r2']:.2f}; solubility RMSE {solubility_metrics['rmse']:.2f} "
        f"({timings['models']:.0f} s)")  # fmt: skip

    # 3. Screen.
    tick = time.perf_counter()
    library = config["library"]
    keep = [library["name_column"]] if library.get("name_column") else []
    say(f"screening {labels['library']}")
    screen_summary = screen_library(
        paths["library"], {"potency": models_dir / "potency",
                           "solubility": models_dir / "solubility"},
        out / "screen", chunk_size=int(library["chunk_size"]),
        n_jobs=int(library.get("n_jobs") or n_jobs),
        smiles_column=library.get("smiles_column"), id_column=library.get("id_column"),
        keep_columns=keep, alerts=library["alerts"], resume=False,
        progress=progress)  # fmt: skip
    screen_summary["library"] = labels["library"]
    screened = load_results(out / "screen")
    rejects = load_rejects(out / "screen")
    timings["screen"] = time.perf_counter() - tick

    # Salt forms and duplicates: one row per parent structure (InChIKey).
    unique = merge_salt_forms(screened, keep[0] if keep else None)

    # 4. Rank.
    tick = time.perf_counter()
    ranking_config = load_ranking_config(config["ranking"] or None)
    ranked = rank_candidates(unique, ranking_config)
    training_keys = set(table["inchikey"])
    ranked["in_training_data"] = ranked["inchikey"].isin(training_keys)
    names = config["validation"].get("known_actives") or []
    actives = known_active_inchikeys(
        paths["library"],
        names,
        library.get("name_column"),
        library.get("smiles_column"),
        library.get("id_column"),
    )
    ranked["known_active"] = ranked["inchikey"].isin(actives)
    ranked.to_csv(out / "ranked_candidates.csv", index=False)
    ranked.to_parquet(out / "ranked_candidates.parquet", index=False)
    timings["rank"] = time.perf_counter() - tick

    # 5. Validation: the final ranking, and the potency prediction alone.
    validation = {
        "all_compounds": enrichment_summary(ranked, actives),
        "without_training_compounds": enrichment_summary(ranked, actives, training_keys),
        "potency_alone": enrichment_summary(ranked, actives, by="potency"),
        "potency_alone_without_training_compounds": enrichment_summary(
            ranked, actives, training_keys, by="potency"),
        "known_actives_failing_filters": ranked.loc[
            ranked["known_active"] & ~ranked["passes_filters"], "id"].astype(str).tolist(),
    }  # fmt: skip
    found = validation["all_compounds"]
    seen = int((ranked["known_active"] & ranked["in_training_data"]).sum())
    say(f"screened {screen_summary['records']:,} records; known actives in the top 5 %: "
        f"{found['n_in_top_5pct']} of {found['n_known_actives']} ({seen} of the "
        f"{found['n_known_actives']} are in the training data)")  # fmt: skip

    metrics = {
        "name": config["name"],
        "drugml": __version__,
        "seed": seed,
        "curation": {"raw_records": len(raw), "compounds": len(table),
                     "active_fraction": float(table["active"].mean())},
        "potency_model": potency_metrics,
        "solubility_model": solubility_metrics,
        "screen": {**screen_summary, "unique_structures": len(unique),
                   "salt_forms_merged": int(len(screened) - len(unique))},
        "validation": validation,
        "timings_seconds": {k: round(v, 1) for k, v in timings.items()},
        "inputs": {name: {"source": labels[name], "sha256": _sha256(path)}
                   for name, path in paths.items()},
    }  # fmt: skip
    from drugml.report import write_report

    tick = time.perf_counter()
    say("writing the report")
    report = write_report(out / "report.html", config=config, ranking_config=ranking_config,
                          metrics=metrics, ranked=ranked, log=log, rejects=rejects,
                          potency_test=potency_test, structure_path=paths["structure"],
                          data_versions=_data_checksums(data))  # fmt: skip
    metrics["timings_seconds"]["report"] = round(time.perf_counter() - tick, 1)
    metrics["timings_seconds"]["total"] = round(time.perf_counter() - started, 1)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, default=_json_default) + "\n")
    say(f"done in {metrics['timings_seconds']['total']:.0f} s: {report}")
    return metrics


def _config_value(config: Mapping[str, Any], input_name: str) -> Any:
    """The configuration's own words for one of :func:`validate_config`'s inputs."""
    where = {"structure": ("target", "structure"), "raw": ("bioactivity", "raw"),
             "structures": ("bioactivity", "structures"), "library": ("library", "path"),
             "solubility": ("models", "solubility", "data")}[input_name]  # fmt: skip
    value: Any = config
    for key in where:
        value = value[key]
    return value


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
