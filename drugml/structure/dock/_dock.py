"""Docking runs: :func:`dock` for one molecule, :func:`dock_many` for a list (local processes
or Dask, each result written as it is done, so that a killed run resumes where it stopped).

:func:`_dock_one_to_file` is the worker that process pools and Dask pickle by reference: it
stays here, at ``drugml.structure.dock._dock._dock_one_to_file``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml._util.io import write_atomic, write_json_atomic
from drugml._version import __version__
from drugml.structure.dock._box import Box
from drugml.structure.dock._deps import quiet_logs
from drugml.structure.dock._receptor import Receptor, check_box, receptor_files
from drugml.structure.dock._settings import (
    MANIFEST,
    DockingError,
    DockingResult,
    DockingSettings,
    result_from_payload,
    result_to_payload,
)
from drugml.structure.dock._vina import dock_in_process, dock_with_time_limit

if TYPE_CHECKING:
    import pandas as pd


def dock(
    molecule: str,
    receptor: Receptor | str | Path,
    box: Box,
    settings: DockingSettings | None = None,
    work_dir: str | Path | None = None,
) -> DockingResult:
    """Dock one molecule (SMILES); a failure is a status of the result, never an exception.

    ``receptor``: a :class:`Receptor` or a folder written by
    :meth:`Receptor.write`. With ``settings.time_limit`` the docking runs in
    a child process that is stopped after that many seconds.

    >>> from drugml.structure.dock import box_from_ligand, prepare_receptor
    >>> receptor = prepare_receptor("egfr_1m17", chains=["A"], keep_waters=["A:10"])
    >>> result = dock("not a smiles", receptor, box_from_ligand("egfr_1m17", "AQ4"))
    >>> result.status, result.reason
    ('unparsable', "SMILES 'not a smiles' does not parse")
    """
    settings = settings or DockingSettings()
    paths = receptor_files(receptor, box, work_dir)
    if settings.time_limit is None:
        return dock_in_process(molecule, paths["pdbqt"], paths["pdb"], box, settings)
    return dock_with_time_limit(molecule, paths, box, settings)


def _dock_one_to_file(
    index: int,
    smiles: str,
    paths: dict[str, str],
    box: Box,
    settings: DockingSettings,
    out_dir: str,
) -> int:
    """Worker: dock one molecule, write its pose SDF and result JSON atomically."""
    quiet_logs()
    if settings.time_limit is None:
        result = dock_in_process(smiles, paths["pdbqt"], paths["pdb"], box, settings)
    else:
        result = dock_with_time_limit(smiles, paths, box, settings)
    folder = Path(out_dir)
    payload = result_to_payload(result)
    sdf = payload.pop("sdf")
    if sdf:
        write_atomic(folder / "poses" / f"{index:06d}.sdf", lambda p: p.write_text(sdf))
    write_json_atomic(folder / "results" / f"{index:06d}.json", payload)
    return index


def dock_many(
    molecules: Sequence[str] | pd.DataFrame,
    receptor: Receptor,
    box: Box,
    out_dir: str | Path,
    settings: DockingSettings | None = None,
    smiles_column: str = "smiles",
    n_jobs: int = 1,
    backend: str = "local",
    client: Any = None,
    resume: bool | str = True,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Dock many molecules: one row per input (same order), the poses in ``out_dir/poses``.

    ``molecules``: SMILES or a DataFrame with ``smiles_column`` (its columns are
    kept). Each molecule is docked on one core (``n_jobs`` processes, or a
    Dask ``client`` with ``backend="dask"``). Each result is written as soon
    as it is done (``out_dir/results/NNNNNN.json`` and ``poses/NNNNNN.sdf``),
    so a killed run resumed with the same inputs and settings skips the
    molecules done and ends with identical output; a folder holding another
    run's results is refused (``resume="if_same"``: started again instead;
    ``resume=False``: always started again). The table is also written to
    ``out_dir/docking.csv``.
    """
    from tqdm.auto import tqdm

    settings = settings or DockingSettings()
    table = _input_table(molecules, smiles_column)
    smiles = [str(s) if isinstance(s, str) else "" for s in table[smiles_column]]
    if backend not in ("local", "dask"):
        raise DockingError(f"backend must be 'local' or 'dask', got {backend!r}")
    out = Path(out_dir)
    for folder in ("results", "poses", "receptor"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    check_box(receptor, box)
    paths = receptor_files(receptor, box, out / "receptor")
    fingerprint = _fingerprint(smiles, receptor, box, settings)
    done = _check_docking_resume(out, fingerprint, resume)
    todo = [i for i in range(len(smiles)) if i not in done]
    bar = tqdm(
        total=len(smiles), initial=len(done), unit="mol", desc="dock", disable=progress is False
    )
    arguments = [(i, smiles[i], paths, box, settings, str(out)) for i in todo]
    try:
        _run(arguments, backend, n_jobs, client, bar)
    finally:
        bar.close()
    result_table = _collect(out, table, len(smiles))
    write_atomic(out / "docking.csv", lambda p: result_table.to_csv(p, index=False))
    return result_table


def _input_table(molecules: Sequence[str] | pd.DataFrame, smiles_column: str) -> pd.DataFrame:
    """The input as a table with a fresh index (its columns kept in the output)."""
    import pandas as pd

    if isinstance(molecules, pd.DataFrame):
        if smiles_column not in molecules:
            raise DockingError(f"No column {smiles_column!r}; columns: {list(molecules.columns)}")
        return molecules.reset_index(drop=True).copy()
    return pd.DataFrame({smiles_column: list(molecules)})


def _run(arguments: list[tuple], backend: str, n_jobs: int, client: Any, bar: Any) -> None:
    """Run :func:`_dock_one_to_file` on each argument tuple: on Dask, here, or in processes."""
    if backend == "dask":
        from dask.distributed import as_completed, get_client

        client = client or get_client()
        futures = [client.submit(_dock_one_to_file, *a, pure=False) for a in arguments]
        for future in as_completed(futures):
            future.result()
            bar.update(1)
    elif n_jobs <= 1 or len(arguments) <= 1:
        for a in arguments:
            _dock_one_to_file(*a)
            bar.update(1)
    else:
        _run_in_processes(arguments, n_jobs, bar)


def _run_in_processes(arguments: list[tuple], n_jobs: int, bar: Any) -> None:
    import concurrent.futures
    import multiprocessing

    # spawn, as the screen: fresh interpreters, no fork of a threaded parent, no server socket
    from drugml._util.parallel import limit_threads, threads_per_worker

    context = multiprocessing.get_context("spawn")
    workers = min(n_jobs, len(arguments))
    with concurrent.futures.ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=limit_threads,
        initargs=(threads_per_worker(workers),),
    ) as pool:
        futures = [pool.submit(_dock_one_to_file, *a) for a in arguments]
        for future in concurrent.futures.as_completed(futures):
            future.result()
            bar.update(1)


def _collect(out: Path, table: pd.DataFrame, n: int) -> pd.DataFrame:
    """The input table with each molecule's result row (read back from its result file)."""
    import pandas as pd

    rows = []
    for i in range(n):
        payload = json.loads((out / "results" / f"{i:06d}.json").read_text())
        result = result_from_payload({**payload, "sdf": ""})
        row = result.row()
        pose_file = out / "poses" / f"{i:06d}.sdf"
        row["docking_pose_file"] = str(pose_file.relative_to(out)) if pose_file.is_file() else ""
        rows.append(row)
    return pd.concat([table, pd.DataFrame(rows)], axis=1)


def _fingerprint(
    smiles: Sequence[str], receptor: Receptor, box: Box, settings: DockingSettings
) -> dict[str, Any]:
    inputs = hashlib.sha256("\n".join(smiles).encode()).hexdigest()
    return {
        "inputs_sha256": inputs,
        "n": len(smiles),
        "receptor_sha256": receptor.sha256,
        "box": box.as_dict(),
        "settings": settings.as_dict(),
    }


def _check_docking_resume(out: Path, fingerprint: dict[str, Any], resume: bool | str) -> set[int]:
    """The molecules a previous run with the same fingerprint finished; another run's results
    are refused (``resume=True``) or removed."""
    manifest_path = out / MANIFEST
    if manifest_path.is_file():
        previous = json.loads(manifest_path.read_text()).get("fingerprint", {})
        if previous != fingerprint and resume is True:
            differences = [k for k in fingerprint if previous.get(k) != fingerprint[k]]
            raise DockingError(
                f"{out} holds a docking run with other inputs or settings (differs in: "
                f"{', '.join(differences)}); refusing to mix them. Use another folder, or "
                "resume=False to start this one again."
            )
        if resume is False or previous != fingerprint:
            for folder in ("results", "poses"):
                for old in (out / folder).iterdir():
                    old.unlink()
    for folder in ("results", "poses"):
        for partial in (out / folder).glob(".*.tmp-*"):
            partial.unlink()  # half-written by a killed run
    write_json_atomic(manifest_path, {"drugml": __version__, "fingerprint": fingerprint})
    done = set()
    for path in (out / "results").glob("*.json"):
        index = int(path.stem)
        if index < fingerprint["n"]:
            done.add(index)
    return done
