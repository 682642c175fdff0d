"""pyproject.toml, environment.yml and binder/environment.yml name the same packages, and
Binder provides what the demo installs (core, ``notebooks``, ``scale`` and ``dock``)."""

from __future__ import annotations

import yaml
from environments import (
    PYPI_TO_CONDA,
    ROOT,
    conda_packages,
    demo_extras,
    project,
    pyproject_specs,
    split_spec,
)


def _pyproject_packages(extras: list[str]) -> dict[str, str]:
    packages = {}
    for spec in pyproject_specs(extras):
        name, bound = split_spec(spec)
        packages[PYPI_TO_CONDA.get(name, name)] = bound
    return packages


def test_demo_installs_what_the_notebooks_and_the_run_need():
    # Notebook 06 needs Dask, notebook 08 and the default run's docking need `dock`.
    assert set(demo_extras()) == {"notebooks", "scale", "dock"}


def test_environment_yml_matches_pyproject():
    packages, pip_section = conda_packages(ROOT / "environment.yml")
    assert packages == _pyproject_packages(demo_extras())
    assert "-e ." in pip_section and "--no-deps" in pip_section


def test_binder_environment_matches_pyproject():
    packages, _ = conda_packages(ROOT / "binder" / "environment.yml")
    assert packages == _pyproject_packages(demo_extras())


def test_python_version_is_the_same_everywhere():
    assert project()["requires-python"] == ">=3.11"
    for path in (ROOT / "environment.yml", ROOT / "binder" / "environment.yml"):
        assert "python=3.11" in yaml.safe_load(path.read_text())["dependencies"]


def test_binder_postbuild_installs_drugml_and_fails_loudly():
    script = (ROOT / "binder" / "postBuild").read_text()
    assert "set -e" in script
    assert "pip install --no-deps" in script and "-e ." in script
    # the ready ADMET panel is built with the image, not when a visitor opens notebook 09
    assert "drugml admet build" in script.split("pip install")[1]


def test_constraints_pin_every_dependency_the_scripts_install():
    pins = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    for spec in pyproject_specs(["notebooks", "scale", "dev", "deep", "dock"]):
        assert split_spec(spec)[0] in pins, spec
