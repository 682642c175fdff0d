"""What a curation keeps and drops: its log, its result and its errors.

A curation runs as a list of steps; :class:`CurationLog` records, for each,
how many records came in and went out and why the others were dropped, and
keeps every dropped record with its step and reason. Its :meth:`~CurationLog.finish`
gives the :class:`CurationResult`, or raises :class:`CurationError` naming the
step that lost the records when fewer than :data:`MIN_COMPOUNDS` compounds are
left. :func:`curation_summary` prints the log.

Example
-------
>>> import pandas as pd
>>> log = CurationLog(3, "id")
>>> frame = pd.DataFrame({"id": ["a", "b", "c"], "value": [1.0, None, 2.0]})
>>> kept = log.step("value present", frame, frame["value"].notna(),
...                 pd.Series("no value", index=frame.index))
>>> log.rows[-1]["reasons"], len(kept)
('no value: 1', 2)
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from drugml.errors import DrugmlError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MIN_COMPOUNDS",
    "REJECTED_COLUMNS",
    "CurationError",
    "CurationLog",
    "CurationOptionError",
    "CurationResult",
    "curation_summary",
    "standardize_step",
    "too_few_compounds_message",
]

#: Fewest compounds a curation may end with; fewer is an error, not an empty table.
MIN_COMPOUNDS = 2

#: Columns of ``result.rejected``: every record a step dropped, with its reason.
REJECTED_COLUMNS = ("raw_index", "record_id", "molecule_id", "step", "reason", "detail")


class CurationError(DrugmlError, ValueError):
    """Curation cannot run on this input, or would leave too few compounds to model.

    Raised before any work for a bad input (an activity type the table lacks,
    no structures); raised at the end when fewer than two compounds remain,
    with the finished :class:`CurationResult` as ``error.result`` (its log
    says where the records went).
    """

    def __init__(self, message: str, result: CurationResult | None = None) -> None:
        super().__init__(message)
        self.result = result


class CurationOptionError(CurationError, TypeError):
    """A curation was given an option it does not have (the message names the closest
    one), or ``settings=`` of the wrong kind."""


class CurationResult(tuple):
    """``(table, log)`` as a pair, plus ``rejected``: every dropped record with step and reason.

    Unpack it as ``table, log = curate_bioactivities(...)``, or keep the result
    and use ``result.table``, ``result.log`` and ``result.rejected``.
    """

    def __new__(cls, table: pd.DataFrame, log: pd.DataFrame, rejected: pd.DataFrame):
        result = super().__new__(cls, (table, log))
        result.rejected = rejected
        return result

    @property
    def table(self) -> pd.DataFrame:
        return self[0]

    @property
    def log(self) -> pd.DataFrame:
        return self[1]


class CurationLog:
    """Collects per-step counts and the records each step drops.

    ``id_column`` names each dropped record's molecule; ``record_id_column``,
    when given, its record (ChEMBL's ``activity_id``).
    """

    def __init__(self, n_raw: int, id_column: str, record_id_column: str | None = None) -> None:
        self.id_column = id_column
        self.record_id_column = record_id_column
        self.rows: list[dict[str, Any]] = [
            {
                "step": "raw records",
                "n_in": n_raw,
                "n_out": n_raw,
                "n_dropped": 0,
                "n_merged": 0,
                "unit": "records",
                "reasons": "",
            }
        ]
        self.rejected: list[pd.DataFrame] = []

    def step(
        self,
        name: str,
        frame: pd.DataFrame,
        keep: pd.Series,
        reasons: pd.Series,
        details: pd.Series | None = None,
    ) -> pd.DataFrame:
        """Keep rows where ``keep``; log the others with ``reasons`` (aligned to ``frame``).

        ``reasons`` are short categories (counted in the log); ``details``, when
        given, is the full per-record explanation kept in the rejected table.
        """
        import pandas as pd

        keep = keep.fillna(False).astype(bool)
        dropped = frame[~keep]
        counts = Counter(reasons[~keep].tolist())
        self.rows.append(
            {
                "step": name,
                "n_in": len(frame),
                "n_out": int(keep.sum()),
                "n_dropped": len(dropped),
                "n_merged": 0,
                "unit": "records",
                "reasons": "; ".join(f"{reason}: {n:,}" for reason, n in counts.most_common()),
            }
        )
        if len(dropped):
            record_ids = self.record_id_column
            self.rejected.append(
                pd.DataFrame(
                    {
                        "raw_index": dropped.index,
                        "record_id": dropped[record_ids].to_numpy() if record_ids else None,
                        "molecule_id": dropped[self.id_column].to_numpy(),
                        "step": name,
                        "reason": reasons[~keep].to_numpy(),
                        "detail": (details if details is not None else reasons)[~keep].to_numpy(),
                    }
                )
            )
        return frame[keep]

    def aggregated(self, n_records: int, n_compounds: int, n_dropped: int, reasons: str) -> None:
        """Log the last step, **aggregate per compound**: the records kept, merged per structure."""
        self.rows.append(
            {
                "step": "aggregate per compound",
                "n_in": n_records,
                "n_out": n_compounds,
                "n_dropped": n_dropped,
                "n_merged": n_records - n_compounds - n_dropped,
                "unit": "compounds",
                "reasons": reasons,
            }
        )

    def finish(self, table: pd.DataFrame) -> CurationResult:
        """The result of a curation that ended with ``table``; too few compounds raise."""
        import pandas as pd

        rejected = (
            pd.concat(self.rejected, ignore_index=True)
            if self.rejected
            else pd.DataFrame(columns=list(REJECTED_COLUMNS))
        )
        result = CurationResult(table, pd.DataFrame(self.rows), rejected)
        if len(table) < MIN_COMPOUNDS:
            # A model, a split or a ranking on 0 or 1 compounds is no result; say where they went.
            raise CurationError(too_few_compounds_message(result.log, len(table)), result)
        return result


def standardize_step(
    log: CurationLog, frame: pd.DataFrame, smiles: pd.Series, n_jobs: int, progress: bool | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The **standardize** step: each distinct input structure standardized once.

    ``smiles`` is aligned to ``frame``; returns the rows kept and, for each,
    its :func:`drugml.chem.standardize` row (``smiles``, ``inchikey`` ...).
    """
    import pandas as pd

    # Looked up at call time: a test replaces drugml.chem.standardize.
    from drugml.chem import standardize

    unique = pd.unique(smiles.to_numpy())
    std = standardize(list(unique), n_jobs=n_jobs, progress=progress)
    std.index = unique
    row_std = std.loc[smiles.to_numpy()].set_index(frame.index)
    frame = log.step(
        "standardize",
        frame,
        row_std["ok"],
        "structure rejected: " + row_std["error_type"].fillna("").astype(str),
        row_std["error"].fillna("").astype(str),
    )
    return frame, row_std.loc[frame.index]


def too_few_compounds_message(log: pd.DataFrame, n_compounds: int) -> str:
    """Which step(s) lost the records, from the log's per-step counts."""
    raw = int(log.iloc[0]["n_in"])
    steps = log[(log["unit"] == "records") & (log["step"] != "raw records")]
    kept = int(steps.iloc[-1]["n_out"]) if len(steps) else raw

    def lost(row: Any) -> str:
        why = f" ({row.reasons})" if row.reasons else ""
        return f"step {row.step!r} dropped {row.n_dropped:,}{why}"

    noun = "compound" if n_compounds == 1 else "compounds"
    head = (
        f"Curation left {n_compounds} {noun} from {raw:,} records; at least "
        f"{MIN_COMPOUNDS} are needed."
    )
    losses = [row for row in steps.itertuples() if row.n_dropped > 0]
    if kept == 0 and losses:
        last = losses[-1]
        if last.n_in == raw:
            where = f"All {raw:,} records were dropped at step {last.step!r}"
        else:
            where = f"The last {last.n_in:,} of {raw:,} records were dropped at step {last.step!r}"
        where += f" ({last.reasons})" if last.reasons else ""
        if len(losses) > 1:
            where += "; before that, " + "; ".join(lost(row) for row in losses[:-1])
    elif losses:
        kept_records = f"{kept:,} record{'s' if kept != 1 else ''}"
        where = f"The {kept_records} kept describe one structure; " + "; ".join(
            lost(row) for row in losses
        )
    else:
        where = f"No record was dropped: the {raw:,} records are all of one structure"
    return f"{head} {where}. The counts per step are in error.result.log."


def curation_summary(log: pd.DataFrame) -> str:
    """The curation log as text: one line per step, and the check that the numbers add up.

    >>> import pandas as pd
    >>> log = pd.DataFrame([
    ...     {"step": "raw records", "n_in": 3, "n_out": 3, "n_dropped": 0, "n_merged": 0,
    ...      "unit": "records", "reasons": ""},
    ...     {"step": "relation", "n_in": 3, "n_out": 2, "n_dropped": 1, "n_merged": 0,
    ...      "unit": "records", "reasons": "censored: 1"},
    ...     {"step": "aggregate per compound", "n_in": 2, "n_out": 1, "n_dropped": 0,
    ...      "n_merged": 1, "unit": "compounds", "reasons": ""}])
    >>> print(curation_summary(log))
    raw records                         3 records
    relation                            2 kept,       1 dropped (censored: 1)
    aggregate per compound              1 compounds from 2 records (1 replicates merged)
    check: 3 raw = 1 dropped + 2 kept records
    """
    lines = []
    record_steps = log[log["unit"] == "records"]
    for row in log.itertuples():
        if row.step == "raw records":
            lines.append(f"{row.step:<30}{row.n_out:>7,} records")
        elif row.unit == "records":
            why = f" ({row.reasons})" if row.reasons else ""
            lines.append(f"{row.step:<30}{row.n_out:>7,} kept, {row.n_dropped:>7,} dropped{why}")
        else:
            lines.append(
                f"{row.step:<30}{row.n_out:>7,} compounds from {row.n_in:,} records "
                f"({row.n_merged:,} replicates merged)"
            )
    raw = int(log.iloc[0]["n_in"])
    dropped = int(record_steps["n_dropped"].sum())
    kept = int(record_steps.iloc[-1]["n_out"])
    status = "" if raw == dropped + kept else "  <-- DOES NOT ADD UP"
    lines.append(f"check: {raw:,} raw = {dropped:,} dropped + {kept:,} kept records{status}")
    return "\n".join(lines)
