"""Standardization: one row per input molecule, its canonical SMILES and InChIKey, or why not.

:func:`standardize` runs RDKit's ``rdMolStandardize`` in this order (each step
can be switched off):

1. **parse** the SMILES with sanitization (unparsable SMILES, bad valences and
   unkekulizable aromatic systems are rejected with RDKit's reason);
2. **largest organic fragment**: salts, counter-ions and solvents are removed
   (``LargestFragmentChooser(preferOrganic=True)``); a record with no
   carbon-containing fragment (a metal salt, water) is rejected;
3. **normalize** functional groups (nitro, N-oxides, azides, ... to one form);
4. **neutralize** charges where a neutral form exists (``Uncharger``);
5. optional **canonical tautomer** (off by default: it is slow and can change
   the stereochemistry RDKit assigns);
6. write the canonical isomeric SMILES and the standard InChIKey. Stereo and
   isotopes are kept.

Example
-------
>>> from drugml.chem import standardize
>>> out = standardize(["CCO.Cl", "C1CC", "OC(=O)c1ccccc1[O-].[Na+]"])
>>> out[["smiles", "ok", "error_type"]].to_numpy().tolist()
[['CCO', True, None], [None, False, 'unparsable'], ['O=C(O)c1ccccc1O', True, None]]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from drugml._util.parallel import check_n_jobs, flat_map_chunks
from drugml.chem._molecules import (
    MoleculeError,
    SmilesListError,
    captured_messages,
    parse_smiles,
    rdkit_reason,
)
from drugml.chem._readers import ID_COLUMN_CANDIDATES, resolve_column, resolve_smiles_column

if TYPE_CHECKING:
    import pandas as pd
    from rdkit import Chem

__all__ = [
    "STANDARDIZE_COLUMNS",
    "StandardizeOptions",
    "may_normalize",
    "standardize",
    "standardize_mol",
]

#: Output columns of :func:`standardize`, in order.
STANDARDIZE_COLUMNS = ("input", "smiles", "inchikey", "ok", "error_type", "error")


@dataclass(frozen=True)
class StandardizeOptions:
    """Switches of the standardization pipeline (see the module docstring).

    ``largest_fragment``: keep the largest organic fragment (strip salts and
    solvents). ``normalize``: normalize functional groups. ``neutralize``:
    neutralize charges. ``tautomer``: replace by RDKit's canonical tautomer.
    ``inchikey``: compute the standard InChIKey.
    """

    largest_fragment: bool = True
    normalize: bool = True
    neutralize: bool = True
    tautomer: bool = False
    inchikey: bool = True


# RDKit's default normalizations (rdMolStandardize, normalizations.in) that can
# fire on a molecule without formal charges; every other default rule needs a
# charged atom. A neutral molecule that matches none of these is left unchanged
# by the Normalizer, so it can skip that (costly) step. tests/unit/chem/test_chem.py
# checks the shortcut against the full Normalizer on every embedded molecule.
_NEUTRAL_NORMALIZATION_PATTERNS = (
    "[N,P,As,Sb;X3](=[O,S,Se,Te])=[O,S,Se,Te]",  # nitro to N+(O-)=O
    "[nH0+0]=[OH0+0]",  # pyridine oxide to n+O-
    "[*][N]=[N]#[N]",  # azide to N=N+=N-
    "[*]=[N]#[N]",  # diazo to =N+=N-
    "[!O][S+0;X3](=[O])[!O]",  # sulfoxide to -S+(O-)-
)


@cache
def _normalization_queries() -> tuple[Chem.Mol, list[Chem.Mol]]:
    from rdkit import Chem

    return (
        Chem.MolFromSmarts("[!+0]"),
        [Chem.MolFromSmarts(p) for p in _NEUTRAL_NORMALIZATION_PATTERNS],
    )


def may_normalize(mol: Chem.Mol) -> bool:
    """False only when no default rule of RDKit's ``Normalizer`` can change ``mol``.

    A charged atom, or a group one of the neutral rules rewrites (nitro,
    N-oxide, azide, diazo, sulfoxide), makes it True; most drug-like molecules
    are False, and skipping the Normalizer for them saves its cost (checked
    against the full Normalizer on every embedded molecule in the tests).

    >>> from rdkit import Chem
    >>> may_normalize(Chem.MolFromSmiles("CCO")), may_normalize(Chem.MolFromSmiles("CS(C)=O"))
    (False, True)
    """
    charged, normalizable = _normalization_queries()
    if mol.HasSubstructMatch(charged):
        return True
    return any(mol.HasSubstructMatch(query) for query in normalizable)


class _Standardizer:
    """RDKit standardizer objects built once per process and reused for every molecule."""

    def __init__(self, options: StandardizeOptions) -> None:
        from rdkit import Chem
        from rdkit.Chem.MolStandardize import rdMolStandardize

        self.options = options
        self.chooser = rdMolStandardize.LargestFragmentChooser(preferOrganic=True)
        self.normalizer = rdMolStandardize.Normalizer()
        self.uncharger = rdMolStandardize.Uncharger(canonicalOrder=True)
        self.tautomers = rdMolStandardize.TautomerEnumerator() if options.tautomer else None
        # Substructure queries run in C++: much cheaper than looping over atoms in Python.
        self.carbon = Chem.MolFromSmarts("[#6]")
        self.charged = Chem.MolFromSmarts("[!+0]")

    def __call__(self, mol: Chem.Mol) -> tuple[Chem.Mol | None, str | None, str | None]:
        """Standardize a parsed molecule in place; return ``(mol, error_type, error)``."""
        from rdkit import Chem

        options = self.options
        step = "fragment"
        try:
            if options.largest_fragment:
                # Most molecules have one fragment: skip the chooser's work for them.
                if len(Chem.GetMolFrags(mol)) > 1:
                    self.chooser.chooseInPlace(mol)
                    # chooseInPlace (unlike choose) leaves the ring information
                    # unset: ring counts, TPSA, Murcko scaffolds and Morgan
                    # fingerprints of the molecule would raise "RingInfo not
                    # initialized" (or count no aromatic ring). Perceive it again.
                    Chem.SanitizeMol(mol, Chem.SanitizeFlags.SANITIZE_SYMMRINGS)
                if not mol.HasSubstructMatch(self.carbon):
                    largest = Chem.MolToSmiles(mol)
                    reason = f"no organic fragment: no component contains carbon ({largest})"
                    return None, "no_organic_fragment", reason
            step = "normalize"
            if options.normalize and may_normalize(mol):
                self.normalizer.normalizeInPlace(mol)
            step = "neutralize"
            if options.neutralize and mol.HasSubstructMatch(self.charged):
                self.uncharger.unchargeInPlace(mol)
                # The uncharger can leave an aromatic system that no longer
                # kekulizes (e.g. a cyclopentadienyl anion): check it here.
                Chem.SanitizeMol(mol)
            step = "tautomer"
            if self.tautomers is not None:
                mol = self.tautomers.Canonicalize(mol)
        except Exception as exc:  # RDKit raises on rare structures; report, don't crash
            return None, "standardization_failed", f"{step} step failed: {exc}"
        return mol, None, None


def _standardize_one(item: Any, standardizer: _Standardizer) -> tuple:
    """One input to one output row (see ``STANDARDIZE_COLUMNS``)."""
    from rdkit import Chem, rdBase

    if isinstance(item, Chem.Mol):
        text = Chem.MolToSmiles(item)
        mol = Chem.Mol(item)  # never change the caller's molecule
        error_type = error = None
    else:
        text = item if isinstance(item, str) else (None if _is_missing(item) else str(item))
        mol, error_type, error = parse_smiles(item)
    if mol is None:
        return text, None, None, False, error_type, error
    mol, error_type, error = standardizer(mol)
    if mol is None:
        return text, None, None, False, error_type, error
    with rdBase.CaptureErrorLog() as capture:
        try:
            smiles = Chem.MolToSmiles(mol)
            key = Chem.MolToInchiKey(mol) if standardizer.options.inchikey else None
        except Exception as exc:
            reason = rdkit_reason(captured_messages(capture)) or str(exc)
            return text, None, None, False, "standardization_failed", f"output failed: {reason}"
    return text, smiles, key or None, True, None, None


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _standardize_chunk(items: Sequence[Any], options: dict) -> list[tuple]:
    """Worker: standardize a chunk of inputs (runs in a separate process for n_jobs > 1)."""
    from rdkit import rdBase

    with rdBase.BlockLogs():  # warnings and info stay quiet; errors are captured per record
        standardizer = _Standardizer(StandardizeOptions(**options))
        return [_standardize_one(item, standardizer) for item in items]


def standardize_mol(mol: Chem.Mol | str, **options: bool) -> Chem.Mol:
    """Standardize one molecule and return it; raise :class:`MoleculeError` with the reason.

    Keyword options are those of :class:`StandardizeOptions`. The molecule
    returned is ready for any RDKit call (its ring information is set, also
    when salts or solvents were stripped from it).

    >>> from rdkit import Chem
    >>> Chem.MolToSmiles(standardize_mol("C[N+](C)(C)CC(=O)[O-].Cl"))
    'C[N+](C)(C)CC(=O)[O-]'
    """
    from rdkit import Chem, rdBase

    if isinstance(mol, Chem.Mol):
        parsed, error = Chem.Mol(mol), None
    else:
        parsed, _, error = parse_smiles(mol)
    if parsed is None:
        raise MoleculeError(f"Cannot standardize {mol!r}: {error}")
    with rdBase.BlockLogs():
        result, _, error = _Standardizer(StandardizeOptions(**options))(parsed)
    if result is None:
        raise MoleculeError(f"Cannot standardize {mol!r}: {error}")
    return result


def standardize(
    molecules: Any,
    *,
    smiles_column: str | None = None,
    id_column: str | None = None,
    largest_fragment: bool = True,
    normalize: bool = True,
    neutralize: bool = True,
    tautomer: bool = False,
    inchikey: bool = True,
    n_jobs: int = 1,
    chunk_size: int = 1000,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Standardize molecules; one output row per input, in input order.

    ``molecules`` is a list/Series of SMILES strings or RDKit ``Mol`` objects,
    or a DataFrame (its SMILES column is ``smiles_column`` or found among
    :data:`SMILES_COLUMN_CANDIDATES`; a table from :func:`read_molecules`
    also carries its read errors through). The result has the input's index
    and the columns ``id`` (when the input has identifiers), ``input``,
    ``smiles``, ``inchikey``, ``ok``, ``error_type`` and ``error``; join it back
    to the input table by index.

    ``n_jobs`` processes share the work (``-1``: all cores); a progress bar
    shows for 10,000 or more inputs unless ``progress`` says otherwise.

    >>> out = standardize(["c1ccccc1C(=O)[O-].[Na+]", "", "[Na+].[Cl-]"])
    >>> out.smiles.tolist(), out.error_type.tolist()
    (['O=C(O)c1ccccc1', None, None], [None, 'empty', 'no_organic_fragment'])
    """
    import pandas as pd

    options = asdict(
        StandardizeOptions(largest_fragment, normalize, neutralize, tautomer, inchikey)
    )
    index, items, ids, read_errors = _inputs(molecules, smiles_column, id_column)
    check_n_jobs(n_jobs, chunk_size)
    rows = flat_map_chunks(
        _standardize_chunk,
        items,
        (options,),
        n_jobs=n_jobs,
        chunk_size=chunk_size,
        progress=progress,
        desc="standardize",
    )
    out = pd.DataFrame(rows, columns=list(STANDARDIZE_COLUMNS), index=index)
    out["ok"] = out["ok"].astype(bool)
    if read_errors is not None:
        _keep_read_errors(out, read_errors)
    for column in ("input", "smiles", "inchikey", "error_type", "error"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    if ids is not None:
        out.insert(0, "id", ids)
    return out


def _inputs(
    molecules: Any, smiles_column: str | None, id_column: str | None
) -> tuple[Any, list[Any], list[Any] | None, list[Any] | None]:
    """``(index, items, ids, read_errors)`` of what :func:`standardize` was given."""
    import pandas as pd

    if isinstance(molecules, pd.DataFrame):
        if smiles_column is None and {"input", "read_error"} <= set(molecules.columns):
            smiles_column = "input"  # a table from read_molecules / iter_molecules
        column = resolve_smiles_column(list(molecules.columns), smiles_column, "The table")
        id_col = resolve_column(
            list(molecules.columns), id_column, ID_COLUMN_CANDIDATES, "id", "The table"
        )
        ids = molecules[id_col].tolist() if id_col is not None else None
        read_errors = (
            molecules["read_error"].tolist() if "read_error" in molecules.columns else None
        )
        return molecules.index, molecules[column].tolist(), ids, read_errors
    if isinstance(molecules, (str, bytes)):
        raise SmilesListError("standardize takes a list of SMILES, not one string: use [smiles]")
    index = molecules.index if isinstance(molecules, pd.Series) else None
    return index, list(molecules), None, None


def _keep_read_errors(out: pd.DataFrame, read_errors: list[Any]) -> None:
    """A record the reader could not read keeps the reader's reason (``out`` is changed)."""
    import pandas as pd

    failed = [e is not None and not _is_missing(e) for e in read_errors]
    if any(failed):
        mask = pd.Series(failed, index=out.index)
        out.loc[mask, ["smiles", "inchikey"]] = None
        out.loc[mask, "ok"] = False
        out.loc[mask, "error_type"] = "read_error"
        out.loc[mask, "error"] = [e for e, f in zip(read_errors, failed, strict=True) if f]
