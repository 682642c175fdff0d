"""The fragment database of analogue generation: built by drugml from molecules it has, with
CReM, checksummed, its provenance in a manifest beside it.

A CReM database holds, for each chemical context (the atoms within ``radius`` bonds of an
attachment point), the fragments seen in that context and how often. drugml builds it from
embedded data sets, a user's file or a table of SMILES: each record is standardized
(:func:`drugml.chem.standardize`); records that cannot be are skipped and counted; the
structures left are deduplicated and fragmented by CReM (``frag_mode="acyclic"``: cuts of
acyclic single bonds, CReM's classic substituent and linker replacement).

Next to ``<name>.db`` a manifest ``<name>.db.json`` records drugml's, CReM's and RDKit's
versions, the settings, each source with its sha256 and record counts, the molecules used and
skipped, the file's sha256 and a **content digest**: the sha256 of a sorted dump of the
database's rows, the same for two builds from the same inputs and settings even when SQLite
lays the bytes out differently. :func:`load_fragment_database` checks the file against its
manifest before generation reads it.

Example
-------
>>> db = load_fragment_database()  # the shipped database (EGFR compounds + approved drugs)
>>> db.radius, db.manifest["settings"]["frag_mode"]
(3, 'acyclic')
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml._util.io import sha256, write_json_atomic
from drugml._version import __version__
from drugml.design._errors import FragmentDatabaseError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_FRAGMENT_DATASET",
    "DEFAULT_FRAGMENT_SOURCES",
    "FORMAT_VERSION",
    "REBUILD_COMMAND",
    "FragmentDatabase",
    "build_fragment_database",
    "content_digest",
    "count_cuttable_bonds",
    "load_fragment_database",
]

#: Version of the manifest and of the database layout drugml reads; a database written under
#: another one is refused (rebuild it).
FORMAT_VERSION = 1
#: The manifest's ``format`` field: says what the JSON file is.
MANIFEST_FORMAT = "drugml-fragment-database"
#: The command that (re)builds a fragment database.
REBUILD_COMMAND = "drugml design fragments"
#: The data set name of the shipped database (``drugml.data.info(...)``).
DEFAULT_FRAGMENT_DATASET = "crem_fragments"
#: What the shipped database is built from: ``build_fragment_database(DEFAULT_FRAGMENT_SOURCES,
#: path)`` rebuilds it (the same content digest).
DEFAULT_FRAGMENT_SOURCES: tuple[str, ...] = ("egfr_compounds", "approved_drugs")

# CReM's name of the one fragment set drugml writes (a column of the radius table).
_SET_NAME = "drugml"
# CReM's database schema versions (PRAGMA user_version) this code reads.
_SCHEMA_VERSIONS = (2,)
# SMARTS of the bonds CReM's acyclic fragmentation cuts (its own pattern).
_CUTTABLE_BOND = "[!#1]!@!=!#[!#1]"


@dataclass(frozen=True)
class FragmentDatabase:
    """A checked fragment database: its ``path``, its ``manifest`` and the context ``radius``
    it was built for (generation must use the same radius).

    ``os.fspath(db)`` is the file's path, so the object can be given wherever CReM wants one.
    """

    path: Path
    manifest: dict[str, Any] = field(repr=False)
    radius: int

    def __fspath__(self) -> str:
        return str(self.path)

    @property
    def settings(self) -> dict[str, Any]:
        """The settings it was built with (radius, fragment size, CReM's mode, ...)."""
        return dict(self.manifest["settings"])

    @property
    def content_sha256(self) -> str:
        """The content digest recorded at build time (see :func:`content_digest`)."""
        return str(self.manifest["content_sha256"])

    def describe(self) -> str:
        """One line: what it holds and where it comes from."""
        sources = ", ".join(s["name"] for s in self.manifest["sources"])
        molecules = self.manifest["molecules"]
        return (
            f"{self.path.name}: {self.manifest['fragments']['rows']:,} fragment rows from "
            f"{molecules['used']:,} molecules ({sources}); radius {self.radius}, "
            f"CReM {self.manifest['crem_version']}"
        )


def manifest_path(path: str | Path) -> Path:
    """The manifest beside a database: ``<db>.json``.

    >>> manifest_path("x/fragments.db").as_posix()
    'x/fragments.db.json'
    """
    path = Path(path)
    return path.with_name(path.name + ".json")


def count_cuttable_bonds(mol: Any) -> int:
    """Acyclic single bonds between heavy atoms: the bonds CReM's fragmentation cuts.

    CReM cuts up to four of them at once, so a molecule's fragmentation time grows with the
    fourth power of this count; the build leaves out molecules above ``max_cut_bonds``.

    >>> from rdkit import Chem
    >>> count_cuttable_bonds(Chem.MolFromSmiles("CCOc1ccccc1"))  # C-C, C-O, O-c
    3
    """
    from rdkit import Chem

    return len(mol.GetSubstructMatches(Chem.MolFromSmarts(_CUTTABLE_BOND)))


def content_digest(path: str | Path) -> str:
    """sha256 of a canonical dump of a CReM database: every row of every radius table with its
    context and fragment spelled out, sorted, so that row ids and SQLite's page layout (which
    differ between builds) do not count.

    Two builds from the same molecules with the same settings and CReM version give the same
    digest; a changed row, count or table gives another one.
    """
    from crem.db import get_db_info

    try:
        info = get_db_info(path)  # CReM's own reading of its schema: radius tables, sets
        connection = sqlite3.connect(f"file:{Path(path).resolve().as_posix()}?mode=ro", uri=True)
    except (ValueError, sqlite3.DatabaseError) as exc:
        raise FragmentDatabaseError(
            f"{path} is not a CReM fragment database ({exc}); rebuild it with `{REBUILD_COMMAND}`."
        ) from exc
    try:
        digest = hashlib.sha256()
        digest.update(f"user_version={info['version']}\n".encode())
        for table, sets in info["radius_tables"].items():
            counts = ", ".join(f'r."{name}"' for name in sets)
            rows = connection.execute(
                f"SELECT e.env, f.core_smi, r.core_num_atoms, r.dist2, h.smi, {counts} "
                f"FROM {table} r JOIN envs e ON e.env_id = r.env_id "
                "JOIN frags f ON f.core_smi_id = r.core_smi_id "
                "JOIN frags_h h ON h.core_smi_h_id = f.core_smi_h_id"
            ).fetchall()
            digest.update(f"table={table} sets={','.join(sets)} rows={len(rows)}\n".encode())
            for row in sorted(rows):
                digest.update(("\t".join(map(str, row)) + "\n").encode())
        return digest.hexdigest()
    finally:
        connection.close()


def _user_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


# ---------------------------------------------------------------------------------------------
# Sources: what the molecules of a build come from
# ---------------------------------------------------------------------------------------------


def _smiles_digest(smiles: Sequence[Any]) -> str:
    text = "\n".join("" if s is None else str(s) for s in smiles)
    return hashlib.sha256(text.encode()).hexdigest()


def _dataset_names() -> list[str]:
    from drugml import data

    return data.list_datasets()["name"].tolist()


def _read_source(source: Any, index: int) -> tuple[dict[str, Any], pd.DataFrame]:
    """``(record, table)``: what the manifest says of one source and its molecules (a table
    :func:`drugml.chem.standardize` reads)."""
    import pandas as pd

    from drugml import data
    from drugml.chem import read_molecules, smiles_table

    if isinstance(source, pd.DataFrame):
        return {"name": f"table {index + 1}", "kind": "table"}, source
    if isinstance(source, (str, Path)) and str(source) in _dataset_names():
        name = str(source)
        table = data.load(name)
        entry = data.info(name)
        if not isinstance(table, pd.DataFrame):
            raise FragmentDatabaseError(f"Data set {name!r} is a {entry.kind}, not molecules.")
        return {"name": name, "kind": "dataset", "sha256": entry.sha256}, table
    if isinstance(source, (str, Path)) and Path(source).is_file():
        path = Path(source)
        record = {"name": path.name, "kind": "file", "sha256": sha256(path)}
        return record, read_molecules(path)
    if isinstance(source, (list, tuple, pd.Series)):
        return {"name": f"SMILES list {index + 1}", "kind": "smiles"}, smiles_table(list(source))
    from drugml._util.suggest import suggest

    raise FragmentDatabaseError(
        f"Fragment source {source!r} is neither an embedded data set, a file, a table nor a "
        f"list of SMILES" + suggest(str(source), _dataset_names()) + ""
    )


def _as_source_list(sources: Any) -> list[Any]:
    """The sources of a build as a list: one source, several, or a flat list of SMILES."""
    import pandas as pd

    if isinstance(sources, (str, Path, pd.DataFrame)):
        return [sources]
    items = list(sources)
    if not items:
        raise FragmentDatabaseError("No sources given to build a fragment database from.")
    names = set(_dataset_names())

    def is_named(item: Any) -> bool:
        return isinstance(item, (str, Path)) and (str(item) in names or Path(item).is_file())

    named = [is_named(x) for x in items]
    plain = [isinstance(x, str) for x in items]
    if all(plain) and not any(named):
        return [items]  # a flat list of SMILES is one source
    odd = [x for x, ok in zip(items, named, strict=True) if isinstance(x, str) and not ok]
    if odd:
        from drugml._util.suggest import suggest

        raise FragmentDatabaseError(
            f"Fragment source {odd[0]!r} is neither an embedded data set nor a file"
            + suggest(str(odd[0]), sorted(names))
            + " (give SMILES as one list of their own: [['CCO', ...]])"
        )
    return items


def _molecules(sources: Any, max_cut_bonds: int, n_jobs: int, progress: bool | None) -> tuple:
    """``(smiles, source_records, totals)``: the standardized, unique structures to fragment."""
    from rdkit import Chem

    from drugml.chem import standardize

    seen: set[str] = set()
    kept: list[str] = []
    records = []
    for index, source in enumerate(_as_source_list(sources)):
        record, table = _read_source(source, index)
        out = standardize(table, n_jobs=n_jobs, progress=progress)
        counts = {"records": len(out), "skipped": int((~out["ok"]).sum()), "duplicates": 0}
        counts["too_many_cut_bonds"] = counts["used"] = 0
        record.setdefault("sha256", _smiles_digest(out["input"].tolist()))
        for smiles in out.loc[out["ok"], "smiles"]:
            if smiles in seen:
                counts["duplicates"] += 1
                continue
            seen.add(smiles)
            if count_cuttable_bonds(Chem.MolFromSmiles(smiles)) > max_cut_bonds:
                counts["too_many_cut_bonds"] += 1
                continue
            counts["used"] += 1
            kept.append(smiles)
        records.append({**record, **counts})
    totals = {
        key: sum(r[key] for r in records)
        for key in ("records", "skipped", "duplicates", "too_many_cut_bonds", "used")
    }
    return kept, records, totals


# ---------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------


def build_fragment_database(
    sources: Any,
    path: str | Path,
    *,
    radius: int = 3,
    max_heavy_atoms: int = 10,
    max_cut_bonds: int = 8,
    n_jobs: int = 1,
    progress: bool | None = None,
) -> FragmentDatabase:
    """Build a CReM fragment database at ``path`` (``.db``) and its manifest (``.db.json``).

    ``sources``: an embedded data set's name (``"egfr_compounds"``), a molecule file (SMILES,
    CSV, SDF, Parquet: :func:`drugml.chem.read_molecules`), a DataFrame with a SMILES column,
    a list of SMILES, or a list of any of these. Every record is standardized; records that
    cannot be are skipped and counted in the manifest, as are duplicates (the first is kept)
    and molecules with more than ``max_cut_bonds`` acyclic single bonds between heavy atoms
    (CReM cuts up to four of them at once: their fragmentation time grows as its fourth power
    while their fragments are mostly too large to keep).

    ``radius``: the context radius of the database (generation must use the same one; CReM's
    default is 3). ``max_heavy_atoms``: the largest fragment kept. ``n_jobs``: CReM's worker
    processes. ``progress``: the standardization's bar and CReM's progress lines.

    The build is reproducible: the manifest's ``content_sha256`` (:func:`content_digest`)
    is the same for the same sources and settings.
    ``build_fragment_database(DEFAULT_FRAGMENT_SOURCES, path)`` rebuilds the shipped database
    (on two cores: about two and a half minutes).

    >>> import tempfile, pathlib
    >>> folder = tempfile.TemporaryDirectory()
    >>> db = build_fragment_database(["CCOc1ccccc1", "CC(=O)Nc1ccccc1", "Clc1ccccc1", "C1C"],
    ...                              pathlib.Path(folder.name) / "tiny.db")
    >>> db.manifest["molecules"]["used"], db.manifest["molecules"]["skipped"]
    (3, 1)
    >>> folder.cleanup()
    """
    from drugml._util.parallel import check_n_jobs

    check_n_jobs(n_jobs, 1)
    for name, value in (("radius", radius), ("max_heavy_atoms", max_heavy_atoms),
                        ("max_cut_bonds", max_cut_bonds)):  # fmt: skip
        if not isinstance(value, int) or value < 1:
            raise FragmentDatabaseError(f"{name} must be a whole number >= 1, got {value!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    smiles, records, totals = _molecules(sources, max_cut_bonds, n_jobs, progress)
    if not smiles:
        raise FragmentDatabaseError(
            f"No molecule of the sources could be used ({totals}); nothing to build from."
        )
    settings = {"radius": radius, "max_heavy_atoms": max_heavy_atoms,
                "max_cut_bonds": max_cut_bonds, "frag_mode": "acyclic",
                "fragmentation_mode": 0, "keep_stereo": False, "set_name": _SET_NAME,
                "standardize": "drugml.chem.standardize defaults"}  # fmt: skip
    _run_crem(smiles, path, settings, n_jobs, progress)
    manifest = _new_manifest(path, settings, records, totals)
    manifest["build_seconds"] = round(time.perf_counter() - started, 1)
    write_json_atomic(manifest_path(path), manifest)
    return FragmentDatabase(path=path, manifest=manifest, radius=radius)


def _run_crem(
    smiles: list[str], path: Path, settings: dict[str, Any], n_jobs: int, progress: bool | None
) -> None:
    """CReM's ``create_db`` into a new file that replaces ``path`` only once it is complete."""
    from crem.db import create_db

    # Sorted input and a fresh file: the database's rows do not depend on the sources' order.
    lines = [f"{s} m{i}" for i, s in enumerate(sorted(smiles))]
    temporary = path.with_name(f".{path.name}.building-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    try:
        create_db(lines, temporary, settings["set_name"], radii=(settings["radius"],),
                  ncpu=_cores(n_jobs), max_heavy_atoms=settings["max_heavy_atoms"],
                  mode=settings["fragmentation_mode"], frag_mode=settings["frag_mode"],
                  keep_stereo=settings["keep_stereo"], verbose=bool(progress))  # fmt: skip
        _compact(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _new_manifest(
    path: Path, settings: dict[str, Any], records: list[dict], totals: dict[str, int]
) -> dict[str, Any]:
    from crem import __version__ as crem_version
    from rdkit import __version__ as rdkit_version

    return {
        "format": MANIFEST_FORMAT,
        "format_version": FORMAT_VERSION,
        "drugml_version": __version__,
        "crem_version": crem_version,
        "rdkit_version": rdkit_version,
        "settings": settings,
        "sources": records,
        "molecules": totals,
        "fragments": _table_counts(path, settings["radius"]),
        "sha256": sha256(path),
        "content_sha256": content_digest(path),
        "rebuild": f"{REBUILD_COMMAND} (or build_fragment_database(sources, path, ...))",
    }


def _cores(n_jobs: int) -> int:
    """CReM's ``ncpu`` for drugml's ``n_jobs`` (-1: every core this process may use)."""
    from drugml._util.parallel import threads_per_worker

    return threads_per_worker(1) if n_jobs == -1 else n_jobs


def _compact(path: Path) -> None:
    """Leave the file self-contained and readable from a read-only folder: CReM leaves it in
    WAL mode (a reader must then create ``-shm`` files beside it); VACUUM drops free pages."""
    import gc

    # CReM's verbose statistics open a connection in a ``with`` block, which commits but does
    # not close it: it holds a lock until collected.
    gc.collect()
    connection = sqlite3.connect(path, timeout=30)
    try:
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("VACUUM")
    finally:
        connection.close()


def _table_counts(path: Path, radius: int) -> dict[str, int]:
    connection = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True)
    try:

        def count(table: str) -> int:
            return int(connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

        return {"rows": count(f"radius{radius}"), "contexts": count("envs"),
                "fragments": count("frags")}  # fmt: skip
    finally:
        connection.close()


# ---------------------------------------------------------------------------------------------
# Load and check
# ---------------------------------------------------------------------------------------------


def _rebuild_hint(path: Path) -> str:
    return (
        f"Rebuild it with `{REBUILD_COMMAND} --out {path}` (Python: "
        "drugml.design.build_fragment_database(sources, path))."
    )


def _default_path() -> Path:
    from drugml import data

    return data.path(DEFAULT_FRAGMENT_DATASET, verify_checksum=False)


def _read_manifest(path: Path) -> dict[str, Any]:
    side = manifest_path(path)
    try:
        manifest = json.loads(side.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FragmentDatabaseError(
            f"Fragment database {path} has no manifest ({side.name} beside it), so its origin "
            f"and checksum are unknown. {_rebuild_hint(path)}"
        ) from None
    except json.JSONDecodeError as exc:
        raise FragmentDatabaseError(
            f"The manifest {side} of fragment database {path} is not valid JSON ({exc}). "
            f"{_rebuild_hint(path)}"
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise FragmentDatabaseError(
            f"{side} is not a drugml fragment database manifest. {_rebuild_hint(path)}"
        )
    return manifest


def _check_versions(path: Path, manifest: dict[str, Any]) -> None:
    from crem import __version__ as crem_version

    found = manifest.get("format_version")
    if found != FORMAT_VERSION:
        raise FragmentDatabaseError(
            f"Fragment database {path} has format version {found} (written by drugml "
            f"{manifest.get('drugml_version', '?')}); this drugml {__version__} reads format "
            f"version {FORMAT_VERSION}. {_rebuild_hint(path)}"
        )
    built = str(manifest.get("crem_version", "?"))
    if built.split(".")[:2] != crem_version.split(".")[:2]:
        raise FragmentDatabaseError(
            f"Fragment database {path} was built with CReM {built}; CReM {crem_version} is "
            f"installed, and CReM's database layout may differ between its versions. "
            f"{_rebuild_hint(path)}"
        )


def load_fragment_database(path: str | Path | None = None) -> FragmentDatabase:
    """Open a fragment database after checking it; ``None``: the shipped one.

    Checks, each failure a :class:`~drugml.design.FragmentDatabaseError` whose message says
    what is wrong and how to rebuild (``drugml design fragments``): the file exists; its
    manifest ``<db>.json`` exists and is drugml's; the manifest's format version is this
    drugml's and its CReM version is the installed one's (same major.minor); the file's
    sha256 is the manifest's (else it is corrupt); CReM's schema version is one drugml reads.

    >>> load_fragment_database().path.name
    'crem_fragments.db'
    >>> load_fragment_database("no/such.db")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    drugml.design._errors.FragmentDatabaseError: Fragment database no/such.db does not exist...
    """
    path = _default_path() if path is None else Path(path)
    if not path.is_file():
        raise FragmentDatabaseError(
            f"Fragment database {path} does not exist. {_rebuild_hint(path)}"
        )
    manifest = _read_manifest(path)
    _check_versions(path, manifest)
    found = sha256(path)
    if found != manifest.get("sha256"):
        raise FragmentDatabaseError(
            f"Fragment database {path} is corrupt: its sha256 is {found}, its manifest "
            f"records {manifest.get('sha256')}. {_rebuild_hint(path)}"
        )
    connection = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True)
    try:
        schema = _user_version(connection)
    finally:
        connection.close()
    if schema not in _SCHEMA_VERSIONS:
        raise FragmentDatabaseError(
            f"Fragment database {path} has CReM schema version {schema}; drugml reads "
            f"{', '.join(map(str, _SCHEMA_VERSIONS))}. {_rebuild_hint(path)}"
        )
    return FragmentDatabase(
        path=path, manifest=manifest, radius=int(manifest["settings"]["radius"])
    )
