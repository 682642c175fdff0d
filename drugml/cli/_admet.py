"""``drugml admet``: the ADMET panel: list its endpoints, train it, predict with it."""

from __future__ import annotations

import argparse
from pathlib import Path

from drugml.cli._command import Command, CommandGroup, print_table

__all__ = ["AdmetCommand"]


class AdmetListCommand(Command):
    name = "list"
    help = "the endpoints: task, unit, direction, TDC's best"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--long", action="store_true", help="also show directions and meanings")

    def run(self, args: argparse.Namespace) -> int:
        from drugml.models.admet import endpoint_table

        table = endpoint_table()
        table["better"] = table["better"].fillna("neither")
        table["tdc best"] = table["tdc_metric"] + " " + table["leaderboard_best"].map("{:g}".format)
        columns = ["name", "task", "unit", "better", "tdc best"]
        if args.long:
            table["estimator"] = table["estimator"].fillna("default")
            table["featurizer"] = table["featurizer"].fillna("default")
            columns += ["estimator", "featurizer", "direction", "meaning"]
        print_table(table[columns])
        print(
            f"\n{len(table)} endpoints (TDC ADMET benchmark group; `tdc best`: the leaderboard's "
            "best on TDC's test partition)"
        )
        return 0


class AdmetTrainCommand(Command):
    name = "train"
    help = "train one model per endpoint on TDC's train_val rows (minutes)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--out", required=True, help="panel folder to write, e.g. models/admet")
        parser.add_argument("--endpoints", help="comma-separated endpoint names (default: all)")
        parser.add_argument("--n-jobs", type=int, help="threads per fit (default: every core)")
        parser.add_argument(
            "--estimator",
            help="estimator of every endpoint, e.g. xgboost (default: each "
            "endpoint's own; `drugml admet list --long`)",
        )
        parser.add_argument(
            "--estimator-params",
            help="settings of --estimator for every endpoint, as JSON, e.g. "
            "'{\"n_estimators\": 200}'",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bars")

    def run(self, args: argparse.Namespace) -> int:
        import json
        import time

        from drugml.models.admet import AdmetError, train_panel

        try:
            params = json.loads(args.estimator_params) if args.estimator_params else None
        except json.JSONDecodeError as exc:
            raise AdmetError(f"--estimator-params is not JSON: {exc}") from exc
        start = time.perf_counter()
        out = train_panel(
            args.out,
            endpoints=args.endpoints,
            n_jobs=args.n_jobs,
            estimator=args.estimator,
            estimator_params=params,
            progress=not args.quiet,
        )
        panel = json.loads((out / "panel.json").read_text())
        for name, record in panel["models"].items():
            test = record["tdc_test"]
            print(
                f"{name:24s} {record['n_trained']:>6,} molecules  {record['fit_seconds']:6.1f} s  "
                f"TDC test {test['metric']} {test['value']:.3f} (leaderboard best "
                f"{test['leaderboard_best']:g})"
            )
        print(
            f"ADMET panel of {len(panel['endpoints'])} endpoints in {out} "
            f"({time.perf_counter() - start:.0f} s)"
        )
        return 0


class AdmetPredictCommand(Command):
    name = "predict"
    help = "predict every endpoint for a molecule file"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("input", help="SMILES, CSV/TSV, SDF or Parquet file (optionally .gz)")
        parser.add_argument(
            "--panel",
            help="panel folder (drugml admet train --out); default: the ready panel, built "
            "once on first use (drugml admet build)",
        )
        parser.add_argument("--out", required=True, help="CSV file to write")
        parser.add_argument(
            "--endpoints", help="comma-separated endpoint names (default: the panel's)"
        )
        parser.add_argument(
            "--wide",
            action="store_true",
            help="one row per molecule with the screen's columns (default: tidy, one row "
            "per molecule and endpoint)",
        )
        parser.add_argument("--smiles-column")
        parser.add_argument("--id-column")

    def run(self, args: argparse.Namespace) -> int:
        from drugml.chem import read_molecules
        from drugml.models.admet import load_panel, ready_panel

        panel = load_panel(args.panel) if args.panel else ready_panel(args.endpoints)
        molecules = read_molecules(
            args.input, smiles_column=args.smiles_column, id_column=args.id_column
        )
        if args.wide:
            table = panel.predict_wide(molecules, endpoints=args.endpoints, percentiles=True)
        else:
            table = panel.predict(molecules, endpoints=args.endpoints)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index=False)
        failed = (
            int((~table.drop_duplicates("record")["ok"].astype(bool)).sum()) if len(table) else 0
        )
        n_endpoints = len(panel.endpoint_names(args.endpoints))
        print(
            f"{len(molecules):,} molecules x {n_endpoints} endpoints: {len(table):,} rows in {out}"
            + (
                f"; {failed} of {len(molecules):,} molecules could not be used (see the error "
                "column)"
                if failed
                else ""
            )
        )
        return 0


class AdmetBuildCommand(Command):
    name = "build"
    help = "build the ready panel into the user cache now (else done on first use)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--endpoints", help="comma-separated endpoint names (default: all)")
        parser.add_argument("--n-jobs", type=int, help="threads per fit (default: every core)")
        parser.add_argument("--rebuild", action="store_true", help="build again where built")
        parser.add_argument("--quiet", action="store_true", help="no progress bars")

    def run(self, args: argparse.Namespace) -> int:
        from drugml.models.admet import ready_panel

        panel = ready_panel(
            args.endpoints, n_jobs=args.n_jobs, progress=not args.quiet, rebuild=args.rebuild
        )
        print(f"ADMET panel of {len(panel.endpoints)} endpoints ready in {panel.directory}")
        return 0


class AdmetCommand(CommandGroup):
    name = "admet"
    help = "the ADMET panel: list its endpoints, build or train it, predict with it"
    subcommands = (
        AdmetListCommand,
        AdmetBuildCommand,
        AdmetTrainCommand,
        AdmetPredictCommand,
    )
