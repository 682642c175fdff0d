"""The package's import graph, read from its source: every import, also those inside functions.

Used by ``test_architecture.py``: the layers (``drugml.LAYERS``) may only import
downwards, and no group of modules may import each other in a circle.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "drugml"

#: Layer of each top-level name under drugml/, lowest first; the root package, the alias
#: table and ``__main__`` sit above everything (they may reach every layer).
LAYER_OF = {
    "_version": 0,
    "errors": 0,
    "schema": 0,
    "_util": 0,
    "data": 1,
    "chem": 2,
    "featurize": 3,
    "models": 4,
    "structure": 5,
    "variants": 6,
    "viz": 7,
    "screening": 8,
    "design": 9,
    "report": 10,
    "campaign": 11,
    "cli": 12,
    "_aliases": 13,
    "__main__": 13,
}
TOP = 13


def package_sources(root: Path = PACKAGE) -> dict[str, str]:
    """Module name -> source, for every ``.py`` file of the package (``_vendor`` aside)."""
    sources = {}
    for path in sorted(root.rglob("*.py")):
        if "_vendor" in path.parts:
            continue
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        sources[".".join(parts)] = path.read_text(encoding="utf-8")
    return sources


def layer(module: str) -> int:
    parts = module.split(".")
    return TOP if len(parts) == 1 else LAYER_OF[parts[1]]


def _resolve(name: str, modules: set[str]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _is_package(module: str, sources: Mapping[str, str]) -> bool:
    return any(other.startswith(module + ".") for other in sources)


def import_edges(sources: Mapping[str, str]) -> dict[str, dict[str, int]]:
    """module -> {imported drugml module: line}, for every import statement anywhere in the
    module, every ``importlib.import_module("drugml...")`` and every module path given as a
    value of a lazy-name table."""
    modules = set(sources)
    edges: dict[str, dict[str, int]] = {}
    for module, source in sources.items():
        found: dict[str, int] = {}
        package = module if _is_package(module, sources) else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(source)):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                named = [f"{base}.{alias.name}" for alias in node.names]
                targets = [t for t in named if t in modules] or [base]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
                targets = [a.value for a in node.args[:1] if isinstance(a, ast.Constant)]
            elif isinstance(node, ast.Dict):
                targets = [
                    v.value
                    for v in node.values
                    if isinstance(v, ast.Constant)
                    and isinstance(v.value, str)
                    and v.value in modules
                ]
            for target in targets:
                if not str(target).startswith("drugml"):
                    continue
                resolved = _resolve(str(target), modules)
                if resolved and resolved != module:
                    found.setdefault(resolved, node.lineno)
        edges[module] = found
    return edges


def upward_imports(edges: Mapping[str, Mapping[str, int]]) -> list[str]:
    """``module:line -> target`` for each import of a higher layer."""
    return sorted(
        f"{module}:{line} imports {target} (layer {layer(target)} above {layer(module)})"
        for module, targets in edges.items()
        for target, line in targets.items()
        if layer(target) > layer(module)
    )


def import_cycles(edges: Mapping[str, Mapping[str, int]]) -> list[list[str]]:
    """Groups of modules that import each other (strongly connected components of size > 1),
    a package's ``__init__`` counted apart from its modules; a module importing its own
    parent package is left out (Python imports the parent first anyway)."""
    graph = {m: [t for t in targets if not m.startswith(t + ".")] for m, targets in edges.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, []):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles
