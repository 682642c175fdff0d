"""The ``drugml`` command.

Example
-------
>>> from drugml.cli import build_parser
>>> build_parser().prog
'drugml'
"""

from __future__ import annotations

from drugml.cli._main import (
    build_parser,
    main,
)

__all__ = [
    "build_parser",
    "main",
]
