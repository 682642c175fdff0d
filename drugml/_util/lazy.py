"""Public submodules of a package, imported on first attribute access (PEP 562).

``import drugml.models`` stays light: ``drugml.models.split`` is imported only
when a script first touches it.

Example
-------
>>> import drugml.models
>>> drugml.models.split.__name__
'drugml.models.split'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_submodules(
    package: str,
    submodules: Iterable[str],
    namespace: dict[str, Any],
    attributes: Mapping[str, str] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A ``__getattr__`` and ``__dir__`` for ``package``: its ``submodules`` are imported on first
    use, and each name of ``attributes`` is taken from the module it maps to on first use."""
    names = frozenset(submodules)
    attributes = dict(attributes or {})

    def __getattr__(name: str) -> Any:
        if name in names:
            module = importlib.import_module(f"{package}.{name}")
            namespace[name] = module
            return module
        if name in attributes:
            value = getattr(importlib.import_module(attributes[name]), name)
            namespace[name] = value  # later lookups skip __getattr__
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(namespace.get("__all__", ())) | names | set(attributes))

    return __getattr__, __dir__
