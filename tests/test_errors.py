"""One root for drugml's errors: every exception class drugml defines derives from
:class:`drugml.errors.DrugmlError`, so the ``drugml`` command (and a script) can catch
one class and show a message instead of a traceback."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import drugml
from drugml.errors import DrugmlError

#: Modules every install imports; the walk below must reach them.
CORE_MODULES = {
    "drugml.chem",
    "drugml.featurize",
    "drugml.structure.rna",
    "drugml.models.split",
    "drugml.structure",
    "drugml.screening.filters",
    "drugml.screening.screen",
    "drugml.errors",
}


def _drugml_modules() -> tuple[list[ModuleType], dict[str, str]]:
    """Every importable module of the package, and why the others could not be imported.

    A module that needs an optional extra this environment lacks (torch ...) is
    skipped: its ImportError names a package outside drugml.
    """
    modules, skipped = [], {}
    for info in pkgutil.walk_packages(drugml.__path__, prefix="drugml.", onerror=lambda _: None):
        try:
            modules.append(importlib.import_module(info.name))
        except ImportError as exc:
            missing = getattr(exc, "name", None) or ""
            if missing == "drugml" or missing.startswith("drugml."):
                raise  # a broken drugml import is a bug, not a missing extra
            skipped[info.name] = str(exc)
    return modules, skipped


def _exception_classes(modules: list[ModuleType]) -> dict[str, type[BaseException]]:
    """Exception classes defined in drugml (not merely imported there), by qualified name.

    Warning categories are exceptions to Python but not errors: they are left out.
    """
    found = {}
    for module in modules:
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and not issubclass(value, Warning)
                and value.__module__.split(".")[0] == "drugml"
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


def test_every_drugml_exception_class_derives_from_drugml_error():
    modules, skipped = _drugml_modules()
    assert {m.__name__ for m in modules} >= CORE_MODULES, f"not imported: {skipped}"
    classes = _exception_classes(modules)
    assert len(classes) > 20  # the walk found them (StructureError, ConfigError, ...)
    strays = sorted(name for name, cls in classes.items() if not issubclass(cls, DrugmlError))
    assert not strays, f"not derived from drugml.errors.DrugmlError: {strays}"


def test_each_error_is_also_the_builtin_callers_expect():
    # Every class below replaced a built-in raise; `except <builtin>` keeps working.
    from drugml import chem, featurize, viz
    from drugml._util.parallel import ParallelOptionError
    from drugml.chem import scaffolds
    from drugml.errors import MissingDependencyError
    from drugml.models import split
    from drugml.report import gallery as notebooks
    from drugml.screening import filters
    from drugml.structure import rna

    expected = {
        chem.MoleculeError: ValueError,
        chem.MoleculeFileNotFoundError: FileNotFoundError,
        chem.SmilesListError: TypeError,
        chem.ColumnNotFoundError: KeyError,
        featurize.FeaturizationError: ValueError,
        featurize.FeaturizerTypeError: TypeError,
        featurize.FeaturizerNotFittedError: ValueError,
        filters.UnknownAlertCatalogError: ValueError,
        notebooks.NotebooksNotFoundError: FileNotFoundError,
        notebooks.NotebookParametersError: ValueError,
        rna.RNASequenceError: ValueError,
        rna.DotBracketError: ValueError,
        scaffolds.ScaffoldError: ValueError,
        split.SplitError: ValueError,
        viz.VisualizationError: ValueError,
        ParallelOptionError: ValueError,
        MissingDependencyError: ImportError,
    }
    for error, builtin in expected.items():
        assert issubclass(error, DrugmlError) and issubclass(error, builtin), error
