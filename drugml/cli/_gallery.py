"""``drugml gallery``: execute the notebooks and write an HTML gallery."""

from __future__ import annotations

import argparse

from drugml.cli._command import Command

__all__ = ["GalleryCommand"]


class GalleryCommand(Command):
    name = "gallery"
    help = "execute the notebooks and write an HTML gallery"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--notebooks", default="notebooks", help="folder of notebooks (default: %(default)s)"
        )
        parser.add_argument(
            "--out", default="results/gallery", help="output folder (default: %(default)s)"
        )
        parser.add_argument("--only", nargs="*", help="run only these notebooks (file names)")
        parser.add_argument(
            "--timeout", type=int, default=900, help="seconds per cell (default: %(default)s)"
        )

    def run(self, args: argparse.Namespace) -> int:
        from drugml.report.gallery import build_gallery

        index = build_gallery(
            args.notebooks, args.out, notebooks=args.only or None, timeout=args.timeout
        )
        print(f"Gallery written to {index}")
        return 0
