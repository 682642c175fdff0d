"""Drug-likeness and liabilities: physchem properties, rules of thumb and structural alerts.

:func:`druglikeness` adds every column in one call; each rule is also a
function of its own that takes an RDKit ``Mol``. The RDKit call behind each
column:

=================  ====================================================
column             RDKit
=================  ====================================================
``mw``             ``Descriptors.MolWt`` (average mass, g/mol)
``clogp``          ``Crippen.MolLogP`` (Wildman-Crippen)
``hbd``, ``hba``   ``rdMolDescriptors.CalcNumLipinskiHBD/HBA`` (NH+OH; N+O)
``tpsa``           ``rdMolDescriptors.CalcTPSA``
``rotatable_bonds````rdMolDescriptors.CalcNumRotatableBonds``
``aromatic_rings`` ``rdMolDescriptors.CalcNumAromaticRings``
``heavy_atoms``    ``Mol.GetNumHeavyAtoms``
``formal_charge``  ``Chem.GetFormalCharge``
``qed``            ``QED.qed`` (Bickerton et al. 2012)
``sa_score``       RDKit Contrib ``sascorer`` (Ertl & Schuffenhauer 2009; 1 easy .. 10 hard)
=================  ====================================================

Rules:

- **Lipinski Ro5** (Lipinski 1997): MW <= 500, cLogP <= 5, HBD <= 5, HBA <= 10;
  ``ro5_pass`` allows one violation, as Lipinski's paper does.
- **Veber** (Veber 2002): rotatable bonds <= 10 and TPSA <= 140.
- **Lead-likeness** (Teague/Oprea, as used by ZINC): 250 <= MW <= 350,
  cLogP <= 3.5, rotatable bonds <= 7.
- **Structural alerts** with RDKit's ``FilterCatalog``: PAINS A/B/C (Baell &
  Holloway 2010), Brenk (2008) and NIH (Jadhav 2010); the ``*_alerts``
  columns name every matched alert.

Speed: checking ~765 alert SMARTS and QED's 116 alerts one by one is most of
a screen's time. :func:`druglikeness` and :func:`structural_alerts` therefore
take the catalogues' own query molecules (read from each entry's RDKit
serialization, so they are exactly RDKit's patterns) and first screen them:
a query needing an atom or bond the molecule lacks, or more atoms (bonds) of
a kind than the molecule has, cannot match and is skipped; an alert written
twice (Brenk's and QED's share some) is tried once. The result is the same as
``FilterCatalog.GetMatches`` and ``QED.qed`` (checked by the tests on the
embedded data); if an RDKit version serializes its catalogue differently,
the plain ``FilterCatalog`` is used.

Example
-------
>>> from drugml.screening.filters import druglikeness
>>> table = druglikeness(["CC(=O)Oc1ccccc1C(=O)O"])
>>> row = table.iloc[0]
>>> round(float(row.mw), 2), int(row.ro5_violations), bool(row.ro5_pass), row.brenk_alerts
(180.16, 0, True, 'phenol_ester')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from rdkit import Chem

from drugml.errors import DrugmlError
from drugml.schema import ALERT_CATALOGS  # the catalogues' one owner

__all__ = [
    "ALERT_CATALOGS",
    "UnknownAlertCatalogError",
    "alert_matches",
    "druglikeness",
    "druglikeness_rows",
    "leadlike",
    "lipinski",
    "properties",
    "property_rows",
    "qed",
    "sa_score",
    "structural_alerts",
    "veber",
]


class UnknownAlertCatalogError(DrugmlError, ValueError):
    """An alert catalogue name that is not one of :data:`ALERT_CATALOGS`."""


PROPERTY_COLUMNS = (
    "mw", "clogp", "hbd", "hba", "tpsa", "rotatable_bonds", "aromatic_rings", "heavy_atoms",
    "formal_charge",
)  # fmt: skip


def properties(mol: Chem.Mol) -> dict[str, float]:
    """Physchem properties of one molecule (see the table in the module docstring).

    >>> from rdkit import Chem
    >>> properties(Chem.MolFromSmiles("c1ccccc1O"))["hbd"]
    1
    """
    from rdkit import Chem
    from rdkit.Chem import Crippen, Descriptors, rdMolDescriptors

    return {
        "mw": Descriptors.MolWt(mol),
        "clogp": Crippen.MolLogP(mol),
        "hbd": rdMolDescriptors.CalcNumLipinskiHBD(mol),
        "hba": rdMolDescriptors.CalcNumLipinskiHBA(mol),
        "tpsa": rdMolDescriptors.CalcTPSA(mol),
        "rotatable_bonds": _rotatable_bonds(mol),
        "aromatic_rings": rdMolDescriptors.CalcNumAromaticRings(mol),
        "heavy_atoms": mol.GetNumHeavyAtoms(),
        "formal_charge": Chem.GetFormalCharge(mol),
    }


def _rotatable_bonds(mol: Chem.Mol) -> int:
    """``CalcNumRotatableBonds`` (RDKit's default definition), computed once per molecule in
    a :func:`drugml.featurize.shared_descriptors` block (the models' descriptors need it too)."""
    from rdkit.Chem import Descriptors

    from drugml.featurize import shared_descriptor

    return shared_descriptor(mol, "NumRotatableBonds", Descriptors.NumRotatableBonds)


@cache
def _default_rotatable_is_strict() -> bool:
    """Whether RDKit's default rotatable-bond definition is the strict one QED uses (true
    since 2015): then QED reuses the value. Checked on molecules where the definitions differ."""
    from rdkit import Chem
    from rdkit.Chem import rdMolDescriptors as rdmd

    probes = [Chem.MolFromSmiles(s) for s in ("CC(=O)NC", "CC#CC", "C1CC1C1CC1", "CC(C)(C)C")]
    return all(rdmd.CalcNumRotatableBonds(m) == rdmd.CalcNumRotatableBonds(
        m, rdmd.NumRotatableBondsOptions.Strict) for m in probes)  # fmt: skip


def _props(mol_or_props: Any) -> dict[str, float]:
    return mol_or_props if isinstance(mol_or_props, dict) else properties(mol_or_props)


def lipinski(mol: Chem.Mol | dict) -> dict[str, Any]:
    """Lipinski's rule of five: violation count and pass (at most one violation).

    >>> from rdkit import Chem
    >>> lipinski(Chem.MolFromSmiles("CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"))
    {'ro5_violations': 2, 'ro5_pass': False}
    """
    p = _props(mol)
    violations = int(p["mw"] > 500) + int(p["clogp"] > 5) + int(p["hbd"] > 5) + int(p["hba"] > 10)
    return {"ro5_violations": violations, "ro5_pass": violations <= 1}


def veber(mol: Chem.Mol | dict) -> dict[str, bool]:
    """Veber's oral-bioavailability rule: <= 10 rotatable bonds and TPSA <= 140.

    >>> from rdkit import Chem
    >>> veber(Chem.MolFromSmiles("CCO"))
    {'veber_pass': True}
    """
    p = _props(mol)
    return {"veber_pass": p["rotatable_bonds"] <= 10 and p["tpsa"] <= 140}


def leadlike(mol: Chem.Mol | dict) -> dict[str, bool]:
    """Lead-likeness (Teague/Oprea, ZINC): 250 <= MW <= 350, cLogP <= 3.5, <= 7 rotatable bonds.

    >>> from rdkit import Chem
    >>> leadlike(Chem.MolFromSmiles("CCO"))
    {'leadlike_pass': False}
    """
    p = _props(mol)
    ok = 250 <= p["mw"] <= 350 and p["clogp"] <= 3.5 and p["rotatable_bonds"] <= 7
    return {"leadlike_pass": ok}


@cache
def _catalog(name: str):
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
def _catalog_queries(name: str) -> tuple[tuple[str, ...], tuple[Chem.Mol, ...]] | None:
    """``(descriptions, queries)`` of a catalogue, or None if any entry cannot be read."""
    catalog = _catalog(name)
    descriptions, queries = [], []
    for i in range(catalog.GetNumEntries()):
        entry = catalog.GetEntryWithIdx(i)
        query = _entry_query(entry)
        if query is None:
            return None
        descriptions.append(entry.GetDescription())
        queries.append(query)
    return tuple(descriptions), tuple(queries)


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
        required: list[tuple[set[int], set[int]]] = []

        def class_of(atom: Any, cycle_bonds: set[int]) -> int | None:
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

        needed: list[tuple[Counter, Counter]] = []  # per query: atoms and bonds per class
        for query in queries:
            cycles = _cycle_bonds(query)
            classes = [class_of(atom, cycles) for atom in query.GetAtoms()]
            atom_counts = Counter(classes)
            atom_counts.pop(None, None)
            bond_counts: Counter = Counter()
            atoms = set(atom_counts)
            bonds = set()
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
                bonds.add(bond_class[full])
                bond_counts[bond_class[full]] += 1
            required.append((atoms, bonds))
            needed.append((atom_counts, bond_counts))
        n_atoms = len(self.atoms)
        self.required = np.zeros((len(queries), n_atoms + len(self.bonds)), dtype=np.float32)
        for k, (atoms, bonds) in enumerate(required):
            self.required[k, list(atoms)] = 1
            self.required[k, [n_atoms + b for b in bonds]] = 1
        # Count rules (query, class, at least n) where a query needs n >= 2 atoms (bonds)
        # of a class; n = 1 is the presence test above. Classes are numbered as the
        # columns of `required`: atoms, then bonds. Sorted by query for reduceat.
        rules = sorted(
            [(k, c, n) for k, (atom_counts, _) in enumerate(needed)
             for c, n in atom_counts.items() if n >= 2]
            + [(k, n_atoms + b, n) for k, (_, bond_counts) in enumerate(needed)
               for b, n in bond_counts.items() if n >= 2]
        )  # fmt: skip
        self.counted = sorted({c for _, c, _ in rules})  # the classes whose members are counted
        column = {c: i for i, c in enumerate(self.counted)}
        self.rule_query = np.array([k for k, _, _ in rules], dtype=np.int64)
        self.rule_column = np.array([column[c] for _, c, _ in rules], dtype=np.int64)
        self.rule_min = np.array([n for _, _, n in rules], dtype=np.int64)
        # atom kind (cache key) -> (class bits, classes, kind number), bond kind ->
        # (class bits, kind number); per kind number (atoms' and bonds'), which
        # counted classes an atom or bond of that kind belongs to
        self.atom_cache: dict[tuple, tuple[int, frozenset, int]] = {}
        self.bond_cache: dict[tuple, tuple[int, int]] = {}
        self.kind_counted: list[list[int]] = []

    def _atom_classes(self, key: tuple, atom: Any) -> tuple[int, frozenset, int]:
        found = self.atom_cache.get(key)
        if found is None:
            rings = key[-1]  # the atom's rings in the molecule (the key's last entry)
            matched = frozenset(c for c, query in enumerate(self.atoms)
                                if rings >= self.min_rings[c] and query.Match(atom))  # fmt: skip
            self.kind_counted.append([int(c in matched) for c in self.counted])  # atoms first
            found = (sum(1 << c for c in matched), matched, len(self.kind_counted) - 1)
            self.atom_cache[key] = found
        return found

    def _counts_allow(self, kinds: list[int], lengths: list[int]
                      ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
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
        per_kind = np.bincount(molecule * n_kinds + np.asarray(kinds, dtype=np.int64),
                               minlength=n_mols * n_kinds).reshape(n_mols, n_kinds)  # fmt: skip
        # float products: BLAS, and exact for counts far beyond any molecule's atoms
        have = per_kind.astype(np.float64) @ np.asarray(self.kind_counted, dtype=np.float64)
        short = (have[:, self.rule_column] < self.rule_min).astype(np.int64)
        failed = np.add.reduceat(short, starts, axis=1)  # rules broken, per query
        return (failed == 0).T, self.rule_query[starts]

    def _bond_classes(self, key: tuple, bond: Any, begin: frozenset, end: frozenset
                      ) -> tuple[int, int]:  # fmt: skip
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
            self.kind_counted.append([(bits >> (c - n_atoms)) & 1 if c >= n_atoms else 0
                                      for c in self.counted])  # fmt: skip
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
            keys = [(a.GetAtomicNum(), a.GetIsAromatic(), a.GetFormalCharge(),
                     a.GetTotalNumHs(True), a.GetDegree(), a.GetTotalDegree(),
                     a.GetTotalValence(), a.GetIsotope(), rings.NumAtomRings(i))
                    for i, a in enumerate(atoms)]  # fmt: skip
            classes = [atom_cache.get(key) or self._atom_classes(key, atom)
                       for key, atom in zip(keys, atoms, strict=True)]  # fmt: skip
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
        present = np.unpackbits(np.frombuffer(bytes(rows), np.uint8).reshape(len(mols), n_bytes),
                                axis=1, count=width, bitorder="little")  # fmt: skip
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
def _alert_screen(
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
        read = _catalog_queries(name)
        if read is None:
            return None
        labels += [(name, description) for description in read[0]]
        queries += read[1]
    n_catalog = len(queries)
    queries += list(QED.StructuralAlerts)
    return _QueryScreen(queries), labels, n_catalog


def _alerts_from_names(names_by_catalog: dict[str, set[str]], catalogs: Sequence[str]) -> dict:
    result: dict[str, Any] = {}
    for name in catalogs:
        names = sorted(names_by_catalog.get(name, ()))
        result[name] = bool(names)
        result[f"{name}_alerts"] = "; ".join(names)
    return result


def _check_catalogs(catalogs: Sequence[str]) -> None:
    for name in catalogs:
        if name not in ALERT_CATALOGS:
            raise UnknownAlertCatalogError(
                f"Unknown alert catalogue {name!r}; use {list(ALERT_CATALOGS)}"
            )


def _catalog_alerts(mol: Chem.Mol, catalogs: Sequence[str]) -> dict[str, Any]:
    """The reference path: RDKit's FilterCatalog, every entry tried."""
    _check_catalogs(catalogs)
    found = {
        name: {entry.GetDescription() for entry in _catalog(name).GetMatches(mol)}
        for name in catalogs
    }
    return _alerts_from_names(found, catalogs)


def _qed_from_alert_count(mol: Chem.Mol, alerts: int) -> float:
    """``QED.qed(mol)`` with the structural-alert count already known.

    The other seven properties are computed exactly as ``QED.properties``
    does; only valid for a molecule without explicit hydrogens (QED removes
    them first, and the alert count was found on ``mol`` itself).
    """
    from rdkit import Chem
    from rdkit.Chem import QED, Crippen, MolSurf
    from rdkit.Chem import rdMolDescriptors as rdmd

    properties = QED.QEDproperties(
        MW=rdmd._CalcMolWt(mol),
        ALOGP=Crippen.MolLogP(mol),
        HBA=sum(
            len(mol.GetSubstructMatches(pattern))
            for pattern in QED.Acceptors
            if mol.HasSubstructMatch(pattern)
        ),
        HBD=rdmd.CalcNumHBD(mol),
        PSA=MolSurf.TPSA(mol),
        ROTB=_rotatable_bonds(mol)
        if _default_rotatable_is_strict()
        else rdmd.CalcNumRotatableBonds(mol, rdmd.NumRotatableBondsOptions.Strict),
        AROM=len(Chem.GetSSSR(Chem.DeleteSubstructs(Chem.Mol(mol), QED.AliphaticRings))),
        ALERTS=alerts,
    )
    return float(QED.qed(mol, qedProperties=properties))


def _alerts_and_qed(
    mols: Sequence[Chem.Mol], catalogs: Sequence[str] = tuple(ALERT_CATALOGS), with_qed: bool = True
) -> list[tuple[dict[str, Any], float | None]]:
    """Alerts (and QED) for many molecules at once, through the query screen."""
    _check_catalogs(catalogs)
    screen = _alert_screen(tuple(catalogs))
    if screen is None:  # this RDKit's catalogue could not be read: the plain path
        return [(_catalog_alerts(m, catalogs), qed(m) if with_qed else None) for m in mols]
    query_screen, labels, n_catalog = screen
    out = []
    for mol, hits in zip(mols, query_screen.matches(mols), strict=True):
        found: dict[str, set[str]] = {}
        qed_alerts = 0
        for k in hits:
            if k < n_catalog:
                found.setdefault(labels[k][0], set()).add(labels[k][1])
            else:
                qed_alerts += 1
        value = None
        if with_qed:
            explicit_h = mol.GetNumAtoms() != mol.GetNumHeavyAtoms()
            value = qed(mol) if explicit_h else _qed_from_alert_count(mol, qed_alerts)
        out.append((_alerts_from_names(found, catalogs), value))
    return out


def structural_alerts(
    mol: Chem.Mol, catalogs: Sequence[str] = tuple(ALERT_CATALOGS)
) -> dict[str, Any]:
    """Match PAINS, Brenk and NIH alerts; return a flag and the alert names per catalogue.

    >>> from rdkit import Chem
    >>> hits = structural_alerts(Chem.MolFromSmiles("S=C1SC(=Cc2ccccc2)C(=O)N1"))
    >>> hits["pains"], hits["pains_alerts"], hits["nih_alerts"]
    (True, 'ene_rhod_A(235)', 'rhodanine')
    """
    return _alerts_and_qed([mol], catalogs, with_qed=False)[0][0]


def alert_matches(mol: Chem.Mol, catalog: str = "pains") -> list[tuple[str, tuple[int, ...]]]:
    """Atoms matched by each alert of a catalogue, for drawing: ``[(name, atom_ids), ...]``.

    >>> from rdkit import Chem
    >>> alert_matches(Chem.MolFromSmiles("S=C1SC(=Cc2ccccc2)C(=O)N1"), "pains")
    [('ene_rhod_A(235)', (0, 1, 2, 3, 4, 11, 12, 13))]
    """
    _check_catalogs([catalog])
    matches = []
    for entry in _catalog(catalog).GetMatches(mol):
        atoms: set[int] = set()
        for filter_match in entry.GetFilterMatches(mol):
            atoms.update(pair[1] for pair in filter_match.atomPairs)
        matches.append((entry.GetDescription(), tuple(sorted(atoms))))
    return matches


def qed(mol: Chem.Mol) -> float:
    """Quantitative estimate of drug-likeness (0 .. 1), RDKit's ``QED.qed``.

    >>> from rdkit import Chem
    >>> round(qed(Chem.MolFromSmiles("CC(=O)Oc1ccccc1C(=O)O")), 3)
    0.55
    """
    from rdkit.Chem import QED

    return float(QED.qed(mol))


@cache
def _sascorer():
    # RDKit ships the SA score as Contrib code; its fragment table is a file of
    # RDKit's own installation, loaded once per process.
    from rdkit.Contrib.SA_Score import sascorer

    return sascorer


def possible_stereocentres(mol: Chem.Mol) -> int:
    """How many atoms are (or could be) tetrahedral stereocentres: the length of
    ``Chem.FindMolChiralCenters(mol, includeUnassigned=True)``, with its side effects.

    With RDKit's legacy stereo perception (the default) this makes the same calls
    as that function, without its Python atom iterator (a third of the SA score's
    time); otherwise it calls it.

    >>> from rdkit import Chem
    >>> possible_stereocentres(Chem.MolFromSmiles("C[C@H](F)C(F)(Cl)Br"))
    2
    """
    from rdkit import Chem

    if not Chem.GetUseLegacyStereoPerception():
        return len(Chem.FindMolChiralCenters(mol, includeUnassigned=True))
    atoms = [mol.GetAtomWithIdx(i) for i in range(mol.GetNumAtoms())]
    for atom in atoms:
        atom.ClearProp("_ChiralityPossible")
    Chem.AssignStereochemistry(mol, force=True, flagPossibleStereoCenters=True, cleanIt=True)
    return sum(1 for a in atoms if a.HasProp("_CIPCode") or a.HasProp("_ChiralityPossible"))


def sa_score(mol: Chem.Mol) -> float:
    """Synthetic accessibility score, 1 (easy) .. 10 (hard), RDKit Contrib ``sascorer``.

    The value of ``sascorer.calculateScore`` to the last bit (the same
    operations in the same order, with RDKit's fragment table), with the
    stereocentres counted by :func:`possible_stereocentres`.

    >>> from rdkit import Chem
    >>> round(sa_score(Chem.MolFromSmiles("CC(=O)Oc1ccccc1C(=O)O")), 2)
    1.58
    """
    import math

    sascorer = _sascorer()
    if not mol.GetNumAtoms():
        return float(sascorer.calculateScore(mol))  # None: float() says so, as before
    if sascorer._fscores is None:
        sascorer.readFragmentScores()
    scores = sascorer._fscores
    elements = sascorer.mfpgen.GetSparseCountFingerprint(mol).GetNonzeroElements()
    fragment = 0.0
    n_fragments = 0
    for bit, count in elements.items():
        n_fragments += count
        fragment += scores.get(bit, -4) * count
    fragment /= n_fragments
    n_atoms = mol.GetNumAtoms()
    n_chiral = possible_stereocentres(mol)
    rings = mol.GetRingInfo()
    n_bridgeheads, n_spiro = sascorer.numBridgeheadsAndSpiro(mol, rings)
    n_macrocycles = sum(1 for ring in rings.AtomRings() if len(ring) > 8)
    size_penalty = n_atoms**1.005 - n_atoms
    stereo_penalty = math.log10(n_chiral + 1)
    spiro_penalty = math.log10(n_spiro + 1)
    bridge_penalty = math.log10(n_bridgeheads + 1)
    macrocycle_penalty = math.log10(2) if n_macrocycles > 0 else 0.0
    features = (0.0 - size_penalty - stereo_penalty - spiro_penalty - bridge_penalty
                - macrocycle_penalty)  # fmt: skip
    density = 0.0
    if n_atoms > len(elements):
        density = math.log(float(n_atoms) / len(elements)) * 0.5
    score = fragment + features + density
    low, high = -4.0, 2.5
    score = 11.0 - (score - low + 1) / (high - low) * 9.0
    if score > 8.0:
        score = 8.0 + math.log(score + 1.0 - 9.0)
    if score > 10.0:
        score = 10.0
    elif score < 1.0:
        score = 1.0
    return float(score)


def _row(mol: Chem.Mol, alerts: dict[str, Any], qed_value: float) -> dict[str, Any]:
    p = properties(mol)
    return {
        **p,
        **lipinski(p),
        **veber(p),
        **leadlike(p),
        **alerts,
        "qed": qed_value,
        "sa_score": sa_score(mol),
    }


def property_rows(mols: Sequence[Chem.Mol]) -> list[dict[str, Any]]:
    """The cheap part of :func:`druglikeness_rows`: properties and rules, no alerts, QED or SA.

    One row per parsed molecule, with ``ok`` and ``error`` as there, and the
    same values (a screen's short-list profile computes these for every
    molecule and the rest only for molecules that can reach the short list).

    >>> from rdkit import Chem
    >>> row = property_rows([Chem.MolFromSmiles("c1ccccc1O")])[0]
    >>> row["hbd"], row["ro5_pass"], "qed" in row
    (1, True, False)
    """
    from rdkit import rdBase

    rows: list[dict[str, Any]] = []
    with rdBase.BlockLogs():
        for mol in mols:
            try:
                p = properties(mol)
                rows.append({"ok": True, "error": None, **p, **lipinski(p), **veber(p),
                             **leadlike(p)})  # fmt: skip
            except Exception as exc:  # as druglikeness_rows: the molecule fails, not the call
                rows.append({"ok": False, "error": f"property calculation failed: {exc}"})
    return rows


def druglikeness_rows(
    molecules: Sequence[Chem.Mol | str], catalogs: Sequence[str] = tuple(ALERT_CATALOGS)
) -> list[dict[str, Any]]:
    """The rows of :func:`druglikeness` as plain dicts, one per molecule, in this process.

    ``molecules``: ``Mol`` objects or SMILES; ``catalogs``: the alert
    catalogues to check (names of :data:`ALERT_CATALOGS`). Each row has
    ``ok`` and ``error``; rows of parsed molecules also have every property,
    rule, alert, ``qed`` and ``sa_score`` column. For code that already holds
    its chunk of molecules (a screen's worker): no table, no worker processes.

    >>> rows = druglikeness_rows(["c1ccccc1O", "C1CC"], catalogs=["pains"])
    >>> rows[0]["ok"], rows[0]["hbd"], rows[0]["pains"], rows[1]
    (True, 1, False, {'ok': False, 'error': "unparsable: unclosed ring for input: 'C1CC'"})
    """
    from drugml.featurize import shared_descriptors

    # Checked here, not per molecule: below, a failure marks the molecule, not the call.
    _check_catalogs(catalogs)
    with shared_descriptors():  # properties and QED share the rotatable bonds
        return _druglikeness_rows(molecules, catalogs)


def _druglikeness_rows(molecules: Sequence[Chem.Mol | str], catalogs: Sequence[str]
                       ) -> list[dict[str, Any]]:  # fmt: skip
    from rdkit import Chem, rdBase

    from drugml.chem import parse_smiles

    rows: list[dict[str, Any] | None] = []
    parsed: list[tuple[int, Chem.Mol]] = []
    with rdBase.BlockLogs():
        for item in molecules:
            if isinstance(item, Chem.Mol):
                mol, error = item, None
            else:
                mol, _, error = parse_smiles(item)
            if mol is None:
                rows.append({"ok": False, "error": error})
            else:
                parsed.append((len(rows), mol))
                rows.append(None)
        try:
            screened = _alerts_and_qed([mol for _, mol in parsed], catalogs)
        except Exception:  # an odd structure broke the batch: find it one by one below
            screened = [None] * len(parsed)
        for (position, mol), result in zip(parsed, screened, strict=True):
            try:
                alerts, qed_value = result or _alerts_and_qed([mol], catalogs)[0]
                rows[position] = {"ok": True, "error": None, **_row(mol, alerts, qed_value)}
            except Exception as exc:  # a descriptor failing on an odd structure
                rows[position] = {"ok": False, "error": f"property calculation failed: {exc}"}
    return rows  # type: ignore[return-value]


def druglikeness(
    molecules: Any,
    *,
    smiles_column: str | None = None,
    n_jobs: int = 1,
    chunk_size: int = 500,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Properties, rules, alerts, QED and SA score for each molecule; one row per input.

    ``molecules``: SMILES strings or ``Mol`` objects (list or Series), or a
    DataFrame whose SMILES column is ``smiles_column`` or found by name. The
    result keeps the input's index and adds ``ok``/``error``: a molecule that
    cannot be parsed gets NaN properties and the reason, never a crash.

    >>> out = druglikeness(["c1ccccc1O", "not a molecule"])
    >>> out.ok.tolist(), out.error.iloc[1].split(":")[0]
    ([True, False], 'unparsable')
    """
    import pandas as pd

    from drugml._util.parallel import flat_map_chunks
    from drugml.chem import SmilesListError, resolve_smiles_column

    if isinstance(molecules, pd.DataFrame):
        column = resolve_smiles_column(list(molecules.columns), smiles_column, "The table")
        items, index = molecules[column].tolist(), molecules.index
    else:
        if isinstance(molecules, str):
            raise SmilesListError(
                "druglikeness takes a list of SMILES, not one string: use [smiles]"
            )
        index = molecules.index if isinstance(molecules, pd.Series) else None
        items = list(molecules)
    rows = flat_map_chunks(
        druglikeness_rows, items, (), n_jobs=n_jobs, chunk_size=chunk_size,
        progress=progress, desc="druglikeness",
    )  # fmt: skip
    columns = ["ok", "error", *PROPERTY_COLUMNS, "ro5_violations", "ro5_pass", "veber_pass",
               "leadlike_pass"]  # fmt: skip
    for name in ALERT_CATALOGS:
        columns += [name, f"{name}_alerts"]
    columns += ["qed", "sa_score"]
    return pd.DataFrame.from_records(rows, columns=columns, index=index)
