"""RDKit 2D descriptors: :func:`calc_descriptors`, shared values, :class:`RDKitDescriptors`.

:func:`calc_descriptors` gives the values of ``Descriptors.CalcMolDescriptors``
with the intermediates several descriptors share computed once per molecule;
:func:`shared_descriptors` lets a screen's featurizer and its drug-likeness
filters share values too. Descriptors are ``float32``; NaN/inf are reported.

Example
-------
>>> from drugml.featurize import RDKitDescriptors
>>> RDKitDescriptors(descriptors=["MolWt"]).fit_transform(["CCO"]).dtype.name
'float32'
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.featurize._base import (
    FeaturizationError,
    FeaturizerNotFittedError,
    MolecularFeaturizer,
)
from drugml.featurize._registry import register_featurizer

if TYPE_CHECKING:
    from collections.abc import Mapping

    from rdkit import Chem

__all__ = [
    "RDKitDescriptors",
    "calc_descriptors",
    "shared_descriptor",
    "shared_descriptors",
]

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
    plan, needs = _descriptor_plan(tuple(names) if names is not None else None)
    shared = _shared_intermediates(mol, needs)
    values: dict[str, float] = {}
    for name, function, family, position in plan:
        try:
            value = _descriptor_value(mol, name, function, family, position, shared)
        except Exception:  # as CalcMolDescriptors does: a failing descriptor is NaN
            value = float("nan")
        values[name] = value
    return values


def _shared_intermediates(mol: Chem.Mol, needs: frozenset) -> dict[str, Any]:
    """The intermediates the wanted descriptors need (only those), by name."""
    from rdkit import Chem
    from rdkit.Chem import Graphs, MolSurf
    from rdkit.Chem.EState import EState, EState_VSA

    shared: dict[str, Any] = {}
    if "polynomial" in needs:
        # Ipc and AvgIpc share the characteristic polynomial (GraphDescriptors.Ipc).
        distances = Chem.GetDistanceMatrix(mol, False)
        mol._adjMat = distances
        shared["polynomial"] = abs(Graphs.CharacteristicPolynomial(mol, np.equal(distances, 1)))
    if "estate" in needs:
        shared["estate"] = EState.EStateIndices(mol)
        mol._eStateIndices = shared["estate"]  # later EStateIndices(force=False) calls reuse it
    if "VSA_EState" in needs:
        shared["VSA_EState"] = EState_VSA.VSA_EState_(mol, force=False)
    if "EState_VSA" in needs:
        shared["EState_VSA"] = EState_VSA.EState_VSA_(mol, force=False)
    for family in _VSA_VECTORS:
        if family in needs:
            try:
                shared[family] = getattr(MolSurf, f"{family}_")(mol, force=False)
            except Exception:  # as CalcMolDescriptors does: each of them is NaN
                shared[family] = None
    return shared


def _descriptor_value(
    mol: Chem.Mol,
    name: str,
    function: Callable[[Chem.Mol], Any],
    family: str | None,
    position: int | None,
    shared: Mapping[str, Any],
) -> float:
    """One descriptor: an entry of a shared vector, from a shared intermediate, or computed."""
    if family is not None:
        vector = shared[family]
        return float("nan") if vector is None else vector[position]
    if name == "MaxEStateIndex":
        return max(shared["estate"])
    if name == "MinEStateIndex":
        return min(shared["estate"])
    if name == "MaxAbsEStateIndex":
        return max(abs(x) for x in shared["estate"])
    if name == "MinAbsEStateIndex":
        return min(abs(x) for x in shared["estate"])
    if name in ("Ipc", "AvgIpc"):
        from rdkit.ML.InfoTheory import entropy

        polynomial = shared["polynomial"]
        if name == "Ipc":
            return sum(polynomial) * entropy.InfoEntropy(polynomial)
        return entropy.InfoEntropy(polynomial)
    if name == "NumRotatableBonds":  # also a drug-likeness property and in QED
        return shared_descriptor(mol, name, function)
    return function(mol)


@register_featurizer("descriptors")
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

    def __init__(
        self,
        descriptors: Sequence[str] | None = None,
        scale: bool = False,
        n_jobs: int = 1,
        chunk_size: int = 500,
        strict: bool = False,
        progress: bool | None = None,
    ) -> None:
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

    def to_spec(self) -> dict[str, Any]:
        """The parameters and, when scaling, the fitted ``mean`` and ``scale`` per column."""
        spec = super().to_spec()
        if self.scale:
            spec["mean"] = self.mean_.tolist()
            spec["scale"] = self.scale_.tolist()
        return spec

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> RDKitDescriptors:
        """The featurizer, fitted when the spec holds its scaling."""
        featurizer = super().from_spec(spec)
        if "mean" in spec:
            featurizer.mean_ = np.asarray(spec["mean"])
            featurizer.scale_ = np.asarray(spec["scale"])
        return featurizer

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
