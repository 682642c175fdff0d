"""``drugml viewer``: install or check the local 3Dmol.js that 3D views use offline."""

from __future__ import annotations

import argparse

from drugml.cli._command import Command, CommandGroup

__all__ = ["ViewerCommand"]


class ViewerInstallCommand(Command):
    name = "install"
    help = "install the pinned 3Dmol.js (npm package)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--dest", help="folder to install into (default: inside the package)")
        parser.add_argument("--tarball", help="install from an `npm pack 3dmol@VERSION` tarball")
        parser.add_argument("--force", action="store_true", help="reinstall even if present")

    def run(self, args: argparse.Namespace) -> int:
        from drugml.data.assets import THREEDMOL_VERSION, install_threedmol

        path = install_threedmol(args.dest, tarball=args.tarball, force=args.force)
        print(
            f"3Dmol.js {THREEDMOL_VERSION} installed at {path} (sha256 verified): "
            "3D views now work offline."
        )
        return 0


class ViewerStatusCommand(Command):
    name = "status"
    help = "say where 3Dmol.js is (exit 1 if missing)"

    def run(self, args: argparse.Namespace) -> int:
        from drugml.data.assets import threedmol_status

        status = threedmol_status()
        if status["installed"]:
            print(f"3Dmol.js {status['version']} ({status['licence']}): {status['path']}")
            return 0
        found = (
            f" (found {status['path']} with sha256 {status['sha256_found']})"
            if status["path"]
            else ""
        )
        print(f"3Dmol.js {status['version']} is not installed{found}; looked in:")
        for path in status["searched"]:
            print(f"  {path}")
        print("Run `drugml viewer install` so 3D views work offline.")
        return 1


class ViewerCommand(CommandGroup):
    name = "viewer"
    help = "install or check the local 3Dmol.js that 3D views use offline"
    subcommands = (ViewerInstallCommand, ViewerStatusCommand)
