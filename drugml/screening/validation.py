"""Known actives among screened molecules, and the compounds a run's models were trained on.

A campaign checks itself by hiding known actives in its library: where they
land in the ranking (:meth:`drugml.screening.rank_stream.RankedScreen.validation`,
:func:`drugml.models.metrics.enrichment_summary`) says whether it works. These
helpers find them, and the training compounds that must be set apart.

Example
-------
>>> import pandas as pd
>>> table = pd.DataFrame({"inchikey": ["K1", "K2"], "name": ["ERLOTINIB HCL", "ASPIRIN"]})
>>> find_known_actives(table, ["erlotinib"], "name")
{'K1'}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml.schema import RunFolder

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "WITHOUT_TRAINING",
    "enrichment_by_ranking",
    "enrichment_of_ranked",
    "find_known_actives",
    "training_compounds",
]

#: Suffix of the validation entries that leave the training compounds out.
WITHOUT_TRAINING = "without_training_compounds"


def find_known_actives(screened: pd.DataFrame, names: list[str], name_column: str) -> set[str]:
    """InChIKeys of screened molecules with the given names (salt forms fold to the parent).

    A name matches exactly or as the first word (``ERLOTINIB`` finds
    ``ERLOTINIB HYDROCHLORIDE``), case-insensitively. The screen's own output
    carries the names, so the library is not read again.
    """
    wanted = {n.upper() for n in names}
    if not wanted or not name_column or not len(screened):
        return set()
    upper = screened[name_column].fillna("").astype(str).str.upper()  # no name: no match
    chosen = upper.isin(wanted) | upper.str.split().str[0].isin(wanted)
    return set(screened.loc[chosen, "inchikey"])


def training_compounds(run_dir: str | Path, models: Iterable[str]) -> dict[str, list[str]] | None:
    """InChIKey -> the models trained on it, from a ``drugml run`` output folder's training
    sets (:meth:`drugml.schema.RunFolder.training_set`; None when it has none of them)."""
    import pandas as pd

    run = RunFolder(run_dir)
    trained_on: dict[str, list[str]] = {}
    found = False
    for name in models:
        path = run.training_set(name)
        if path.is_file():
            found = True
            for key in dict.fromkeys(pd.read_csv(path, usecols=["inchikey"])["inchikey"]):
                trained_on.setdefault(key, []).append(name)
    return trained_on if found else None


def enrichment_by_ranking(
    enrichment: Callable[[str, bool], dict[str, Any]],
    leads: Mapping[str, str],
    without_training: bool,
) -> dict[str, Any]:
    """The known actives' enrichment as a run's ``metrics.json`` keeps it (the one layout of
    ``validation``): ``all_compounds`` by the final ranking and ``<lead>_alone`` by each lead
    model's column (``leads``: model -> column), each also ``..._without_training_compounds``
    when ``without_training``. ``enrichment(by, without_training)`` computes one entry.

    >>> entries = enrichment_by_ranking(lambda by, unseen: by, {"potency": "p"}, True)
    >>> list(entries)  # doctest: +NORMALIZE_WHITESPACE
    ['all_compounds', 'without_training_compounds', 'potency_alone',
     'potency_alone_without_training_compounds']
    """
    orders = {"all_compounds": "rank", **{f"{name}_alone": c for name, c in leads.items()}}
    out: dict[str, Any] = {}
    for key, by in orders.items():
        out[key] = enrichment(by, False)
        if without_training:
            unseen = WITHOUT_TRAINING if key == "all_compounds" else f"{key}_{WITHOUT_TRAINING}"
            out[unseen] = enrichment(by, True)
    return out


def enrichment_of_ranked(
    ranked: pd.DataFrame, actives: Iterable[str], training: Iterable[str], leads: Mapping[str, str]
) -> dict[str, Any]:
    """:func:`enrichment_by_ranking` of a ranking held in memory (``ranked``, with ``rank``):
    ``actives`` and ``training`` are InChIKeys."""
    from drugml.models.metrics import enrichment_summary

    actives, training = set(actives), set(training)

    def enrichment(by: str, without_training: bool) -> dict[str, Any]:
        return enrichment_summary(ranked, actives, training if without_training else (), by=by)

    return enrichment_by_ranking(enrichment, leads, without_training=True)
