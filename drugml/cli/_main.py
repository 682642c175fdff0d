"""The ``drugml`` command: its parser, assembled from one list of commands, and ``main``.

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
    drugml pockets STRUCTURE [--chains A,B] [--top N] [--min-volume V] [--out DIR]
    drugml admet list
    drugml admet train --out models/admet [--endpoints herg,ames] [--n-jobs N]
                       [--estimator NAME] [--estimator-params JSON]
    drugml admet predict INPUT --panel models/admet --out table.csv [--wide]

Each sub-command is a thin wrapper over a public function, so that scripts
can do the same thing from Python. A new command is one
:class:`~drugml.cli._command.Command` subclass and one entry in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from drugml._version import __version__
from drugml.cli._admet import AdmetCommand
from drugml.cli._command import Command
from drugml.cli._config import ConfigCommand
from drugml.cli._data import DataCommand
from drugml.cli._design import DesignCommand
from drugml.cli._dock import DockCommand
from drugml.cli._gallery import GalleryCommand
from drugml.cli._next_batch import NextBatchCommand
from drugml.cli._pockets import PocketsCommand
from drugml.cli._rank import RankCommand
from drugml.cli._run import RunCommand
from drugml.cli._screen import ScreenCommand
from drugml.cli._viewer import ViewerCommand

__all__ = ["COMMANDS", "build_parser", "main"]

#: The commands of ``drugml``, in the order ``drugml --help`` lists them.
COMMANDS: tuple[type[Command], ...] = (
    DataCommand,
    GalleryCommand,
    ViewerCommand,
    RunCommand,
    ConfigCommand,
    ScreenCommand,
    RankCommand,
    PocketsCommand,
    DockCommand,
    AdmetCommand,
    DesignCommand,
    NextBatchCommand,
)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``drugml`` command.

    >>> build_parser().parse_args(["data", "list", "--long"]).long
    True
    """
    parser = argparse.ArgumentParser(
        prog="drugml",
        description="drugml: from a protein target to a ranked list of candidate molecules.",
    )
    parser.add_argument("--version", action="version", version=f"drugml {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(commands)
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
