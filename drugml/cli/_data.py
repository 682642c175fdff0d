"""``drugml data``: list, show and verify the embedded data sets."""

from __future__ import annotations

import argparse
from pathlib import Path

from drugml.cli._command import Command, CommandGroup, print_table

__all__ = ["DataCommand"]


class DataListCommand(Command):
    name = "list"
    help = "list every embedded data set"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--long", action="store_true", help="also show paths and descriptions")

    def run(self, args: argparse.Namespace) -> int:
        from drugml import data

        table = data.list_datasets()
        table["size"] = table["rows"].map("{:,}".format) + " " + table["unit"]
        columns = ["name", "kind", "size", "target", "licence"]
        if args.long:
            columns += ["path", "description"]
        print_table(table[columns])
        print(f"\n{len(table)} data sets in {data.data_dir()}")
        return 0


class DataShowCommand(Command):
    name = "show"
    help = "describe one data set and preview it"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("name", help="data set name, as in `drugml data list`")
        parser.add_argument("--rows", type=int, default=5, help="rows (or header lines) to show")

    def run(self, args: argparse.Namespace) -> int:
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


def _show_structure(file: Path, n_lines: int) -> None:
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


class DataVerifyCommand(Command):
    name = "verify"
    help = "check the sha256 of the data files"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("name", nargs="?", help="one data set (default: all)")

    def run(self, args: argparse.Namespace) -> int:
        from drugml import data

        names = [args.name] if args.name else data.list_datasets()["name"].tolist()
        for name in names:
            data.verify(name)
            print(f"ok  {name}")
        return 0


class DataCommand(CommandGroup):
    name = "data"
    help = "list, show and verify the embedded data sets"
    subcommands = (DataListCommand, DataShowCommand, DataVerifyCommand)
