"""3D similarity to reference ligands: each molecule's conformers overlaid on a reference
pose by shape and pharmacophore (RDKit's ``rdShapeAlign``, Gaussian volumes with
"colour" features: donors, acceptors, charges, aromatic rings, hydrophobes).

For each molecule: parse (the largest fragment of a salt), generate ``n_conformers``
ETKDG conformers (fixed seed), align every conformer to every reference with shape and
colour weighted by ``opt_param``, and keep the overlay with the best
``shape_pharmacophore_similarity`` (the mean of the shape and colour Tanimoto, ROCS's
"TanimotoCombo" halved to 0-1). ``shape_reference`` says which reference that overlay
used. Scores are deterministic for a seed and independent of ``n_jobs``.

Per-molecule failures are statuses (:data:`SHAPE_STATUSES`), never exceptions: one row
out per molecule in, in input order.

Why these defaults (``benchmarks/results/shape_similarity.json``): see
:class:`ShapeSettings`. On EGFR (erlotinib's crystal pose, actives against inactives
matched in size and polarity) the pharmacophore Tanimoto ranks actives best (ROC-AUC
0.72-0.77), the combined one next (0.69-0.71) and shape alone barely (0.57-0.60): rank by
``pharmacophore_similarity`` where the target's binding is about specific interactions.

Example
-------
>>> from drugml.structure import shape_similarity
>>> erlotinib = ("egfr_1m17", "AQ4", "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC")
>>> table = shape_similarity(["COc1cc2ncnc(Nc3ccc(F)c(Cl)c3)c2cc1OCCCN1CCOCC1", "CCO", "C1CC"],
...                          erlotinib)
>>> table["shape_status"].tolist()
['ok', 'ok', 'unparsable']
>>> combined = table["shape_pharmacophore_similarity"]
>>> bool(combined[0] > combined[1])  # gefitinib is more like erlotinib than ethanol is
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from drugml.errors import DrugmlError
from drugml.schema import SIMILARITY_3D_COLUMNS
from drugml.structure._shape_reference import (
    _EMBED_ATTEMPTS,
    ReferenceSpec,
    largest_fragment,
    reference_ligands,
)

if TYPE_CHECKING:
    import pandas as pd
    from rdkit import Chem

__all__ = [
    "SHAPE_COLUMNS",
    "SHAPE_STATUSES",
    "ShapeSettings",
    "ShapeSettingsError",
    "shape_similarity",
]

#: The columns :func:`shape_similarity` writes, in order.
SHAPE_COLUMNS = tuple(SIMILARITY_3D_COLUMNS)  # named, with their meaning, in drugml.schema

#: ``shape_status`` values, in words.
SHAPE_STATUSES: dict[str, str] = {
    "ok": "overlaid on the references",
    "unparsable": "the SMILES does not parse (or the item is not a molecule)",
    "too_large": "more heavy atoms than ShapeSettings.max_heavy_atoms",
    "embedding_failed": "RDKit could not embed the molecule in 3D",
    "alignment_failed": "RDKit's shape alignment stopped with an error",
}

#: Molecules per task sent to a worker process (about 1-3 s of work each).
_CHUNK_SIZE = 25


class ShapeSettingsError(DrugmlError, ValueError):
    """A :class:`ShapeSettings` value is impossible; the message names it and its rule."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


#: Each setting's rule, declared once: (check, the rule in words).
_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "n_conformers": (lambda v: _is_int(v) and v >= 1, "an integer of at least 1"),
    "seed": (lambda v: _is_int(v) and v >= 0, "an integer of at least 0"),
    "opt_param": (
        lambda v: _is_number(v) and 0.0 <= v <= 1.0,
        "a number from 0 (align on pharmacophore only) to 1 (on shape only)",
    ),
    "max_heavy_atoms": (
        lambda v: v is None or (_is_int(v) and v >= 1),
        "None (no limit) or an integer of at least 1",
    ),
}


@dataclass(frozen=True)
class ShapeSettings:
    """How each molecule is overlaid on the references.

    ``n_conformers``: ETKDG conformers per molecule, each aligned to each reference (cost
    grows about linearly; embedding is most of it); ``seed``: ETKDG's seed (conformer
    ``i`` uses ``seed + i``, so more conformers add to the same first ones);
    ``opt_param``: what the alignment optimizes, 0 pharmacophore only, 1 shape only (0.5:
    both equally, matching the combined score); ``max_heavy_atoms``: larger molecules get
    ``too_large`` (``None``: no limit), since embedding time grows steeply with size and a
    peptide's overlay on a small-molecule reference means little.

    Why the defaults (``benchmarks/shape_similarity.py``; ``results/shape_similarity.json``):
    a molecule costs about 60 ms of CPU with one conformer (ETKDG embedding is 95 % of it)
    and 45 ms per further one. With one, the 2,628 approved drugs took 140 s on one core
    and 66 s on two; each further conformer adds about 60 s on two. Against erlotinib's
    1M17 pose, on three sets of 110 EGFR actives and 110 property-matched inactives, one
    conformer gives ROC-AUC 0.72 (pharmacophore) and 0.69 (combined), two or more 0.76 and
    0.71, with no gain past two: ``n_conformers=2`` buys that 0.03-0.04 for twice the time.
    ``max_heavy_atoms=60`` leaves out 1.6 % of the approved drugs, which would add 30 % to
    the library's time (0.5-3 s each) and cannot be much like a drug-sized reference (a
    shape Tanimoto is at most the smaller volume over the larger); raise it for a large
    reference.

    >>> ShapeSettings(n_conformers=0)
    Traceback (most recent call last):
    ...
    drugml.structure._shape.ShapeSettingsError: n_conformers must be an integer of at least 1, got 0
    """

    n_conformers: int = 1
    seed: int = 0
    opt_param: float = 0.5
    max_heavy_atoms: int | None = 60

    def __post_init__(self) -> None:
        for name, (check, rule) in _RULES.items():
            value = getattr(self, name)
            if not check(value):
                raise ShapeSettingsError(f"{name} must be {rule}, got {value!r}")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def shape_similarity(
    molecules: Sequence[str | Chem.Mol],
    references: ReferenceSpec | Sequence[ReferenceSpec],
    settings: ShapeSettings | None = None,
    n_jobs: int = 1,
    progress: bool | None = False,
) -> pd.DataFrame:
    """3D shape and pharmacophore similarity of each molecule to the references: one row
    per molecule, in input order, with the columns of :data:`SHAPE_COLUMNS`.

    ``molecules``: SMILES or RDKit molecules (a molecule's own coordinates are not used:
    its conformers are generated like a SMILES's). ``references``: what
    :func:`reference_ligands` takes (a crystal ligand as ``(structure, residue, SMILES)``,
    a SMILES, a 3D molecule, or a list of them). ``n_jobs`` processes (-1: every core);
    the results do not depend on it.

    >>> erlotinib = ("egfr_1m17", "AQ4", "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC")
    >>> row = shape_similarity(["COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC"], erlotinib).iloc[0]
    >>> row["shape_reference"], bool(row["shape_similarity"] > 0.7)
    ('egfr_1m17:AQ4', True)
    """
    import pandas as pd
    from rdkit import Chem

    from drugml._util.parallel import check_n_jobs, flat_map_chunks
    from drugml.chem import SmilesListError

    settings = ShapeSettings() if settings is None else settings
    if not isinstance(settings, ShapeSettings):
        raise ShapeSettingsError(f"settings must be a ShapeSettings, got {type(settings)}")
    if isinstance(molecules, str):
        raise SmilesListError("shape_similarity takes a list of molecules: wrap one in [...]")
    check_n_jobs(n_jobs, _CHUNK_SIZE)
    refs = reference_ligands(references, seed=settings.seed)
    items = list(molecules)
    # Reference poses travel as mol blocks: a pickled RDKit molecule keeps its coordinates
    # in single precision, and a worker's overlays would then differ in the 4th decimal.
    poses = [(ref.name, Chem.MolToMolBlock(ref.mol)) for ref in refs]
    rows = flat_map_chunks(
        _score_chunk,
        items,
        (poses, settings),
        n_jobs=n_jobs,
        chunk_size=_CHUNK_SIZE,
        progress=progress,
        desc="shape similarity",
    )
    return pd.DataFrame(rows, columns=list(SHAPE_COLUMNS))


def _score_chunk(
    chunk: Sequence[Any], poses: Sequence[tuple[str, str]], settings: ShapeSettings
) -> list[dict[str, Any]]:
    """The rows of one chunk; each reference's shape (from its name and mol block) is
    computed once per chunk, in the process that uses it (a ``ShapeInput`` cannot be sent
    to a worker)."""
    from rdkit import Chem, rdBase
    from rdkit.Chem import rdShapeAlign

    shapes = [
        (name, rdShapeAlign.PrepareConformer(Chem.MolFromMolBlock(block), -1))
        for name, block in poses
    ]
    # RDKit's warnings (a salt's lone protons, ...) would print once per molecule; what
    # matters reaches the table as a status and reason
    with rdBase.BlockLogs():
        return [_score_one(item, shapes, settings) for item in chunk]


def _failed(status: str, reason: str) -> dict[str, Any]:
    return {
        "shape_similarity": math.nan,
        "pharmacophore_similarity": math.nan,
        "shape_pharmacophore_similarity": math.nan,
        "shape_reference": "",
        "shape_status": status,
        "shape_reason": reason,
    }


def _score_one(item: Any, shapes: list[tuple[str, Any]], settings: ShapeSettings) -> dict:
    """One molecule's row: its best overlay over every conformer and reference."""
    from rdkit import Chem
    from rdkit.Chem import rdShapeAlign

    mol, reason = _molecule(item)
    if mol is None:
        return _failed("unparsable", reason)
    heavy = mol.GetNumHeavyAtoms()
    limit = settings.max_heavy_atoms
    if limit is not None and heavy > limit:
        return _failed("too_large", f"{heavy} heavy atoms; max_heavy_atoms is {limit}")
    embedded = _embed(mol, settings)
    if embedded is None:
        return _failed(
            "embedding_failed", "ETKDG found no 3D conformer (strained or impossible stereo?)"
        )
    best: tuple[float, float, float, str] | None = None
    for name, shape in shapes:
        probe = Chem.Mol(embedded)  # each reference starts from the same coordinates
        for conf in probe.GetConformers():
            try:
                shape_score, colour_score = rdShapeAlign.AlignMol(
                    shape, probe, probeConfId=conf.GetId(), useColors=True,
                    opt_param=settings.opt_param,
                )  # fmt: skip
            except (RuntimeError, ValueError) as exc:
                return _failed("alignment_failed", f"rdShapeAlign: {exc}")
            combined = (shape_score + colour_score) / 2
            if best is None or combined > best[0]:  # ties: the first conformer and reference
                best = (combined, shape_score, colour_score, name)
    combined, shape_score, colour_score, name = best
    return {
        "shape_similarity": round(shape_score, 4),
        "pharmacophore_similarity": round(colour_score, 4),
        "shape_pharmacophore_similarity": round(combined, 4),
        "shape_reference": name,
        "shape_status": "ok",
        "shape_reason": "",
    }


def _molecule(item: Any) -> tuple[Chem.Mol | None, str]:
    """(the molecule's largest fragment, "") or (None, why it is not a molecule)."""
    from rdkit import Chem

    from drugml.chem import parse_smiles

    if isinstance(item, Chem.Mol):
        mol = Chem.Mol(item)
        mol.RemoveAllConformers()
        try:  # sanitized: the colour features need rings and aromaticity
            mol = Chem.RemoveHs(mol)
        except (ValueError, RuntimeError) as exc:
            return None, f"the molecule does not sanitize: {exc}"
    else:
        mol, _, error = parse_smiles(item)
        if mol is None:
            return None, error or "does not parse"
    mol = largest_fragment(mol)
    if mol.GetNumHeavyAtoms() == 0:
        return None, "the molecule has no heavy atoms"
    return mol, ""


def _embed(mol: Chem.Mol, settings: ShapeSettings) -> Chem.Mol | None:
    """``settings.n_conformers`` ETKDG conformers (hydrogens added for the geometry, then
    removed: the overlay is heavy-atom), random starting coordinates as the fallback, each
    with at most :data:`_EMBED_ATTEMPTS` attempts; None when neither embeds."""
    from rdkit import Chem, rdBase
    from rdkit.Chem import AllChem

    with_h = Chem.AddHs(mol)
    params = AllChem.ETKDGv3()
    params.randomSeed = settings.seed
    # Conformer i from seed + i: without it RDKit gives seed 0 n copies of one conformer,
    # and with it the first k of n conformers are the same for every n >= k.
    params.enableSequentialRandomSeeds = True
    params.numThreads = 1  # the parallelism is n_jobs' processes
    params.maxIterations = _EMBED_ATTEMPTS[0]
    with rdBase.BlockLogs():
        ids = list(AllChem.EmbedMultipleConfs(with_h, settings.n_conformers, params))
        if not ids:
            params.useRandomCoords = True
            params.maxIterations = _EMBED_ATTEMPTS[1]
            ids = list(AllChem.EmbedMultipleConfs(with_h, settings.n_conformers, params))
    if not ids:
        return None
    return Chem.RemoveHs(with_h)
