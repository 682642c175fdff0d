"""What every featurizer shares: its errors, input handling, parsing, and the base class.

:class:`MolecularFeaturizer` does the parsing, chunking, parallelism and
invalid-row handling; a subclass says how wide its rows are and how to fill
one. It also writes and reads the featurizer's spec (its JSON description,
see :func:`drugml.featurize.featurizer_spec`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError

from drugml._util.parallel import check_n_jobs, map_chunks
from drugml.chem import SmilesListError
from drugml.errors import DrugmlError

__all__ = [
    "FeaturizationError",
    "FeaturizerNotFittedError",
    "FeaturizerTypeError",
    "MolecularFeaturizer",
    "UnknownFeaturizerError",
    "as_molecule_list",
    "parse_molecules",
    "parse_one",
]


class FeaturizationError(DrugmlError, ValueError):
    """Molecules could not be featurized: invalid ones with ``strict=True`` (the message
    lists them), or inputs or parameters a featurizer cannot take (the message says which)."""


class FeaturizerTypeError(FeaturizationError, TypeError):
    """:class:`MolecularFeatures` got something that is not a drugml featurizer.

    (One SMILES string where a list is expected raises
    :class:`drugml.chem.SmilesListError`, as in every drugml function.)
    """


class FeaturizerNotFittedError(FeaturizationError, NotFittedError):
    """A featurizer that learns from the data (``RDKitDescriptors(scale=True)``) was asked
    to transform before ``fit``; also scikit-learn's ``NotFittedError``."""


class UnknownFeaturizerError(FeaturizerTypeError):
    """A featurizer name, or a featurizer's class, that the registry does not know (or knows
    without a spec, as :class:`GraphFeaturizer`); ``name`` is the class name asked for.

    >>> from drugml.featurize import get_featurizer
    >>> try:
    ...     get_featurizer("ECPF")
    ... except UnknownFeaturizerError as error:
    ...     print(error.name, "|", error)
    ECPF | Unknown featurizer 'ECPF'; did you mean `ECFP`?
    """

    def __init__(self, message: str, name: Any = None) -> None:
        super().__init__(message)
        self.name = name


def as_molecule_list(X: Any) -> list[Any]:
    """Turn the inputs a transformer may get into a flat list of SMILES/Mol objects.

    >>> as_molecule_list(np.array([["CCO"], ["CCN"]], dtype=object))
    ['CCO', 'CCN']
    """
    import pandas as pd

    if isinstance(X, str):
        raise SmilesListError("Featurizers take a list of SMILES, not one string: use [smiles]")
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise FeaturizationError(
                f"Got a table with {X.shape[1]} columns; pass the SMILES column alone "
                f"(columns: {list(X.columns)})"
            )
        return X.iloc[:, 0].tolist()
    if isinstance(X, pd.Series):
        return X.tolist()
    if isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 1:
            return X[:, 0].tolist()
        if X.ndim != 1:
            raise FeaturizationError(
                f"Expected one molecule per row, got an array of shape {X.shape}"
            )
        return X.tolist()
    return list(X)


def parse_one(item: Any, fast: bool) -> tuple[Any, str | None]:
    """One input to ``(mol, None)`` or ``(None, reason)``; call inside ``rdBase.BlockLogs``.

    The fast path parses without sanitizing, then sanitizes: the same molecule
    as ``MolFromSmiles`` minus hydrogen removal and stereo perception, which
    stereo-free fingerprints do not use. Mol objects pass through; SMILES with
    explicit hydrogens, failures and ``fast=False`` take the full parse, which
    also gives RDKit's reason for a failure.

    >>> mol, reason = parse_one("CCO", fast=True)
    >>> mol.GetNumAtoms(), reason
    (3, None)
    """
    from rdkit import Chem

    from drugml.chem import parse_smiles

    if isinstance(item, Chem.Mol):
        return item, None
    if fast and isinstance(item, str) and "[H" not in item:
        mol = Chem.MolFromSmiles(item, sanitize=False)
        if (
            mol is not None
            and mol.GetNumAtoms()
            and Chem.SanitizeMol(mol, catchErrors=True) == Chem.SanitizeFlags.SANITIZE_NONE
        ):
            return mol, None
    mol, _, error = parse_smiles(item)
    return mol, error


def parse_molecules(items: Sequence[Any], full: bool = True) -> tuple[list, list[tuple[int, str]]]:
    """Parse SMILES (Mols pass through): the molecules, None where invalid, and ``(index, reason)``.

    ``full=True`` parses as :func:`drugml.chem.parse_smiles` does; ``full=False``
    takes the fingerprint featurizers' fast path (no hydrogen removal or stereo
    perception, which stereo-free fingerprints do not need). RDKit's log stays
    quiet: the reasons say what went wrong.

    >>> mols, invalid = parse_molecules(["CCO", "C1CC"])
    >>> mols[0].GetNumAtoms(), mols[1], invalid
    (3, None, [(1, "unparsable: unclosed ring for input: 'C1CC'")])
    """
    from rdkit import rdBase

    mols: list = []
    invalid: list[tuple[int, str]] = []
    with rdBase.BlockLogs():
        for i, item in enumerate(items):
            mol, error = parse_one(item, fast=not full)
            if mol is None:
                invalid.append((i, error))
            mols.append(mol)
    return mols, invalid


def _featurize_chunk(items: Sequence[Any], featurizer: MolecularFeaturizer):
    fused = getattr(featurizer, "_fill_items", None)
    if fused is not None:  # parse and featurize in one pass (fingerprints)
        return fused(items)
    mols, invalid = parse_molecules(items, featurizer._needs_full_parse())
    return featurizer._fill(mols), invalid


class MolecularFeaturizer(TransformerMixin, BaseEstimator):
    """Base class: parsing, chunking, parallelism, invalid-row handling, the spec.

    Subclasses set ``_dtype`` and implement ``_n_features()``,
    ``_feature_names()`` and ``_featurize_one(mol, out_row)``; one that keeps
    more than its parameters (a fitted state, nested featurizers) extends
    :meth:`to_spec` and :meth:`from_spec`.
    """

    _dtype: type = np.uint8
    _fast_parse_ok = True  # False when the features depend on stereo or explicit Hs

    # ---------------------------------------------------------- sklearn API
    def fit(self, X: Any = None, y: Any = None) -> MolecularFeaturizer:
        """Nothing to learn (descriptor scaling aside); checks the parameters."""
        check_n_jobs(self.n_jobs, self.chunk_size)
        self.n_features_out_ = self._n_features()
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Featurize molecules: one row per input, in order (NaN rows for invalid ones)."""
        check_n_jobs(self.n_jobs, self.chunk_size)
        items = as_molecule_list(X)
        results = map_chunks(
            _featurize_chunk,
            items,
            (self,),
            n_jobs=self.n_jobs,
            chunk_size=self.chunk_size,
            progress=self.progress,
            desc=type(self).__name__,
        )
        return self._assemble(items, results)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns (e.g. ``ecfp4_0`` ... ``ecfp4_2047``)."""
        return np.asarray(self._feature_names(), dtype=object)

    def __sklearn_is_fitted__(self) -> bool:  # stateless unless a subclass says otherwise
        return True

    # ------------------------------------------------------------------ spec
    def to_spec(self) -> dict[str, Any]:
        """The featurizer as JSON values: ``{"class": ..., "params": ...}`` (tuples as lists).

        Saved models keep this layout: a subclass may add keys, never change these.
        Use :func:`drugml.featurize.featurizer_spec`, which checks the registry.

        >>> from drugml.featurize import MACCS
        >>> MACCS().to_spec()["params"]["chunk_size"]
        1000
        """
        params = self.get_params(deep=False)
        return {
            "class": type(self).__name__,
            "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()},
        }

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> MolecularFeaturizer:
        """The featurizer :meth:`to_spec` described (:func:`~drugml.featurize.featurizer_from_spec`
        checks the registry first).

        >>> from drugml.featurize import MACCS
        >>> MACCS.from_spec(MACCS(chunk_size=10).to_spec()).chunk_size
        10
        """
        return cls(**spec["params"])

    # ------------------------------------------------------------ internals
    def _needs_full_parse(self) -> bool:
        return not self._fast_parse_ok

    def _fill(self, mols: Sequence[Any]) -> np.ndarray:
        out = np.zeros((len(mols), self._n_features()), dtype=self._dtype)
        for i, mol in enumerate(mols):
            if mol is not None:
                self._featurize_one(mol, out[i])
        return out

    def _assemble(self, items: Sequence[Any], results: list) -> np.ndarray:
        arrays, invalid, offset = [], [], 0
        for (array, bad), size in zip(results, _sizes(len(items), self.chunk_size), strict=True):
            arrays.append(array)
            invalid.extend((offset + i, reason) for i, reason in bad)
            offset += size
        out = (
            np.concatenate(arrays)
            if arrays
            else np.zeros((0, self._n_features()), dtype=self._dtype)
        )
        return self._handle_invalid(items, out, invalid)

    def _handle_invalid(self, items, out: np.ndarray, invalid: list[tuple[int, str]]):
        self.last_invalid_ = [(i, items[i], reason) for i, reason in invalid]
        if not invalid:
            return out
        listing = "; ".join(f"[{i}] {items[i]!r}: {reason}" for i, reason in invalid[:20])
        more = f" (and {len(invalid) - 20} more)" if len(invalid) > 20 else ""
        if self.strict:
            raise FeaturizationError(
                f"{len(invalid)} of {len(items)} molecules could not be parsed: {listing}{more}"
            )
        warnings.warn(
            f"{type(self).__name__}: {len(invalid)} of {len(items)} molecules could not be "
            f"parsed; their rows are NaN: {listing}{more}",
            stacklevel=3,
        )
        if not np.issubdtype(out.dtype, np.floating):
            out = out.astype(np.float32)
        out[[i for i, _ in invalid]] = np.nan
        return out


def _sizes(total: int, chunk_size: int) -> list[int]:
    return [min(chunk_size, total - start) for start in range(0, total, chunk_size)]
