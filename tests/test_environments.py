"""pyproject.toml, environment.yml and binder/environment.yml name the same packages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

# PyPI name -> conda-forge name, where the two differ. Every other package has
# the same name on both, compared in lower case (PyPI's py3Dmol is conda's py3dmol).
PYPI_TO_CONDA = {
    "xgboost-cpu": "py-xgboost-cpu",
}
# Conda entries that are tooling, not drugml dependencies.
CONDA_TOOLING = {"python", "pip", "nodejs"}

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(.*)$")


def _split(spec: str) -> tuple[str, str]:
    name, bound = REQUIREMENT.match(spec).groups()
    return name.lower(), bound.replace(" ", "")


def _pyproject_packages() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["notebooks"]
    packages = {}
    for spec in specs:
        name, bound = _split(spec)
        packages[PYPI_TO_CONDA.get(name, name)] = bound
    return packages


def _conda_packages(path: Path) -> tuple[dict[str, str], list]:
    env = yaml.safe_load(path.read_text())
    assert env["channels"] == ["conda-forge"], f"{path.name}: conda-forge only"
    packages, pip_section = {}, []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            pip_section = entry.get("pip", [])
            # Packages conda-forge lacks come from PyPI in the pip section.
            for spec in pip_section:
                if not spec.startswith("-"):
                    name, bound = _split(spec)
                    packages[name] = bound
            continue
        name, bound = _split(entry)
        if name not in CONDA_TOOLING:
            packages[name] = bound
    return packages, pip_section


def test_environment_yml_matches_pyproject():
    packages, pip_section = _conda_packages(ROOT / "environment.yml")
    assert packages == _pyproject_packages()
    assert "-e ." in pip_section and "--no-deps" in pip_section


def test_binder_environment_matches_pyproject():
    packages, _ = _conda_packages(ROOT / "binder" / "environment.yml")
    assert packages == _pyproject_packages()


def test_python_version_is_the_same_everywhere():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    for path in (ROOT / "environment.yml", ROOT / "binder" / "environment.yml"):
        assert "python=3.11" in yaml.safe_load(path.read_text())["dependencies"]


def test_binder_postbuild_installs_drugml_and_fails_loudly():
    script = (ROOT / "binder" / "postBuild").read_text()
    assert "set -e" in script
    assert "pip install --no-deps" in script and "-e ." in script


def test_constraints_pin_every_core_dependency():
    pins = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"] + project["optional-dependencies"]["notebooks"]:
        assert _split(spec)[0] in pins, spec
