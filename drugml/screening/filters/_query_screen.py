"""The alert screen engine: many substructure queries against many molecules, screened first.

A query is tried on a molecule only when the molecule has every kind of atom
and bond the query needs, and enough of each (:class:`_LocalScreen`, a
necessary condition); :class:`_QueryScreen` then matches what is left, and
:func:`alert_screen` builds one over the catalogues' alerts and QED's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from drugml.schema import ALERT_CATALOGS
from drugml.screening.filters._catalogs import catalog_queries

if TYPE_CHECKING:
    import numpy as np
    from rdkit import Chem

__all__ = ["alert_screen"]


#: RDKit query types (``DescribeQuery``) whose answer for an atom depends only on
#: the atom's own properties (:meth:`_LocalScreen.possible`'s key), or for a bond
#: on the bond's and its atoms'.
_LOCAL_ATOM_QUERIES = frozenset((
    "AtomAnd", "AtomOr", "AtomNull", "AtomAtomicNum", "AtomType", "AtomIsAromatic",
    "AtomIsAliphatic", "AtomFormalCharge", "AtomHCount", "AtomExplicitDegree",
    "AtomTotalDegree", "AtomTotalValence", "AtomInRing", "AtomInNRings", "AtomIsotope",
))  # fmt: skip
_LOCAL_BOND_QUERIES = frozenset(
    ("BondAnd", "BondOr", "BondNull", "BondOrder", "SingleOrAromaticBond", "BondInRing")
)


def _local_query(item: Any, allowed: frozenset) -> str | None:
    """A query atom's or bond's description when every test in it is one of ``allowed``."""
    description = item.DescribeQuery()
    tokens = {line.split()[0] for line in description.splitlines() if line.strip()}
    return f"{item.GetSmarts()}\n{description}" if tokens <= allowed else None


def _cycle_bonds(mol: Chem.Mol) -> set[int]:
    """Indices of the bonds of ``mol`` (a query too) that lie on a cycle of its graph.

    From the rings RDKit's ``FastFindRings`` finds (on a copy): a cycle basis,
    so every bond on some cycle is in one of them.
    """
    from rdkit import Chem

    copy = Chem.Mol(mol)
    copy.UpdatePropertyCache(strict=False)
    Chem.FastFindRings(copy)
    rings = copy.GetRingInfo()
    return {k for k in range(copy.GetNumBonds()) if rings.NumBondRings(k)}


class _LocalScreen:
    """A necessary condition for a substructure match, from atoms and bonds alone.

    A query can match a molecule only if each of its atoms matches some atom
    of the molecule and each of its bonds some bond (with matching atoms at
    both ends), and only if, for each kind of query atom (bond), the molecule
    has at least as many atoms (bonds) of that kind as the query (a match maps
    query atoms to distinct atoms: three halogens on a ring need three). Query
    atoms and bonds are told apart by their RDKit query description; those
    whose tests depend on more than the atom's (bond's) own properties
    (recursive SMARTS, ring sizes, ...) are left out of the condition, so it
    never rejects a true match. The query's own rings count too: a match maps
    a cycle of the query onto a cycle of the molecule, so a query atom with
    two bonds in cycles needs a ring atom, and one with three or more (a
    fusion atom) an atom of two or more of the molecule's rings. The answer
    of RDKit's own ``Match`` for one atom (bond) of each kind is cached, so
    a molecule costs one dictionary look-up per atom and bond.
    """

    def __init__(self, queries: Sequence[Chem.Mol]) -> None:
        import numpy as np

        self.atoms: list[Any] = []  # representative query atom of each atom class
        self.min_rings: list[int] = []  # and the rings of the molecule its atoms need
        self.bonds: list[tuple[int | None, Any, int | None]] = []
        atom_class: dict[str, int] = {}
        bond_class: dict[tuple, int] = {}
        # per query: its atoms and bonds per class
        needed = [self._classify(query, atom_class, bond_class) for query in queries]
        n_atoms = len(self.atoms)
        self.required = np.zeros((len(queries), n_atoms + len(self.bonds)), dtype=np.float32)
        for k, (atom_counts, bond_counts) in enumerate(needed):
            self.required[k, list(atom_counts)] = 1
            self.required[k, [n_atoms + b for b in bond_counts]] = 1
        self._count_rules(needed)
        # atom kind (cache key) -> (class bits, classes, kind number), bond kind ->
        # (class bits, kind number); per kind number (atoms' and bonds'), which
        # counted classes an atom or bond of that kind belongs to
        self.atom_cache: dict[tuple, tuple[int, frozenset, int]] = {}
        self.bond_cache: dict[tuple, tuple[int, int]] = {}
        self.kind_counted: list[list[int]] = []

    def _class_of(self, atom: Any, cycle_bonds: set[int], atom_class: dict[str, int]) -> int | None:
        """The class of a query atom (a new one if no earlier atom has its tests); None when
        its tests depend on more than the atom itself."""
        key = _local_query(atom, _LOCAL_ATOM_QUERIES)
        if key is None:
            return None
        in_cycles = sum(1 for b in atom.GetBonds() if b.GetIdx() in cycle_bonds)
        rings = 2 if in_cycles >= 3 else 1 if in_cycles == 2 else 0
        key = f"{key}\n{rings}"
        if key not in atom_class:
            atom_class[key] = len(self.atoms)
            self.atoms.append(atom)
            self.min_rings.append(rings)
        return atom_class[key]

    def _classify(
        self, query: Chem.Mol, atom_class: dict[str, int], bond_class: dict[tuple, int]
    ) -> tuple[Counter, Counter]:
        """How many atoms and bonds of each class one query needs."""
        cycles = _cycle_bonds(query)
        classes = [self._class_of(atom, cycles, atom_class) for atom in query.GetAtoms()]
        atom_counts = Counter(classes)
        atom_counts.pop(None, None)
        bond_counts: Counter = Counter()
        for bond in query.GetBonds():
            key = _local_query(bond, _LOCAL_BOND_QUERIES)
            if key is None:
                continue
            ends = (classes[bond.GetBeginAtomIdx()], classes[bond.GetEndAtomIdx()])
            if ends == (None, None):
                continue  # any bond of that order between any atoms: weak, skip
            full = (ends[0], key, ends[1])
            if full not in bond_class:
                bond_class[full] = len(self.bonds)
                self.bonds.append((ends[0], bond, ends[1]))
            bond_counts[bond_class[full]] += 1
        return atom_counts, bond_counts

    def _count_rules(self, needed: list[tuple[Counter, Counter]]) -> None:
        """Count rules (query, class, at least n) where a query needs n >= 2 atoms (bonds)
        of a class; n = 1 is the presence test of ``required``. Classes are numbered as the
        columns of ``required``: atoms, then bonds. Sorted by query for ``reduceat``."""
        import numpy as np

        n_atoms = len(self.atoms)
        rules = sorted(
            [(k, c, n) for k, (atoms, _) in enumerate(needed) for c, n in atoms.items() if n >= 2]
            + [
                (k, n_atoms + b, n)
                for k, (_, bonds) in enumerate(needed)
                for b, n in bonds.items()
                if n >= 2
            ]
        )
        self.counted = sorted({c for _, c, _ in rules})  # the classes whose members are counted
        column = {c: i for i, c in enumerate(self.counted)}
        self.rule_query = np.array([k for k, _, _ in rules], dtype=np.int64)
        self.rule_column = np.array([column[c] for _, c, _ in rules], dtype=np.int64)
        self.rule_min = np.array([n for _, _, n in rules], dtype=np.int64)

    def _atom_classes(self, key: tuple, atom: Any) -> tuple[int, frozenset, int]:
        found = self.atom_cache.get(key)
        if found is None:
            rings = key[-1]  # the atom's rings in the molecule (the key's last entry)
            matched = frozenset(
                c
                for c, query in enumerate(self.atoms)
                if rings >= self.min_rings[c] and query.Match(atom)
            )
            self.kind_counted.append([int(c in matched) for c in self.counted])  # atoms first
            found = (sum(1 << c for c in matched), matched, len(self.kind_counted) - 1)
            self.atom_cache[key] = found
        return found

    def _counts_allow(self, kinds: list[int], lengths: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """``(queries with count rules, molecules)`` booleans: False where a molecule has
        fewer atoms (bonds) of a class than the query needs; and those queries' indices.

        ``kinds``: the kind number of each atom and bond, molecule after molecule;
        ``lengths``: how many of them each molecule has."""
        import numpy as np

        n_mols = len(lengths)
        if not len(self.rule_query):
            return np.ones((0, n_mols), dtype=bool), self.rule_query
        starts = np.flatnonzero(np.r_[True, self.rule_query[1:] != self.rule_query[:-1]])
        if not n_mols:
            return np.ones((len(starts), 0), dtype=bool), self.rule_query[starts]
        n_kinds = len(self.kind_counted)
        molecule = np.repeat(np.arange(n_mols), lengths)
        per_kind = np.bincount(
            molecule * n_kinds + np.asarray(kinds, dtype=np.int64), minlength=n_mols * n_kinds
        ).reshape(n_mols, n_kinds)
        # float products: BLAS, and exact for counts far beyond any molecule's atoms
        have = per_kind.astype(np.float64) @ np.asarray(self.kind_counted, dtype=np.float64)
        short = (have[:, self.rule_column] < self.rule_min).astype(np.int64)
        failed = np.add.reduceat(short, starts, axis=1)  # rules broken, per query
        return (failed == 0).T, self.rule_query[starts]

    def _bond_classes(
        self, key: tuple, bond: Any, begin: frozenset, end: frozenset
    ) -> tuple[int, int]:
        found = self.bond_cache.get(key)
        if found is None:
            bits = 0
            for c, (first, query, second) in enumerate(self.bonds):
                if not query.Match(bond):
                    continue
                forward = (first is None or first in begin) and (second is None or second in end)
                backward = (first is None or first in end) and (second is None or second in begin)
                if forward or backward:
                    bits |= 1 << c
            n_atoms = len(self.atoms)
            self.kind_counted.append(
                [(bits >> (c - n_atoms)) & 1 if c >= n_atoms else 0 for c in self.counted]
            )
            found = self.bond_cache[key] = (bits, len(self.kind_counted) - 1)
        return found

    def possible(self, mols: Sequence[Chem.Mol]) -> np.ndarray:
        """``(queries, molecules)`` booleans: False where the query cannot match."""
        import numpy as np

        n_atoms, width = len(self.atoms), len(self.atoms) + len(self.bonds)
        n_bytes = (width + 7) // 8
        rows = bytearray()
        kinds: list[int] = []  # kind number of every atom and bond of every molecule
        lengths: list[int] = []  # atoms + bonds of each molecule
        atom_cache, bond_cache = self.atom_cache, self.bond_cache
        for mol in mols:
            rings = mol.GetRingInfo()
            # by index: iterating GetAtoms() goes through a slow Python sequence wrapper
            atoms = [mol.GetAtomWithIdx(i) for i in range(mol.GetNumAtoms())]
            keys = [
                (
                    a.GetAtomicNum(),
                    a.GetIsAromatic(),
                    a.GetFormalCharge(),
                    a.GetTotalNumHs(True),
                    a.GetDegree(),
                    a.GetTotalDegree(),
                    a.GetTotalValence(),
                    a.GetIsotope(),
                    rings.NumAtomRings(i),
                )
                for i, a in enumerate(atoms)
            ]
            classes = [
                atom_cache.get(key) or self._atom_classes(key, atom)
                for key, atom in zip(keys, atoms, strict=True)
            ]
            bits = 0
            for atom_bits, _, kind in classes:
                bits |= atom_bits
                kinds.append(kind)
            bond_bits = 0
            for b in range(mol.GetNumBonds()):
                bond = mol.GetBondWithIdx(b)
                i, j = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
                # the atoms' kind numbers stand for their keys (one number per key)
                first, second = classes[i][2], classes[j][2]
                if second < first:
                    i, j, first, second = j, i, second, first
                key = (first, second, bond.GetBondType(), bond.IsInRing())
                found = bond_cache.get(key)
                if found is None:
                    found = self._bond_classes(key, bond, classes[i][1], classes[j][1])
                bond_bits |= found[0]
                kinds.append(found[1])
            lengths.append(len(classes) + mol.GetNumBonds())
            rows += (bits | (bond_bits << n_atoms)).to_bytes(n_bytes, "little")
        present = np.unpackbits(
            np.frombuffer(bytes(rows), np.uint8).reshape(len(mols), n_bytes),
            axis=1,
            count=width,
            bitorder="little",
        )
        missing = (1 - present).astype(np.float32) @ self.required.T
        allowed = (missing == 0).T
        counts_allow, counted_queries = self._counts_allow(kinds, lengths)
        allowed[counted_queries] &= counts_allow
        return allowed


class _QueryScreen:
    """Many substructure queries against many molecules, screened before matching.

    ``matches(mols)`` gives, per molecule, the indices of the queries that
    match (``HasSubstructMatch`` with RDKit's default parameters, as
    ``FilterCatalog``'s SmartsMatcher and QED use). A query is tried on a
    molecule only when the molecule has enough atoms and bonds of each kind
    the query needs, ring atoms included (:class:`_LocalScreen`, a necessary
    condition, so the answers are those of trying every query): about 3 % of
    the pairs with PAINS, Brenk and QED's alerts on drug-like molecules.
    RDKit's pattern fingerprints (the screen of its ``SubstructLibrary``)
    would remove more pairs, but computing them took longer than matching
    the pairs they remove.
    """

    def __init__(self, queries: Sequence[Chem.Mol]) -> None:
        from rdkit import Chem

        self.queries = list(queries)
        # A query written the same way as an earlier one (Brenk and QED share
        # alerts) is not tried again: it takes that one's answer.
        first: dict[str, int] = {}
        self.same_as = [first.setdefault(Chem.MolToSmarts(q), k) for k, q in enumerate(queries)]
        self.local = _LocalScreen(self.queries)

    def matches(self, mols: Sequence[Chem.Mol]) -> list[list[int]]:
        import numpy as np

        if not mols:
            return []
        possible = self.local.possible(mols)
        queries, same_as = self.queries, self.same_as
        found = []
        for mol, column in zip(mols, possible.T, strict=True):
            answers: dict[int, bool] = {}
            hits = []
            for k in np.flatnonzero(column).tolist():
                first = same_as[k]  # tried before k when k repeats it: same screens
                hit = answers[first] if first in answers else mol.HasSubstructMatch(queries[k])
                answers[k] = hit
                if hit:
                    hits.append(k)
            found.append(hits)
        return found


@cache
def alert_screen(
    catalogs: tuple[str, ...] = tuple(ALERT_CATALOGS),
) -> tuple[_QueryScreen, list[tuple[str, str]], int] | None:
    """One screen over the catalogues' alerts and QED's alerts; None: use FilterCatalog.

    Returns ``(screen, labels, n_catalog)``: ``labels[k]`` is ``(catalogue,
    description)`` for the first ``n_catalog`` queries; the rest are QED's.
    """
    from rdkit.Chem import QED

    labels: list[tuple[str, str]] = []
    queries: list[Chem.Mol] = []
    for name in catalogs:
        read = catalog_queries(name)
        if read is None:
            return None
        labels += [(name, description) for description in read[0]]
        queries += read[1]
    n_catalog = len(queries)
    queries += list(QED.StructuralAlerts)
    return _QueryScreen(queries), labels, n_catalog
