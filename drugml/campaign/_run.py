"""``drugml run``: a campaign as a list of named steps over one run folder."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml import schema
from drugml._util.io import json_default
from drugml._version import __version__
from drugml.campaign._design import run_design
from drugml.campaign._docking import dock_candidates, rerank_docked
from drugml.campaign._inputs import CampaignInputs, check_inputs
from drugml.campaign._training import TrainingData, train_model, training_data
from drugml.campaign.config import CampaignConfig, ConfigError, default_config_path, load_config
from drugml.schema import RunFolder

if TYPE_CHECKING:
    import pandas as pd

#: Screens with more scored rows are ranked by :func:`drugml.screening.rank_stream.rank_screen`
#: (in bounded memory; Pareto fronts over the best pool), smaller ones in memory by
#: :func:`drugml.screening.rank.rank_candidates` (every column of every structure in
#: ``ranked_candidates.csv``; Pareto fronts over all of them: O(n^2)).
IN_MEMORY_RANKING_ROWS = 20_000


def lead_models(config: CampaignConfig) -> list[str]:
    """Models scored by an increasing objective on their prediction, heaviest weight first.

    The first is the campaign's lead model: the report plots it, and the
    validation compares the final ranking with each of these models alone
    (:func:`drugml.screening.rank.lead_models` of its ranking).
    """
    from drugml.screening.rank import lead_models as ranking_leads

    return ranking_leads(config.ranking, config.model_tasks())


def run(
    config: str | Path | Mapping[str, Any] | CampaignConfig | None,
    out_dir: str | Path,
    progress: bool = True,
) -> dict[str, Any]:
    """Run a campaign; returns the metrics (also in ``out_dir/metrics.json``).

    ``config``: a YAML path, dict or :class:`~drugml.campaign.config.CampaignConfig`
    (``None``: the shipped EGFR default). ``progress``: say what runs, with
    progress bars for training and screening.
    """
    campaign = CampaignRun.start(config, out_dir, progress)
    campaign.prepare_models()  # times its curation and its training apart
    campaign.step("screen", campaign.screen)
    campaign.step("rank", campaign.rank)
    if campaign.config.docking is not None and campaign.config.docking.top_n:
        campaign.step("docking", campaign.dock)
    if campaign.config.design is not None:
        campaign.step("design", campaign.design)
    campaign.summarize()
    campaign.step("report", campaign.write_report)
    return campaign.finish()


@dataclass
class CampaignRun:
    """One campaign run: its checked inputs, its folder, and what each step hands the next."""

    config: CampaignConfig
    inputs: CampaignInputs
    folder: RunFolder
    progress: bool
    started: float
    n_jobs: int
    timings: dict[str, float] = field(default_factory=dict)
    training: dict[str, TrainingData] = field(default_factory=dict)
    model_metrics: dict[str, dict] = field(default_factory=dict)
    held_out: dict[str, dict] = field(default_factory=dict)
    model_dirs: dict[str, Path] = field(default_factory=dict)
    screen_summary: dict[str, Any] = field(default_factory=dict)
    rejects: Any = None
    ranked: Any = None  # a DataFrame, or a RankedScreen for a big screen
    n_unique: int = 0
    known: Any = None  # the known actives' rows of the ranking
    validation: dict[str, Any] = field(default_factory=dict)
    docking_summary: dict[str, Any] | None = None
    similarity_summary: dict[str, Any] | None = None
    trained_on: dict[str, list[str]] = field(default_factory=dict)  # InChIKey -> models
    designed: Any = None  # the design stage's DesignResult
    metrics: dict[str, Any] = field(default_factory=dict)
    report: Path | None = None  # the report's page, once written

    @classmethod
    def start(cls, config: Any, out_dir: str | Path, progress: bool = True) -> CampaignRun:
        """Check the configuration and every input before any work; write ``config.yaml``."""
        started = time.perf_counter()
        config = load_config(config if config is not None else default_config_path())
        inputs = check_inputs(config)  # every file, column and ranking column
        folder = RunFolder(out_dir)
        folder.root.mkdir(parents=True, exist_ok=True)
        folder.config.write_text(config.to_yaml(), encoding="utf-8")
        n_jobs = int(config.n_jobs or os.cpu_count() or 1)
        return cls(config, inputs, folder, progress, started, n_jobs)

    @property
    def seed(self) -> int:
        return int(self.config.seed)

    def say(self, message: str) -> None:
        if self.progress:
            print(f"[drugml run] {message}", flush=True)

    def step(self, name: str, action: Callable[..., None], *args: Any) -> None:
        """Run one step (``action(*args)``) and add its time to ``timings_seconds``."""
        tick = time.perf_counter()
        action(*args)
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - tick

    # 1. Training data, 2. models: each checked on a held-out fold and saved.
    def prepare_models(self) -> None:
        """Curate each model's training data, then train, check and save the model."""
        self.timings["curate"] = self.timings["models"] = 0.0
        for model_config in self.config.models:
            self.step("curate", self._curate, model_config)
            self.step("models", self._train, model_config)

    def _curate(self, model_config: Any) -> None:
        name = model_config.name
        set_ = self.training[name] = training_data(
            model_config, self.inputs, self.folder.root, n_jobs=self.n_jobs
        )
        folder = self.folder.training(name)
        folder.mkdir(parents=True, exist_ok=True)
        set_.table.to_csv(self.folder.training_set(name), index=False)
        set_.log.to_csv(self.folder.curation_log(name), index=False)
        set_.rejected.to_csv(self.folder.rejected(name), index=False)
        self.say(
            f"{name}: {set_.summary['raw_records']:,} records curated into "
            f"{len(set_.smiles):,} compounds ({len(set_.rejected):,} records not used, "
            f"see training/{name}/rejected.csv)"
        )

    def _train(self, model_config: Any) -> None:
        name = model_config.name
        set_ = self.training[name]
        self.say(
            f"training the {name} model ({model_config.task}, {model_config.estimator}, "
            f"{self.n_jobs} threads)"
        )
        model, metrics, self.held_out[name] = train_model(
            model_config, set_, seed=self.seed, n_jobs=self.n_jobs, progress=self.progress
        )
        metrics["training_data"] = set_.summary
        self.model_metrics[name] = metrics
        self.model_dirs[name] = self.folder.model(name)
        model.save(self.model_dirs[name])
        self.say(f"{name} model, {metrics['split']}-split test: " + headline(metrics))

    # 3. Screen, once, with every model.
    def screen(self) -> None:
        from drugml.screening.screen import load_rejects, screen_library

        library = self.config.library
        label = self.inputs.label("library.path", self.folder.root)
        self.say(f"screening {label}")
        self.screen_summary = screen_library(
            self.inputs.paths["library.path"],
            self.model_dirs,
            self.folder.screen,
            chunk_size=library.chunk_size,
            n_jobs=int(library.n_jobs or self.n_jobs),
            smiles_column=library.smiles_column,
            id_column=library.id_column,
            keep_columns=self.kept_columns,
            alerts=library.alerts,
            resume=False,
            progress=self.progress,
            profile=library.profile,
            ranking=self.config.ranking,
            backend=library.backend,
            client=library.scheduler,
        )
        self.screen_summary["library"] = label
        self.rejects = load_rejects(self.folder.screen)

    @property
    def kept_columns(self) -> list[str]:
        """Library columns the screen keeps: the names (they find the known actives)."""
        name_column = self.config.library.name_column
        return [name_column] if name_column else []

    # 4. Rank: one row per parent structure (salt forms and duplicates merged); a big
    # screen streams (drugml.screening.rank_stream): ranked_candidates.csv is then its top.
    # 5. Validation: where the known actives land, by the final ranking and each lead alone.
    def rank(self) -> None:
        """Rank without the docking objectives and filters (they wait for the docking)."""
        trained_on = self.trained_on
        for name, set_ in self.training.items():
            for key in dict.fromkeys(set_.inchikeys):
                trained_on.setdefault(key, []).append(name)
        if self.screen_summary["scored"] > IN_MEMORY_RANKING_ROWS:
            self._rank_streamed(trained_on)
        else:
            self._rank_in_memory(trained_on)

    @property
    def leads(self) -> dict[str, str]:
        """Lead model -> its prediction column."""
        tasks = self.config.model_tasks()
        return {
            name: schema.prediction_column(name, tasks[name]) for name in lead_models(self.config)
        }

    def _rank_streamed(self, trained_on: dict[str, list[str]]) -> None:
        from drugml.screening.rank_stream import rank_screen

        if self.config.similarity_3d is not None:
            raise ConfigError(
                f"similarity_3d overlays every screened molecule before the ranking, which "
                f"is done in memory up to {IN_MEMORY_RANKING_ROWS:,} molecules; this screen "
                f"holds {self.screen_summary['scored']:,}: remove the section, or screen a "
                "pre-filtered library"
            )

        kept = self.kept_columns
        ranked = rank_screen(
            self.folder.screen,
            self.config.ranking.without_docking(),
            self.folder.root,
            name_column=kept[0] if kept else None,
            trained_on=trained_on,
            known_actives=self.config.validation.known_actives,
            rank_by=list(self.leads.values()),
            overwrite=True,
        )
        self.ranked, self.n_unique = ranked, len(ranked)
        self.validation.update(ranked.validation(self.leads))
        self.known = ranked.known

    def _rank_in_memory(self, trained_on: dict[str, list[str]]) -> None:
        from drugml.screening.rank import rank_candidates
        from drugml.screening.screen import load_results, merge_salt_forms
        from drugml.screening.validation import enrichment_of_ranked, find_known_actives

        kept = self.kept_columns
        screened = load_results(self.folder.screen)
        unique = merge_salt_forms(screened, kept[0] if kept else None)
        if self.config.similarity_3d is not None:
            unique = self._similarity_3d(unique)
        ranked = rank_candidates(unique, self.config.ranking.without_docking())
        ranked["in_training_data"] = ranked["inchikey"].isin(trained_on)
        ranked["training_data_of"] = ["; ".join(trained_on.get(k, [])) for k in ranked["inchikey"]]
        actives = find_known_actives(
            screened, self.config.validation.known_actives, self.config.library.name_column or ""
        )
        ranked["known_active"] = ranked["inchikey"].isin(actives)
        self.write_ranked(ranked, parquet=True)
        self.ranked, self.n_unique = ranked, len(unique)
        self.validation.update(enrichment_of_ranked(ranked, actives, set(trained_on), self.leads))
        self.known = ranked[ranked["known_active"]]

    def _similarity_3d(self, unique: pd.DataFrame) -> pd.DataFrame:
        """Each unique molecule overlaid on the reference ligand(s) (``similarity_3d``)."""
        from drugml.campaign._similarity import add_similarity_3d

        if self.progress:
            print(f"overlaying {len(unique):,} molecules on the reference ligand(s) in 3D")
        unique, self.similarity_summary = add_similarity_3d(
            self.config, self.inputs, unique, self.n_jobs, self.progress
        )
        self.timings["similarity_3d"] = self.similarity_summary["seconds"]
        return unique

    def write_ranked(self, frame: pd.DataFrame, parquet: bool) -> None:
        frame.to_csv(self.folder.ranked_csv, index=False)
        if parquet:
            frame.to_parquet(self.folder.ranked_parquet, index=False)

    # 4b. Dock the top of the short list; docking objectives re-order the docked molecules.
    def dock(self) -> None:
        started = time.perf_counter()
        docking = self.config.docking
        from drugml.screening.rank_stream import RankedScreen

        streamed = isinstance(self.ranked, RankedScreen)
        frame = self.ranked.top if streamed else self.ranked
        self.say(
            f"docking the best {docking.top_n} of the short list "
            f"(exhaustiveness {docking.exhaustiveness})"
        )
        frame, self.docking_summary = dock_candidates(
            self.config,
            self.inputs,
            frame,
            self.folder.docking,
            n_jobs=self.n_jobs,
            progress=self.progress,
        )
        frame = rerank_docked(frame, self.config.ranking)
        if streamed:  # the docked molecules are at the top: its table and the highlights
            self._update_streamed(frame)
        else:
            self.ranked = frame
            self.write_ranked(frame, parquet=True)
        done = self.docking_summary
        elapsed = time.perf_counter() - started
        self.say(
            f"docked {done['docked']} of {done['asked']} in {elapsed:.0f} s: "
            f"{done['key_interaction_made']} make the key interaction, {done['poses_ok']} "
            "poses pass PoseBusters' checks"
        )

    def _update_streamed(self, frame: pd.DataFrame) -> None:
        self.ranked.top = frame
        columns = ["inchikey", *[c for c in frame.columns if c in schema.DOCKING_COLUMNS]]
        highlights = self.ranked.highlights
        highlights = highlights.drop(columns=[c for c in columns[1:] if c in highlights])
        self.ranked.highlights = highlights.merge(frame[columns], on="inchikey", how="left")
        self.write_ranked(frame, parquet=False)

    # 6. Design: analogues of the short list, scored like the screen; the next batch.
    def design(self) -> None:
        from drugml.screening.rank_stream import RankedScreen

        design = self.config.design
        seeds_given = design.seeds != "shortlist"
        self.say(
            f"design: analogues of the first {design.n_seeds} "
            + ("seeds given" if seeds_given else "of the short list")
        )
        frame = self.ranked.top if isinstance(self.ranked, RankedScreen) else self.ranked
        self.designed = run_design(
            self.config,
            frame,
            self.inputs.table("design.seeds") if seeds_given else None,
            self.model_dirs,
            self.folder.proposals,
            lead=lead_models(self.config)[0],
            trained_on=self.trained_on,
            n_jobs=self.n_jobs,
            progress=self.progress,
        )
        self.designed.next_batch.to_csv(self.folder.next_batch, index=False)
        done = self.designed.summary
        self.say(
            f"{done['proposals']:,} analogues proposed ({done['new']:,} new, "
            f"{done['passing_filters']:,} pass the filters); next batch of {done['batch']} "
            f"({done['batch_from_proposals']} proposals) in next_batch.csv"
        )

    def summarize(self) -> None:
        """The run's metrics: models, screen, validation, docking, timings, inputs."""
        from drugml._util.io import sha256

        known = self.known
        self.validation["known_actives_failing_filters"] = (
            known.loc[~known["passes_filters"], "id"].astype(str).tolist()
        )
        found = self.validation["all_compounds"]
        n_seen = int(known["in_training_data"].sum())
        self.say(
            f"screened {self.screen_summary['records']:,} records; known actives in the top 5 %: "
            f"{found['n_in_top_5pct']} of {found['n_known_actives']} ({n_seen} of the "
            f"{found['n_known_actives']} are in a model's training data)"
        )
        scored = self.screen_summary["scored"]
        self.metrics = {
            "name": self.config.name,
            "drugml": __version__,
            "seed": self.seed,
            "models": self.model_metrics,
            "screen": {
                **self.screen_summary,
                "unique_structures": self.n_unique,
                "salt_forms_merged": int(scored - self.n_unique),
            },
            "validation": self.validation,
            **({"docking": self.docking_summary} if self.docking_summary else {}),
            **({"similarity_3d": self.similarity_summary} if self.similarity_summary else {}),
            **({"design": self.designed.summary} if self.designed is not None else {}),
            "timings_seconds": {k: round(v, 1) for k, v in self.timings.items()},
            "inputs": {
                key: {"source": self.inputs.label(key, self.folder.root), "sha256": sha256(path)}
                for key, path in self.inputs.paths.items()
            },
        }

    def write_report(self) -> None:
        from drugml import data
        from drugml.report import write_report

        self.say("writing the report")
        self.report = write_report(
            self.folder.report,
            config=self.config,
            metrics=self.metrics,
            ranked=self.ranked,
            rejects=self.rejects,
            held_out=self.held_out,
            curation_logs={n: s.log for n, s in self.training.items()},
            structure_path=self.inputs.paths.get("target.structure"),
            data_versions=data_checksums(data),
            design=self.designed,
        )

    def finish(self) -> dict[str, Any]:
        """Write ``metrics.json`` with the report's and the total time; return the metrics."""
        timings = self.metrics["timings_seconds"]
        timings["report"] = round(self.timings["report"], 1)
        timings["total"] = round(time.perf_counter() - self.started, 1)
        text = json.dumps(self.metrics, indent=2, default=json_default) + "\n"
        self.folder.metrics.write_text(text)
        self.say(f"done in {timings['total']:.0f} s: {self.report}")
        return self.metrics


def headline(metrics: Mapping[str, Any]) -> str:
    """A model's held-out result in one line."""
    if metrics.get("task") == "classification":
        return (
            f"ROC-AUC {metrics['roc_auc']:.2f}, PR-AUC {metrics['pr_auc']:.2f} "
            f"({metrics['n_test']:,} molecules)"
        )
    return (
        f"RMSE {metrics['rmse']:.2f}, R2 {metrics['r2']:.2f}, interval coverage "
        f"{metrics['coverage']:.0%} ({metrics['n_test']:,} molecules)"
    )


def data_checksums(data_module: Any) -> list[dict[str, str]]:
    """Name, sha256 and licence of every embedded data set (the report lists them)."""
    table = data_module.list_datasets()
    return table[["name", "sha256", "licence"]].to_dict(orient="records")
