"""How the receptor was prepared, in plain words: :attr:`Receptor.report` as two or three
sentences for the campaign page (the page escapes them; they are plain text).

Example
-------
>>> text = describe_receptor({
...     "structure": "1M17", "chains": ["A"], "kept_waters": ["A:HOH10"],
...     "removed": {"waters": ["A:HOH1", "A:HOH2"], "ligands": ["A:AQ4999"]},
...     "hydrogens_added": 2531,
... })
>>> text.split(". ")[0]
'Chain A of 1M17, with 1 water kept (HOH 10); 2 waters and 1 ligand (AQ4) removed'
>>> text.split(". ")[1]
'Meeko added 2,531 hydrogens.'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from drugml.errors import DrugmlError

__all__ = ["describe_receptor"]

# "A:AQ4999", "X:HOH10", "HOH 1", "A:ALA52B": chain, then a residue name run into its number.
_LABEL = re.compile(r"^(?:(?P<chain>[^:\s]+):)?(?P<rest>[A-Za-z0-9]+?)\s*(?P<num>-?\d+[A-Za-z]?)$")
_CHAIN_NUMBER = re.compile(r"^([^:\s]+):(-?\d+[A-Za-z]?)$")
_SHOWN = 4  # names listed per kind before "and N more"


def describe_receptor(report: Mapping[str, Any], *, covalent: bool = True) -> str:
    """:attr:`Receptor.report <drugml.structure.dock.Receptor>` (or the ``receptor`` of a
    docking summary) in plain English: the chains kept with their waters, what was removed
    (waters, ligands by name, ions, additives, nonstandard or incomplete residues, other
    chains), alternate locations, the hydrogens Meeko added and histidine tautomers; with
    ``covalent``, the covalent site too. Keys that are absent are left out; ``removed``
    may hold lists of residue labels or counts.

    >>> text = describe_receptor({
    ...     "structure": "5UG9", "chains": ["X"], "removed": {"waters": 3, "ions": ["X:CL1101"]},
    ...     "covalent": {"residue": "CYS797.X", "atom": "SG"},
    ... })
    >>> text.split(". ")[0]
    'Chain X of 5UG9; 3 waters and 1 ion (CL) removed'
    >>> text.split(". ")[1].split(": ")[0]
    'Covalent docking at Cys797 (chain X)'
    """
    if not isinstance(report, Mapping):
        raise DrugmlError(f"describe_receptor needs a receptor report (a dict), got {report!r}")
    if not report:
        return "The receptor's preparation was not reported."
    sentences = [_what_was_kept(report), _how_it_was_prepared(report)]
    if covalent:
        sentences.append(_covalent_site(report))
    return " ".join(s for s in sentences if s)


def _what_was_kept(report: Mapping[str, Any]) -> str:
    """'Chain A of 1M17 (312 residues), with 1 water kept (HOH 10); 19 waters ... removed.'"""
    chains = [str(c) for c in report.get("chains") or []]
    structure = str(report.get("structure") or "the structure")
    subject = (
        f"{'Chains' if len(chains) > 1 else 'Chain'} {_and(chains)} of {structure}"
        if chains
        else structure[:1].upper() + structure[1:]
    )
    if isinstance(report.get("residues"), int):
        subject += f" ({_count(report['residues'], 'residue')})"
    waters = list(report.get("kept_waters") or [])
    if waters:
        names = _names(waters, letters_first=True, numbered=True)
        subject += f", with {_count(len(waters), 'water')} kept ({names})"
    removed = _removed(report.get("removed") or {})
    return f"{subject}; {_and(removed)} removed." if removed else f"{subject}."


def _removed(removed: Mapping[str, Any]) -> list[str]:
    """One phrase per kind of residue removed, e.g. '1 ligand (AQ4)'."""
    phrases = []
    kinds = (  # report key, noun, how names are shown (None: not), letters-only names first
        ("waters", "water", None, False),
        ("ligands", "ligand", "name", False),
        ("ions", "ion", "name", True),
        ("additives", "additive", "name", False),
        ("nonstandard", "nonstandard residue", "numbered", True),
        ("incomplete", "residue with missing atoms", "residue", True),
    )
    for key, noun, shown, letters_first in kinds:
        value = removed.get(key)
        number = value if isinstance(value, int) else len(value or [])
        if not number:
            continue
        phrase = _count(number, noun)
        if shown and not isinstance(value, int):
            names = _names(value, letters_first, shown != "name", residue_case=shown == "residue")
            phrase += f" ({names})"
        phrases.append(phrase)
    others = removed.get("other_chains")
    if isinstance(others, int) and others:
        phrases.append(f"{_count(others, 'residue')} of other chains")
    elif others:
        chains = sorted({str(x).split(":")[0] for x in others})
        phrases.append(f"{'chains' if len(chains) > 1 else 'chain'} {_and(chains)}")
    # Kinds this text does not know yet are still counted, not dropped.
    known = {k for k, *_ in kinds} | {"other_chains"}
    for key in sorted(set(removed) - known):
        value = removed[key]
        number = value if isinstance(value, int) else len(value or [])
        if number:
            phrases.append(f"{key.replace('_', ' ')} ({number})")
    return phrases


def _how_it_was_prepared(report: Mapping[str, Any]) -> str:
    """Alternate locations, hydrogens and histidines, as one sentence ('' if none known)."""
    parts = []
    altlocs = list(report.get("altlocs_resolved") or [])
    if altlocs:
        names = _names(altlocs, letters_first=True, numbered=True, residue_case=True)
        parts.append(
            f"the first of the alternate locations was kept for {_count(len(altlocs), 'residue')}"
            f" ({names})"
        )
    hydrogens = report.get("hydrogens_added")
    if isinstance(hydrogens, int):
        parts.append(f"Meeko added {hydrogens:,} hydrogens")
    histidines = [str(h) for h in report.get("histidines") or []]
    if histidines:
        parts.append(f"histidines were typed as {_and(histidines)} (Meeko's default tautomer)")
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _covalent_site(report: Mapping[str, Any]) -> str:
    """The covalent docking site, or the reference ligand's covalent bond ('' if neither)."""
    site = report.get("covalent")
    if isinstance(site, Mapping) and site.get("residue"):
        written = (
            f" ({site['residue'][:3].upper()} written as {site['written_as']})"
            if (site.get("written_as"))
            else ""
        )
        return (
            f"Covalent docking at {_residue_words(str(site['residue']))}: its "
            f"{site.get('atom', 'reactive')} atom was removed{written} so that a warhead can "
            "take its place."
        )
    bonded = [str(x) for x in report.get("reference_covalent_to") or []]
    if bonded:
        atoms = [_residue_words(b.split(":")[0]) + (f" ({b.split(':')[1]})" if ":" in b else "")
                 for b in bonded]  # fmt: skip
        return (
            f"The reference ligand is covalently bound to {_and(atoms)}; Vina docks without "
            "that bond."
        )
    return ""


# ----------------------------------------------------------------- words
def _split(label: str, letters_first: bool) -> tuple[str | None, str, str] | None:
    """``"A:AQ4999"`` -> ("A", "AQ4", "999"). A name and its number are written together, so
    the split is a guess: names up to three characters, numbers without a leading zero; a
    name of letters only first where ``letters_first`` (ions, waters, amino acids), the
    longest name first otherwise (ligand codes often hold digits: AQ4, 8AM, SO4)."""
    match = _LABEL.match(label.strip())
    if not match:
        return None
    text = match["rest"] + match["num"]
    splits = []
    for size in (3, 2, 1):
        name, number = text[:size], text[size:]
        has_letter = any(c.isalpha() for c in name)
        if has_letter and re.fullmatch(r"(?:0|-?[1-9]\d*)[A-Za-z]?", number):
            splits.append((name, number))
    if letters_first:
        splits.sort(key=lambda s: not s[0].isalpha())  # stable: longest letters-only first
    return (match["chain"], *splits[0]) if splits else None


def _names(
    labels: Sequence[Any],
    letters_first: bool,
    numbered: bool = False,
    residue_case: bool = False,
) -> str:
    """Distinct names of ``labels``, e.g. 'AQ4' or 'HOH 10, HOH 12' or 'Cys751, Asp831', the
    first few and how many more; a label that cannot be read is shown as it is."""
    shown = []
    for label in labels:
        parts = _split(str(label), letters_first)
        numbered_only = _CHAIN_NUMBER.match(str(label))  # Meeko names residues "A:745"
        if numbered_only:
            text = f"residue {numbered_only[2]} of chain {numbered_only[1]}"
        elif parts is None:
            text = str(label)
        elif residue_case:
            text = f"{parts[1].capitalize()}{parts[2]}"
        else:
            text = f"{parts[1]} {parts[2]}" if numbered else parts[1]
        if text not in shown:
            shown.append(text)
    more = len(shown) - _SHOWN
    return ", ".join(shown[:_SHOWN]) + (f" and {more} more" if more > 0 else "")


def _residue_words(residue: str) -> str:
    """``"CYS797.A"`` -> 'Cys797 (chain A)'; ``"CYS797"`` -> 'Cys797'."""
    name, _, chain = residue.partition(".")
    parts = _split(name, letters_first=True)
    text = f"{parts[1].capitalize()}{parts[2]}" if parts else name
    return f"{text} (chain {chain})" if chain else text


def _count(number: int, noun: str) -> str:
    """'1 water', '19 waters', '2 residues with missing atoms'."""
    if number == 1:
        return f"1 {noun}"
    head, _, tail = noun.partition(" with ")
    plural = head + "s" + (f" with {tail}" if tail else "")
    return f"{number:,} {plural}"


def _and(items: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
