"""``drugml screen``: score a molecule library with saved models."""

from __future__ import annotations

import argparse
from pathlib import Path

from drugml import schema
from drugml.cli._command import Command

__all__ = ["ScreenCommand"]


class ScreenCommand(Command):
    name = "screen"
    help = "score a molecule library with saved models"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("library", help="SMILES, CSV/TSV, SDF or Parquet file (optionally .gz)")
        parser.add_argument(
            "--model",
            action="append",
            required=True,
            help="saved model folder, optionally NAME=FOLDER (repeat for several)",
        )
        parser.add_argument("--out", required=True, help="output folder (parts, rejects, manifest)")
        parser.add_argument("--chunk-size", type=int, default=1000)
        parser.add_argument("--n-jobs", type=int, default=1, help="local worker processes")
        parser.add_argument("--backend", choices=["local", "dask"], default="local")
        parser.add_argument(
            "--scheduler",
            help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 "
            "(default with --backend dask: a LocalCluster of --n-jobs workers)",
        )
        parser.add_argument("--smiles-column")
        parser.add_argument("--id-column")
        parser.add_argument(
            "--alerts",
            default=",".join(schema.DEFAULT_ALERTS),
            help=f"alert catalogues, comma-separated, of: {', '.join(schema.ALERT_CATALOGS)} "
            "(default: %(default)s)",
        )
        parser.add_argument("--no-resume", action="store_true", help="start over in --out")
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument(
            "--profile",
            choices=["full", "shortlist"],
            default="full",
            help="shortlist: domain, alerts, QED and SA only for molecules that can "
            "still reach --ranking's short list (the same short list, faster)",
        )
        parser.add_argument("--ranking", help="ranking YAML/TOML the shortlist profile bounds with")

    def run(self, args: argparse.Namespace) -> int:
        from drugml.screening.screen import screen_library

        models = {}
        for spec in args.model:
            name, _, directory = spec.rpartition("=")
            models[name or Path(directory).name.replace("-", "_")] = directory
        screen_library(
            args.library,
            models,
            args.out,
            chunk_size=args.chunk_size,
            n_jobs=args.n_jobs,
            backend=args.backend,
            client=args.scheduler,
            resume=not args.no_resume,
            smiles_column=args.smiles_column,
            id_column=args.id_column,
            alerts=args.alerts.split(","),
            progress=not args.quiet,
            profile=args.profile,
            ranking=args.ranking,
        )
        print(f"results in {args.out}/parts, rejects in {args.out}/rejects")
        return 0
