"""``drugml dock``: dock molecules into a structure with AutoDock Vina."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from drugml.cli._command import Command

if TYPE_CHECKING:
    import pandas as pd

    from drugml.structure.dock import Box, DockingSettings, KeyInteraction, Receptor

__all__ = ["DockCommand"]


class DockCommand(Command):
    name = "dock"
    help = "dock molecules into a structure with AutoDock Vina"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "molecules", help="a SMILES, or a file of molecules (SMILES, CSV/TSV, Parquet)"
        )
        parser.add_argument(
            "--structure", required=True, help="PDB/mmCIF file or embedded data set"
        )
        _add_box_arguments(parser)
        _add_docking_arguments(parser)
        parser.add_argument("--n-jobs", type=int, default=1, help="molecules docked side by side")
        parser.add_argument(
            "--out", required=True, help="folder for docking.csv, poses/, receptor/"
        )
        parser.add_argument("--no-resume", action="store_true", help="start again in --out")
        parser.add_argument("--quiet", action="store_true")

    def run(self, args: argparse.Namespace) -> int:
        import time

        from drugml.structure import dock

        start = time.perf_counter()
        if args.center is not None and args.size is None:
            raise dock.DockingError("--center needs --size")
        receptor = _receptor(args)
        box = _box(args)
        key = (
            dock.KeyInteraction(args.key_residue, tuple(args.key_interaction.split(",")))
            if args.key_residue
            else None
        )
        settings = _settings(args, key)
        molecules, column = _dock_molecules(args.molecules, args.smiles_column)
        removed = {k: len(v) for k, v in receptor.report["removed"].items() if v}
        print(
            f"receptor {receptor.name}: chains {receptor.report['chains']}, waters kept "
            f"{receptor.report['kept_waters'] or 'none'}, removed {removed}; box centre "
            f"{box.as_dict()['center']} size {box.as_dict()['size']}"
        )
        table = dock.dock_many(
            molecules,
            receptor,
            box,
            args.out,
            settings,
            smiles_column=column,
            n_jobs=args.n_jobs,
            resume=not args.no_resume,
            progress=not args.quiet,
        )
        _print_results(table, key, column, time.perf_counter() - start)
        print(f"table in {args.out}/docking.csv, poses in {args.out}/poses/")
        return 0


def _add_box_arguments(parser: argparse.ArgumentParser) -> None:
    """Where to dock: the box (around a ligand, residues, or given) and the receptor's parts."""
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--ligand", help="reference ligand (residue name): the box around it")
    where.add_argument("--residues", help="pocket residues for the box, e.g. 719,769,831")
    where.add_argument(
        "--center", type=float, nargs=3, metavar=("X", "Y", "Z"), help="box centre (with --size)"
    )
    parser.add_argument("--size", type=float, nargs=3, metavar=("X", "Y", "Z"), help="box size (A)")
    parser.add_argument("--chains", help="chains to keep, e.g. A,B (default: every protein chain)")
    parser.add_argument(
        "--keep-waters",
        default="bridging",
        help="bridging (waters between the reference ligand and the protein), none, "
        "or a list like A:10,A:12 (default: %(default)s)",
    )


def _add_docking_arguments(parser: argparse.ArgumentParser) -> None:
    """How to dock: Vina's settings, protonation, the key interaction, covalent docking."""
    # Imported here, not at the top, so that importing drugml.cli stays light; the
    # default is docking's own (DockingSettings), not a copy of it.
    from drugml.structure.dock import SCORING_FUNCTIONS, DockingSettings, KeyInteraction

    parser.add_argument("--smiles-column", default=None, help="column with SMILES (files)")
    parser.add_argument("--exhaustiveness", type=int, default=DockingSettings.exhaustiveness)
    parser.add_argument("--n-poses", type=int, default=DockingSettings.n_poses)
    parser.add_argument("--seed", type=int, default=DockingSettings.seed)
    parser.add_argument(
        "--scoring", choices=list(SCORING_FUNCTIONS), default=DockingSettings.scoring
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=DockingSettings.time_limit,
        help="seconds per molecule",
    )
    parser.add_argument(
        "--ph", type=float, default=DockingSettings.ph, help="protonation pH (default: %(default)s)"
    )
    parser.add_argument("--key-residue", help="the key interaction's residue, e.g. MET769")
    parser.add_argument(
        "--key-interaction",
        default=",".join(KeyInteraction.interactions),
        help="ProLIF interactions, comma-separated (default: %(default)s)",
    )
    parser.add_argument("--no-pose-checks", action="store_true", help="skip PoseBusters")
    parser.add_argument(
        "--covalent-residue",
        help="dock covalently at this residue, e.g. CYS797 "
        "(its SG removed; the pose whose warhead is in its reach chosen); auto: the "
        "residue --ligand is bonded to",
    )
    parser.add_argument(
        "--covalent-distance",
        type=float,
        default=DockingSettings.covalent_distance,
        help="Å, the residue's reach (default: %(default)s)",
    )


def _receptor(args: argparse.Namespace) -> Receptor:
    """The receptor of ``--structure``: its chains, the waters kept, covalent or not."""
    from drugml.structure import dock

    receptor_source = args.structure
    if args.keep_waters == "bridging":
        waters = dock.bridging_waters(receptor_source, args.ligand) if args.ligand else []
    elif args.keep_waters == "none":
        waters = []
    else:
        waters = [w for w in args.keep_waters.split(",") if w]
    chains = args.chains.split(",") if args.chains else None
    ligands = [args.ligand] if args.ligand else None
    covalent = args.covalent_residue
    if covalent == "auto":
        covalent = dock.reactive_residue(receptor_source, args.ligand) if args.ligand else None
    return dock.prepare_receptor(
        receptor_source,
        chains=chains,
        keep_waters=waters,
        ligand_residues=ligands,
        covalent_residue=covalent,
    )


def _box(args: argparse.Namespace) -> Box:
    """The search box: given, around ``--residues``, or around ``--ligand``."""
    from drugml.structure import dock

    if args.center is not None:
        return dock.Box(tuple(args.center), tuple(args.size))
    if args.residues:
        return dock.box_from_residues(args.structure, args.residues.split(","))
    return dock.box_from_ligand(args.structure, args.ligand)


def _settings(args: argparse.Namespace, key: KeyInteraction | None) -> DockingSettings:
    """Vina's settings from the flags; a key interaction chooses the pose making it."""
    from drugml.structure import dock

    return dock.DockingSettings(
        exhaustiveness=args.exhaustiveness,
        n_poses=args.n_poses,
        seed=args.seed,
        scoring=args.scoring,
        time_limit=args.time_limit,
        ph=args.ph,
        pose_selection="key_interaction" if key else "score",
        key_interaction=key,
        check_poses=not args.no_pose_checks,
        covalent_distance=args.covalent_distance,
    )


def _dock_molecules(value: str, smiles_column: str | None) -> tuple[pd.DataFrame, str]:
    """A SMILES given on the command line, or a table of molecules from a file."""

    import pandas as pd

    from drugml.chem import iter_molecules

    if not Path(value).is_file():
        return pd.DataFrame({"smiles": [value]}), "smiles"
    chunks = list(iter_molecules(value, chunk_size=100_000, smiles_column=smiles_column))
    table = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=["input"])
    table = table.drop(columns=[c for c in ("read_error",) if c in table])
    return table.rename(columns={"input": "smiles"}), "smiles"


def _print_results(
    table: pd.DataFrame, key: KeyInteraction | None, column: str, seconds: float
) -> None:
    """How many docked (and why the others did not), and the five best scores."""
    docked = table["docking_status"] == "docked"
    print(
        f"docked {int(docked.sum())} of {len(table)} molecules in {seconds:.0f} s"
        + (
            f"; not docked: {table.loc[~docked, 'docking_status'].value_counts().to_dict()}"
            if (~docked).any()
            else ""
        )
    )
    if docked.any():
        best = table.loc[docked].sort_values("docking_score").head(5)
        for _, row in best.iterrows():
            extra = ""
            if key is not None:
                extra = ", key interaction " + ("yes" if row["docking_key_interaction"] else "no")
            print(f"  {row['docking_score']:7.2f} kcal/mol{extra}  {row[column]}")
