"""Per-atom explanations of one prediction (:meth:`PropertyModel.explain
<drugml.models.PropertyModel.explain>`) and their drawing as an RDKit similarity map.

Each atom's weight is the prediction minus the prediction with that atom's
fingerprint bits removed (RDKit's ``GetAtomicWeightsForModel`` idea, applied to
the model's own featurizer).

>>> from rdkit import Chem
>>> draw_similarity_map(Chem.MolFromSmiles("CCO"), [0.1, -0.2, 0.3]).lstrip().startswith("<?xml")
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from drugml.models._errors import ModelInputError

__all__ = ["AtomContributions", "atom_contributions", "draw_similarity_map", "explained_molecule"]


def draw_similarity_map(
    mol: Any,
    weights: Sequence[float],
    size: tuple[int, int] = (400, 300),
    image_format: str = "svg",
) -> str | bytes:
    """An RDKit similarity map of per-atom weights: green raises, pink lowers the value.

    ``image_format``: ``"svg"`` (text) or ``"png"`` (bytes). The colour field is
    drawn as thousands of small shapes, so an SVG map weighs megabytes where
    the PNG weighs tens of kilobytes: notebooks show the PNG. A weight count
    that is not the molecule's atom count, or another format, raises
    :class:`~drugml.models.ModelInputError`.

    >>> from rdkit import Chem
    >>> draw_similarity_map(Chem.MolFromSmiles("CCO"), [0.1, -0.2, 0.3], image_format="png")[:4]
    b'\\x89PNG'
    """
    from rdkit.Chem.Draw import SimilarityMaps, rdMolDraw2D

    if len(weights) != mol.GetNumAtoms():
        raise ModelInputError(f"{len(weights)} weights for a molecule of {mol.GetNumAtoms()} atoms")
    if image_format not in ("svg", "png"):
        raise ModelInputError(f"image_format must be 'svg' or 'png', got {image_format!r}")
    drawer_class = rdMolDraw2D.MolDraw2DSVG if image_format == "svg" else rdMolDraw2D.MolDraw2DCairo
    drawer = drawer_class(*size)
    SimilarityMaps.GetSimilarityMapFromWeights(mol, list(map(float, weights)), draw2d=drawer)
    drawer.FinishDrawing()
    return drawer.GetDrawingText()


class AtomContributions:
    """Per-atom contributions of :meth:`PropertyModel.explain`; shows itself as a PNG map.

    ``svg`` and ``png`` draw the map (:func:`draw_similarity_map`) when
    first asked for; notebooks show the PNG, a few tens of kilobytes where the
    SVG weighs megabytes.
    """

    def __init__(
        self, mol: Any, prediction: float, weights: list[float], size: tuple[int, int] = (400, 300)
    ) -> None:
        from rdkit import Chem

        self.mol = mol
        self.smiles = Chem.MolToSmiles(mol)
        self.prediction = prediction
        self.weights = weights
        self.size = size

    def _draw(self, image_format: str) -> str | bytes:
        return draw_similarity_map(self.mol, self.weights, self.size, image_format)

    @property
    def svg(self) -> str:
        return self._draw("svg")

    @property
    def png(self) -> bytes:
        return self._draw("png")

    def _repr_png_(self) -> bytes:
        return self.png


def explained_molecule(smiles: Any) -> Any:
    """The molecule of a SMILES (a Mol as it is); :class:`ModelInputError` when unparsable."""
    from drugml.chem import parse_smiles

    mol, _, error = parse_smiles(smiles) if isinstance(smiles, str) else (smiles, None, None)
    if mol is None:
        raise ModelInputError(f"Cannot explain {smiles!r}: {error}")
    return mol


def atom_contributions(
    mol: Any, value_for: Callable[[list], np.ndarray], size: tuple[int, int] = (400, 300)
) -> AtomContributions:
    """Each atom's weight: ``value_for`` of the molecule minus that of the molecule with the
    atom made a dummy (``value_for`` maps molecules to predictions on the user's scale)."""
    from rdkit import Chem

    base = float(value_for([mol])[0])
    variants = []
    for atom in mol.GetAtoms():
        editable = Chem.RWMol(mol)
        # Replace the atom by a dummy: its environments vanish from the fingerprint.
        editable.GetAtomWithIdx(atom.GetIdx()).SetAtomicNum(0)
        variants.append(editable.GetMol())
    with_removed = value_for(variants)
    weights = [base - v for v in with_removed]
    return AtomContributions(mol, base, weights, size)
