"""RDKit's structural-alert catalogues: each one built once, its entries' query molecules,
the reference matching (every entry tried) and the alert columns of a molecule.

Example
-------
>>> from rdkit import Chem
>>> alerts_from_names({"pains": {"ene_rhod_A(235)"}}, ["pains", "brenk"])
{'pains': True, 'pains_alerts': 'ene_rhod_A(235)', 'brenk': False, 'brenk_alerts': ''}
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from drugml.errors import DrugmlError
from drugml.schema import ALERT_CATALOGS  # the catalogues' one owner

if TYPE_CHECKING:
    from rdkit import Chem

__all__ = [
    "UnknownAlertCatalogError",
    "alerts_from_names",
    "catalog_alerts",
    "catalog_queries",
    "check_catalogs",
    "filter_catalog",
]


class UnknownAlertCatalogError(DrugmlError, ValueError):
    """An alert catalogue name that is not one of :data:`ALERT_CATALOGS`."""


@cache
def filter_catalog(name: str):
    from rdkit.Chem.FilterCatalog import FilterCatalog, FilterCatalogParams

    params = FilterCatalogParams()
    for member in ALERT_CATALOGS[name]:
        params.AddCatalog(getattr(FilterCatalogParams.FilterCatalogs, member))
    return FilterCatalog(params)


_SMARTS_MATCHER_ANY_COUNT = (b"1", b"4294967295")  # SmartsMatcher min 1, max unbounded


def _entry_query(entry) -> Chem.Mol | None:
    """The query molecule of a FilterCatalog entry, or None when it is not a plain SMARTS match.

    RDKit does not expose an entry's pattern, but its serialization (a Boost
    text archive) holds the description, then the pattern in RDKit's binary
    molecule format (``MolPickler``, read by ``Chem.Mol(bytes)``; not Python's
    pickle, nothing is executed) with its byte length, then the
    SmartsMatcher's min and max counts. Anything else (another matcher type,
    a count limit) gives None, and the catalogue is then used as it is.
    """
    from rdkit import Chem

    data = entry.Serialize()
    description = entry.GetDescription().encode()
    key = b" %d %s " % (len(description), description)
    start = data.find(key)
    if start < 0:
        return None
    start += len(key)
    space = data.find(b" ", start)
    if space < 0 or not data[start:space].isdigit():
        return None
    size = int(data[start:space])
    pickle_bytes = data[space + 1 : space + 1 + size]
    counts = tuple(data[space + 1 + size :].split(b" ")[1:3])
    if not pickle_bytes.startswith(b"\xef\xbe\xad\xde") or counts != _SMARTS_MATCHER_ANY_COUNT:
        return None
    try:
        query = Chem.Mol(pickle_bytes)
    except Exception:  # not a mol pickle after all: use the FilterCatalog
        return None
    return query if query.GetNumAtoms() else None


@cache
def catalog_queries(name: str) -> tuple[tuple[str, ...], tuple[Chem.Mol, ...]] | None:
    """``(descriptions, queries)`` of a catalogue, or None if any entry cannot be read."""
    catalog = filter_catalog(name)
    descriptions, queries = [], []
    for i in range(catalog.GetNumEntries()):
        entry = catalog.GetEntryWithIdx(i)
        query = _entry_query(entry)
        if query is None:
            return None
        descriptions.append(entry.GetDescription())
        queries.append(query)
    return tuple(descriptions), tuple(queries)


def alerts_from_names(names_by_catalog: dict[str, set[str]], catalogs: Sequence[str]) -> dict:
    result: dict[str, Any] = {}
    for name in catalogs:
        names = sorted(names_by_catalog.get(name, ()))
        result[name] = bool(names)
        result[f"{name}_alerts"] = "; ".join(names)
    return result


def check_catalogs(catalogs: Sequence[str]) -> None:
    for name in catalogs:
        if name not in ALERT_CATALOGS:
            raise UnknownAlertCatalogError(
                f"Unknown alert catalogue {name!r}; use {list(ALERT_CATALOGS)}"
            )


def catalog_alerts(mol: Chem.Mol, catalogs: Sequence[str]) -> dict[str, Any]:
    """The reference path: RDKit's FilterCatalog, every entry tried."""
    check_catalogs(catalogs)
    found = {
        name: {entry.GetDescription() for entry in filter_catalog(name).GetMatches(mol)}
        for name in catalogs
    }
    return alerts_from_names(found, catalogs)
