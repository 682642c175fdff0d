"""The ``drugml`` command.

    drugml --version
    drugml data list
    drugml data show egfr_compounds [--rows 10]
    drugml data verify [NAME]
    drugml gallery [--notebooks notebooks] [--out results/gallery]
    drugml viewer install [--dest DIR] [--tarball FILE] [--force]
    drugml viewer status
    drugml run [CONFIG | EXAMPLE] --out DIR
    drugml config show [CONFIG | EXAMPLE] [--check]
    drugml config init NAME [--out FILE]
    drugml config examples
    drugml screen LIBRARY --model DIR [--model NAME=DIR ...] --out DIR
                  [--backend dask --scheduler ADDRESS] [--chunk-size N] [--n-jobs N]
                  [--profile shortlist --ranking ranking.yaml]
    drugml rank SCREEN_DIR [--config ranking.yaml | campaign.yaml] --out DIR [--top N]
                [--overwrite] [--no-report]
    drugml admet list
    drugml admet train --out models/admet [--endpoints herg,ames] [--n-jobs N]
                       [--estimator NAME] [--estimator-params JSON]
    drugml admet predict INPUT --panel models/admet --out table.csv [--wide]

Each sub-command is a thin wrapper over a public function, so that scripts
can do the same thing from Python.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from drugml import schema
from drugml._version import __version__

__all__ = ["build_parser", "main"]


def _cmd_data_list(args: argparse.Namespace) -> int:
    from drugml import data

    table = data.list_datasets()
    table["size"] = table["rows"].map("{:,}".format) + " " + table["unit"]
    columns = ["name", "kind", "size", "target", "licence"]
    if args.long:
        columns += ["path", "description"]
    _print_table(table[columns])
    print(f"\n{len(table)} data sets in {data.data_dir()}")
    return 0


def _cmd_data_show(args: argparse.Namespace) -> int:
    from drugml import data

    dataset = data.info(args.name)
    print(f"{dataset.name}: {dataset.description}")
    print(f"  file:    {dataset.path}")
    print(f"  kind:    {dataset.kind} ({dataset.format}), {dataset.rows:,} {dataset.unit}")
    print(f"  target:  {dataset.target}")
    print(f"  source:  {dataset.source}")
    print(f"  licence: {dataset.licence}")
    print(f"  sha256:  {dataset.sha256}")
    loaded = data.load(args.name)
    print()
    if dataset.kind == "table":
        import pandas as pd

        print(f"columns: {', '.join(map(repr, dataset.columns))}\n")
        with pd.option_context(
            "display.max_columns", 20, "display.width", 140, "display.max_colwidth", 40
        ):
            print(loaded.head(args.rows).to_string())
    else:
        _show_structure(loaded, args.rows)
    return 0


def _show_structure(file, n_lines: int) -> None:
    """Print a structure file's header and a count of its records by kind."""
    from collections import Counter

    lines = file.read_text().splitlines()
    if file.suffix == ".cif":
        counts = Counter(line.split()[0] for line in lines if line.startswith(("ATOM ", "HETATM ")))
        header = lines[:n_lines]
    else:
        counts = Counter(line[:6].strip() for line in lines if line.startswith(("ATOM", "HETATM")))
        header = [
            line for line in lines if line.startswith(("HEADER", "TITLE", "COMPND", "REMARK   2"))
        ]
        header = header[:n_lines]
        residues = {line[17:20].strip() for line in lines if line.startswith("HETATM")}
        residues.discard("HOH")
        if residues:
            print(f"hetero groups: {', '.join(sorted(residues))}")
    print("records: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    print()
    print("\n".join(header))


def _cmd_data_verify(args: argparse.Namespace) -> int:
    from drugml import data

    names = [args.name] if args.name else data.list_datasets()["name"].tolist()
    for name in names:
        data.verify(name)
        print(f"ok  {name}")
    return 0


def _cmd_gallery(args: argparse.Namespace) -> int:
    from drugml.report.gallery import build_gallery

    index = build_gallery(
        args.notebooks, args.out, notebooks=args.only or None, timeout=args.timeout
    )
    print(f"Gallery written to {index}")
    return 0


def _cmd_viewer_install(args: argparse.Namespace) -> int:
    from drugml.data.assets import THREEDMOL_VERSION, install_threedmol

    path = install_threedmol(args.dest, tarball=args.tarball, force=args.force)
    print(f"3Dmol.js {THREEDMOL_VERSION} installed at {path} (sha256 verified): "
          "3D views now work offline.")  # fmt: skip
    return 0


def _cmd_viewer_status(args: argparse.Namespace) -> int:
    from drugml.data.assets import threedmol_status

    status = threedmol_status()
    if status["installed"]:
        print(f"3Dmol.js {status['version']} ({status['licence']}): {status['path']}")
        return 0
    found = f" (found {status['path']} with sha256 {status['sha256_found']})" if status[
        "path"] else ""  # fmt: skip
    print(f"3Dmol.js {status['version']} is not installed{found}; looked in:")
    for path in status["searched"]:
        print(f"  {path}")
    print("Run `drugml viewer install` so 3D views work offline.")
    return 1


def _config_source(value: str | None):
    """A configuration file, or the name of a shipped example (``drugml config examples``)."""

    from drugml.campaign.pipeline import default_config_path, example_configs

    if value is None:
        return default_config_path()
    if not Path(value).exists() and value in example_configs():
        return example_configs()[value]
    return value


def _cmd_run(args: argparse.Namespace) -> int:
    from drugml.campaign.pipeline import run

    run(_config_source(args.config), args.out, progress=not args.quiet)
    return 0


def _cmd_config_show(args: argparse.Namespace) -> int:
    from drugml.campaign.config import load_config

    config = load_config(_config_source(args.config))
    if args.check:
        from drugml.campaign.pipeline import check_inputs

        check_inputs(config)
    print(config.to_yaml(), end="")
    if args.columns:
        keep = [config.library.name_column] if config.library.name_column else []
        print("# Columns of the screen, for ranking objectives and filters (drugml.schema):")
        for column in schema.screen_columns(config.model_tasks(), config.library.alerts, keep):
            meaning = schema.column_meaning(column, config.model_tasks()) or "kept from the library"
            print(f"#   {column:34s} {meaning}")
    if args.check:
        print("# every file, column, the structure and the ranking's columns check out",
              file=sys.stderr)  # fmt: skip
    return 0


def _cmd_config_init(args: argparse.Namespace) -> int:

    from drugml.campaign.config import ConfigError, config_template

    out = Path(args.out or f"{args.name.lower().replace(' ', '_')}.yaml")
    if out.exists() and not args.force:
        raise ConfigError(f"{out} exists; choose another --out or add --force to overwrite it")
    out.write_text(config_template(args.name), encoding="utf-8")
    print(f"wrote {out}: edit its paths and columns, then `drugml config show {out} --check` "
          f"and `drugml run {out} --out results/{out.stem}`")  # fmt: skip
    return 0


def _cmd_config_examples(args: argparse.Namespace) -> int:
    from drugml.campaign.pipeline import example_configs

    for name, path in example_configs().items():
        first = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
        print(f"{name:16s} {first}")
    return 0


def _cmd_screen(args: argparse.Namespace) -> int:

    from drugml.screening.screen import screen_library

    models = {}
    for spec in args.model:
        name, _, directory = spec.rpartition("=")
        models[name or Path(directory).name.replace("-", "_")] = directory
    screen_library(args.library, models, args.out, chunk_size=args.chunk_size,
                   n_jobs=args.n_jobs, backend=args.backend, client=args.scheduler,
                   resume=not args.no_resume, smiles_column=args.smiles_column,
                   id_column=args.id_column, alerts=args.alerts.split(","),
                   progress=not args.quiet, profile=args.profile,
                   ranking=args.ranking)  # fmt: skip
    print(f"results in {args.out}/parts, rejects in {args.out}/rejects")
    return 0


def _cmd_rank(args: argparse.Namespace) -> int:
    import dataclasses
    import time

    from drugml.campaign.rerank import ranking_settings
    from drugml.screening.rank_stream import check_screen, rank_screen
    from drugml.screening.validation import training_compounds

    start = time.perf_counter()
    settings = ranking_settings(args.config)
    screen = check_screen(args.screen)
    notes: list[str] = []
    if settings.config.uses_docking() and not set(schema.DOCKING_COLUMNS) & set(
        screen.schema.names
    ):
        # a campaign's own configuration: docking scores exist for the docked molecules only,
        # which `drugml run` re-orders by them after this ranking (rerank_docked)
        left_out = sorted(set(schema.DOCKING_COLUMNS) & set(settings.config.columns()))
        settings = dataclasses.replace(settings, config=settings.config.without_docking())
        if not settings.config.objectives:
            from drugml.screening.ranking_config import RankingConfigError

            raise RankingConfigError(
                f"every objective of the ranking is on a docking column ({', '.join(left_out)}), "
                "which a screen does not have; give --config a ranking with an objective on "
                "the screen's columns (`drugml config show` lists them)")  # fmt: skip
        notes.append(f"The ranking's docking objectives and filters ({', '.join(left_out)}) are "
                     "left out: a screen has no docking columns (`drugml run` re-orders the "
                     "docked molecules by them).")  # fmt: skip
        print(f"drugml rank: {notes[-1]}", file=sys.stderr)
    models = screen.manifest.get("fingerprint", {}).get("models", {})
    run = schema.RunFolder(Path(args.screen).resolve().parent)
    trained_on = training_compounds(run.root, models)
    if run.config.is_file() and not (settings.name_column or settings.known_actives):
        # the screen of a drugml run: its library's names find its known actives
        of_run = ranking_settings(run.config)
        settings = dataclasses.replace(
            settings, name_column=of_run.name_column, known_actives=of_run.known_actives
        )
    ranked = rank_screen(args.screen, settings.config, args.out,
                         name_column=settings.name_column, trained_on=trained_on,
                         known_actives=settings.known_actives, top_n=args.top,
                         overwrite=args.overwrite)  # fmt: skip
    summary = ranked.summary
    known = summary.get("known_actives") or {}
    print(f"ranked {summary['structures']:,} distinct structures ({summary['screen_rows']:,} "
          f"screened rows, {summary['salt_forms_merged']:,} salt forms and duplicates merged): "
          f"{summary['passing']:,} pass the filters, {summary['selected']} on the short list"
          + (f", {known['found']} known actives found" if known else "")
          + (", training compounds marked" if trained_on else "")
          + f" ({time.perf_counter() - start:.1f} s)")  # fmt: skip
    print(f"the best {summary['top_n']:,} in {args.out}/ranked_candidates.csv; every structure "
          f"in {args.out}/ranked/ ({summary['parts']} Parquet parts)")  # fmt: skip
    page = schema.RunFolder(args.out).report
    if args.no_report:
        page.unlink(missing_ok=True)  # a page of an earlier ranking in --out would mislead
    else:
        from drugml.report import write_ranking_report

        write_ranking_report(page, ranked, notes=notes)
        print(f"the page to read: {page}")
    return 0


def _dock_molecules(value: str, smiles_column: str | None):
    """A SMILES given on the command line, or a table of molecules from a file."""

    import pandas as pd

    from drugml.chem import iter_molecules

    if not Path(value).is_file():
        return pd.DataFrame({"smiles": [value]}), "smiles"
    chunks = list(iter_molecules(value, chunk_size=100_000, smiles_column=smiles_column))
    table = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=["input"])
    table = table.drop(columns=[c for c in ("read_error",) if c in table])
    return table.rename(columns={"input": "smiles"}), "smiles"


def _cmd_dock(args: argparse.Namespace) -> int:
    import time

    from drugml.structure import dock

    start = time.perf_counter()
    if args.center is not None and args.size is None:
        raise dock.DockingError("--center needs --size")
    receptor_source = args.structure
    if args.keep_waters == "bridging":
        waters = dock.bridging_waters(receptor_source, args.ligand) if args.ligand else []
    elif args.keep_waters == "none":
        waters = []
    else:
        waters = [w for w in args.keep_waters.split(",") if w]
    chains = args.chains.split(",") if args.chains else None
    ligands = [args.ligand] if args.ligand else None
    covalent = args.covalent_residue
    if covalent == "auto":
        covalent = dock.reactive_residue(receptor_source, args.ligand) if args.ligand else None
    receptor = dock.prepare_receptor(receptor_source, chains=chains, keep_waters=waters,
                                     ligand_residues=ligands,
                                     covalent_residue=covalent)  # fmt: skip
    if args.center is not None:
        box = dock.Box(tuple(args.center), tuple(args.size))
    elif args.residues:
        box = dock.box_from_residues(receptor_source, args.residues.split(","))
    else:
        box = dock.box_from_ligand(receptor_source, args.ligand)
    key = dock.KeyInteraction(args.key_residue, tuple(args.key_interaction.split(","))) \
        if args.key_residue else None  # fmt: skip
    settings = dock.DockingSettings(
        exhaustiveness=args.exhaustiveness, n_poses=args.n_poses, seed=args.seed,
        scoring=args.scoring, time_limit=args.time_limit, ph=args.ph,
        pose_selection="key_interaction" if key else "score", key_interaction=key,
        check_poses=not args.no_pose_checks,
        covalent_distance=args.covalent_distance)  # fmt: skip
    molecules, column = _dock_molecules(args.molecules, args.smiles_column)
    removed = {k: len(v) for k, v in receptor.report["removed"].items() if v}
    print(f"receptor {receptor.name}: chains {receptor.report['chains']}, waters kept "
          f"{receptor.report['kept_waters'] or 'none'}, removed {removed}; box centre "
          f"{box.as_dict()['center']} size {box.as_dict()['size']}")  # fmt: skip
    table = dock.dock_many(molecules, receptor, box, args.out, settings, smiles_column=column,
                           n_jobs=args.n_jobs, resume=not args.no_resume,
                           progress=not args.quiet)  # fmt: skip
    docked = table["docking_status"] == "docked"
    print(f"docked {int(docked.sum())} of {len(table)} molecules in "
          f"{time.perf_counter() - start:.0f} s" + (
              f"; not docked: {table.loc[~docked, 'docking_status'].value_counts().to_dict()}"
              if (~docked).any() else ""))  # fmt: skip
    if docked.any():
        best = table.loc[docked].sort_values("docking_score").head(5)
        for _, row in best.iterrows():
            extra = ""
            if key is not None:
                extra = ", key interaction " + ("yes" if row["docking_key_interaction"] else "no")
            print(f"  {row['docking_score']:7.2f} kcal/mol{extra}  {row[column]}")
    print(f"table in {args.out}/docking.csv, poses in {args.out}/poses/")
    return 0


def _cmd_admet_list(args: argparse.Namespace) -> int:
    from drugml.models.admet import endpoint_table

    table = endpoint_table()
    table["better"] = table["better"].fillna("neither")
    table["tdc best"] = table["tdc_metric"] + " " + table["leaderboard_best"].map("{:g}".format)
    columns = ["name", "task", "unit", "better", "tdc best"]
    if args.long:
        table["estimator"] = table["estimator"].fillna("default")
        columns += ["estimator", "direction", "meaning"]
    _print_table(table[columns])
    print(f"\n{len(table)} endpoints (TDC ADMET benchmark group; `tdc best`: the leaderboard's "
          "best on TDC's test partition)")  # fmt: skip
    return 0


def _cmd_admet_train(args: argparse.Namespace) -> int:
    import json
    import time

    from drugml.models.admet import AdmetError, train_panel

    try:
        params = json.loads(args.estimator_params) if args.estimator_params else None
    except json.JSONDecodeError as exc:
        raise AdmetError(f"--estimator-params is not JSON: {exc}") from exc
    start = time.perf_counter()
    out = train_panel(args.out, endpoints=args.endpoints, n_jobs=args.n_jobs,
                      estimator=args.estimator, estimator_params=params,
                      progress=not args.quiet)  # fmt: skip
    panel = json.loads((out / "panel.json").read_text())
    for name, record in panel["models"].items():
        test = record["tdc_test"]
        print(f"{name:24s} {record['n_trained']:>6,} molecules  {record['fit_seconds']:6.1f} s  "
              f"TDC test {test['metric']} {test['value']:.3f} (leaderboard best "
              f"{test['leaderboard_best']:g})")  # fmt: skip
    print(f"ADMET panel of {len(panel['endpoints'])} endpoints in {out} "
          f"({time.perf_counter() - start:.0f} s)")  # fmt: skip
    return 0


def _cmd_admet_predict(args: argparse.Namespace) -> int:

    from drugml.chem import read_molecules
    from drugml.models.admet import load_panel

    panel = load_panel(args.panel)
    molecules = read_molecules(args.input, smiles_column=args.smiles_column,
                               id_column=args.id_column)  # fmt: skip
    if args.wide:
        table = panel.predict_wide(molecules, endpoints=args.endpoints, percentiles=True)
    else:
        table = panel.predict(molecules, endpoints=args.endpoints)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    failed = int((~table.drop_duplicates("record")["ok"].astype(bool)).sum()) if len(table) else 0
    n_endpoints = len(panel.endpoint_names(args.endpoints))
    print(f"{len(molecules):,} molecules x {n_endpoints} endpoints: {len(table):,} rows in {out}"
          + (f"; {failed} of {len(molecules):,} molecules could not be used (see the error "
             "column)" if failed else ""))  # fmt: skip
    return 0


def _print_table(frame) -> None:
    """Print a DataFrame as left-aligned text columns (easier to scan than pandas' default)."""
    cells = [list(map(str, frame.columns))] + [[str(v) for v in row] for row in frame.to_numpy()]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    for row in cells:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``drugml`` command."""
    parser = argparse.ArgumentParser(
        prog="drugml",
        description="drugml: from a protein target to a ranked list of candidate molecules.",
    )
    parser.add_argument("--version", action="version", version=f"drugml {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an error")  # fmt: skip
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    data_parser = commands.add_parser("data", help="list, show and verify the embedded data sets")
    data_commands = data_parser.add_subparsers(dest="data_command", metavar="ACTION")
    p = data_commands.add_parser("list", help="list every embedded data set")
    p.add_argument("--long", action="store_true", help="also show paths and descriptions")
    p.set_defaults(func=_cmd_data_list)
    p = data_commands.add_parser("show", help="describe one data set and preview it")
    p.add_argument("name", help="data set name, as in `drugml data list`")
    p.add_argument("--rows", type=int, default=5, help="rows (or header lines) to show")
    p.set_defaults(func=_cmd_data_show)
    p = data_commands.add_parser("verify", help="check the sha256 of the data files")
    p.add_argument("name", nargs="?", help="one data set (default: all)")
    p.set_defaults(func=_cmd_data_verify)
    data_parser.set_defaults(func=lambda _args: (data_parser.print_help(), 0)[1])

    p = commands.add_parser("gallery", help="execute the notebooks and write an HTML gallery")
    p.add_argument(
        "--notebooks", default="notebooks", help="folder of notebooks (default: %(default)s)"
    )
    p.add_argument("--out", default="results/gallery", help="output folder (default: %(default)s)")
    p.add_argument("--only", nargs="*", help="run only these notebooks (file names)")
    p.add_argument(
        "--timeout", type=int, default=900, help="seconds per cell (default: %(default)s)"
    )
    p.set_defaults(func=_cmd_gallery)

    viewer_parser = commands.add_parser(
        "viewer", help="install or check the local 3Dmol.js that 3D views use offline"
    )
    viewer_commands = viewer_parser.add_subparsers(dest="viewer_command", metavar="ACTION")
    p = viewer_commands.add_parser("install", help="install the pinned 3Dmol.js (npm package)")
    p.add_argument("--dest", help="folder to install into (default: inside the package)")
    p.add_argument("--tarball", help="install from an `npm pack 3dmol@VERSION` tarball")
    p.add_argument("--force", action="store_true", help="reinstall even if present")
    p.set_defaults(func=_cmd_viewer_install)
    p = viewer_commands.add_parser("status", help="say where 3Dmol.js is (exit 1 if missing)")
    p.set_defaults(func=_cmd_viewer_status)
    viewer_parser.set_defaults(func=lambda _args: (viewer_parser.print_help(), 0)[1])

    p = commands.add_parser("run", help="the whole walk: curate, train, screen, rank, report")
    p.add_argument("config", nargs="?", help="YAML configuration, or the name of a shipped "
                   "example (`drugml config examples`; default: egfr)")  # fmt: skip
    p.add_argument("--out", default="results/run", help="output folder (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=_cmd_run)

    config_parser = commands.add_parser(
        "config", help="show a resolved configuration or write a starting one"
    )
    config_commands = config_parser.add_subparsers(dest="config_command", metavar="ACTION")
    p = config_commands.add_parser("show", help="print the configuration with every default")
    p.add_argument("config", nargs="?", help="YAML file or shipped example (default: egfr)")
    p.add_argument("--check", action="store_true",
                   help="also check its files, columns, structure and ranking columns")  # fmt: skip
    p.add_argument("--columns", action="store_true",
                   help="also list the columns the screen writes, with their meaning")  # fmt: skip
    p.set_defaults(func=_cmd_config_show)
    p = config_commands.add_parser("init", help="write a commented configuration for a target")
    p.add_argument("name", help="the target's name (e.g. KRAS)")
    p.add_argument("--out", help="file to write (default: NAME.yaml)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=_cmd_config_init)
    p = config_commands.add_parser("examples", help="list the shipped example configurations")
    p.set_defaults(func=_cmd_config_examples)
    config_parser.set_defaults(func=lambda _args: (config_parser.print_help(), 0)[1])

    p = commands.add_parser("screen", help="score a molecule library with saved models")
    p.add_argument("library", help="SMILES, CSV/TSV, SDF or Parquet file (optionally .gz)")
    p.add_argument(
        "--model",
        action="append",
        required=True,
        help="saved model folder, optionally NAME=FOLDER (repeat for several)",
    )
    p.add_argument("--out", required=True, help="output folder (parts, rejects, manifest)")
    p.add_argument("--chunk-size", type=int, default=1000)
    p.add_argument("--n-jobs", type=int, default=1, help="local worker processes")
    p.add_argument("--backend", choices=["local", "dask"], default="local")
    p.add_argument(
        "--scheduler",
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 "
        "(default with --backend dask: a LocalCluster of --n-jobs workers)",
    )
    p.add_argument("--smiles-column")
    p.add_argument("--id-column")
    p.add_argument(
        "--alerts",
        default=",".join(schema.DEFAULT_ALERTS),
        help=f"alert catalogues, comma-separated, of: {', '.join(schema.ALERT_CATALOGS)} "
        "(default: %(default)s)",
    )
    p.add_argument("--no-resume", action="store_true", help="start over in --out")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--profile", choices=["full", "shortlist"], default="full",
                   help="shortlist: domain, alerts, QED and SA only for molecules that can "
                   "still reach --ranking's short list (the same short list, faster)")  # fmt: skip
    p.add_argument("--ranking", help="ranking YAML/TOML the shortlist profile bounds with")
    p.set_defaults(func=_cmd_screen)

    p = commands.add_parser("rank", help="rank (or re-rank) a finished screen in bounded memory")
    p.add_argument("screen", help="output folder of `drugml screen` (or the screen/ of a run)")
    p.add_argument("--config", help="ranking YAML/TOML, or a campaign YAML (its ranking: section, "
                   "name column and known actives; default: the default ranking)")  # fmt: skip
    p.add_argument("--out", required=True, help="folder for ranked/, ranked_candidates.csv, "
                   "ranking.json, report.html")  # fmt: skip
    p.add_argument("--top", type=int, default=1000,
                   help="rows of ranked_candidates.csv (default: %(default)s)")  # fmt: skip
    p.add_argument("--overwrite", action="store_true",
                   help="replace another screen's or configuration's ranking in --out")  # fmt: skip
    p.add_argument("--no-report", action="store_true",
                   help="skip report.html (the ranking's page: candidates, short list, known "
                   "actives, configuration)")  # fmt: skip
    p.set_defaults(func=_cmd_rank)

    p = commands.add_parser("dock", help="dock molecules into a structure with AutoDock Vina")
    p.add_argument("molecules", help="a SMILES, or a file of molecules (SMILES, CSV/TSV, Parquet)")
    p.add_argument("--structure", required=True, help="PDB/mmCIF file or embedded data set")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--ligand", help="reference ligand (residue name): the box around it")
    where.add_argument("--residues", help="pocket residues for the box, e.g. 719,769,831")
    where.add_argument("--center", type=float, nargs=3, metavar=("X", "Y", "Z"),
                       help="box centre (with --size)")  # fmt: skip
    p.add_argument("--size", type=float, nargs=3, metavar=("X", "Y", "Z"), help="box size (A)")
    p.add_argument("--chains", help="chains to keep, e.g. A,B (default: every protein chain)")
    p.add_argument("--keep-waters", default="bridging",
                   help="bridging (waters between the reference ligand and the protein), none, "
                        "or a list like A:10,A:12 (default: %(default)s)")  # fmt: skip
    p.add_argument("--smiles-column", default=None, help="column with SMILES (files)")
    p.add_argument("--exhaustiveness", type=int, default=8)
    p.add_argument("--n-poses", type=int, default=9)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scoring", choices=["vina", "vinardo"], default="vina")
    p.add_argument("--time-limit", type=float, default=None, help="seconds per molecule")
    p.add_argument("--ph", type=float, default=7.4, help="protonation pH (default: %(default)s)")
    p.add_argument("--key-residue", help="the key interaction's residue, e.g. MET769")
    p.add_argument("--key-interaction", default="HBAcceptor",
                   help="ProLIF interactions, comma-separated (default: %(default)s)")  # fmt: skip
    p.add_argument("--no-pose-checks", action="store_true", help="skip PoseBusters")
    p.add_argument("--covalent-residue", help="dock covalently at this residue, e.g. CYS797 "
                   "(its SG removed; the pose whose warhead is in its reach chosen); auto: the "
                   "residue --ligand is bonded to")  # fmt: skip
    p.add_argument("--covalent-distance", type=float, default=5.0,
                   help="Å, the residue's reach (default: %(default)s)")  # fmt: skip
    p.add_argument("--n-jobs", type=int, default=1, help="molecules docked side by side")
    p.add_argument("--out", required=True, help="folder for docking.csv, poses/, receptor/")
    p.add_argument("--no-resume", action="store_true", help="start again in --out")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=_cmd_dock)

    admet_parser = commands.add_parser(
        "admet", help="the ADMET panel: list its endpoints, train it, predict with it"
    )
    admet_commands = admet_parser.add_subparsers(dest="admet_command", metavar="ACTION")
    p = admet_commands.add_parser("list", help="the endpoints: task, unit, direction, TDC's best")
    p.add_argument("--long", action="store_true", help="also show directions and meanings")
    p.set_defaults(func=_cmd_admet_list)
    p = admet_commands.add_parser(
        "train", help="train one model per endpoint on TDC's train_val rows (minutes)"
    )
    p.add_argument("--out", required=True, help="panel folder to write, e.g. models/admet")
    p.add_argument("--endpoints", help="comma-separated endpoint names (default: all)")
    p.add_argument("--n-jobs", type=int, help="threads per fit (default: every core)")
    p.add_argument("--estimator", help="estimator of every endpoint, e.g. xgboost (default: each "
                   "endpoint's own; `drugml admet list --long`)")  # fmt: skip
    p.add_argument("--estimator-params",
                   help="settings of --estimator for every endpoint, as JSON, e.g. "
                   "'{\"n_estimators\": 200}'")  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=_cmd_admet_train)
    p = admet_commands.add_parser("predict", help="predict every endpoint for a molecule file")
    p.add_argument("input", help="SMILES, CSV/TSV, SDF or Parquet file (optionally .gz)")
    p.add_argument("--panel", required=True, help="panel folder (drugml admet train --out)")
    p.add_argument("--out", required=True, help="CSV file to write")
    p.add_argument("--endpoints", help="comma-separated endpoint names (default: the panel's)")
    p.add_argument("--wide", action="store_true",
                   help="one row per molecule with the screen's columns (default: tidy, one row "
                   "per molecule and endpoint)")  # fmt: skip
    p.add_argument("--smiles-column")
    p.add_argument("--id-column")
    p.set_defaults(func=_cmd_admet_predict)
    admet_parser.set_defaults(func=lambda _args: (admet_parser.print_help(), 0)[1])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``drugml`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    import warnings

    from drugml.errors import DrugmlError

    # A warning reads as one line on the terminal, not as a source location.
    warnings.formatwarning = lambda message, category, *_args, **_kw: (
        f"drugml: warning: {message}\n"
    )
    try:
        return args.func(args)
    except DrugmlError as exc:  # a clear message, not a traceback (unless --debug)
        if args.debug:
            raise
        print(f"drugml: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
