"""``drugml next-batch``: the next molecules to test, chosen with the models' uncertainty."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from drugml.cli._command import Command

__all__ = ["NextBatchCommand"]


class NextBatchCommand(Command):
    name = "next-batch"
    help = "pick the next molecules to test from a ranking (uncertainty-aware, diverse)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        from drugml.design import (
            ACQUISITIONS,
            DEFAULT_POOL,
            DIVERSITY_MODES,
            POOLS,
            NextBatchSettings,
        )

        default = NextBatchSettings()
        parser.add_argument(
            "pool",
            help="a run folder of `drugml run` (its ranking and proposals), or a CSV/Parquet "
            "table with a model's columns (a ranking or a screen's results)",
        )
        parser.add_argument("--out", required=True, help="CSV file for the batch")
        parser.add_argument(
            "--objective",
            help="the model the acquisition reads (default for a run: its lead model)",
        )
        parser.add_argument(
            "--task", choices=["regression", "classification"], default="regression",
            help="the objective model's task, for a table (a run knows it)",
        )  # fmt: skip
        parser.add_argument("-k", "--batch-size", type=int, default=default.k)
        parser.add_argument(
            "--acquisition", choices=sorted(ACQUISITIONS), default=default.acquisition
        )
        parser.add_argument("--beta", type=float, default=default.beta, help="UCB's weight of σ")
        parser.add_argument(
            "--threshold",
            type=float,
            help="pi: the value to exceed (default: the pool's best prediction)",
        )
        parser.add_argument("--diversity", choices=DIVERSITY_MODES, default=default.diversity)
        parser.add_argument(
            "--max-similarity", type=float, default=default.max_similarity,
            help="no two picks more similar than this (ECFP4 Tanimoto)",
        )  # fmt: skip
        parser.add_argument(
            "--cluster-similarity", type=float, default=default.cluster_similarity,
            help="--diversity cluster: Butina neighbours at ECFP4 Tanimoto >= this",
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=default.seed)
        parser.add_argument(
            "--from", dest="pool_kind", choices=POOLS, default=DEFAULT_POOL,
            help="a run's pool: its screen, its proposals or both (default: %(default)s)",
        )  # fmt: skip
        parser.add_argument(
            "--ranking", help="ranking YAML/TOML (or campaign YAML) whose hard filters apply"
        )

    def run(self, args: argparse.Namespace) -> int:
        from drugml.design import NextBatchSettings, next_batch

        pool, objective, task, ranking = _pool(args)
        batch = next_batch(
            pool,
            objective,
            task=task,
            ranking=ranking,
            source_column="source" if "source" in pool else None,
            k=args.batch_size,
            acquisition=args.acquisition,
            beta=args.beta,
            threshold=args.threshold,
            diversity=args.diversity,
            max_similarity=args.max_similarity,
            cluster_similarity=args.cluster_similarity,
            seed=args.seed,
        )
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        batch.to_csv(args.out, index=False)
        labels = batch["id"] if "id" in batch else batch[NextBatchSettings().smiles_column]
        for rank, label, reason in zip(
            batch["batch_rank"], labels, batch["pick_reason"], strict=True
        ):
            print(f"{rank:>3}  {label}  {reason}")
        print(f"{len(batch)} picks written to {args.out}")
        return 0


def _pool(args: argparse.Namespace) -> tuple[Any, str, str, Any]:
    """The pool table, the objective model, its task and the ranking (a run gives all four)."""
    import pandas as pd

    from drugml.design import PoolError

    path = Path(args.pool)
    if path.is_dir():
        return _run_pool(path, args)
    if not path.is_file():
        raise PoolError(f"{path} is neither a run folder nor a table")
    table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    if not args.objective:
        raise PoolError("--objective: name the model whose columns the acquisition reads")
    return table, args.objective, args.task, args.ranking


def _run_pool(root: Path, args: argparse.Namespace) -> tuple[Any, str, str, Any]:
    """A run folder's ranking and proposals, its lead model and its ranking."""
    import pandas as pd

    from drugml.campaign import load_config
    from drugml.campaign.pipeline import lead_models
    from drugml.design import PoolError, ProposalFolder, design_pool
    from drugml.schema import RunFolder

    run = RunFolder(root)
    if not run.config.is_file():
        raise PoolError(f"{root} is not the folder of a `drugml run` (no config.yaml)")
    config = load_config(run.config)
    ranked = pd.read_csv(run.ranked_csv) if run.ranked_csv.is_file() else None
    proposals = ProposalFolder(run.proposals).ranked
    proposals = pd.read_csv(proposals) if proposals.is_file() else None
    pool = design_pool(ranked, proposals, args.pool_kind)
    objective = args.objective or lead_models(config)[0]
    tasks = config.model_tasks()
    if objective not in tasks:
        raise PoolError(f"--objective {objective!r} is not a model of this run: {sorted(tasks)}")
    ranking = args.ranking or config.ranking.without_docking()
    return pool, objective, tasks[objective], ranking
