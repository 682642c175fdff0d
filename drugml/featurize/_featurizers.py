"""Molecular featurizers as scikit-learn transformers.

Each featurizer takes SMILES strings or RDKit ``Mol`` objects (a list, a
Series, or a one-column array/DataFrame as ``ColumnTransformer`` passes it) and
returns a NumPy array, one row per input, in input order. Parameters are
stored unchanged in ``__init__`` so ``get_params``/``set_params``, ``clone``,
``Pipeline``, ``FeatureUnion`` and ``cross_val_score`` work.

- :class:`ECFP` / :class:`FCFP`: Morgan fingerprints (bits or counts, chirality).
- :class:`AtomPairs`, :class:`TopologicalTorsion`, :class:`MACCS`.
- :class:`RDKitDescriptors`: every RDKit 2D descriptor (``Descriptors._descList``),
  with shared intermediates computed once per molecule; NaN/inf are reported.
- :class:`MolecularFeatures`: several featurizers on one parse per molecule
  (a ``FeatureUnion`` would parse once per featurizer).
- :class:`GraphFeaturizer`: DeepChem graph objects for graph neural networks.

Dtypes are compact: ``uint8`` bits, ``uint16`` counts, ``float32`` descriptors.
A molecule that cannot be parsed gives a row of NaN (the array is then
``float32``, since integers cannot hold NaN); a warning names its index and
reason, and ``last_invalid_`` lists them. With ``strict=True`` the call
raises :class:`FeaturizationError` instead.

Example
-------
>>> from drugml.featurize import ECFP
>>> X = ECFP(radius=2, n_bits=1024).fit_transform(["CCO", "c1ccccc1O"])
>>> X.shape, X.dtype.name
((2, 1024), 'uint8')
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError

from drugml._util.parallel import check_n_jobs, map_chunks
from drugml.chem import SmilesListError
from drugml.errors import DrugmlError, MissingDependencyError

if TYPE_CHECKING:
    import pandas as pd
    from rdkit import Chem

__all__ = [
    "ECFP",
    "FCFP",
    "MACCS",
    "AtomPairs",
    "FeaturizationError",
    "FeaturizerNotFittedError",
    "FeaturizerTypeError",
    "GraphFeaturizer",
    "MolecularFeatures",
    "RDKitDescriptors",
    "TopologicalTorsion",
    "as_molecule_list",
    "bit_fingerprints",
    "fingerprint_bits",
    "iter_features",
    "max_tanimoto",
    "nearest_tanimoto",
    "parse_molecules",
    "shared_descriptor",
    "shared_descriptors",
    "tanimoto_blocks",
    "tanimoto_similarity",
    "top_tanimoto",
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


def _parse_one(item: Any, fast: bool) -> tuple[Any, str | None]:
    """One input to ``(mol, None)`` or ``(None, reason)``; call inside ``rdBase.BlockLogs``.

    The fast path parses without sanitizing, then sanitizes: the same molecule
    as ``MolFromSmiles`` minus hydrogen removal and stereo perception, which
    stereo-free fingerprints do not use. Mol objects pass through; SMILES with
    explicit hydrogens, failures and ``fast=False`` take the full parse, which
    also gives RDKit's reason for a failure.
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
            mol, error = _parse_one(item, fast=not full)
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
    """Base class: parsing, chunking, parallelism, invalid-row handling.

    Subclasses set ``_dtype`` and implement ``_n_features()``,
    ``_feature_names()`` and ``_featurize_one(mol, out_row)``.
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
            _featurize_chunk, items, (self,), n_jobs=self.n_jobs,
            chunk_size=self.chunk_size, progress=self.progress, desc=type(self).__name__,
        )  # fmt: skip
        return self._assemble(items, results)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns (e.g. ``ecfp4_0`` ... ``ecfp4_2047``)."""
        return np.asarray(self._feature_names(), dtype=object)

    def __sklearn_is_fitted__(self) -> bool:  # stateless unless a subclass says otherwise
        return True

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


class _GeneratorFingerprint(MolecularFeaturizer):
    """Fingerprints from one reused ``rdFingerprintGenerator`` per process."""

    _prefix = "fp"

    def _generator(self):
        raise NotImplementedError

    def _cached_generator(self):
        # Generators are not picklable: build one lazily in each process.
        generator = self.__dict__.get("_generator_cache")
        if generator is None:
            generator = self._generator()
            self.__dict__["_generator_cache"] = generator
        return generator

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_generator_cache", None)
        return state

    def _n_features(self) -> int:
        return self.n_bits

    def _feature_names(self) -> list[str]:
        return [f"{self._prefix}_{i}" for i in range(self.n_bits)]

    @property
    def _dtype(self):  # type: ignore[override]
        return np.uint16 if self.counts else np.uint8

    def _fill(self, mols: Sequence[Any]) -> np.ndarray:
        generator = self._cached_generator()
        out = np.zeros((len(mols), self.n_bits), dtype=self._dtype)
        method = (
            generator.GetCountFingerprintAsNumPy if self.counts else generator.GetFingerprintAsNumPy
        )
        for i, mol in enumerate(mols):
            if mol is not None:
                out[i] = method(mol)
        return out

    def _needs_full_parse(self) -> bool:
        return bool(getattr(self, "chirality", False))

    def _fill_items(self, items: Sequence[Any]) -> tuple[np.ndarray, list[tuple[int, str]]]:
        """Parse and fingerprint in one loop (the hot path of large screens)."""
        from rdkit import rdBase

        fast = not self._needs_full_parse()
        generator = self._cached_generator()
        method = (
            generator.GetCountFingerprintAsNumPy if self.counts
            else generator.GetFingerprintAsNumPy
        )  # fmt: skip
        out = np.zeros((len(items), self.n_bits), dtype=self._dtype)
        invalid: list[tuple[int, str]] = []
        with rdBase.BlockLogs():
            for i, item in enumerate(items):
                mol, error = _parse_one(item, fast)
                if mol is None:
                    invalid.append((i, error))
                else:
                    out[i] = method(mol)
        return out, invalid


class ECFP(_GeneratorFingerprint):
    """Extended-connectivity (Morgan) fingerprint, RDKit's ``GetMorganGenerator``.

    ``radius=2`` is ECFP4. ``counts=True`` gives how often each hashed
    environment occurs; ``chirality`` includes stereo in the invariants.

    >>> ECFP(radius=3, n_bits=2048).get_feature_names_out()[:2].tolist()
    ['ecfp6_0', 'ecfp6_1']
    """

    _features = False

    def __init__(self, radius: int = 2, n_bits: int = 2048, counts: bool = False,
                 chirality: bool = False, n_jobs: int = 1, chunk_size: int = 1000,
                 strict: bool = False, progress: bool | None = None) -> None:  # fmt: skip
        self.radius = radius
        self.n_bits = n_bits
        self.counts = counts
        self.chirality = chirality
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size
        self.strict = strict
        self.progress = progress

    @property
    def _prefix(self) -> str:  # type: ignore[override]
        return f"{'fcfp' if self._features else 'ecfp'}{2 * self.radius}"

    def _generator(self):
        from rdkit.Chem import rdFingerprintGenerator

        options = {"radius": self.radius, "fpSize": self.n_bits,
                   "includeChirality": self.chirality}  # fmt: skip
        if self._features:
            options["atomInvariantsGenerator"] = rdFingerprintGenerator.GetMorganFeatureAtomInvGen()
        return rdFingerprintGenerator.GetMorganGenerator(**options)


class FCFP(ECFP):
    """Functional-class (pharmacophoric) Morgan fingerprint: ECFP with feature invariants.

    >>> FCFP().get_feature_names_out()[0]
    'fcfp4_0'
    """

    _features = True


class AtomPairs(_GeneratorFingerprint):
    """Atom-pair fingerprint (RDKit ``GetAtomPairGenerator``)."""

    _prefix = "atompair"

    def __init__(self, n_bits: int = 2048, counts: bool = False, chirality: bool = False,
                 n_jobs: int = 1, chunk_size: int = 1000, strict: bool = False,
                 progress: bool | None = None) -> None:  # fmt: skip
        self.n_bits = n_bits
        self.counts = counts
        self.chirality = chirality
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size
        self.strict = strict
        self.progress = progress

    def _generator(self):
        from rdkit.Chem import rdFingerprintGenerator

        return rdFingerprintGenerator.GetAtomPairGenerator(
            fpSize=self.n_bits, includeChirality=self.chirality
        )


class TopologicalTorsion(AtomPairs):
    """Topological-torsion fingerprint (RDKit ``GetTopologicalTorsionGenerator``)."""

    _prefix = "torsion"

    def _generator(self):
        from rdkit.Chem import rdFingerprintGenerator

        return rdFingerprintGenerator.GetTopologicalTorsionGenerator(
            fpSize=self.n_bits, includeChirality=self.chirality
        )


class MACCS(MolecularFeaturizer):
    """The 166 MACCS structural keys (167 bits; bit 0 is always 0), RDKit ``MACCSkeys``."""

    def __init__(self, n_jobs: int = 1, chunk_size: int = 1000, strict: bool = False,
                 progress: bool | None = None) -> None:  # fmt: skip
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size
        self.strict = strict
        self.progress = progress

    def _n_features(self) -> int:
        return 167

    def _feature_names(self) -> list[str]:
        return [f"maccs_{i}" for i in range(167)]

    def _featurize_one(self, mol, row) -> None:
        from rdkit import DataStructs
        from rdkit.Chem import MACCSkeys

        DataStructs.ConvertToNumpyArray(MACCSkeys.GenMACCSKeys(mol), row)


# ----------------------------------------------------------------- descriptors

_SHARED = threading.local()


@contextmanager
def shared_descriptors() -> Iterator[None]:
    """Inside this block a descriptor that two callers ask of one molecule is computed once.

    A screen featurizes a molecule for its models and then computes its
    drug-likeness properties and QED: both need, e.g., the rotatable bonds.
    Values asked through :func:`shared_descriptor` are kept, per molecule
    object, until the outermost block ends (so a molecule changed afterwards
    is never served an old value). Per thread.

    >>> from rdkit import Chem
    >>> mol = Chem.MolFromSmiles("CCOC(=O)c1ccccc1")
    >>> with shared_descriptors():
    ...     first = shared_descriptor(mol, "n", lambda m: m.GetNumAtoms())
    ...     again = shared_descriptor(mol, "n", lambda m: -1)  # kept: not called
    >>> first, again
    (11, 11)
    """
    outer = getattr(_SHARED, "values", None)
    if outer is None:
        _SHARED.values = {}
    try:
        yield
    finally:
        if outer is None:
            _SHARED.values = None


def shared_descriptor(mol: Chem.Mol, name: str, function: Callable[[Chem.Mol], Any]) -> Any:
    """``function(mol)``, computed once per molecule object inside :func:`shared_descriptors`
    (outside it: every time). ``name`` identifies the value; the same name must
    always mean the same function."""
    values = getattr(_SHARED, "values", None)
    if values is None:
        return function(mol)
    entry = values.get(id(mol))
    if entry is None or entry[0] is not mol:  # the molecule is kept: its id is not reused
        entry = values[id(mol)] = (mol, {})
    if name not in entry[1]:
        entry[1][name] = function(mol)
    return entry[1][name]


#: Descriptors computed from the E-state indices; RDKit recomputes those indices
#: for each of them (25 times a molecule), drugml once.
_ESTATE_INDEX = {"MaxEStateIndex", "MinEStateIndex", "MaxAbsEStateIndex", "MinAbsEStateIndex"}


def _descriptor_list() -> list[tuple[str, Any]]:
    from rdkit.Chem import Descriptors

    return list(Descriptors._descList)


#: Families of descriptors that RDKit computes as one vector per molecule and
#: then indexes (``MolSurf``: ``SlogP_VSA3 = SlogP_VSA_(mol, force=False)[2]``).
_VSA_VECTORS = ("SlogP_VSA", "SMR_VSA", "PEOE_VSA")


@cache
def _descriptor_plan(names: tuple[str, ...] | None) -> tuple[list[tuple], frozenset]:
    """The descriptors to compute, in RDKit's order, and the shared intermediates they need.

    Each step is ``(name, function, vector, position)``: ``vector`` names the
    shared vector (``SlogP_VSA``, ...) whose entry ``position`` the descriptor
    is, else None.
    """
    wanted = set(names) if names is not None else {name for name, _ in _descriptor_list()}
    needs = set()
    if wanted & {"Ipc", "AvgIpc"}:
        needs.add("polynomial")
    if any(n in _ESTATE_INDEX or n.startswith(("VSA_EState", "EState_VSA")) for n in wanted):
        needs.add("estate")
    for prefix in ("VSA_EState", "EState_VSA", *_VSA_VECTORS):
        if any(n.startswith(prefix) and n.removeprefix(prefix).isdigit() for n in wanted):
            needs.add(prefix)
    plan = []
    for name, function in _descriptor_list():
        if name not in wanted:
            continue
        family = name.rstrip("0123456789")
        if family in needs and name != family:
            plan.append((name, function, family, int(name[len(family) :]) - 1))
        else:
            plan.append((name, function, None, None))
    return plan, frozenset(needs)


def calc_descriptors(mol: Chem.Mol, names: Sequence[str] | None = None) -> dict[str, float]:
    """RDKit 2D descriptors of one molecule; the same values as ``Descriptors.CalcMolDescriptors``.

    Shared intermediates are computed once: the E-state indices (used by 25
    descriptors), the E-state/VSA bins (21 descriptors from two calls), the
    SlogP/SMR/PEOE VSA vectors (36 descriptors, one vector each) and the
    characteristic polynomial behind Ipc and AvgIpc.

    >>> from rdkit import Chem
    >>> d = calc_descriptors(Chem.MolFromSmiles("c1ccccc1O"))
    >>> round(d["MolWt"], 2), d["NumHDonors"]
    (94.11, 1)
    """
    from rdkit import Chem
    from rdkit.Chem import Graphs, MolSurf
    from rdkit.Chem.EState import EState, EState_VSA
    from rdkit.ML.InfoTheory import entropy

    plan, needs = _descriptor_plan(tuple(names) if names is not None else None)
    # Shared intermediates, computed only when a wanted descriptor needs them.
    if "polynomial" in needs:
        # Ipc and AvgIpc share the characteristic polynomial (GraphDescriptors.Ipc).
        distances = Chem.GetDistanceMatrix(mol, False)
        mol._adjMat = distances
        polynomial = abs(Graphs.CharacteristicPolynomial(mol, np.equal(distances, 1)))
    if "estate" in needs:
        estate = EState.EStateIndices(mol)
        mol._eStateIndices = estate  # later EStateIndices(force=False) calls reuse it
    vectors: dict[str, Any] = {}
    if "VSA_EState" in needs:
        vectors["VSA_EState"] = EState_VSA.VSA_EState_(mol, force=False)
    if "EState_VSA" in needs:
        vectors["EState_VSA"] = EState_VSA.EState_VSA_(mol, force=False)
    for family in _VSA_VECTORS:
        if family in needs:
            try:
                vectors[family] = getattr(MolSurf, f"{family}_")(mol, force=False)
            except Exception:  # as CalcMolDescriptors does: each of them is NaN
                vectors[family] = None
    values: dict[str, float] = {}
    for name, function, family, position in plan:
        try:
            if family is not None:
                vector = vectors[family]
                value = float("nan") if vector is None else vector[position]
            elif name == "MaxEStateIndex":
                value = max(estate)
            elif name == "MinEStateIndex":
                value = min(estate)
            elif name == "MaxAbsEStateIndex":
                value = max(abs(x) for x in estate)
            elif name == "MinAbsEStateIndex":
                value = min(abs(x) for x in estate)
            elif name == "Ipc":
                value = sum(polynomial) * entropy.InfoEntropy(polynomial)
            elif name == "AvgIpc":
                value = entropy.InfoEntropy(polynomial)
            elif name == "NumRotatableBonds":  # also a drug-likeness property and in QED
                value = shared_descriptor(mol, name, function)
            else:
                value = function(mol)
        except Exception:  # as CalcMolDescriptors does: a failing descriptor is NaN
            value = float("nan")
        values[name] = value
    return values


class RDKitDescriptors(MolecularFeaturizer):
    """Every RDKit 2D descriptor (or a chosen subset) as ``float32`` columns.

    Values equal ``Descriptors.CalcMolDescriptors``; infinities become NaN and
    are counted in ``last_nonfinite_`` (column name -> rows). With
    ``scale=True``, ``fit`` learns each column's mean and standard deviation
    (NaN ignored) and ``transform`` standardizes; NaN stays NaN (XGBoost
    handles it; impute for other estimators).

    >>> RDKitDescriptors(descriptors=["MolWt", "TPSA"]).fit_transform(["CCO"]).round(2)
    array([[46.07, 20.23]], dtype=float32)
    """

    _dtype = np.float32
    _fast_parse_ok = False  # some descriptors count stereocentres and explicit Hs

    def __init__(self, descriptors: Sequence[str] | None = None, scale: bool = False,
                 n_jobs: int = 1, chunk_size: int = 500, strict: bool = False,
                 progress: bool | None = None) -> None:  # fmt: skip
        self.descriptors = descriptors
        self.scale = scale
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size
        self.strict = strict
        self.progress = progress

    def _names(self) -> list[str]:
        available = [name for name, _ in _descriptor_list()]
        if self.descriptors is None:
            return available
        unknown = sorted(set(self.descriptors) - set(available))
        if unknown:
            raise FeaturizationError(
                f"Unknown RDKit descriptors {unknown}; see Descriptors._descList"
            )
        return list(self.descriptors)

    def _n_features(self) -> int:
        return len(self._names())

    def _feature_names(self) -> list[str]:
        return self._names()

    def _fill(self, mols: Sequence[Any]) -> np.ndarray:
        from rdkit import rdBase

        names = self._names()
        out = np.full((len(mols), len(names)), np.nan, dtype=np.float64)
        with rdBase.BlockLogs():
            for i, mol in enumerate(mols):
                if mol is not None:
                    values = calc_descriptors(mol, names)
                    out[i] = [values[n] for n in names]
        return out  # float64 until assembled, so overflow to inf is seen, not hidden

    def fit(self, X: Any = None, y: Any = None) -> RDKitDescriptors:
        super().fit(X, y)
        if self.scale:
            if X is None:
                raise FeaturizationError(
                    "RDKitDescriptors(scale=True) must be fitted on molecules: fit(smiles)"
                )
            raw = self._raw_transform(X)
            self.mean_ = np.nanmean(raw, axis=0)
            std = np.nanstd(raw, axis=0)
            self.scale_ = np.where(std > 0, std, 1.0)
        return self

    def transform(self, X: Any) -> np.ndarray:
        raw = self._raw_transform(X)
        if self.scale:
            if not hasattr(self, "mean_"):
                raise FeaturizerNotFittedError(
                    "RDKitDescriptors(scale=True) needs fit() before transform()"
                )
            raw = (raw - self.mean_) / self.scale_
        return raw.astype(np.float32)

    def __sklearn_is_fitted__(self) -> bool:
        return not self.scale or hasattr(self, "mean_")

    def _raw_transform(self, X: Any) -> np.ndarray:
        out = super().transform(X)
        with np.errstate(over="ignore"):
            too_big = ~np.isfinite(out.astype(np.float32)) & ~np.isnan(out)
        names = self._names()
        self.last_nonfinite_ = {
            names[j]: np.flatnonzero(too_big[:, j]).tolist() for j in np.flatnonzero(too_big.any(0))
        }
        out[too_big] = np.nan
        return out


# ------------------------------------------------------------- combinations


class MolecularFeatures(MolecularFeaturizer):
    """Several featurizers side by side, each molecule parsed once.

    ``featurizers`` is a list of featurizers or of ``(name, featurizer)``
    pairs; columns are named ``name__feature``. Use it instead of a
    ``FeatureUnion`` of featurizers, which would parse every molecule once per
    featurizer. Featurizers that learn (scaled descriptors) are fitted in ``fit``.

    >>> X = MolecularFeatures([ECFP(n_bits=64), RDKitDescriptors(["MolWt"])]).fit_transform(["CCO"])
    >>> X.shape, X.dtype.name
    ((1, 65), 'float32')
    """

    def __init__(self, featurizers: Sequence[Any], n_jobs: int = 1, chunk_size: int = 500,
                 strict: bool = False, progress: bool | None = None) -> None:  # fmt: skip
        self.featurizers = featurizers
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size
        self.strict = strict
        self.progress = progress

    def _named(self) -> list[tuple[str, MolecularFeaturizer]]:
        named = []
        for item in self.featurizers:
            name, featurizer = item if isinstance(item, tuple) else (None, item)
            if not isinstance(featurizer, MolecularFeaturizer):
                raise FeaturizerTypeError(
                    f"{featurizer!r} is not a drugml featurizer "
                    "(ECFP, MACCS, RDKitDescriptors, ... from drugml.featurize)"
                )
            named.append((name or type(featurizer).__name__.lower(), featurizer))
        return named

    @property
    def _dtype(self):  # type: ignore[override]
        return np.result_type(*[f._dtype for _, f in self._named()])

    def _needs_full_parse(self) -> bool:
        return any(f._needs_full_parse() for _, f in self._named())

    def _n_features(self) -> int:
        return sum(f._n_features() for _, f in self._named())

    def _feature_names(self) -> list[str]:
        return [f"{name}__{feature}" for name, f in self._named() for feature in f._feature_names()]

    def _fill(self, mols: Sequence[Any]) -> np.ndarray:
        return np.hstack([f._fill(mols).astype(self._dtype, copy=False) for _, f in self._named()])

    def fit(self, X: Any = None, y: Any = None) -> MolecularFeatures:
        super().fit(X, y)
        for _, featurizer in self._named():
            if getattr(featurizer, "scale", False):
                featurizer.fit(X)
        return self

    def transform(self, X: Any) -> np.ndarray:
        out = super().transform(X)
        start = 0
        for _, featurizer in self._named():
            width = featurizer._n_features()
            if isinstance(featurizer, RDKitDescriptors):
                block = out[:, start : start + width].astype(np.float64)
                block[~np.isfinite(block)] = np.nan
                if featurizer.scale:
                    block = (block - featurizer.mean_) / featurizer.scale_
                out[:, start : start + width] = block
            start += width
        return out


# -------------------------------------------------------------------- graphs


class GraphFeaturizer(TransformerMixin, BaseEstimator):
    """DeepChem graph featurization for graph neural networks (imports DeepChem on use).

    ``kind="dmpnn"`` gives ``DMPNNFeaturizer`` graphs (for DeepChem's DMPNN),
    ``kind="molgraphconv"`` ``MolGraphConvFeaturizer`` graphs. Returns an object
    array of ``GraphData``; a molecule that cannot be parsed gives ``None``,
    named in a warning (or a :class:`FeaturizationError` when ``strict``).
    """

    def __init__(self, kind: str = "dmpnn", strict: bool = False) -> None:
        self.kind = kind
        self.strict = strict

    def fit(self, X: Any = None, y: Any = None) -> GraphFeaturizer:
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def transform(self, X: Any) -> np.ndarray:
        from rdkit import Chem

        items = as_molecule_list(X)
        mols, invalid = parse_molecules(items, full=True)
        featurizer = _deepchem_featurizer(self.kind)
        out = np.empty(len(items), dtype=object)
        for i, mol in enumerate(mols):
            if mol is None:
                continue
            graph = featurizer.featurize([Chem.MolToSmiles(mol)])[0]
            if isinstance(graph, np.ndarray) and graph.size == 0:  # DeepChem's failure marker
                invalid.append((i, "DeepChem could not featurize it"))
                continue
            out[i] = graph
        if invalid:
            listing = "; ".join(f"[{i}] {items[i]!r}: {r}" for i, r in invalid[:20])
            if self.strict:
                raise FeaturizationError(
                    f"{len(invalid)} molecules could not be featurized: {listing}"
                )
            warnings.warn(f"GraphFeaturizer: {len(invalid)} molecules gave no graph: {listing}",
                          stacklevel=2)  # fmt: skip
        self.last_invalid_ = [(i, items[i], r) for i, r in invalid]
        return out


def _deepchem_featurizer(kind: str):
    try:
        import deepchem as dc
    except ImportError as exc:  # pragma: no cover - deepchem is a core dependency
        raise MissingDependencyError(
            "GraphFeaturizer needs deepchem: pip install deepchem"
        ) from exc
    if kind == "dmpnn":
        return dc.feat.DMPNNFeaturizer()
    if kind == "molgraphconv":
        return dc.feat.MolGraphConvFeaturizer(use_edges=True)
    raise FeaturizationError(f"Unknown graph kind {kind!r}; use 'dmpnn' or 'molgraphconv'")


def featurize_table(table: pd.DataFrame, featurizer: MolecularFeaturizer,
                    smiles_column: str = "smiles") -> pd.DataFrame:  # fmt: skip
    """Featurize a table's SMILES column into a DataFrame with named feature columns.

    >>> import pandas as pd
    >>> table = featurize_table(pd.DataFrame({"smiles": ["CCO"]}), RDKitDescriptors(["TPSA"]))
    >>> table.columns.tolist()
    ['TPSA']
    """
    import pandas as pd

    values = featurizer.fit_transform(table[smiles_column])
    return pd.DataFrame(values, index=table.index, columns=featurizer.get_feature_names_out())


def bit_fingerprints(molecules: Sequence[Any], radius: int = 2, n_bits: int = 2048) -> list:
    """Morgan bit vectors (RDKit ``ExplicitBitVect``) for Tanimoto searches.

    SMILES strings or ``Mol`` objects; an unparsable or missing molecule gets
    an empty vector (similarity 0 to everything).

    >>> [fp.GetNumOnBits() > 0 for fp in bit_fingerprints(["CCO", "bad", None])]
    [True, False, False]
    """
    from rdkit import DataStructs
    from rdkit.Chem import rdFingerprintGenerator

    from drugml.chem import to_mol

    generator = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)
    empty = DataStructs.ExplicitBitVect(n_bits)
    fingerprints = []
    for item in molecules:
        mol = to_mol(item) if item is not None else None
        fingerprints.append(generator.GetFingerprint(mol) if mol is not None else empty)
    return fingerprints


def fingerprint_bits(fingerprints: Sequence[Any]) -> np.ndarray:
    """RDKit bit vectors as a 0/1 ``uint8`` matrix, one row each (for :func:`tanimoto_blocks`).

    >>> fingerprint_bits(bit_fingerprints(["CCO"], n_bits=64)).sum()
    np.uint64(6)
    """
    from rdkit import DataStructs

    if not len(fingerprints):
        return np.zeros((0, 0), dtype=np.uint8)
    bits = np.zeros((len(fingerprints), fingerprints[0].GetNumBits()), dtype=np.uint8)
    for row, fp in zip(bits, fingerprints, strict=True):
        DataStructs.ConvertToNumpyArray(fp, row)
    return bits


def tanimoto_blocks(query: np.ndarray, reference: np.ndarray, block: int = 2048):
    """Tanimoto similarities of every query row to every reference row, in tiles.

    ``query`` and ``reference`` are :func:`fingerprint_bits` matrices. Yields
    ``(row_offset, column_offset, similarities)`` for tiles of at most ``block``
    x ``block``: the same values as RDKit's ``BulkTanimotoSimilarity`` (the
    intersections are exact integer counts, the ratio is taken in double
    precision; two empty fingerprints have similarity 0), as matrix products,
    several times faster than a loop over queries.

    >>> bits = fingerprint_bits(bit_fingerprints(["c1ccccc1O", "c1ccccc1O", "CCCC"]))
    >>> [tile.round(2).tolist() for _, _, tile in tanimoto_blocks(bits[:1], bits)]
    [[[1.0, 1.0, 0.0]]]
    """
    from scipy import sparse

    query_counts = query.sum(axis=1, dtype=np.int64).astype(np.float64)
    reference_counts = reference.sum(axis=1, dtype=np.int64).astype(np.float64)
    for i in range(0, len(query), block):
        # Fingerprints are sparse (~50 of 2048 bits): a sparse left operand does a
        # fraction of a dense product's work. float32 sums of 0/1 products are exact
        # far beyond 2048 bits, so the counts are integers, as RDKit's.
        left = sparse.csr_matrix(query[i : i + block], dtype=np.float32)
        for j in range(0, len(reference), block):
            right = np.ascontiguousarray(reference[j : j + block].T, dtype=np.float32)
            common = np.asarray(left @ right, dtype=np.float64)
            union = query_counts[i : i + block, None] + reference_counts[None, j : j + block]
            union -= common
            with np.errstate(invalid="ignore", divide="ignore"):
                yield i, j, np.where(union > 0, common / union, 0.0)


def top_tanimoto(query: np.ndarray, reference: np.ndarray, k: int = 1) -> np.ndarray:
    """The ``k`` highest Tanimoto similarities of each query row to the reference rows.

    Shape ``(len(query), k)``, highest first; the values of
    :func:`nearest_tanimoto` (without the indices, which a screen does not
    need), at a fraction of its cost: a partial sort per tile, no tie-breaking
    sort. With fewer than ``k`` references the missing places hold 0.

    >>> bits = fingerprint_bits(bit_fingerprints(["c1ccccc1O", "CCCC", "c1ccccc1N"]))
    >>> top_tanimoto(bits[2:], bits, k=2).round(3).tolist()
    [[1.0, 0.375]]
    """
    best = np.zeros((len(query), k))
    for i, _, tile in tanimoto_blocks(query, reference):
        rows = slice(i, i + len(tile))
        if tile.shape[1] > k:
            tile = np.partition(tile, tile.shape[1] - k, axis=1)[:, -k:]
        merged = np.concatenate([best[rows], tile], axis=1)
        best[rows] = np.partition(merged, merged.shape[1] - k, axis=1)[:, -k:]
    return -np.sort(-best, axis=1)


def max_tanimoto(query: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Each query row's highest Tanimoto similarity to any reference row (0 if none).

    >>> bits = fingerprint_bits(bit_fingerprints(["c1ccccc1O", "CCCC", "c1ccccc1N"]))
    >>> max_tanimoto(bits[2:], bits[:2]).round(3).tolist()
    [0.375]
    """
    best = np.zeros(len(query))
    for i, _, tile in tanimoto_blocks(query, reference):
        best[i : i + len(tile)] = np.maximum(best[i : i + len(tile)], tile.max(axis=1))
    return best


def nearest_tanimoto(query: np.ndarray, reference: np.ndarray, k: int = 1,
                     exclude_self: bool = False) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The ``k`` most similar reference rows of each query row: ``(similarities, indices)``.

    Both arrays have shape ``(len(query), k)``, most similar first (ties: lower
    index first); with fewer than ``k`` references the missing places hold
    similarity 0 and index -1. ``exclude_self`` (query and reference the same
    matrix) leaves each row out of its own neighbours.

    >>> bits = fingerprint_bits(bit_fingerprints(["c1ccccc1O", "CCCC", "c1ccccc1N"]))
    >>> similarity, index = nearest_tanimoto(bits[2:], bits, k=2)
    >>> similarity.round(3).tolist(), index.tolist()
    ([[1.0, 0.375]], [[2, 0]])
    """
    n = len(query)
    best = np.zeros((n, k))
    where = np.full((n, k), -1, dtype=np.int64)
    for i, j, tile in tanimoto_blocks(query, reference):
        rows = slice(i, i + len(tile))
        if exclude_self:
            diagonal = np.arange(len(tile)) + i - j
            inside = (diagonal >= 0) & (diagonal < tile.shape[1])
            tile = tile.copy()
            tile[np.flatnonzero(inside), diagonal[inside]] = -1.0
        # The tile's own best k (a partial sort: linear in the tile's width) ...
        if tile.shape[1] > k:
            top = np.argpartition(-tile, k - 1, axis=1)[:, :k]
        else:
            top = np.broadcast_to(np.arange(tile.shape[1]), tile.shape)
        similarities = np.concatenate([best[rows], np.take_along_axis(tile, top, axis=1)], axis=1)
        indices = np.concatenate([where[rows], top + j], axis=1)
        # ... merged with the best so far: most similar first, ties by lower index.
        order = np.lexsort((indices, -similarities), axis=1)[:, :k]
        best[rows] = np.take_along_axis(similarities, order, axis=1)
        where[rows] = np.take_along_axis(indices, order, axis=1)
    missing = (where < 0) | (best < 0)  # no reference, or only the row itself
    best[missing], where[missing] = 0.0, -1
    return best, where


def tanimoto_similarity(query: Any, molecules: Sequence[Any], radius: int = 2,
                        n_bits: int = 2048) -> np.ndarray:  # fmt: skip
    """Tanimoto similarity of ECFP bit fingerprints between one query and many molecules.

    Unparsable molecules get NaN.

    >>> tanimoto_similarity("c1ccccc1O", ["c1ccccc1O", "CCCC", "bad"]).round(2).tolist()
    [1.0, 0.0, nan]
    """
    from rdkit import DataStructs
    from rdkit.Chem import rdFingerprintGenerator

    from drugml.chem import parse_smiles

    generator = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)
    query_mol, _, error = parse_smiles(query) if isinstance(query, str) else (query, None, None)
    if query_mol is None:
        raise FeaturizationError(f"Cannot parse the query {query!r}: {error}")
    mols, _ = parse_molecules(list(molecules), full=False)
    query_fp = generator.GetFingerprint(query_mol)
    valid = [i for i, m in enumerate(mols) if m is not None]
    out = np.full(len(mols), np.nan)
    fps = [generator.GetFingerprint(mols[i]) for i in valid]
    out[valid] = DataStructs.BulkTanimotoSimilarity(query_fp, fps)
    return out


def iter_features(
    source: Any, featurizer: MolecularFeaturizer, chunk_size: int = 10_000, packed: bool = False,
    **read_options: Any,
) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:  # fmt: skip
    """Stream features chunk by chunk: ``(records, features)`` pairs, never all in memory.

    ``source`` is a molecule file (read with :func:`drugml.chem.iter_molecules`)
    or an iterable of SMILES. ``records`` has the reader's ``record``, ``id``
    and ``input`` columns and ``featurized`` (False where the molecule could
    not be parsed); ``features`` one row per record (NaN rows where not
    featurized). ``packed=True`` packs bit fingerprints 8 to a byte
    (``np.packbits``), a further 8x smaller.

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
