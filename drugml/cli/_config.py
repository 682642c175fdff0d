"""``drugml config``: show a resolved configuration or write a starting one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from drugml import schema
from drugml.cli._command import Command, CommandGroup

__all__ = ["ConfigCommand", "config_source"]


def config_source(value: str | None) -> str | Path:
    """A configuration file, or the name of a shipped example (``drugml config examples``)."""

    from drugml.campaign.pipeline import default_config_path, example_configs

    if value is None:
        return default_config_path()
    if not Path(value).exists() and value in example_configs():
        return example_configs()[value]
    return value


class ConfigShowCommand(Command):
    name = "show"
    help = "print the configuration with every default"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "config", nargs="?", help="YAML file or shipped example (default: egfr)"
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="also check its files, columns, structure and ranking columns",
        )
        parser.add_argument(
            "--columns",
            action="store_true",
            help="also list the columns the screen writes, with their meaning",
        )

    def run(self, args: argparse.Namespace) -> int:
        from drugml.campaign.config import load_config

        config = load_config(config_source(args.config))
        if args.check:
            from drugml.campaign.pipeline import check_inputs

            check_inputs(config)
        print(config.to_yaml(), end="")
        if args.columns:
            keep = [config.library.name_column] if config.library.name_column else []
            print("# Columns of the screen, for ranking objectives and filters (drugml.schema):")
            for column in schema.screen_columns(config.model_tasks(), config.library.alerts, keep):
                meaning = (
                    schema.column_meaning(column, config.model_tasks()) or "kept from the library"
                )
                print(f"#   {column:34s} {meaning}")
        if args.check:
            print(
                "# every file, column, the structure and the ranking's columns check out",
                file=sys.stderr,
            )
        return 0


class ConfigInitCommand(Command):
    name = "init"
    help = "write a commented configuration for a target"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("name", help="the target's name (e.g. KRAS)")
        parser.add_argument("--out", help="file to write (default: NAME.yaml)")
        parser.add_argument("--force", action="store_true", help="overwrite an existing file")

    def run(self, args: argparse.Namespace) -> int:
        from drugml.campaign.config import ConfigError, config_template

        out = Path(args.out or f"{args.name.lower().replace(' ', '_')}.yaml")
        if out.exists() and not args.force:
            raise ConfigError(f"{out} exists; choose another --out or add --force to overwrite it")
        out.write_text(config_template(args.name), encoding="utf-8")
        print(
            f"wrote {out}: edit its paths and columns, then `drugml config show {out} --check` "
            f"and `drugml run {out} --out results/{out.stem}`"
        )
        return 0


class ConfigExamplesCommand(Command):
    name = "examples"
    help = "list the shipped example configurations"

    def run(self, args: argparse.Namespace) -> int:
        from drugml.campaign.pipeline import example_configs

        for name, path in example_configs().items():
            first = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
            print(f"{name:16s} {first}")
        return 0


class ConfigCommand(CommandGroup):
    name = "config"
    help = "show a resolved configuration or write a starting one"
    subcommands = (ConfigShowCommand, ConfigInitCommand, ConfigExamplesCommand)
