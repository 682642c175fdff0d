"""The package as a whole: import cost, version, lazy submodules."""

from __future__ import annotations

import subprocess
import sys

import drugml

HEAVY = ("deepchem", "xgboost", "torch", "tensorflow", "jax")


def _run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)


def test_import_is_quiet_and_light():
    result = _run_python(f"import sys, drugml; print([m for m in {HEAVY!r} if m in sys.modules])")
    assert result.stdout == "[]\n"
    assert result.stderr == ""


def test_data_module_does_not_pull_heavy_libraries():
    # Listing and loading data is the common first step; it must stay cheap.
    result = _run_python(
        "import sys, drugml; drugml.data.load('esol'); "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    assert result.stdout == "[]\n"


def test_version_matches_metadata():
    from importlib.metadata import version

    assert drugml.__version__ == version("drugml")


def test_submodules_load_lazily():
    result = _run_python(
        "import sys, drugml; before = 'drugml.data' in sys.modules; drugml.data; "
        "print(before, 'drugml.data' in sys.modules)"
    )
    assert result.stdout.split() == ["False", "True"]


def test_unknown_attribute_raises_attribute_error():
    try:
        drugml.not_a_module  # noqa: B018
    except AttributeError as exc:
        assert "not_a_module" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_the_command_line_parser_imports_no_numerical_library():
    """``drugml --help`` and argument errors answer at once: building the parser (every
    command's arguments, defaults and choices) imports neither numpy nor pandas."""
    result = _run_python(
        "import sys; from drugml.cli._main import build_parser; build_parser(); "
        "print([m for m in ('numpy', 'pandas', 'rdkit') if m in sys.modules])"
    )
    assert result.stdout.strip() == "[]"
