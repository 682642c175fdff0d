"""``drugml rank``: rank (or re-rank) a finished screen in bounded memory."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml import schema
from drugml.cli._command import Command

if TYPE_CHECKING:
    from drugml.campaign.rerank import RerankSettings
    from drugml.screening.rank_stream import ScreenParts

__all__ = ["RankCommand"]


class RankCommand(Command):
    name = "rank"
    help = "rank (or re-rank) a finished screen in bounded memory"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "screen", help="output folder of `drugml screen` (or the screen/ of a run)"
        )
        parser.add_argument(
            "--config",
            help="ranking YAML/TOML, or a campaign YAML (its ranking: section, "
            "name column and known actives; default: the default ranking)",
        )
        parser.add_argument(
            "--out",
            required=True,
            help="folder for ranked/, ranked_candidates.csv, ranking.json, report.html",
        )
        parser.add_argument(
            "--top",
            type=int,
            default=1000,
            help="rows of ranked_candidates.csv (default: %(default)s)",
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="replace another screen's or configuration's ranking in --out",
        )
        parser.add_argument(
            "--no-report",
            action="store_true",
            help="skip report.html (the ranking's page: candidates, short list, known "
            "actives, configuration)",
        )

    def run(self, args: argparse.Namespace) -> int:
        import time

        from drugml.campaign.rerank import ranking_settings
        from drugml.screening.rank_stream import check_screen, rank_screen
        from drugml.screening.validation import training_compounds

        start = time.perf_counter()
        settings = ranking_settings(args.config)
        screen = check_screen(args.screen)
        notes: list[str] = []
        settings = _without_absent_docking(settings, screen, notes)
        models = screen.manifest.get("fingerprint", {}).get("models", {})
        run = schema.RunFolder(Path(args.screen).resolve().parent)
        trained_on = training_compounds(run.root, models)
        if run.config.is_file() and not (settings.name_column or settings.known_actives):
            # the screen of a drugml run: its library's names find its known actives
            of_run = ranking_settings(run.config)
            settings = dataclasses.replace(
                settings, name_column=of_run.name_column, known_actives=of_run.known_actives
            )
        ranked = rank_screen(
            args.screen,
            settings.config,
            args.out,
            name_column=settings.name_column,
            trained_on=trained_on,
            known_actives=settings.known_actives,
            top_n=args.top,
            overwrite=args.overwrite,
        )
        _print_summary(ranked.summary, trained_on, args.out, time.perf_counter() - start)
        page = schema.RunFolder(args.out).report
        if args.no_report:
            page.unlink(missing_ok=True)  # a page of an earlier ranking in --out would mislead
        else:
            from drugml.report import write_ranking_report

            write_ranking_report(page, ranked, notes=notes)
            print(f"the page to read: {page}")
        return 0


def _without_absent_docking(
    settings: RerankSettings, screen: ScreenParts, notes: list[str]
) -> RerankSettings:
    """The settings without their docking objectives and filters when the screen has no docking
    columns (the reason appended to ``notes`` and printed); unchanged otherwise."""
    if not (
        settings.config.uses_docking()
        and not set(schema.DOCKING_COLUMNS) & set(screen.schema.names)
    ):
        return settings
    # a campaign's own configuration: docking scores exist for the docked molecules only,
    # which `drugml run` re-orders by them after this ranking (rerank_docked)
    left_out = sorted(set(schema.DOCKING_COLUMNS) & set(settings.config.columns()))
    settings = dataclasses.replace(settings, config=settings.config.without_docking())
    if not settings.config.objectives:
        from drugml.screening.ranking_config import RankingConfigError

        raise RankingConfigError(
            f"every objective of the ranking is on a docking column ({', '.join(left_out)}), "
            "which a screen does not have; give --config a ranking with an objective on "
            "the screen's columns (`drugml config show` lists them)"
        )
    notes.append(
        f"The ranking's docking objectives and filters ({', '.join(left_out)}) are "
        "left out: a screen has no docking columns (`drugml run` re-orders the "
        "docked molecules by them)."
    )
    print(f"drugml rank: {notes[-1]}", file=sys.stderr)
    return settings


def _print_summary(
    summary: dict[str, Any], trained_on: dict[str, list[str]] | None, out: str, seconds: float
) -> None:
    """What the ranking found, and where its tables are."""
    known = summary.get("known_actives") or {}
    print(
        f"ranked {summary['structures']:,} distinct structures ({summary['screen_rows']:,} "
        f"screened rows, {summary['salt_forms_merged']:,} salt forms and duplicates merged): "
        f"{summary['passing']:,} pass the filters, {summary['selected']} on the short list"
        + (f", {known['found']} known actives found" if known else "")
        + (", training compounds marked" if trained_on else "")
        + f" ({seconds:.1f} s)"
    )
    print(
        f"the best {summary['top_n']:,} in {out}/ranked_candidates.csv; every structure "
        f"in {out}/ranked/ ({summary['parts']} Parquet parts)"
    )
