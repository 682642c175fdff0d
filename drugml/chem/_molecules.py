"""Molecules in, one row out per record: parsing, and the errors about molecules.

Every function of :mod:`drugml.chem` keeps one output row per input record, in
input order: a record that cannot be read or parsed is not dropped but marked
``ok=False`` with an ``error_type`` and a human-readable ``error`` (RDKit's own
log lines are captured into that text, never printed). So ``len(out) ==
len(in)`` and ``out.ok.sum() + (~out.ok).sum() == len(in)`` always hold.

This module parses one SMILES (:func:`parse_smiles`, :func:`to_mol`) and turns
RDKit's captured log into that one-line reason (:func:`rdkit_reason`), for the
standardizer (:mod:`drugml.chem._standardize`) and the file readers
(:mod:`drugml.chem._readers`).

Example
-------
>>> from drugml.chem import parse_smiles
>>> parse_smiles("C1CC")[:2]
(None, 'unparsable')
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from drugml.errors import DrugmlError

if TYPE_CHECKING:
    from rdkit import Chem

__all__ = [
    "ChemError",
    "ColumnNotFoundError",
    "MoleculeError",
    "MoleculeFileNotFoundError",
    "SmilesListError",
    "captured_messages",
    "parse_smiles",
    "rdkit_reason",
    "to_mol",
]

_TIMESTAMP = re.compile(r"^\[\d\d:\d\d:\d\d\] ", re.MULTILINE)


class ChemError(DrugmlError):
    """Base class of the errors about molecules, tables of them and molecule files."""


class MoleculeError(ChemError, ValueError):
    """A molecule, a molecule file or an argument about them cannot be used as given.

    For instance a SMILES that does not standardize, a file whose format
    cannot be told, or SMILES and ids of different lengths; the message names
    the input and says why.
    """


class MoleculeFileNotFoundError(ChemError, FileNotFoundError):
    """The molecule file to read does not exist."""


class SmilesListError(ChemError, TypeError):
    """A function that takes a list of molecules got one string: wrap it, ``[smiles]``.

    Iterating a string would give one "molecule" per character, so drugml
    refuses it rather than returning a row per letter.
    """


class ColumnNotFoundError(ChemError, KeyError, ValueError):
    """A table lacks the column asked for; the message lists the columns it has."""

    def __str__(self) -> str:  # KeyError would print the message quoted
        return str(self.args[0])


# --------------------------------------------------------------------------- parsing


def captured_messages(capture: Any) -> str:
    """The text of an ``rdBase.CaptureErrorLog``; RDKit can cut a UTF-8 character in half."""
    try:
        return capture.messages
    except UnicodeDecodeError:
        return "RDKit's message could not be decoded (non-ASCII input)"


def rdkit_reason(messages: str, text: str = "") -> str:
    """RDKit's captured log as one line: no timestamps, repeats, echoes or caret lines."""
    lines: list[str] = []
    for line in _TIMESTAMP.sub("", messages).splitlines():
        line = line.strip().removeprefix("SMILES Parse Error: ")
        if (
            not line
            or line in lines
            or line == text
            or set(line) <= {"~", "^", " "}
            or line.startswith("Failed parsing SMILES")
        ):
            continue
        lines.append(line.rstrip(":"))
    return "; ".join(lines)


def _classify(reason: str) -> str:
    lowered = reason.lower()
    if "valence" in lowered:
        return "valence"
    if "kekulize" in lowered:
        return "kekulize"
    return "unparsable"


def parse_smiles(smiles: Any) -> tuple[Chem.Mol | None, str | None, str | None]:
    """Parse one SMILES; return ``(mol, error_type, error)``, never raise.

    ``error_type`` is one of ``empty``, ``invalid_type``, ``unparsable``,
    ``valence``, ``kekulize``; ``error`` repeats RDKit's reason.

    >>> parse_smiles("C(C)(C)(C)(C)C")[1:]
    ('valence', 'bad valence: Explicit valence for atom # 0 C, 5, is greater than permitted')
    """
    from rdkit import Chem, rdBase

    if smiles is None or (isinstance(smiles, float) and math.isnan(smiles)):
        return None, "empty", "missing SMILES (empty cell)"
    if not isinstance(smiles, str):
        return None, "invalid_type", f"not a SMILES string: {type(smiles).__name__} {smiles!r}"
    text = smiles.strip()
    if not text:
        return None, "empty", "empty SMILES"
    with rdBase.CaptureErrorLog() as capture:
        try:
            mol = Chem.MolFromSmiles(text)
        except Exception as exc:  # RDKit raises on a few inputs instead of returning None
            mol, extra = None, str(exc)
        else:
            extra = ""
    if mol is None:
        reason = (
            rdkit_reason(captured_messages(capture), text) or extra or "RDKit could not parse it"
        )
        kind = _classify(reason)
        label = {"valence": "bad valence", "kekulize": "cannot kekulize"}.get(kind, "unparsable")
        return None, kind, f"{label}: {reason}"
    if mol.GetNumAtoms() == 0:
        return None, "empty", "SMILES has no atoms"
    return mol, None, None


def to_mol(smiles: Any) -> Chem.Mol | None:
    """Parse a SMILES quietly: a ``Mol`` or ``None`` (see :func:`parse_smiles` for why).

    >>> to_mol("c1ccccc1").GetNumAtoms(), to_mol("c1cccc1")
    (6, None)
    """
    from rdkit import Chem

    if isinstance(smiles, Chem.Mol):
        return smiles
    return parse_smiles(smiles)[0]
