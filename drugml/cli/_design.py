"""``drugml design``: build a fragment database, propose analogues of seed molecules."""

from __future__ import annotations

import argparse
from pathlib import Path

from drugml.cli._command import Command, CommandGroup

__all__ = ["DesignCommand"]


class FragmentsCommand(Command):
    name = "fragments"
    help = "build a CReM fragment database from molecules drugml has (or yours)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--out", required=True, help="the database file (.db); a .json beside")
        parser.add_argument(
            "--from",
            dest="sources",
            nargs="+",
            help="data sets (egfr_compounds, approved_drugs, ...) or SMILES/CSV files "
            "(default: those of the shipped database)",
        )
        parser.add_argument("--n-jobs", type=int, default=1)
        parser.add_argument(
            "--check",
            action="store_true",
            help="compare the content with the shipped database's (reproducibility)",
        )

    def run(self, args: argparse.Namespace) -> int:
        from drugml.design import (
            DEFAULT_FRAGMENT_SOURCES,
            build_fragment_database,
            load_fragment_database,
        )

        built = build_fragment_database(
            args.sources or DEFAULT_FRAGMENT_SOURCES, args.out, n_jobs=args.n_jobs, progress=True
        )
        manifest = built.manifest
        print(
            f"{args.out}: {manifest['molecules']['used']:,} molecules fragmented "
            f"({manifest['molecules']['skipped']:,} skipped), content sha256 "
            f"{manifest['content_sha256'][:12]}"
        )
        if args.check:
            shipped = load_fragment_database().manifest["content_sha256"]
            same = shipped == manifest["content_sha256"]
            print("same content as the shipped database" if same else "differs from the shipped")
            return 0 if same else 1
        return 0


class ProposeCommand(Command):
    name = "propose"
    help = "propose analogues of seed molecules (fragment replacement and growing)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        from drugml.design import AnalogueSettings

        default = AnalogueSettings()
        parser.add_argument(
            "seeds",
            help="a molecule file (SMILES, CSV/TSV, SDF, Parquet), or SMILES, comma-separated",
        )
        parser.add_argument("--out", required=True, help="folder for proposals.csv (and more)")
        parser.add_argument("--id-column", help="a table's id column (default: detected)")
        parser.add_argument("--smiles-column", help="a table's SMILES column (default: detected)")
        parser.add_argument("--fragments", help="fragment database (default: the shipped one)")
        parser.add_argument("--max-per-seed", type=int, default=default.max_per_seed)
        parser.add_argument("--seed", type=int, default=default.random_seed)
        parser.add_argument(
            "--run",
            help="a `drugml run` folder: score and rank the proposals with its models and "
            "ranking (ranked_proposals.csv)",
        )
        parser.add_argument("--n-jobs", type=int, default=1)

    def run(self, args: argparse.Namespace) -> int:
        import pandas as pd

        from drugml.design import load_fragment_database, propose_analogues

        seeds = _read_seeds(args.seeds, args.smiles_column, args.id_column)
        proposals = propose_analogues(
            seeds,
            load_fragment_database(args.fragments),
            max_per_seed=args.max_per_seed,
            random_seed=args.seed,
            n_jobs=args.n_jobs,
        )
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        made = int((proposals["proposal_status"] == "proposed").sum())
        if args.run:
            ranked = _score_with_run(proposals, Path(args.run), out, args.n_jobs)
            print(f"{made:,} proposals scored and ranked in {out / 'ranked_proposals.csv'}")
            print(pd.DataFrame(ranked).head(10)[["rank", "id", "parent_id", "smiles"]])
        else:
            proposals.to_csv(out / "proposals.csv", index=False)
            print(f"{made:,} proposals in {out / 'proposals.csv'}")
        return 0


def _read_seeds(given: str, smiles_column: str | None, id_column: str | None):
    """Seeds from a molecule file, or SMILES given on the command line (comma-separated)."""
    import pandas as pd

    from drugml.design import read_seeds

    if Path(given).is_file():
        return read_seeds(given, smiles_column=smiles_column, id_column=id_column)
    smiles = [s for s in given.split(",") if s]
    return pd.DataFrame({"smiles": smiles, "id": [f"seed{i + 1}" for i in range(len(smiles))]})


def _score_with_run(proposals, run_dir: Path, out: Path, n_jobs: int):
    """The proposals screened with a run's saved models and ranked with its ranking."""
    from drugml.campaign import load_config
    from drugml.design import score_proposals
    from drugml.schema import RunFolder
    from drugml.screening.validation import training_compounds

    run = RunFolder(run_dir)
    config = load_config(run.config)
    models = {name: run.model(name) for name in config.model_tasks()}
    trained_on = training_compounds(run.root, config.model_tasks())
    return score_proposals(
        proposals, models, out, config.ranking, trained_on=trained_on, n_jobs=n_jobs
    )


class DesignCommand(CommandGroup):
    name = "design"
    help = "analogues of seed molecules from a fragment database (drugml.design)"
    subcommands = (FragmentsCommand, ProposeCommand)
