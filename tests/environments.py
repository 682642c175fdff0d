"""What each install provides: the demo's extras and the Binder environment, as sets of
distributions (with everything they depend on), for the notebook import checks.

The names are mapped explicitly where PyPI and conda-forge differ (``PYPI_TO_CONDA``);
a module is mapped to the distribution that installed it by pip's own record
(``importlib.metadata.packages_distributions``).
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]

# PyPI name -> conda-forge name, where the two differ. Every other package has
# the same name on both, compared in lower case (PyPI's py3Dmol is conda's py3dmol).
PYPI_TO_CONDA = {
    "xgboost-cpu": "py-xgboost-cpu",
}
# conda-forge packages that bundle what a PyPI name needs extras for: conda's
# `dask` is dask-core plus distributed and the dashboard's bokeh.
CONDA_BUNDLES = {"dask": "dask[distributed,diagnostics]"}
# Conda entries that are tooling, not drugml dependencies.
CONDA_TOOLING = {"python", "pip", "nodejs"}

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(.*)$")


def normalize(name: str) -> str:
    """PEP 503 normalized distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def split_spec(spec: str) -> tuple[str, str]:
    """``"name[extra] >=1"`` -> ``("name", ">=1")`` (name in lower case)."""
    name, bound = REQUIREMENT.match(spec).groups()
    return name.lower(), bound.replace(" ", "")


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def demo_extras() -> list[str]:
    """The extras scripts/demo.sh installs (its ``ensure_venv "..."`` line)."""
    text = (ROOT / "scripts" / "demo.sh").read_text()
    found = re.findall(r'^\s*ensure_venv\s+"([^"]*)"', text, flags=re.MULTILINE)
    assert len(found) == 1, "scripts/demo.sh must call ensure_venv exactly once"
    return [e for e in found[0].split(",") if e]


def pyproject_specs(extras: list[str]) -> list[str]:
    """Core dependencies plus those of the given extras, as written in pyproject.toml."""
    info = project()
    specs = list(info["dependencies"])
    for extra in extras:
        specs += info["optional-dependencies"][extra]
    return specs


def conda_packages(path: Path) -> tuple[dict[str, str], list[str]]:
    """``{name: bound}`` of a conda environment file (pip section included) and its pip lines."""
    env = yaml.safe_load(path.read_text())
    assert env["channels"] == ["conda-forge"], f"{path.name}: conda-forge only"
    packages, pip_section = {}, []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            pip_section = entry.get("pip", [])
            # Packages conda-forge lacks come from PyPI in the pip section.
            for spec in pip_section:
                if not spec.startswith("-"):
                    name, bound = split_spec(spec)
                    packages[name] = bound
            continue
        name, bound = split_spec(entry)
        if name not in CONDA_TOOLING:
            packages[name] = bound
    return packages, pip_section


def closure(specs: list[str]) -> set[str]:
    """Every distribution (normalized name) that installing ``specs`` brings, extras included.

    Walks the installed distributions' metadata: a requirement whose marker
    holds for the requested extras is followed. A distribution that is not
    installed here ends the walk on that branch (it is still in the set).
    """
    seen: set[tuple[str, frozenset[str]]] = set()
    names: set[str] = set()
    todo = [Requirement(s) for s in specs]
    while todo:
        requirement = todo.pop()
        name = normalize(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        names.add(name)
        try:
            requires = metadata.requires(requirement.name) or []
        except metadata.PackageNotFoundError:
            continue
        extras = set(requirement.extras) | {""}
        for text in requires:
            child = Requirement(text)
            if child.marker is None or any(
                child.marker.evaluate({"extra": extra}) for extra in extras
            ):
                todo.append(child)
    return names


def demo_distributions() -> set[str]:
    """What `bash scripts/demo.sh` installs."""
    return closure(pyproject_specs(demo_extras()))


def binder_distributions() -> set[str]:
    """What binder/environment.yml installs, through the PyPI names of its packages."""
    conda_to_pypi = {conda: pypi for pypi, conda in PYPI_TO_CONDA.items()}
    packages, _ = conda_packages(ROOT / "binder" / "environment.yml")
    specs = [CONDA_BUNDLES.get(name, conda_to_pypi.get(name, name)) for name in packages]
    return closure(specs)


def distributions_of(modules: set[str]) -> dict[str, set[str]]:
    """Top-level module -> the distributions that provide it (stdlib and drugml left out)."""
    providers = metadata.packages_distributions()
    out = {}
    for module in sorted(modules):
        if module in sys.stdlib_module_names or module == "drugml" or module.startswith("_"):
            continue
        out[module] = {normalize(d) for d in providers.get(module, [module])}
    return out


# Code run first in a kernel: records the top-level modules that the notebook's
# cells or drugml's functions import (the importer's module name is __main__ or
# drugml.*), one per line, into a file. Imports made by other libraries are
# theirs to declare, and pip's dependency metadata covers them.
IMPORT_RECORDER = """
import builtins as _b
_drugml_seen, _drugml_import = set(), _b.__import__
def _drugml_recording_import(name, globals=None, locals=None, fromlist=(), level=0):
    importer = (globals or {}).get("__name__") or ""
    if level == 0 and (importer == "__main__" or importer.split(".")[0] == "drugml"):
        top = name.split(".")[0]
        if top not in _drugml_seen:
            _drugml_seen.add(top)
            with open(%r, "a") as _f:
                _f.write(top + "\\n")
    return _drugml_import(name, globals, locals, fromlist, level)
_b.__import__ = _drugml_recording_import
"""


def import_recorder(path: Path) -> str:
    """Kernel preamble that appends each imported top-level module to ``path``."""
    return IMPORT_RECORDER % str(path)
