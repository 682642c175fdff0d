"""The ready ADMET panel (:func:`ready_panel`): built once, on first use, into a user cache,
then loaded in seconds; nothing for the user to train or to know about.

Each endpoint is built on its own (a one-endpoint panel of :func:`train_panel`, moved into
place only when complete), so asking for two endpoints builds two, an interrupted build
leaves nothing half-written and two processes building at once do not clash. The cache
folder is named by drugml's version and a digest of everything the models depend on (the
endpoint table, the embedded data's sha256, the pinned learning libraries' versions): a
change of any of them builds a new panel instead of loading a stale one.

Where: ``$DRUGML_CACHE_DIR/admet-panel/<key>/`` when that variable is set, else
``$XDG_CACHE_HOME/drugml/...`` or ``~/.cache/drugml/...``. ``drugml admet build`` builds it
ahead (Binder's ``postBuild`` does); ``drugml admet build --rebuild`` replaces it.

>>> ready_panel_dir().parent.name
'admet-panel'
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path

from drugml._version import __version__
from drugml.models._admet_endpoints import Endpoint, PanelLoadError, resolve_endpoints
from drugml.models._admet_panel import (
    PANEL_FILE,
    PANEL_FORMAT_VERSION,
    REFERENCE_DATASET,
    AdmetPanel,
    load_panel,
)
from drugml.models._admet_training import train_panel

__all__ = ["CACHE_ENV", "READY_BUILD_SECONDS", "ready_panel", "ready_panel_dir"]

#: The environment variable naming drugml's cache folder.
CACHE_ENV = "DRUGML_CACHE_DIR"
#: The libraries whose versions decide what a fitted model is (each: its distributions' names;
#: XGBoost is installed as ``xgboost-cpu`` here, ``xgboost`` elsewhere).
_MODEL_LIBRARIES = (
    ("numpy",), ("scikit-learn",), ("xgboost", "xgboost-cpu"), ("lightgbm",), ("rdkit",),
    ("skops",),
)  # fmt: skip
#: The whole panel's build, measured alone on 2 cores (benchmarks/results/admet.json).
READY_BUILD_SECONDS = 484


def _cache_root() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "drugml"


def library_versions() -> dict[str, str | None]:
    """The installed version of each library of :data:`_MODEL_LIBRARIES` (None: not found)."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(names: tuple[str, ...]) -> str | None:
        for name in names:
            try:
                return version(name)
            except PackageNotFoundError:
                continue
        return None

    return {names[0]: installed(names) for names in _MODEL_LIBRARIES}


def _panel_key() -> str:
    """drugml's version and a digest of what the models depend on."""
    from drugml import data
    from drugml.models._admet_endpoints import ENDPOINTS

    datasets = sorted({e.dataset for e in ENDPOINTS.values()} | {REFERENCE_DATASET})
    recipe = {
        "format": PANEL_FORMAT_VERSION,
        "endpoints": {name: asdict(e) for name, e in ENDPOINTS.items()},
        "data": {name: data.info(name).sha256 for name in datasets},
        "libraries": library_versions(),
    }
    digest = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()
    return f"{__version__}-{digest[:12]}"


def ready_panel_dir() -> Path:
    """The folder of this drugml's ready panel (it may not be built yet)."""
    return _cache_root() / "admet-panel" / _panel_key()


def _build_endpoint(endpoint: Endpoint, root: Path, n_jobs: int | None) -> None:
    """Train a one-endpoint panel in a private folder, then move it into place whole."""
    work = root / f".{endpoint.name}.{os.getpid()}.partial"
    shutil.rmtree(work, ignore_errors=True)
    train_panel(work, endpoints=[endpoint.name], n_jobs=n_jobs, progress=False)
    target = root / endpoint.name
    shutil.rmtree(target, ignore_errors=True)  # a rebuild replaces it
    try:
        work.rename(target)
    except OSError:  # another process put it there first: keep theirs
        shutil.rmtree(work, ignore_errors=True)


def _build(missing: Sequence[Endpoint], root: Path, n_jobs: int | None, progress: bool) -> None:
    from tqdm.auto import tqdm

    root.mkdir(parents=True, exist_ok=True)
    if progress:
        print(
            f"Building the ADMET panel's {len(missing)} missing endpoint(s) once, into {root} "
            f"(the whole panel takes about {round(READY_BUILD_SECONDS / 60)} min on 2 cores; "
            "later calls load it in seconds)",
            file=sys.stderr,
        )
    bar = tqdm(missing, desc="building the ADMET panel", unit="endpoint", disable=not progress)
    for endpoint in bar:
        bar.set_postfix_str(endpoint.name)
        _build_endpoint(endpoint, root, n_jobs)


def _load_endpoint(root: Path, name: str) -> AdmetPanel:
    try:
        return load_panel(root / name)
    except PanelLoadError as exc:
        raise PanelLoadError(
            f"The ready ADMET panel's {name!r} in {root / name} cannot be loaded ({exc}). "
            "Rebuild it with `drugml admet build --rebuild` (or delete that folder)."
        ) from None


def _merged(panels: Sequence[AdmetPanel], root: Path) -> AdmetPanel:
    """One panel of the one-endpoint panels, with a panel.json-like ``info``."""
    endpoints, models, quantiles, info = {}, {}, {}, {}
    for panel in panels:
        endpoints.update(panel.endpoints)
        models.update(panel.models)
        quantiles.update(panel.quantiles)
        for key in ("endpoint_table", "models"):
            info.setdefault(key, {}).update(panel.info[key])
        info.setdefault("training", {}).update(
            {name: panel.info["training"] for name in panel.endpoints}
        )
        reference = info.setdefault("reference", {**panel.info["reference"], "quantiles": {}})
        reference["quantiles"].update(panel.info["reference"]["quantiles"])
        reference.setdefault("in_domain_fraction", {}).update(
            panel.info["reference"]["in_domain_fraction"]
        )
    info.update(
        format_version=PANEL_FORMAT_VERSION,
        drugml=__version__,
        endpoints=list(endpoints),
        ready=str(root),
    )
    return AdmetPanel(endpoints, models, quantiles, info, root)


def ready_panel(
    endpoints: Iterable[str] | str | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
    rebuild: bool = False,
) -> AdmetPanel:
    """The ADMET panel, ready: loaded from the user cache, its missing endpoints built first
    (once; a progress bar per endpoint). ``endpoints``: names (default: all twelve);
    ``n_jobs``: threads of a build (default: every core); ``rebuild``: build again even
    where built.

    >>> panel = ready_panel(["herg", "hia_hou"])  # doctest: +SKIP
    >>> panel.predict(["CC(=O)Oc1ccccc1C(=O)O"])  # doctest: +SKIP
    """
    chosen = resolve_endpoints(endpoints)
    root = ready_panel_dir()
    missing = [e for e in chosen if rebuild or not (root / e.name / PANEL_FILE).is_file()]
    if missing:
        start = time.perf_counter()
        _build(missing, root, n_jobs, progress)
        if progress:
            print(f"ADMET panel built in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return _merged([_load_endpoint(root, e.name) for e in chosen], root)
