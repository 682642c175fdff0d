"""The built-in scorers: docking, interactions, 3D similarity and the baselines they must beat.

Each reads columns that the docking (:mod:`drugml.structure.dock`) or the 3D overlay
(:func:`drugml.structure.shape_similarity`) wrote, and turns them so that higher means
more likely active.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from drugml.structure.scoring._base import ScorerError, StructureScorer, register_scorer

if TYPE_CHECKING:
    import pandas as pd


class _ColumnScorer(StructureScorer):
    """A column read as it is (``sign`` +1) or negated (-1: lower is better)."""

    sign = 1.0

    def __init__(self) -> None:
        pass

    def score(self, table: pd.DataFrame) -> pd.Series:
        import pandas as pd

        self.check(table)
        values = pd.to_numeric(table[self.required_columns()[0]], errors="coerce")
        return self.sign * values.astype(float)


@register_scorer
class DockingScore(_ColumnScorer):
    """Vina's score of the chosen pose, negated (a more negative score ranks higher)."""

    name = "docking_score"
    kind = "docking"
    columns = ("docking_score",)
    description = "Vina's estimate of binding energy (kcal/mol); it grows with size"
    sign = -1.0


@register_scorer
class LigandEfficiency(_ColumnScorer):
    """Vina's score per heavy atom: the size correction of Hopkins et al. (2004)."""

    name = "ligand_efficiency"
    kind = "docking"
    columns = ("docking_ligand_efficiency",)
    description = "Vina's score per heavy atom: favours small, efficient binders"


@register_scorer
class SizeCorrectedScore(_ColumnScorer):
    """Vina's score divided by heavy atoms to the power 0.3 (see the docking column's
    documentation): milder than per-atom efficiency, which over-rewards small molecules."""

    name = "size_corrected_score"
    kind = "docking"
    columns = ("docking_size_corrected_score",)
    description = "Vina's score with the part explained by size taken out"


@register_scorer
class KeyInteraction(_ColumnScorer):
    """1 when the chosen pose makes the target's key interaction (e.g. EGFR's hinge H-bond)."""

    name = "key_interaction"
    kind = "interactions"
    columns = ("docking_key_interaction",)
    description = "the pose makes the target's key interaction (for EGFR the hinge H-bond)"

    def score(self, table: pd.DataFrame) -> pd.Series:
        import pandas as pd

        self.check(table)
        column = table[self.columns[0]]
        return column.map({True: 1.0, False: 0.0}).astype(float).where(column.notna(), pd.NA)


@register_scorer
class InteractionSimilarity(_ColumnScorer):
    """Tanimoto of the pose's interaction fingerprint to the reference ligand's crystal one
    (Tran-Nguyen, Bret & Rognan, J. Chem. Inf. Model. 2021). ``pose``: ``"chosen"`` (the
    pose the docking protocol chose) or ``"best"`` (the most similar returned pose)."""

    name = "interaction_similarity"
    kind = "interactions"
    columns = ("docking_interaction_similarity",)
    description = "how much the pose repeats the reference ligand's contacts with the protein"
    _COLUMNS: ClassVar[dict[str, str]] = {
        "chosen": "docking_interaction_similarity",
        "best": "docking_best_interaction_similarity",
    }

    def __init__(self, pose: str = "chosen") -> None:
        self.pose = pose

    def required_columns(self) -> tuple[str, ...]:
        if self.pose not in self._COLUMNS:
            raise ScorerError(
                f"interaction_similarity: pose is 'chosen' or 'best', not {self.pose!r}"
            )
        return (self._COLUMNS[self.pose],)


@register_scorer
class ShapeSimilarity(_ColumnScorer):
    """3D shape overlap with the reference ligand (RDKit's rdShapeAlign)."""

    name = "shape_similarity"
    kind = "similarity_3d"
    columns = ("shape_similarity",)
    description = "how well the molecule's 3D shape fills the reference ligand's volume"


@register_scorer
class PharmacophoreSimilarity(_ColumnScorer):
    """Overlap of pharmacophore features (donors, acceptors, rings, charges) after the
    shape alignment."""

    name = "pharmacophore_similarity"
    kind = "similarity_3d"
    columns = ("pharmacophore_similarity",)
    description = "how well its H-bond donors, acceptors and rings sit where the reference's do"


@register_scorer
class ShapePharmacophoreSimilarity(_ColumnScorer):
    """Shape and pharmacophore overlap together."""

    name = "shape_pharmacophore_similarity"
    kind = "similarity_3d"
    columns = ("shape_pharmacophore_similarity",)
    description = "shape and pharmacophore overlap with the reference ligand together"


@register_scorer
class ModelPrediction(StructureScorer):
    """A ligand-based model's prediction, read from its column: the evidence structure-based
    scores are compared with and combined with."""

    name = "model"
    kind = "ligand_model"
    description = "the ligand-based model's prediction, trained on measured compounds"

    def __init__(self, column: str = "potency_prediction", higher_is_better: bool = True) -> None:
        self.column = column
        self.higher_is_better = higher_is_better

    def required_columns(self) -> tuple[str, ...]:
        return (self.column,)

    def score(self, table: pd.DataFrame) -> pd.Series:
        import pandas as pd

        self.check(table)
        values = pd.to_numeric(table[self.column], errors="coerce").astype(float)
        return values if self.higher_is_better else -values


@register_scorer
class HeavyAtomCount(StructureScorer):
    """The number of heavy atoms: the baseline every score must beat (bigger molecules make
    more contacts, so a score that only tracks size looks like evidence)."""

    name = "heavy_atoms"
    kind = "baseline"
    columns = ("smiles",)
    description = "size alone (heavy atoms): what a score must beat to be more than size"

    def __init__(self, smiles_column: str = "smiles") -> None:
        self.smiles_column = smiles_column

    def required_columns(self) -> tuple[str, ...]:
        return (self.smiles_column,)

    def score(self, table: pd.DataFrame) -> pd.Series:
        import pandas as pd

        from drugml.chem import parse_smiles

        self.check(table)
        values = []
        for smiles in table[self.smiles_column]:
            mol = parse_smiles(smiles)[0] if isinstance(smiles, str) else None
            values.append(float(mol.GetNumHeavyAtoms()) if mol is not None else float("nan"))
        return pd.Series(values, index=table.index, dtype=float)


@register_scorer
class Similarity2D(StructureScorer):
    """Highest ECFP4 Tanimoto to the reference ligands: the ligand-based baseline a
    structure-based score must beat to earn its cost."""

    name = "similarity_2d"
    kind = "baseline"
    columns = ("smiles",)
    description = "2D (ECFP4) similarity to the reference ligand: a chemist's first look"

    def __init__(self, references: Sequence[str] = (), smiles_column: str = "smiles") -> None:
        self.references = references
        self.smiles_column = smiles_column

    def required_columns(self) -> tuple[str, ...]:
        return (self.smiles_column,)

    def score(self, table: pd.DataFrame) -> pd.Series:
        import numpy as np
        import pandas as pd

        from drugml.featurize import tanimoto_similarity

        self.check(table)
        references = [self.references] if isinstance(self.references, str) else self.references
        if not references:
            raise ScorerError("scorer 'similarity_2d' needs at least one reference SMILES")
        smiles = [s if isinstance(s, str) else "" for s in table[self.smiles_column]]
        per_reference = [tanimoto_similarity(r, smiles) for r in references]
        # fmax ignores NaN (an unparsable SMILES stays NaN) without nanmax's warning
        return pd.Series(np.fmax.reduce(np.vstack(per_reference), axis=0), index=table.index)
