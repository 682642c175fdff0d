"""The synthetic accessibility score (RDKit Contrib ``sascorer``, to the last bit)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdkit import Chem

__all__ = ["possible_stereocentres", "sa_score"]


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
    features = (
        0.0 - size_penalty - stereo_penalty - spiro_penalty - bridge_penalty - macrocycle_penalty
    )
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
