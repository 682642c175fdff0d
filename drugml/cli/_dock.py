"""``drugml dock``: dock molecules into a structure with AutoDock Vina."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from drugml.cli._command import Command

if TYPE_CHECKING:
    import pandas as pd
    from rdkit import Chem

    from drugml.structure.dock import (
        Box,
        DockingSettings,
        InteractionReference,
        KeyInteraction,
        Receptor,
    )

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
        _check_flags(args)
        # The box and the reference ligand first: a wrong pocket rank, residue or SMILES
        # fails at once, not after the receptor's preparation.
        box, where = _box(args)
        reference_ligand = _reference_ligand(args)
        receptor = _receptor(args)
        reference = (
            dock.reference_interactions(receptor, reference_ligand)
            if reference_ligand is not None
            else None
        )
        key = (
            dock.KeyInteraction(args.key_residue, tuple(args.key_interaction.split(",")))
            if args.key_residue
            else None
        )
        settings = _settings(args, key, reference)
        molecules, column = _dock_molecules(args.molecules, args.smiles_column)
        from drugml.report import describe_receptor

        print(f"receptor: {describe_receptor(receptor.report)}")
        print(f"box {where}: centre {box.as_dict()['center']} size {box.as_dict()['size']}")
        if reference is not None:
            print(
                f"reference: {len(reference.interactions)} interactions of {reference.source}; "
                f"each pose gets its interaction similarity to them "
                f"(pose selection: {settings.pose_selection})"
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
        "--pocket",
        type=int,
        metavar="RANK",
        help="dock into the RANK-th pocket found without a ligand "
        "(drugml pockets STRUCTURE lists them)",
    )
    where.add_argument(
        "--center", type=float, nargs=3, metavar=("X", "Y", "Z"), help="box centre (with --size)"
    )
    parser.add_argument("--size", type=float, nargs=3, metavar=("X", "Y", "Z"), help="box size (A)")
    parser.add_argument("--chains", help="chains to keep, e.g. A,B (default: every protein chain)")
    parser.add_argument(
        "--ligand-smiles",
        help="with --ligand: the reference ligand's SMILES (its bond orders); each pose then "
        "gets its interaction similarity to the crystal ligand's interactions",
    )
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
    from drugml.structure.dock import (
        POSE_SELECTIONS,
        SCORING_FUNCTIONS,
        DockingSettings,
        KeyInteraction,
    )

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
    parser.add_argument(
        "--pose-selection",
        choices=list(POSE_SELECTIONS),
        help="the pose kept per molecule: best score, best-scored making the key interaction "
        "(needs --key-residue), or most similar to the reference ligand's interactions within "
        "the energy range (needs --ligand-smiles) (default: key_interaction with "
        "--key-residue, else score)",
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


def _check_flags(args: argparse.Namespace) -> None:
    """Flags that only make sense together, refused before any work."""
    from drugml.structure.dock import DockingError

    if args.center is not None and args.size is None:
        raise DockingError("--center needs --size")
    if args.ligand_smiles and not args.ligand:
        raise DockingError("--ligand-smiles needs --ligand (the reference ligand's residue name)")
    if args.pose_selection == "key_interaction" and not args.key_residue:
        raise DockingError("--pose-selection key_interaction needs --key-residue")
    if args.pose_selection == "interaction_similarity" and not args.ligand_smiles:
        raise DockingError(
            "--pose-selection interaction_similarity needs --ligand and --ligand-smiles "
            "(the reference ligand whose interactions the poses are compared with)"
        )


def _chains(args: argparse.Namespace) -> list[str] | None:
    return [c for c in args.chains.split(",") if c] if args.chains else None


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
    chains = _chains(args)
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


def _box(args: argparse.Namespace) -> tuple[Box, str]:
    """The search box (given, around ``--residues``, a ``--pocket`` or ``--ligand``) and
    where it is, in words."""
    from drugml.structure import dock

    if args.center is not None:
        return dock.Box(tuple(args.center), tuple(args.size)), "given"
    if args.residues:
        box = dock.box_from_residues(args.structure, args.residues.split(","))
        return box, f"around residues {args.residues}"
    if args.pocket is not None:
        from drugml.structure.pockets import box_from_pocket, find_pockets, select_pocket

        pockets = find_pockets(args.structure, chains=_chains(args))
        pocket = select_pocket(pockets, args.pocket)
        return box_from_pocket(pocket), (
            f"around pocket {pocket.rank} of {len(pockets)} ({pocket.volume:.0f} Å³, "
            f"score {pocket.score:.2f}, {len(pocket.residues)} residues)"
        )
    return dock.box_from_ligand(args.structure, args.ligand), f"around ligand {args.ligand}"


def _reference_ligand(args: argparse.Namespace) -> Chem.Mol | None:
    """The crystal ligand with the bond orders of ``--ligand-smiles`` (None without it)."""
    if not args.ligand_smiles:
        return None
    from drugml.structure import load_structure

    return load_structure(args.structure).ligand_mol(args.ligand, args.ligand_smiles)


def _settings(
    args: argparse.Namespace,
    key: KeyInteraction | None,
    reference: InteractionReference | None = None,
) -> DockingSettings:
    """Vina's settings from the flags: ``--pose-selection``, else a key interaction chooses
    the pose making it; a reference's interactions give every pose its similarity to them."""
    from drugml.structure import dock

    selection = args.pose_selection or ("key_interaction" if key else "score")
    return dock.DockingSettings(
        exhaustiveness=args.exhaustiveness,
        n_poses=args.n_poses,
        seed=args.seed,
        scoring=args.scoring,
        time_limit=args.time_limit,
        ph=args.ph,
        pose_selection=selection,
        key_interaction=key,
        check_poses=not args.no_pose_checks,
        covalent_distance=args.covalent_distance,
        reference_interactions=reference,
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
            similarity = row.get("docking_interaction_similarity")
            if similarity is not None and similarity == similarity:  # not NaN
                extra += f", interaction similarity {similarity:.2f}"
            print(f"  {row['docking_score']:7.2f} kcal/mol{extra}  {row[column]}")
