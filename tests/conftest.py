"""Shared fixtures: paths of the checkout and a network-blocked notebook runner."""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
import yaml

from drugml import data

# One pytest-xdist worker per core: each worker, and the kernels and processes it starts,
# gets its share of the cores for OpenMP and BLAS thread pools (torch, scikit-learn's t-SNE,
# NumPy's BLAS). Their idle threads spin, so a pool as big as the machine, on cores that
# all run a worker already, makes these libraries several times slower (notebook 03's
# t-SNE: 41 s instead of 3.5 s). Threads set the speed, not what the tests check.
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _WORKERS > 1:
    _THREADS = max(1, (os.cpu_count() or 1) // _WORKERS)
    for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_name, str(_THREADS))  # libraries loaded from here on
    from threadpoolctl import threadpool_limits

    threadpool_limits(int(os.environ["OMP_NUM_THREADS"]))  # those loaded already (NumPy's)

# Plots in tests never open windows.
matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_configure(config):
    """One drugml cache per test session (the ready ADMET panel's endpoints are built there
    once and shared: xdist's workers and the notebooks' kernels inherit the variable), so
    that the tests neither read nor fill the user's own cache."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # the controller, before workers start
        os.environ["DRUGML_CACHE_DIR"] = tempfile.mkdtemp(prefix="drugml-test-cache-")


def pytest_unconfigure(config):
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        shutil.rmtree(os.environ.get("DRUGML_CACHE_DIR", ""), ignore_errors=True)


REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
LOOPBACK = ["127.0.0.1", "::1", "localhost"]

# Code run first in every kernel the tests start: the same loopback-only rule
# as the pytest process (pyproject addopts), so a notebook that downloads
# anything fails its test.
NETWORK_GUARD = (
    "import pytest_socket\n"
    f"pytest_socket.socket_allow_hosts({LOOPBACK!r}, allow_unix_socket=True)\n"
)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def notebook_dir() -> Path:
    return NOTEBOOK_DIR


# ------------------------------------------- a second target for pipeline and report
FAST = {"n_estimators": 40}


def _write_second_target(folder: Path) -> Path:
    """Write the second target's files into ``folder``; the path of its configuration."""
    compounds = data.load("egfr_compounds").sample(450, random_state=1)
    from rdkit import Chem
    from rdkit.Chem import Crippen, rdMolDescriptors

    rng = np.random.default_rng(1)
    mols = [Chem.MolFromSmiles(s) for s in compounds["smiles"]]
    # A learnable synthetic potency: lipophilicity and aromatic rings help, plus noise.
    pki = np.array(
        [
            5 + 0.4 * Crippen.MolLogP(m) + 0.3 * rdMolDescriptors.CalcNumAromaticRings(m)
            for m in mols
        ]
    ) + rng.normal(0, 0.3, len(mols))
    records = pd.DataFrame(
        {
            "activity_id": np.arange(len(mols)) + 1000,
            "molecule_chembl_id": compounds["molecule_chembl_id"].to_numpy(),
            "canonical_smiles": compounds["smiles"].to_numpy(),
            "standard_type": "Ki",
            "standard_relation": "=",
            "standard_value": 10 ** (9 - pki),
            "standard_units": "nM",
        }
    )
    records.to_csv(folder / "toy_ki.csv", index=False)
    drugs = data.load("approved_drugs").dropna(subset=["smiles"]).head(150)
    (folder / "library.smi").write_text(
        "\n".join(
            f"{s} {i}" for s, i in zip(drugs["smiles"], drugs["molecule_chembl_id"], strict=True)
        )
        + "\n"
    )
    config = {
        "name": "toy kinase",
        "seed": 3,
        "target": {"structure": "egfr_5ug9", "ligand": "8AM", "ligand_smiles": None},
        "models": [
            {
                "name": "potency",
                "data": {"chembl": "toy_ki.csv", "activity_type": "Ki", "active_threshold": 7.0},
                "split": "cluster",
                "estimator": "xgboost",
                "estimator_params": FAST,
            },
            {
                "name": "solubility",
                "data": {
                    "table": "esol",
                    "target_column": "measured log solubility in mols per litre",
                },
                "estimator": "xgboost",
                "estimator_params": FAST,
            },
        ],
        "library": {"path": "library.smi", "chunk_size": 40},
        "ranking": {
            "objectives": {
                "potency": {
                    "column": "potency_prediction",
                    "shape": "increasing",
                    "low": 6.0,
                    "high": 8.0,
                    "weight": 3.0,
                },
                "domain": {
                    "column": "potency_nearest_similarity",
                    "shape": "increasing",
                    "low": 0.2,
                    "high": 0.5,
                },
                "solubility": {
                    "column": "solubility_prediction",
                    "shape": "increasing",
                    "low": -6.0,
                    "high": -3.0,
                },
                "qed": {"column": "qed", "shape": "increasing", "low": 0.2, "high": 0.7},
                # re-orders the two docked molecules of the short list (drugml.campaign.pipeline)
                "docking": {
                    "column": "docking_score",
                    "shape": "decreasing",
                    "low": -9.0,
                    "high": -5.0,
                },
            },
            "top_k": 5,
        },
        # two molecules of the short list, at a quick setting (5UG9 keeps no water); its
        # reference ligand is bonded to Cys797: auto prepares that residue for covalent docking
        "docking": {
            "top_n": 2,
            "exhaustiveness": 1,
            "n_poses": 3,
            "key_interaction": {"residue": "MET793"},
            "covalent_residue": "auto",
        },
        # analogues of the first two of the short list, and a next batch of four (ucb: the
        # default's contender, so both code paths of the acquisition registry run somewhere)
        "design": {
            "n_seeds": 2,
            "generator": {"max_per_seed": 8},
            "batch": {"size": 4, "acquisition": "ucb"},
        },
    }
    path = folder / "toy.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="session")
def second_target(tmp_path_factory):
    """A synthetic ChEMBL-format target: Ki records with SMILES in the records themselves."""
    return _write_second_target(tmp_path_factory.mktemp("toy_target"))


@contextlib.contextmanager
def _session_wide(tmp_path_factory, name: str) -> Iterator[Path]:
    """A folder every pytest-xdist worker of this session sees, held under a lock.

    The recipe of xdist's documentation for work done once per session rather than
    once per worker: the first worker computes it, the others wait and read it back.
    Without xdist (or without ``fcntl``) the folder is this process's own.
    """
    root = tmp_path_factory.getbasetemp()
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: every worker computes its own
        fcntl = None
    if fcntl is None or not os.environ.get("PYTEST_XDIST_WORKER"):
        yield root / name
        return
    with open(root.parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield root.parent / name
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def second_target_run(tmp_path_factory):
    """The second target run by ``drugml.campaign.pipeline.run``: (output folder, metrics).

    Run once per session, not once per xdist worker: it docks, and its tests are
    in test_pipeline.py and test_browser.py, which often run on different workers.
    """
    from drugml.campaign.pipeline import run

    with _session_wide(tmp_path_factory, "second_target") as folder:
        done = folder / "metrics.pickle"
        if not done.is_file():
            if folder.exists():  # a worker that failed half-way: start again
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            metrics = run(_write_second_target(folder), folder / "run", progress=False)
            partial = done.with_suffix(".partial")
            partial.write_bytes(pickle.dumps(metrics))
            partial.replace(done)
            return folder / "run", metrics
        return folder / "run", pickle.loads(done.read_bytes())


# ------------------------------------------- model backends (tests/unit/models/backends/)
@pytest.fixture(scope="session")
def esol_small():
    """200 ESOL molecules and their log solubility to fit on, 20 more SMILES to predict."""
    esol = data.load("esol")
    smiles = esol["smiles"].str.strip().tolist()
    target = esol["measured log solubility in mols per litre"].to_numpy()
    return smiles[:200], target[:200], smiles[200:220]


@pytest.fixture
def round_trip(esol_small, tmp_path, monkeypatch):
    """Fit a model, save it, load it without pickle: ``(saved file names, before, after)``."""

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle used while loading a model")

    def run(task: str = "regression", **params):
        smiles, y, new = esol_small
        targets = y if task == "regression" else (y < -3).astype(int)
        from drugml.models import PropertyModel

        params.setdefault("estimator", "xgboost")
        model = PropertyModel(task=task, calibration_folds=3, **params).fit(smiles, targets)
        directory = model.save(tmp_path / "model")
        with monkeypatch.context() as patch:
            for name in ("load", "loads", "Unpickler"):
                patch.setattr(pickle, name, forbidden)
            loaded = PropertyModel.load(directory)
        files = sorted(p.name for p in directory.iterdir())
        before, after = model.predict(new), loaded.predict(new)
        assert np.isfinite(before["prediction"]).all()
        return files, before, after

    return run
