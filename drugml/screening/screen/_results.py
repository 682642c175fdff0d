"""A finished screen's rows: the scored results, the rejects, salt forms merged."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml.schema import PROFILED
from drugml.screening.screen._folder import ScreenFolder

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load_rejects", "load_results", "merge_salt_forms"]


def load_results(out_dir: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """All scored rows of a screen, in record order."""
    import pandas as pd

    parts = [pd.read_parquet(p, columns=columns) for p in ScreenFolder(out_dir).scored_parts()]
    if not parts:
        return pd.DataFrame(columns=columns or ["record"])
    frame = pd.concat([p for p in parts if len(p)] or parts, ignore_index=True)
    return frame.sort_values("record", ignore_index=True) if "record" in frame else frame


def load_rejects(out_dir: str | Path) -> pd.DataFrame:
    """All rejected records of a screen (``record``, ``input``, ``reason``), in record order."""
    import pandas as pd

    parts = [
        pd.read_csv(p, dtype={"input": object, "reason": object})
        for p in ScreenFolder(out_dir).reject_parts()
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=["record", "input", "reason"])
    return pd.concat(parts, ignore_index=True).sort_values("record", ignore_index=True)


def merge_salt_forms(screened: pd.DataFrame, name_column: str | None = None) -> pd.DataFrame:
    """One row per parent structure (InChIKey): salts and duplicates merged, ids/names joined.

    Salt forms of one drug (``ERLOTINIB`` and ``ERLOTINIB HYDROCHLORIDE``)
    standardize to one parent with one InChIKey and therefore one set of
    scores: one row keeps them, its ``id`` (and ``name_column``) joining
    every record's, in the order of the library.

    >>> import pandas as pd
    >>> rows = pd.DataFrame({"record": [0, 1, 2], "id": ["a", "b", "c"],
    ...                      "inchikey": ["K1", "K2", "K1"], "qed": [0.5, 0.7, 0.5]})
    >>> merge_salt_forms(rows)[["id", "inchikey"]].values.tolist()
    [['a; c', 'K1'], ['b', 'K2']]

    Each other column takes the first non-empty value of the group; in a
    screen of the short-list profile (with a :data:`~drugml.schema.PROFILED`
    column) every column but the ids and names is the first record's, empty
    values included, so that a structure whose first record was not profiled
    is not given a later record's values (see :class:`ShortlistBound`).
    """
    joined: dict[str, Any] = {"id": lambda ids: "; ".join(map(str, dict.fromkeys(ids)))}
    if name_column:
        joined[name_column] = lambda names: "; ".join(map(str, dict.fromkeys(names)))
    if PROFILED in screened:
        ordered = screened
        if "record" in screened:
            ordered = screened.sort_values("record", kind="stable")
        unique = ordered.drop_duplicates("inchikey", keep="first").set_index("inchikey")
        groups = ordered.groupby("inchikey", sort=False)
        for column, function in joined.items():
            unique[column] = groups[column].agg(function)
        unique = unique.reset_index()
    else:
        aggregations: dict[str, Any] = {c: "first" for c in screened.columns if c != "inchikey"}
        aggregations.update(joined)
        unique = screened.groupby("inchikey", sort=False).agg(aggregations).reset_index()
    return unique.sort_values("record", ignore_index=True)
