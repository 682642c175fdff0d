"""``drugml run``: the whole walk, from a configuration to a ranked list and its report."""

from __future__ import annotations

import argparse

from drugml.cli._command import Command
from drugml.cli._config import config_source

__all__ = ["RunCommand"]


class RunCommand(Command):
    name = "run"
    help = "the whole walk: curate, train, screen, rank, report"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "config",
            nargs="?",
            help="YAML configuration, or the name of a shipped "
            "example (`drugml config examples`; default: egfr)",
        )
        parser.add_argument(
            "--out", default="results/run", help="output folder (default: %(default)s)"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress output")

    def run(self, args: argparse.Namespace) -> int:
        from drugml.campaign.pipeline import run

        run(config_source(args.config), args.out, progress=not args.quiet)
        return 0
