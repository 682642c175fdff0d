"""Analogues of seed molecules by fragment replacement (CReM), and pictures of each change.

:func:`propose_analogues` asks CReM (Polishchuk, J. Cheminform. 2020) which fragments of a
drugml fragment database (:func:`~drugml.design.build_fragment_database`) occur in the same
chemical context as each fragment of a seed, and puts them in its place:

- **mutate**: a fragment of the seed (a substituent or a linker, cut at acyclic single bonds)
  is replaced by another seen in the same context;
- **grow**: a hydrogen of the seed is replaced by a small fragment.

Each proposal keeps its parent, what was replaced by what (CReM's rule), the change in heavy
atoms, how often the new fragment occurs in that context in the database, its synthetic
accessibility and whether it is already known. CReM only puts fragments where the database saw
them, so the proposals are chemically reasonable by construction (no valence errors, no
fragment in an unseen context); they are still hypotheses for a chemist to judge.

Example
-------
>>> table = propose_analogues(["COc1cc2ncnc(Nc3cccc(Cl)c3)c2cc1OC"], max_per_seed=3)
>>> table["proposal_status"].unique().tolist(), len(table)
(['proposed'], 3)
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

from drugml._util.settings import with_options
from drugml.design._errors import DesignError
from drugml.design._fragments import FragmentDatabase, load_fragment_database

if TYPE_CHECKING:
    import pandas as pd
    from rdkit import Chem

__all__ = [
    "OPERATIONS",
    "AnalogueSettings",
    "Proposal",
    "draw_transformation",
    "propose_analogues",
    "transformation_atoms",
]

#: The operations :func:`propose_analogues` knows (CReM's ``mutate_mol`` and ``grow_mol``).
OPERATIONS = ("mutate", "grow")
#: ``proposal_status`` of a row that is a proposal; every other value says why a seed gave none.
PROPOSED = "proposed"
#: Why a proposal made by CReM is not kept (counted in the table's ``attrs["dropped"]``).
SEED_TWIN = "the structure of a seed"
EARLIER_TWIN = "proposed already for an earlier seed"


@dataclass(frozen=True)
class AnalogueSettings:
    """How analogues are proposed (:func:`propose_analogues`); every field is also a keyword.

    - ``operations``: ``"mutate"`` (replace a fragment) and/or ``"grow"`` (replace a hydrogen).
    - ``max_per_seed``: at most this many proposals per seed.
    - ``radius``: context radius; ``None`` takes the database's (a database holds one).
    - ``min_replaced_atoms``, ``max_replaced_atoms``: heavy atoms of the fragment a mutation
      replaces.
    - ``min_heavy_atom_change``, ``max_heavy_atom_change``: heavy atoms of a proposal minus its
      parent's (growing adds at least one).
    - ``allowed_elements``: the elements a new fragment may bring in (the parent's own atoms
      stay whatever they are).
    - ``max_heavy_atoms``: the largest proposal.
    - ``min_fragment_frequency``: the new fragment must occur at least this often in its
      context in the database (CReM's ``min_freq``).
    - ``random_seed``: the choice among more candidates than ``max_per_seed`` (same seed, same
      table); ``n_jobs``: processes over seeds; ``progress``: a bar over seeds (``None``: from
      20 seeds on).
    """

    operations: tuple[str, ...] = OPERATIONS
    max_per_seed: int = 50
    radius: int | None = None
    min_replaced_atoms: int = 1
    max_replaced_atoms: int = 8
    min_heavy_atom_change: int = -3
    max_heavy_atom_change: int = 3
    allowed_elements: tuple[str, ...] = ("C", "N", "O", "S", "F", "Cl", "Br")
    max_heavy_atoms: int = 50
    min_fragment_frequency: int = 1
    random_seed: int = 0
    n_jobs: int = 1
    progress: bool | None = None

    def check(self) -> None:
        """Raise :class:`~drugml.design.DesignError` naming the first impossible value."""
        unknown = [op for op in self.operations if op not in OPERATIONS]
        if unknown or not self.operations:
            raise DesignError(
                f"operations must be some of {', '.join(OPERATIONS)}, got {self.operations!r}"
            )
        for name, low in (("max_per_seed", 1), ("max_heavy_atoms", 1),
                          ("min_fragment_frequency", 0)):  # fmt: skip
            if not isinstance(getattr(self, name), int) or getattr(self, name) < low:
                raise DesignError(
                    f"{name} must be a whole number >= {low}, got {getattr(self, name)!r}"
                )
        if not 0 <= self.min_replaced_atoms <= self.max_replaced_atoms:
            raise DesignError(
                "need 0 <= min_replaced_atoms <= max_replaced_atoms, got "
                f"{self.min_replaced_atoms} and {self.max_replaced_atoms}"
            )
        if self.min_heavy_atom_change > self.max_heavy_atom_change:
            raise DesignError(
                "min_heavy_atom_change is above max_heavy_atom_change: "
                f"{self.min_heavy_atom_change} > {self.max_heavy_atom_change}"
            )
        if not self.allowed_elements:
            raise DesignError("allowed_elements is empty: no fragment could be added")
        from rdkit import Chem

        table = Chem.GetPeriodicTable()
        for symbol in self.allowed_elements:
            try:
                table.GetAtomicNumber(str(symbol))
            except RuntimeError:
                raise DesignError(
                    f"allowed_elements: {symbol!r} is not an element symbol (C, N, Cl, ...)"
                ) from None


@dataclass
class Proposal:
    """One row of the proposals table. The fields are columns named in :mod:`drugml.schema`
    (``PROPOSAL_COLUMNS``, plus ``smiles``, ``inchikey`` and ``sa_score`` of the screen), in
    the table's order; ``tests/unit/design/test_analogues.py`` checks that they stay so."""

    proposal_id: str | None
    parent_id: Any
    smiles: str | None
    inchikey: str | None
    parent_smiles: str | None
    operation: str | None
    replaced: str | None
    replacement: str | None
    transformation: str | None
    heavy_atom_change: int | None
    fragment_frequency: int | None
    sa_score: float
    is_new: bool | None
    known_as: str
    proposal_status: str
    proposal_reason: str


def _status_row(parent_id: Any, parent_smiles: str | None, status: str, reason: str) -> Proposal:
    """The one row of a seed that gave no proposal: why, in ``proposal_status``/``_reason``."""
    return Proposal(None, parent_id, None, None, parent_smiles, None, None, None, None, None,
                    None, math.nan, None, "", status, reason)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# One seed (runs in a worker process for n_jobs > 1)
# ---------------------------------------------------------------------------------------------


def _heavy_atoms(fragment: str) -> int:
    from rdkit import Chem

    mol = Chem.MolFromSmiles(fragment, sanitize=False)
    return sum(1 for a in mol.GetAtoms() if a.GetAtomicNum() > 1)


def _elements(fragment: str) -> set[str]:
    from rdkit import Chem

    mol = Chem.MolFromSmiles(fragment, sanitize=False)
    return {a.GetSymbol() for a in mol.GetAtoms() if a.GetAtomicNum() > 1}


def _rng(settings: dict[str, Any], parent_smiles: str) -> Any:
    """The seed's own generator: from the random seed and the structure, so that a seed's
    proposals do not depend on the other seeds, their order or the number of processes."""
    import numpy as np

    key = int(hashlib.sha256(parent_smiles.encode()).hexdigest()[:16], 16)
    return np.random.default_rng(np.random.SeedSequence([settings["random_seed"], key]))


def _candidates(mol: Chem.Mol, db: str, radius: int, settings: dict[str, Any]) -> list[tuple]:
    """Every replacement CReM finds for the seed: ``(operation, replaced, replacement,
    frequency, context)``, in a canonical order (the database's row order does not count)."""
    from crem.crem import get_replacements
    from rdkit import Chem

    found = []
    low, high = settings["min_heavy_atom_change"], settings["max_heavy_atom_change"]
    common = {"min_freq": settings["min_fragment_frequency"], "return_frag_smi_only": False}
    if "mutate" in settings["operations"]:
        for src, new, freq, context in get_replacements(
            mol, db, radius, min_size=settings["min_replaced_atoms"],
            max_size=settings["max_replaced_atoms"], min_inc=low, max_inc=high, **common,
        ):  # fmt: skip
            found.append(("mutate", src, new, int(freq), context))
    if "grow" in settings["operations"] and high >= 1:
        # CReM's grow_mol: hydrogens made explicit, only they are replaced (size 0).
        for src, new, freq, context in get_replacements(
            Chem.AddHs(mol), db, radius, min_size=0, max_size=0, min_inc=max(1, low),
            max_inc=high, **common,
        ):  # fmt: skip
            found.append(("grow", src, new, int(freq), context))
    found.sort(key=lambda c: (c[0], c[1], c[2], Chem.MolToSmiles(c[4])))
    return found


def _allowed(candidate: tuple, parent_atoms: int, settings: dict[str, Any]) -> bool:
    _, src, new, _, _ = candidate
    change = _heavy_atoms(new) - _heavy_atoms(src)
    return (
        settings["min_heavy_atom_change"] <= change <= settings["max_heavy_atom_change"]
        and parent_atoms + change <= settings["max_heavy_atoms"]
        and _elements(new) <= set(settings["allowed_elements"])
    )


def _order(candidates: list[tuple], rng: Any) -> list[int]:
    """A random order that favours frequent replacements: weighted sampling without
    replacement (Efraimidis and Spirakis 2006), key = Exp(1) / frequency, smallest first."""
    import numpy as np

    if not candidates:
        return []
    weights = np.array([max(c[3], 1) for c in candidates], dtype=float)
    keys = rng.exponential(size=len(candidates)) / weights
    return np.argsort(keys, kind="stable").tolist()


def _assemble(base: Chem.Mol, radius: int, candidate: tuple) -> tuple[str, str] | None:
    """``(product SMILES, CReM's rule)`` of one replacement, or None when CReM cannot.
    ``base`` is the seed as CReM fragmented it (with explicit hydrogens to grow)."""
    from crem.crem import get_mols_from_replacements

    _, src, new, freq, context = candidate
    for smiles, rule in get_mols_from_replacements(
        base, radius, [(src, new, freq, context)], return_rxn=True
    ):
        return smiles, rule
    return None


def _within_limits(child: Chem.Mol, parent_atoms: int, settings: dict[str, Any]) -> bool:
    """The limits on the standardized product (standardization can drop a fragment)."""
    change = child.GetNumHeavyAtoms() - parent_atoms
    return (
        settings["min_heavy_atom_change"] <= change <= settings["max_heavy_atom_change"]
        and child.GetNumHeavyAtoms() <= settings["max_heavy_atoms"]
    )


def _propose_one(item: tuple, db: str, radius: int, settings: dict[str, Any]) -> list[Proposal]:
    """Every row of one seed: its proposals, or one row that says why there are none."""
    from rdkit import Chem

    from drugml.chem import MoleculeError, standardize_mol
    from drugml.screening.filters import sa_score

    parent_id, seed = item
    try:
        mol = standardize_mol(seed)
    except MoleculeError as exc:
        text = seed if isinstance(seed, str) else None
        return [_status_row(parent_id, text, "unparsable", str(exc))]
    parent = Chem.MolToSmiles(mol)
    parent_atoms = mol.GetNumHeavyAtoms()
    found = _candidates(mol, db, radius, settings)
    candidates = [c for c in found if _allowed(c, parent_atoms, settings)]
    rows: list[Proposal] = []
    seen = {parent}
    bases = {"mutate": mol, "grow": Chem.AddHs(mol)}
    for index in _order(candidates, _rng(settings, parent)):
        if len(rows) >= settings["max_per_seed"]:
            break
        made = _assemble(bases[candidates[index][0]], radius, candidates[index])
        if made is None:
            continue
        try:
            child = standardize_mol(made[0])
        except MoleculeError:
            continue  # CReM's product is checked by RDKit; a failure here is rare
        smiles = Chem.MolToSmiles(child)
        if smiles in seen or not _within_limits(child, parent_atoms, settings):
            continue
        seen.add(smiles)
        operation, src, new, freq, _ = candidates[index]
        rows.append(Proposal(None, parent_id, smiles, Chem.MolToInchiKey(child), parent,
                             operation, src, new, made[1],
                             child.GetNumHeavyAtoms() - parent_atoms, freq,
                             sa_score(child), None, "", PROPOSED, ""))  # fmt: skip
    if not rows:
        reason = (
            f"the fragment database has {len(found)} replacements for this molecule's "
            f"contexts (radius {radius}), {len(candidates)} within the size and element limits, "
            "none giving a new structure"
        )
        return [_status_row(parent_id, parent, "no_proposals", reason)]
    return rows


def _propose_chunk(items: Sequence[tuple], db: str, radius: int, settings: dict) -> list:
    from rdkit import rdBase

    with rdBase.BlockLogs():  # CReM's fragmentation warns on every explicit hydrogen
        return [_propose_one(item, db, radius, settings) for item in items]


# ---------------------------------------------------------------------------------------------
# Many seeds
# ---------------------------------------------------------------------------------------------


def _seed_items(seeds: Any, smiles_column: str, id_column: str) -> list[tuple[Any, Any]]:
    """``[(id, SMILES or Mol), ...]`` of the seeds; identifiers must be unique."""
    import pandas as pd

    if isinstance(seeds, pd.DataFrame):
        if smiles_column not in seeds.columns:
            raise DesignError(
                f"The seeds table has no column {smiles_column!r} (smiles_column=); its "
                f"columns are {', '.join(map(str, seeds.columns))}"
            )
        ids = (
            seeds[id_column].tolist()
            if id_column in seeds.columns
            else [f"seed-{i + 1}" for i in range(len(seeds))]
        )
        items = list(zip(ids, seeds[smiles_column].tolist(), strict=True))
    elif isinstance(seeds, str):
        raise DesignError("propose_analogues takes a list of seeds, not one string: use [smiles]")
    else:
        items = [(f"seed-{i + 1}", s) for i, s in enumerate(seeds)]
    if not items:
        raise DesignError("No seeds given: propose_analogues needs at least one molecule.")
    counts = pd.Series([str(i) for i, _ in items]).value_counts()
    if counts.iloc[0] > 1:
        raise DesignError(f"Seed identifiers must be unique; {counts.index[0]!r} is repeated.")
    return items


def _resolve(database: Any, settings: AnalogueSettings) -> tuple[FragmentDatabase, int]:
    db = database if isinstance(database, FragmentDatabase) else load_fragment_database(database)
    radius = db.radius if settings.radius is None else settings.radius
    if radius != db.radius:
        raise DesignError(
            f"radius {radius} asked, but the fragment database {db.path.name} holds radius "
            f"{db.radius} only; leave radius=None or rebuild the database with radius={radius}"
        )
    return db, radius


def _finish(
    per_seed: list[list[Proposal]], known: Mapping[str, str] | None, dropped: dict[str, int]
) -> list[Proposal]:
    """Keep the first of each structure across seeds, drop proposals that are seeds (each
    counted in ``dropped``), number the proposals, and set ``is_new``/``known_as``."""
    seeds = {rows[0].parent_smiles for rows in per_seed if rows[0].parent_smiles}
    seen: set[str] = set()
    out: list[Proposal] = []
    for rows in per_seed:
        proposed = [r for r in rows if r.proposal_status == PROPOSED]
        dropped[SEED_TWIN] += sum(r.smiles in seeds for r in proposed)
        dropped[EARLIER_TWIN] += sum(r.smiles in seen and r.smiles not in seeds for r in proposed)
        kept = [r for r in rows if r.proposal_status != PROPOSED
                or (r.smiles not in seen and r.smiles not in seeds)]  # fmt: skip
        seen.update(r.smiles for r in kept if r.smiles)
        if not kept:
            first = rows[0]
            reason = "every proposal is a seed or was proposed for an earlier seed"
            kept = [_status_row(first.parent_id, first.parent_smiles, "no_proposals", reason)]
        for number, row in enumerate((r for r in kept if r.proposal_status == PROPOSED), 1):
            row.proposal_id = f"{row.parent_id}-{number}"
            label = (known or {}).get(row.inchikey or "")
            row.is_new, row.known_as = label is None, label or ""
        out.extend(kept)
    return out


def _table(rows: list[Proposal]) -> pd.DataFrame:
    import pandas as pd

    columns = [f.name for f in fields(Proposal)]
    table = pd.DataFrame([asdict(r) for r in rows], columns=columns)
    integers = {f.name for f in fields(Proposal) if f.type == "int | None"}
    flags = {f.name for f in fields(Proposal) if f.type == "bool | None"}
    return table.astype({**dict.fromkeys(integers, "Int64"), **dict.fromkeys(flags, "boolean")})


def propose_analogues(
    seeds: Any,
    database: str | Any | None = None,
    settings: AnalogueSettings | None = None,
    *,
    known: Mapping[str, str] | None = None,
    smiles_column: str = "smiles",
    id_column: str = "id",
    **options: Any,
) -> pd.DataFrame:
    """Analogues of each seed from a fragment database; one row per proposal.

    ``seeds``: a DataFrame (``smiles_column``; ``id_column`` when it has one, else
    ``seed-1``, ``seed-2``, ...), a list of SMILES or of RDKit molecules. Each seed is
    standardized (:func:`drugml.chem.standardize_mol`). ``database``: a
    :class:`~drugml.design.FragmentDatabase`, the path of one, or ``None`` for the shipped
    one. ``settings`` (:class:`AnalogueSettings`), or its fields as keywords
    (``max_per_seed=20``). ``known``: InChIKey -> where the structure is known (e.g.
    ``"training:potency"``, ``"library"``): ``is_new`` is False and ``known_as`` names it.

    **Choice.** CReM lists every replacement of every fragment of the seed whose context is in
    the database; those outside the limits are dropped. When more remain than
    ``max_per_seed``, they are taken in a random order weighted by fragment frequency (common
    changes first, rare ones still possible), drawn from ``random_seed`` and the seed's
    structure: the same seed, settings and database always give the same table, whatever the
    other seeds and ``n_jobs``. Each is built and standardized until ``max_per_seed``
    different structures are found.

    **Duplicates.** A proposal equal to its parent is never made; one equal to any seed, or
    already proposed for an earlier seed, is dropped (the earlier seed keeps it), so a seed
    may end with fewer than ``max_per_seed``; ``table.attrs["dropped"]`` counts them by reason.

    **Nothing dropped silently.** A seed that cannot be parsed, or gives no proposal, gets one
    row whose ``proposal_status`` says why (``unparsable``, ``no_proposals``) and whose
    ``proposal_reason`` says it in words.

    Columns: :data:`drugml.schema.PROPOSAL_COLUMNS` with ``smiles`` (standardized), ``inchikey``
    and ``sa_score`` (1 easy .. 10 hard); see :class:`Proposal` for the order.

    >>> table = propose_analogues(["c1ccc(Cl)cc1N", "not a molecule"], max_per_seed=2)
    >>> table[["parent_id", "proposal_status"]].drop_duplicates().to_numpy().tolist()
    [['seed-1', 'proposed'], ['seed-2', 'unparsable']]
    """
    from drugml._util.parallel import flat_map_chunks

    chosen = with_options(AnalogueSettings, settings, options, "propose_analogues", TypeError)
    chosen.check()
    items = _seed_items(seeds, smiles_column, id_column)
    db, radius = _resolve(database, chosen)
    plain = {**asdict(chosen), "operations": tuple(chosen.operations)}
    progress = chosen.progress if chosen.progress is not None else len(items) >= 20
    per_seed = flat_map_chunks(_propose_chunk, items, (str(db.path), radius, plain),
                               n_jobs=chosen.n_jobs, chunk_size=1, progress=progress,
                               desc="analogues")  # fmt: skip
    dropped = {SEED_TWIN: 0, EARLIER_TWIN: 0}
    table = _table(_finish(_unique_seeds(per_seed), known, dropped))
    table.attrs["dropped"] = dropped  # proposals made but not kept, by reason
    return table


def _unique_seeds(per_seed: list[list[Proposal]]) -> list[list[Proposal]]:
    """A seed with the structure of an earlier seed keeps one row saying so."""
    first: dict[str, Any] = {}
    out = []
    for rows in per_seed:
        smiles = rows[0].parent_smiles
        if rows[0].proposal_status != "unparsable" and smiles in first:
            reason = f"the same structure as seed {first[smiles]!r}, whose proposals it shares"
            rows = [_status_row(rows[0].parent_id, smiles, "duplicate_seed", reason)]
        elif smiles is not None:
            first.setdefault(smiles, rows[0].parent_id)
        out.append(rows)
    return out


# ---------------------------------------------------------------------------------------------
# Pictures
# ---------------------------------------------------------------------------------------------


def transformation_atoms(
    parent: Chem.Mol, child: Chem.Mol, timeout: int = 2
) -> tuple[list[int], list[int]]:
    """``(parent atoms, child atoms)`` that differ between two molecules: those outside their
    maximum common substructure (RDKit's FMCS; rings match whole rings only; ``timeout`` in
    seconds). Where one side lost or gained nothing (a hydrogen grown into a group, a group
    removed), its atom at the attachment point is given instead.

    >>> from rdkit import Chem
    >>> transformation_atoms(Chem.MolFromSmiles("Clc1ccccc1"), Chem.MolFromSmiles("Brc1ccccc1"))
    ([0], [0])
    """
    from rdkit import Chem
    from rdkit.Chem import rdFMCS

    result = rdFMCS.FindMCS(
        [parent, child], timeout=timeout, ringMatchesRingOnly=True, completeRingsOnly=True,
        atomCompare=rdFMCS.AtomCompare.CompareElements,
        bondCompare=rdFMCS.BondCompare.CompareOrder,
    )  # fmt: skip
    if not result.numAtoms:
        return list(range(parent.GetNumAtoms())), list(range(child.GetNumAtoms()))
    query = Chem.MolFromSmarts(result.smartsString)
    in_parent = parent.GetSubstructMatch(query)
    in_child = child.GetSubstructMatch(query)
    changed_parent = [a.GetIdx() for a in parent.GetAtoms() if a.GetIdx() not in in_parent]
    changed_child = [a.GetIdx() for a in child.GetAtoms() if a.GetIdx() not in in_child]
    # The attachment point: the common atom bonded to the changed atoms of the other side.
    if not changed_parent and changed_child:
        ends = {n.GetIdx() for i in changed_child for n in child.GetAtomWithIdx(i).GetNeighbors()}
        changed_parent = sorted(p for p, c in zip(in_parent, in_child, strict=True) if c in ends)
    if not changed_child and changed_parent:
        ends = {n.GetIdx() for i in changed_parent for n in parent.GetAtomWithIdx(i).GetNeighbors()}
        changed_child = sorted(c for p, c in zip(in_parent, in_child, strict=True) if p in ends)
    return changed_parent, changed_child


def draw_transformation(
    parent: Any,
    child: Any,
    *,
    size: tuple[int, int] = (300, 220),
    legends: tuple[str, str] = ("parent", "analogue"),
) -> str:
    """Parent and analogue side by side as inline SVG, the replaced atoms highlighted in the
    parent and the new ones in the analogue (:func:`transformation_atoms`). ``size`` is one
    panel's; drawn offline by RDKit.

    >>> svg = draw_transformation("COc1ccccc1", "CCOc1ccccc1")
    >>> svg.startswith("<svg"), svg.count("<title>")
    (True, 1)
    """
    from drugml.chem import to_mol
    from drugml.viz import pair_svg

    mols = [to_mol(parent), to_mol(child)]
    for mol, text in zip(mols, (parent, child), strict=True):
        if mol is None:
            raise DesignError(f"Cannot draw the change: {text!r} is not a valid molecule")
    parent_atoms, child_atoms = transformation_atoms(*mols)
    return pair_svg(mols[0], mols[1], parent_atoms, child_atoms, legends=legends, size=size)
