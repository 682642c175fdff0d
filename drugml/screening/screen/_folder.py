"""The screen folder: the one owner of its layout (manifest, parts, rejects, summary, resume).

A screen writes into one folder::

    manifest.json              the run's fingerprint and its finished chunks
    parts/part-NNNNNN.parquet  scored rows of chunk NNNNNN
    rejects/part-NNNNNN.csv    rejected records of chunk NNNNNN
    summary.json               the counts, written when the screen finished

Every file is written to a temporary name and renamed (atomic on one file
system), so a run killed at any moment leaves whole files, and at worst
``.part-*.tmp-*`` leftovers that the next run removes.

Example
-------
>>> folder = ScreenFolder("screen")
>>> folder.manifest_path.as_posix(), folder.chunk_paths(3)[1].as_posix()
('screen/manifest.json', 'screen/rejects/part-000003.csv')
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml._util.io import sha256, write_atomic, write_json_atomic
from drugml._version import __version__
from drugml.screening.screen._settings import ScreenConfigError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MANIFEST", "SUMMARY", "ScreenFolder", "part_paths", "screen_fingerprint"]

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
PARTS = "parts"
REJECTS = "rejects"


def part_paths(out_dir: Path, chunk: int) -> tuple[Path, Path]:
    """The scored part (Parquet) and the rejects (CSV) of chunk ``chunk`` of a screen.

    >>> part_paths(Path("screen"), 3)[0].as_posix()
    'screen/parts/part-000003.parquet'
    """
    return (
        out_dir / PARTS / f"part-{chunk:06d}.parquet",
        out_dir / REJECTS / f"part-{chunk:06d}.csv",
    )


def screen_fingerprint(
    library: Path, chunk_size: int, model_dirs: Mapping[str, str], read_options: dict
) -> dict[str, Any]:
    """What makes two screens the same run (the manifest's ``fingerprint``): the library and
    its checksum, the chunk size, each model's metadata checksum and the reading options.

    A resumed screen is recognised by it, so its content and order never change.
    """
    from drugml.models import metadata_file

    models = {}
    for name, directory in sorted(model_dirs.items()):
        models[name] = hashlib.sha256(metadata_file(directory).read_bytes()).hexdigest()
    return {
        "library": str(library.resolve()),
        "library_sha256": sha256(library),
        "chunk_size": chunk_size,
        "models": models,
        "read_options": read_options,
    }


@dataclass(frozen=True)
class ScreenFolder:
    """A screen's output folder: where each file lives, and how it is written and resumed."""

    root: Path

    def __init__(self, root: str | Path) -> None:
        object.__setattr__(self, "root", Path(root))

    @property
    def manifest_path(self) -> Path:
        """The run's fingerprint and finished chunks (rewritten after every chunk)."""
        return self.root / MANIFEST

    @property
    def summary_path(self) -> Path:
        """The counts of a finished screen (its presence marks the screen finished)."""
        return self.root / SUMMARY

    @property
    def parts_dir(self) -> Path:
        return self.root / PARTS

    @property
    def rejects_dir(self) -> Path:
        return self.root / REJECTS

    def chunk_paths(self, chunk: int) -> tuple[Path, Path]:
        """The scored part and the rejects of one chunk (:func:`part_paths`)."""
        return part_paths(self.root, chunk)

    def scored_parts(self) -> list[Path]:
        """Every scored part file on disk, in chunk order."""
        return sorted(self.parts_dir.glob("part-*.parquet"))

    def reject_parts(self) -> list[Path]:
        """Every rejects file on disk, in chunk order."""
        return sorted(self.rejects_dir.glob("part-*.csv"))

    def finished_chunks(self, fingerprint: Mapping[str, Any], resume: bool) -> set[int]:
        """Finished chunks to skip; refuses a folder that belongs to another run.

        ``resume=False`` deletes the parts and the manifest of an earlier run instead.
        """
        if not self.manifest_path.is_file():
            return set()
        manifest = json.loads(self.manifest_path.read_text())
        if not resume:
            for folder in (self.parts_dir, self.rejects_dir):
                for old in folder.glob("part-*"):
                    old.unlink()
            self.manifest_path.unlink()
            return set()
        previous = manifest.get("fingerprint", {})
        differences = [key for key in fingerprint if previous.get(key) != fingerprint[key]]
        if differences:
            raise ScreenConfigError(
                f"{self.root} holds a screen of a different run (differs in: "
                f"{', '.join(differences)}); refusing to resume into it. Use another output "
                "folder, or resume=False to overwrite it."
            )
        done = set()
        for chunk in manifest.get("finished", []):
            part, rejects = self.chunk_paths(chunk)
            if part.is_file() and rejects.is_file():
                done.add(int(chunk))
        return done

    def prepare(self) -> None:
        """Make the part folders and remove what a killed run half-wrote."""
        for folder in (self.parts_dir, self.rejects_dir):
            folder.mkdir(exist_ok=True)
            for partial in folder.glob(".part-*.tmp-*"):
                partial.unlink()

    def write_manifest(self, fingerprint: Mapping[str, Any], finished: Iterable[int]) -> None:
        manifest = {"drugml": __version__, "fingerprint": fingerprint, "finished": sorted(finished)}
        write_json_atomic(self.manifest_path, manifest)

    def write_chunk(self, chunk: int, scored: pd.DataFrame, rejected: pd.DataFrame) -> None:
        """One chunk's files: the rejects first, then the part (the manifest comes after)."""
        part, rejects = self.chunk_paths(chunk)
        write_atomic(rejects, lambda p: rejected.to_csv(p, index=False))
        write_atomic(part, lambda p: scored.to_parquet(p, index=False))

    def write_summary(self, summary: Mapping[str, Any]) -> None:
        write_json_atomic(self.summary_path, summary)

    def chunk_counts(self, chunks: Iterable[int]) -> tuple[int, int]:
        """Scored and rejected rows of finished chunks (read from their files)."""
        import pandas as pd
        import pyarrow.parquet as pq

        scored = rejected = 0
        for chunk in chunks:
            part, rejects = self.chunk_paths(chunk)
            scored += pq.ParquetFile(part).metadata.num_rows
            rejected += len(pd.read_csv(rejects, usecols=["record"]))  # inputs may hold newlines
        return scored, rejected
