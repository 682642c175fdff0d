"""Checking a screen folder before it is ranked: one finished screen, its parts readable and
of one run (:func:`check_screen`), each refusal naming the file and the fix."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drugml.errors import DrugmlError
from drugml.screening.screen import MANIFEST, ScreenFolder

__all__ = [
    "CorruptPartError",
    "IncompleteScreenError",
    "MixedScreenError",
    "ScreenFolderError",
    "ScreenParts",
    "check_screen",
    "corrupt_part",
]

#: Where a command that needs a screen folder should point.
_WHERE = (
    "point at the output folder of `drugml screen` (or the screen/ folder of a `drugml run` output)"
)
_AGAIN = "Screen again into an empty folder"


class ScreenFolderError(DrugmlError, ValueError):
    """A folder is not a finished screen that can be ranked; the message says what to do."""


class IncompleteScreenError(ScreenFolderError):
    """The screen did not finish (killed and not resumed): resume it first."""


class MixedScreenError(ScreenFolderError):
    """The folder holds parts of two runs (other columns, another fingerprint, extra parts)."""


class CorruptPartError(ScreenFolderError):
    """A part file cannot be read: delete it and resume the screen, which redoes that chunk."""


@dataclass
class ScreenParts:
    """A checked screen folder: its parts in chunk order, their common schema, its row count."""

    folder: Path
    parts: list[Path]
    schema: Any
    rows: int
    manifest: dict[str, Any]
    summary: dict[str, Any]

    @property
    def identity(self) -> str:
        """A digest of the screen's fingerprint and counts (which screen a ranking is of)."""
        payload = json.dumps(
            [self.manifest.get("fingerprint"), self.rows, self.summary.get("records")],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def check_screen(screen_dir: str | Path) -> ScreenParts:
    """Check that ``screen_dir`` holds one finished screen; its parts and their common schema.

    Reads the manifest, ``summary.json`` and every part's Parquet footer (no
    rows). Raises :class:`IncompleteScreenError` (no ``summary.json``, or
    finished chunks that do not cover the screen: killed and not resumed),
    :class:`MixedScreenError` (parts that are not this run's chunks, other
    columns, counts or record ranges that disagree) or
    :class:`CorruptPartError` (a part that is not readable Parquet), each
    naming the file and the fix.
    """
    folder = ScreenFolder(screen_dir)
    manifest = _read_manifest(folder)
    resume = _resume_hint(folder.root, manifest)
    summary = _read_summary(folder, manifest, resume)
    parts = _part_files(folder, int(summary.get("chunks", -1)), resume)
    schemas, rows, ranges = _read_footers(parts, resume)
    names = _same_columns(parts, schemas)
    _no_shared_records(parts, ranges)
    _rows_of_a_screen(folder.root, summary, schemas, rows, names)
    common = _common_schema(folder.root, schemas)
    return ScreenParts(folder.root, parts, common, rows, manifest, summary)


def corrupt_part(part: Path, exc: Exception, resume: str) -> CorruptPartError:
    """The error for a part that cannot be read, with ``resume`` (how to redo it)."""
    return CorruptPartError(
        f"{part} is damaged, not a readable Parquet file ({exc}). Delete it "
        f"and {resume.split(', or point')[0]}: the screen redoes that chunk only"
    )


def _read_manifest(folder: ScreenFolder) -> dict[str, Any]:
    if not folder.root.is_dir():
        raise ScreenFolderError(f"{folder.root} is not a folder; {_WHERE}")
    if not folder.manifest_path.is_file():
        raise ScreenFolderError(f"{folder.root} holds no screen (no {MANIFEST}); {_WHERE}")
    try:
        return json.loads(folder.manifest_path.read_text())
    except ValueError as exc:
        raise CorruptPartError(
            f"{folder.manifest_path} is not valid JSON ({exc}); screen the library "
            "again into an empty folder"
        ) from None


def _resume_hint(root: Path, manifest: dict[str, Any]) -> str:
    """How to resume this screen (the fix of an incomplete or damaged one)."""
    library = manifest.get("fingerprint", {}).get("library", "LIBRARY")
    return (
        f"resume it with the same library, models and settings: `drugml screen {library} "
        f"--model ... --out {root}` (resuming is the default; in Python "
        "screen_library(..., resume=True)), or point at the folder of a finished "
        "screen"
    )


def _read_summary(folder: ScreenFolder, manifest: dict[str, Any], resume: str) -> dict[str, Any]:
    """``summary.json``, once it and the manifest agree that every chunk finished."""
    finished = sorted(int(c) for c in manifest.get("finished", []))
    if not folder.summary_path.is_file():
        raise IncompleteScreenError(
            f"The screen in {folder.root} did not finish: {len(finished)} chunk(s) done and no "
            f"summary.json (killed and not resumed); {resume}"
        )
    summary = json.loads(folder.summary_path.read_text())
    chunks = int(summary.get("chunks", -1))
    expected = list(range(chunks))
    if finished != expected:
        missing = sorted(set(expected) - set(finished))
        raise IncompleteScreenError(
            f"The screen in {folder.root} is incomplete: its manifest lists {len(finished)} "
            f"finished chunk(s) of {chunks} (missing e.g. {missing[:5]}): a later run was killed "
            f"and not resumed; {resume}"
        )
    models = sorted(manifest.get("fingerprint", {}).get("models", {}))
    if summary.get("models") is not None and sorted(summary["models"]) != models:
        raise MixedScreenError(
            f"{folder.summary_path} names the models {summary['models']}, the manifest "
            f"{models}: they are of two runs; screen again into an empty folder, or point at "
            "the right folder"
        )
    return summary


def _part_files(folder: ScreenFolder, chunks: int, resume: str) -> list[Path]:
    """The part of every chunk, in chunk order; none missing, none extra."""
    parts = [folder.chunk_paths(chunk)[0] for chunk in range(chunks)]
    absent = [p for p in parts if not p.is_file()]
    if absent:
        raise IncompleteScreenError(
            f"The screen in {folder.root} lacks {len(absent)} part file(s) of finished chunks "
            f"(e.g. {absent[0].name}); {resume}: it redoes those chunks"
        )
    extra = sorted(set(folder.scored_parts()) - set(parts))
    if extra:
        raise MixedScreenError(
            f"{folder.root}/parts holds {len(extra)} part(s) that are not chunks of this screen "
            f"(e.g. {extra[0].name}; the screen has {chunks}): parts of two runs. {_AGAIN}, or "
            "point at the right folder"
        )
    return parts


def _read_footers(parts: list[Path], resume: str) -> tuple[list[Any], int, list[tuple]]:
    """Each part's schema, the rows of all, each part's record range (from the footers)."""
    import pyarrow.parquet as pq

    schemas, rows, ranges = [], 0, []
    for part in parts:
        try:
            metadata = pq.read_metadata(part)
            schema = metadata.schema.to_arrow_schema()
        except Exception as exc:
            raise corrupt_part(part, exc, resume) from None
        schemas.append(schema)
        rows += metadata.num_rows
        ranges.append(_record_range(metadata, schema))
    return schemas, rows, ranges


def _same_columns(parts: list[Path], schemas: list[Any]) -> set[str]:
    """The columns every part has (parts of two configurations are refused)."""
    names = set(schemas[0].names) if schemas else set()
    for part, schema in zip(parts, schemas, strict=True):
        if set(schema.names) != names:
            more, fewer = sorted(set(schema.names) - names), sorted(names - set(schema.names))
            raise MixedScreenError(
                f"{part} has other columns than {parts[0].name} (more: {more}, fewer: {fewer}): "
                f"parts of two configurations in one folder. {_AGAIN}, or point at the right "
                "folder"
            )
    return names


def _no_shared_records(parts: list[Path], ranges: list[tuple]) -> None:
    """No two parts hold the same records (parts of two runs would)."""
    known = [(lo, hi, p) for (lo, hi), p in zip(ranges, parts, strict=True) if lo is not None]
    known.sort(key=lambda item: item[0])
    for (_, hi, first), (lo, _, second) in itertools.pairwise(known):
        if lo <= hi:
            raise MixedScreenError(
                f"{first.name} and {second.name} hold the same records (records up to {hi} and "
                f"from {lo}): parts of two runs. {_AGAIN}"
            )


def _rows_of_a_screen(
    root: Path, summary: dict[str, Any], schemas: list[Any], rows: int, names: set[str]
) -> None:
    """As many rows as the summary says were scored, some, with a screen's columns."""
    if summary.get("scored") is not None and rows != int(summary["scored"]):
        raise MixedScreenError(
            f"The parts of {root} hold {rows:,} rows, its summary.json says "
            f"{int(summary['scored']):,} scored: they are of two runs. {_AGAIN}"
        )
    if not schemas or not rows:
        raise ScreenFolderError(f"The screen in {root} scored no molecule: nothing to rank")
    for required in ("record", "inchikey", "id"):
        if required not in names:
            raise MixedScreenError(
                f"The parts of {root} have no {required!r} column: not a drugml screen; {_WHERE}"
            )


def _common_schema(root: Path, schemas: list[Any]) -> Any:
    """One schema for every part (types promoted), in the first part's column order."""
    import pyarrow as pa

    try:
        common = pa.unify_schemas(schemas, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise MixedScreenError(
            f"The parts of {root} disagree on column types ({exc}): parts of two runs. {_AGAIN}"
        ) from None
    return pa.schema([common.field(name) for name in schemas[0].names])


def _record_range(metadata: Any, schema: Any) -> tuple[int | None, int | None]:
    """Smallest and largest ``record`` of a part from its footer statistics (None if absent)."""
    if "record" not in schema.names or metadata.num_rows == 0:
        return None, None
    index = schema.names.index("record")
    lows, highs = [], []
    for group in range(metadata.num_row_groups):
        stats = metadata.row_group(group).column(index).statistics
        if stats is None or not stats.has_min_max:
            return None, None
        lows.append(stats.min)
        highs.append(stats.max)
    return min(lows), max(highs)
