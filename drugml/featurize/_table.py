"""Featurize a table, or stream features chunk by chunk from a file or an iterable.

Example
-------
>>> from drugml.featurize import ECFP, iter_features
>>> [features.shape for _, features in iter_features(["CCO"], ECFP(n_bits=64))]
[(1, 64)]
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.featurize._base import MolecularFeaturizer

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["featurize_table", "iter_features"]


def featurize_table(
    table: pd.DataFrame, featurizer: MolecularFeaturizer, smiles_column: str = "smiles"
) -> pd.DataFrame:
    """Featurize a table's SMILES column into a DataFrame with named feature columns.

    >>> import pandas as pd
    >>> from drugml.featurize import RDKitDescriptors
    >>> table = featurize_table(pd.DataFrame({"smiles": ["CCO"]}), RDKitDescriptors(["TPSA"]))
    >>> table.columns.tolist()
    ['TPSA']
    """
    import pandas as pd

    values = featurizer.fit_transform(table[smiles_column])
    return pd.DataFrame(values, index=table.index, columns=featurizer.get_feature_names_out())


def iter_features(
    source: Any,
    featurizer: MolecularFeaturizer,
    chunk_size: int = 10_000,
    packed: bool = False,
    **read_options: Any,
) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    """Stream features chunk by chunk: ``(records, features)`` pairs, never all in memory.

    ``source`` is a molecule file (read with :func:`drugml.chem.iter_molecules`)
    or an iterable of SMILES. ``records`` has the reader's ``record``, ``id``
    and ``input`` columns and ``featurized`` (False where the molecule could
    not be parsed); ``features`` one row per record (NaN rows where not
    featurized). ``packed=True`` packs bit fingerprints 8 to a byte
    (``np.packbits``), a further 8x smaller.

    >>> from drugml.featurize import ECFP
    >>> chunks = iter_features(["CCO", "CCN", "CCC"], ECFP(n_bits=64), chunk_size=2)
    >>> [features.shape for _, features in chunks]
    [(2, 64), (1, 64)]
    """
    from itertools import islice
    from pathlib import Path

    from drugml.chem import iter_molecules, smiles_table

    if isinstance(source, (str, Path)):
        tables = iter_molecules(source, chunk_size=chunk_size, **read_options)
    else:
        iterator = iter(source)
        offset = 0

        def _tables():
            nonlocal offset
            while chunk := list(islice(iterator, chunk_size)):
                table = smiles_table(chunk, ids=range(offset + 1, offset + len(chunk) + 1))
                table["record"] = table["id"]
                offset += len(chunk)
                yield table

        tables = _tables()
    with warnings.catch_warnings():
        # Unreadable records are in the table's read_error / NaN rows; one
        # warning per chunk would drown the user.
        warnings.simplefilter("ignore", UserWarning)
        for table in tables:
            features = featurizer.transform(table["input"].tolist())
            featurized = np.ones(len(table), dtype=bool)
            featurized[[index for index, _, _ in featurizer.last_invalid_]] = False
            table["featurized"] = featurized
            if packed:  # rows that could not be featurized pack as zeros; see "featurized"
                bits = np.nan_to_num(features, nan=0) if features.dtype.kind == "f" else features
                features = np.packbits(bits.astype(np.uint8), axis=1)
            yield table, features
