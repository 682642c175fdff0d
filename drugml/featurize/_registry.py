"""The featurizer registry, and featurizer specs (the JSON a saved model keeps).

A featurizer class registers itself where it is defined, with its kind::

    @register_featurizer("fingerprint")
    class ECFP(MolecularFeaturizer): ...

That is the one edit a new featurizer needs: the registry then lists it,
:func:`get_featurizer` finds it by name, the API tests cover it, and
:func:`featurizer_from_spec` rebuilds it from a saved model when it has a spec
(a :class:`MolecularFeaturizer` has one; :class:`GraphFeaturizer` has none).

Example
-------
>>> from drugml.featurize import ECFP, featurizer_from_spec, featurizer_spec
>>> spec = featurizer_spec(ECFP(n_bits=64))
>>> spec["class"], featurizer_from_spec(spec).n_bits
('ECFP', 64)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar

from drugml._util.suggest import suggest
from drugml.featurize._base import (
    FeaturizationError,
    MolecularFeaturizer,
    UnknownFeaturizerError,
)

__all__ = [
    "FEATURIZER_KINDS",
    "available_featurizers",
    "featurizer_from_spec",
    "featurizer_kind",
    "featurizer_spec",
    "get_featurizer",
    "register_featurizer",
]

#: What a featurizer gives: hashed or keyed bits (``fingerprint``), computed
#: values (``descriptors``), several featurizers side by side (``combination``),
#: or graph objects for graph neural networks (``graph``).
FEATURIZER_KINDS = ("fingerprint", "descriptors", "combination", "graph")

T = TypeVar("T", bound=type)


class _Entry(NamedTuple):
    kind: str
    cls: type


_REGISTRY: dict[str, _Entry] = {}


def register_featurizer(kind: str) -> Callable[[T], T]:
    """Class decorator: register a featurizer under its class name, as one of ``FEATURIZER_KINDS``.

    >>> from drugml.featurize import MolecularFeaturizer
    >>> @register_featurizer("fingerprint")
    ... class OneBit(MolecularFeaturizer): ...
    >>> "OneBit" in available_featurizers("fingerprint")
    True
    >>> del _REGISTRY["OneBit"]  # the example leaves the registry as it found it
    """
    if kind not in FEATURIZER_KINDS:
        raise FeaturizationError(
            f"Unknown featurizer kind {kind!r}; use one of {', '.join(FEATURIZER_KINDS)}"
        )

    def register(cls: T) -> T:
        known = _REGISTRY.get(cls.__name__)
        # The same class again (a module reloaded) replaces itself; another one is a clash.
        if known is not None and _origin(known.cls) != _origin(cls):
            raise FeaturizationError(
                f"A featurizer named {cls.__name__!r} is already registered "
                f"({_origin(known.cls)}); featurizer names must be unique"
            )
        _REGISTRY[cls.__name__] = _Entry(kind, cls)
        return cls

    return register


def _origin(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def available_featurizers(kind: str | None = None, *, with_spec: bool = False) -> list[str]:
    """Names of the registered featurizers (of one kind): by kind, as in ``FEATURIZER_KINDS``,
    then in registration order.

    ``with_spec=True`` keeps those :func:`featurizer_spec` can write (the ones
    a saved model may hold).

    >>> available_featurizers("fingerprint")
    ['ECFP', 'FCFP', 'AtomPairs', 'TopologicalTorsion', 'MACCS', 'Avalon']
    >>> "GraphFeaturizer" in available_featurizers(with_spec=True)
    False
    """
    if kind is not None and kind not in FEATURIZER_KINDS:
        raise FeaturizationError(
            f"Unknown featurizer kind {kind!r}{suggest(kind, FEATURIZER_KINDS)}"
        )
    by_kind = sorted(_REGISTRY.items(), key=lambda item: FEATURIZER_KINDS.index(item[1].kind))
    return [
        name
        for name, entry in by_kind
        if (kind is None or entry.kind == kind) and (not with_spec or _has_spec(entry.cls))
    ]


def _has_spec(cls: type) -> bool:
    return callable(getattr(cls, "to_spec", None)) and callable(getattr(cls, "from_spec", None))


def get_featurizer(name: str) -> type:
    """The registered featurizer class called ``name``.

    >>> get_featurizer("ECFP")(n_bits=64).transform(["CCO"]).shape
    (1, 64)
    """
    entry = _REGISTRY.get(name)
    if entry is None:
        raise UnknownFeaturizerError(
            f"Unknown featurizer {name!r}{suggest(name, _REGISTRY) or _listing(_REGISTRY)}",
            name=name,
        )
    return entry.cls


def featurizer_kind(name: str) -> str:
    """The kind a featurizer was registered as (one of ``FEATURIZER_KINDS``).

    >>> featurizer_kind("RDKitDescriptors")
    'descriptors'
    """
    get_featurizer(name)  # the error for an unknown name
    return _REGISTRY[name].kind


def featurizer_spec(featurizer: Any) -> dict[str, Any]:
    """A featurizer as JSON values, what a saved model keeps: its class, parameters and state.

    The layout (``class``, ``params``, then what the class adds: ``featurizers``
    for :class:`MolecularFeatures`, ``mean`` and ``scale`` for fitted scaled
    descriptors) is the one models saved by earlier releases hold.

    >>> from drugml.featurize import RDKitDescriptors
    >>> featurizer_spec(RDKitDescriptors(descriptors=("MolWt",)))["params"]["descriptors"]
    ['MolWt']
    """
    name = type(featurizer).__name__
    if name not in available_featurizers(with_spec=True):
        raise UnknownFeaturizerError(
            f"{name} is not a drugml featurizer with a spec"
            f"{_listing(available_featurizers(with_spec=True), 'those with one')}",
            name=name,
        )
    return featurizer.to_spec()


def featurizer_from_spec(spec: Mapping[str, Any]) -> MolecularFeaturizer:
    """The featurizer :func:`featurizer_spec` described, ready to transform (no fit needed).

    Only registered featurizers with a spec are built, whatever the spec names.

    >>> from drugml.featurize import MACCS
    >>> featurizer_from_spec(featurizer_spec(MACCS(chunk_size=10)))
    MACCS(chunk_size=10)
    """
    name = spec.get("class")
    if name not in available_featurizers(with_spec=True):
        raise UnknownFeaturizerError(
            f"Unknown featurizer {name!r} in the spec"
            f"{_listing(available_featurizers(with_spec=True), 'featurizers with a spec')}",
            name=name,
        )
    return _REGISTRY[name].cls.from_spec(spec)


def _listing(names: Any, label: str = "registered") -> str:
    return f"; {label}: {', '.join(names)}"
