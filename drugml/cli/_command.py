"""What every ``drugml`` command is: a name, a help line, its arguments and a ``run``.

A command turns its parsed arguments into plain calls of the library (the
library never sees an :class:`argparse.Namespace`), prints what it did and
returns the exit status. :class:`CommandGroup` is a command made of actions
(``drugml data list``, ``drugml data show`` ...), each a command of its own.

Example
-------
>>> import argparse
>>> class Hello(Command):
...     name = "hello"
...     help = "say hello"
...
...     def run(self, args: argparse.Namespace) -> int:
...         print("hello")
...         return 0
>>> parser = argparse.ArgumentParser(prog="demo")
>>> _ = Hello.register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["hello"])
>>> args.func(args)
hello
0
"""

from __future__ import annotations

import argparse
from typing import Any, ClassVar

__all__ = ["Command", "CommandGroup", "print_table"]


class Command:
    """One command of ``drugml``: subclasses set ``name`` and ``help`` and define ``run``."""

    #: The word typed after ``drugml`` (or after the group's name).
    name: ClassVar[str]
    #: The line ``drugml --help`` shows for the command.
    help: ClassVar[str]

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Declare the command's arguments on its own parser (none by default)."""

    def run(self, args: argparse.Namespace) -> int:
        """Do the command's work and return the exit status."""
        raise NotImplementedError

    @classmethod
    def register(cls, commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
        """Add the command to ``commands`` (an ``add_subparsers()`` action); return its parser."""
        command = cls()
        parser = commands.add_parser(cls.name, help=cls.help)
        command.add_arguments(parser)
        parser.set_defaults(func=command.run)
        return parser


class CommandGroup(Command):
    """A command whose actions are commands; alone (``drugml data``) it prints its help."""

    #: The actions, in the order ``--help`` lists them.
    subcommands: ClassVar[tuple[type[Command], ...]] = ()

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest=f"{self.name}_command", metavar="ACTION")
        for subcommand in self.subcommands:
            subcommand.register(actions)
        self.parser = parser

    def run(self, args: argparse.Namespace) -> int:
        self.parser.print_help()
        return 0


def print_table(frame: Any) -> None:
    """Print a DataFrame as left-aligned text columns (easier to scan than pandas' default).

    >>> import pandas as pd
    >>> print_table(pd.DataFrame({"name": ["esol", "herg"], "rows": [1128, 648]}))
    name  rows
    esol  1128
    herg  648
    """
    cells = [list(map(str, frame.columns))] + [[str(v) for v in row] for row in frame.to_numpy()]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    for row in cells:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
