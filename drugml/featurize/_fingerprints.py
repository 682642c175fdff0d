"""Fingerprint featurizers (ECFP, FCFP, atom pairs, torsions, MACCS, Avalon, ErG) and bit vectors.

Fingerprints are ``uint8`` bits or ``uint16`` counts (ErG, a vector of fuzzy
pharmacophore-pair counts, is ``float32`` and registered as descriptors); the generator
fingerprints parse and fingerprint each chunk in one loop, the hot path of
large screens.

Example
-------
>>> from drugml.featurize import ECFP
>>> X = ECFP(radius=2, n_bits=1024).fit_transform(["CCO", "c1ccccc1O"])
>>> X.shape, X.dtype.name
((2, 1024), 'uint8')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from drugml.featurize._base import MolecularFeaturizer, parse_one
from drugml.featurize._registry import register_featurizer

__all__ = [
    "ECFP",
    "FCFP",
    "MACCS",
    "AtomPairs",
    "Avalon",
    "ErG",
    "TopologicalTorsion",
    "bit_fingerprints",
    "fingerprint_bits",
]


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
            generator.GetCountFingerprintAsNumPy if self.counts else generator.GetFingerprintAsNumPy
        )
        out = np.zeros((len(items), self.n_bits), dtype=self._dtype)
        invalid: list[tuple[int, str]] = []
        with rdBase.BlockLogs():
            for i, item in enumerate(items):
                mol, error = parse_one(item, fast)
                if mol is None:
                    invalid.append((i, error))
                else:
                    out[i] = method(mol)
        return out, invalid


@register_featurizer("fingerprint")
class ECFP(_GeneratorFingerprint):
    """Extended-connectivity (Morgan) fingerprint, RDKit's ``GetMorganGenerator``.

    ``radius=2`` is ECFP4. ``counts=True`` gives how often each hashed
    environment occurs; ``chirality`` includes stereo in the invariants.

    >>> ECFP(radius=3, n_bits=2048).get_feature_names_out()[:2].tolist()
    ['ecfp6_0', 'ecfp6_1']
    """

    _features = False

    def __init__(
        self,
        radius: int = 2,
        n_bits: int = 2048,
        counts: bool = False,
        chirality: bool = False,
        n_jobs: int = 1,
        chunk_size: int = 1000,
        strict: bool = False,
        progress: bool | None = None,
    ) -> None:
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

        options = {"radius": self.radius, "fpSize": self.n_bits, "includeChirality": self.chirality}
        if self._features:
            options["atomInvariantsGenerator"] = rdFingerprintGenerator.GetMorganFeatureAtomInvGen()
        return rdFingerprintGenerator.GetMorganGenerator(**options)


@register_featurizer("fingerprint")
class FCFP(ECFP):
    """Functional-class (pharmacophoric) Morgan fingerprint: ECFP with feature invariants.

    >>> FCFP().get_feature_names_out()[0]
    'fcfp4_0'
    """

    _features = True


@register_featurizer("fingerprint")
class AtomPairs(_GeneratorFingerprint):
    """Atom-pair fingerprint (RDKit ``GetAtomPairGenerator``)."""

    _prefix = "atompair"

    def __init__(
        self,
        n_bits: int = 2048,
        counts: bool = False,
        chirality: bool = False,
        n_jobs: int = 1,
        chunk_size: int = 1000,
        strict: bool = False,
        progress: bool | None = None,
    ) -> None:
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


@register_featurizer("fingerprint")
class TopologicalTorsion(AtomPairs):
    """Topological-torsion fingerprint (RDKit ``GetTopologicalTorsionGenerator``)."""

    _prefix = "torsion"

    def _generator(self):
        from rdkit.Chem import rdFingerprintGenerator

        return rdFingerprintGenerator.GetTopologicalTorsionGenerator(
            fpSize=self.n_bits, includeChirality=self.chirality
        )


@register_featurizer("fingerprint")
class MACCS(MolecularFeaturizer):
    """The 166 MACCS structural keys (167 bits; bit 0 is always 0), RDKit ``MACCSkeys``."""

    def __init__(
        self,
        n_jobs: int = 1,
        chunk_size: int = 1000,
        strict: bool = False,
        progress: bool | None = None,
    ) -> None:
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


@register_featurizer("fingerprint")
class Avalon(MolecularFeaturizer):
    """Avalon fingerprint, RDKit's ``pyAvalonTools.GetAvalonFP`` (bits) or ``GetAvalonCountFP``.

    ``counts=True`` gives how often each hashed feature occurs (``uint16``), as
    MapLight uses it for ADMET endpoints. RDKit's count version hashes a subset
    of the bit version's features: a counted bit is always on in the bits, but
    some bits (about 7 % of those on, on EGFR compounds) are on in the bits only.

    >>> X = Avalon(n_bits=256, counts=True).fit_transform(["CCO", "c1ccccc1O"])
    >>> X.shape, X.dtype.name, bool(X.max() > 1)
    ((2, 256), 'uint16', True)
    """

    def __init__(
        self,
        n_bits: int = 1024,
        counts: bool = False,
        n_jobs: int = 1,
        chunk_size: int = 1000,
        strict: bool = False,
        progress: bool | None = None,
    ) -> None:
        self.n_bits = n_bits
        self.counts = counts
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size
        self.strict = strict
        self.progress = progress

    @property
    def _dtype(self):  # type: ignore[override]
        return np.uint16 if self.counts else np.uint8

    def _n_features(self) -> int:
        return self.n_bits

    def _feature_names(self) -> list[str]:
        return [f"avalon_{i}" for i in range(self.n_bits)]

    def _featurize_one(self, mol, row) -> None:
        from rdkit import DataStructs
        from rdkit.Avalon import pyAvalonTools

        method = pyAvalonTools.GetAvalonCountFP if self.counts else pyAvalonTools.GetAvalonFP
        DataStructs.ConvertToNumpyArray(method(mol, nBits=self.n_bits), row)


#: Length of RDKit's extended reduced graph (ErG) vector with its default settings.
_ERG_LENGTH = 315


@register_featurizer("descriptors")
class ErG(MolecularFeaturizer):
    """Extended reduced graph (ErG), RDKit's ``rdReducedGraphs.GetErGFingerprint``.

    315 fuzzy counts of pharmacophore-node pairs by topological distance, as
    ``float32`` (registered as descriptors: its values are not bits or counts).

    >>> X = ErG().fit_transform(["CCO", "c1ccccc1O"])
    >>> X.shape, X.dtype.name
    ((2, 315), 'float32')
    """

    _dtype = np.float32

    def __init__(
        self,
        n_jobs: int = 1,
        chunk_size: int = 1000,
        strict: bool = False,
        progress: bool | None = None,
    ) -> None:
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size
        self.strict = strict
        self.progress = progress

    def _n_features(self) -> int:
        return _ERG_LENGTH

    def _feature_names(self) -> list[str]:
        return [f"erg_{i}" for i in range(_ERG_LENGTH)]

    def _featurize_one(self, mol, row) -> None:
        from rdkit.Chem import rdReducedGraphs

        row[:] = rdReducedGraphs.GetErGFingerprint(mol)


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
