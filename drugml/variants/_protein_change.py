"""Protein changes as sequencing studies write them: ``T790M``, ``p.Leu858Arg``, ``E746_A750del``.

:func:`parse_protein_change` reads the one-letter short forms of a MAF's
``HGVSp_Short`` and the HGVS ``p.`` three-letter forms that VEP and SnpEff write
into one :class:`ProteinChange`, whose ``notation`` is a single canonical short
form: ``p.(Leu858Arg)``, ``p.L858R`` and ``L858R`` are one variant.

Example
-------
>>> from drugml.variants import parse_protein_change
>>> parse_protein_change("p.(Leu858Arg)").notation
'L858R'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from Bio.Data.IUPACData import protein_letters_3to1_extended

from drugml.errors import DrugmlError

__all__ = [
    "PROTEIN_CHANGE_KINDS",
    "ProteinChange",
    "VariantError",
    "VariantParseError",
    "parse_protein_change",
]


class VariantError(DrugmlError, ValueError):
    """Variants cannot be read or used as asked; the message says what and why."""


class VariantParseError(VariantError):
    """A text is not a protein change drugml can read.

    ``text`` holds the text and ``reason`` the short reason (what a variant table's
    ``reason`` column shows); the message adds the forms that are accepted.
    """

    text: str
    reason: str


#: What a change does to the protein, in the order of :attr:`ProteinChange.kind`'s values.
PROTEIN_CHANGE_KINDS = (
    "missense",
    "synonymous",
    "nonsense",
    "deletion",
    "insertion",
    "delins",
    "duplication",
    "frameshift",
)

#: The forms :func:`parse_protein_change` reads, as its error message lists them.
ACCEPTED_FORMS = (
    "T790M, p.T790M, p.Thr790Met, p.(Leu858Arg), p.Leu858= or T790T, R1068* or p.Arg1068Ter, "
    "E746_A750del, p.Glu746del, D770_N771insSVD, L747_P753delinsS, p.Ala767_Val769dup, "
    "E746fs or p.Glu746AlafsTer5"
)

# Biopython's table less its ambiguity codes (Asx, Glx, Xle, Xaa): a variant names one
# residue. HGVS writes a stop as Ter (three letters) or * (one letter).
_THREE_TO_ONE = {
    three: one for three, one in protein_letters_3to1_extended.items() if one not in "BZJX"
} | {"Ter": "*"}
_RESIDUES = frozenset(_THREE_TO_ONE.values()) - {"*"}

# An Ensembl or RefSeq protein id before the change (VEP writes ENSP00000275493.2:p.Leu858Arg).
_ACCESSION = re.compile(r"(?:ENSP\d+|[NXY]P_\d+)(?:\.\d+)?")
_PREFIXED = re.compile(r"(?P<prefix>[A-Za-z0-9][\w.-]*)(?::|\s+)(?P<change>\S+)")
_THREE_LETTER = re.compile(r"[A-Z][a-z]{2}")

_R = r"([A-Z])"
_POS = r"([1-9]\d*)"
_SPAN = rf"{_R}{_POS}(?:_{_R}{_POS})?"
_FORMS = (
    ("substitution", re.compile(rf"{_R}{_POS}([A-Z*=])")),
    ("deletion", re.compile(rf"{_SPAN}del")),
    ("delins", re.compile(rf"{_SPAN}delins([A-Z*]+)")),
    ("insertion", re.compile(rf"{_R}{_POS}_{_R}{_POS}ins([A-Z*]+)")),
    ("duplication", re.compile(rf"{_SPAN}dup")),
    # fsX5 is the legacy spelling of fs*5: after "fs", X can only mean a stop.
    ("frameshift", re.compile(rf"{_R}{_POS}([A-Z])?fs(?:[*X]?([1-9]\d*|\?))?")),
)


@dataclass(frozen=True, kw_only=True)
class ProteinChange:
    """One change to a protein sequence, as its notation states it (1-based residue numbers).

    ``start`` and ``end`` are the residues the notation names (``end == start`` for a
    single residue; an insertion names the two residues it falls between).
    ``reference`` holds their one-letter codes as written: one letter for a single
    residue, the first and last for a range (``E746_A750del`` gives ``"EA"``; the
    residues between are not in the notation). ``alternate`` holds what the notation
    puts in place: the new residue, ``"*"`` for a stop, the inserted residues of an
    insertion or delins, the reference residue for a synonymous change, the first new
    residue of a frameshift if given, and ``""`` for a deletion or a duplication.

    >>> change = parse_protein_change("p.Glu746_Ala750del", gene="EGFR")
    >>> change.kind, change.start, change.end, change.reference, change.alternate
    ('deletion', 746, 750, 'EA', '')
    >>> change.alters(745), change.alters(740, 746)
    (False, True)
    """

    gene: str | None = None
    kind: str
    start: int
    end: int
    reference: str
    alternate: str
    notation: str

    def __post_init__(self) -> None:
        if self.kind not in PROTEIN_CHANGE_KINDS:
            raise VariantError(
                f"Unknown kind of protein change {self.kind!r}; use one of "
                + ", ".join(PROTEIN_CHANGE_KINDS)
            )
        if not 1 <= self.start <= self.end:
            raise VariantError(
                f"A protein change spans residues start..end with 1 <= start <= end, "
                f"got start={self.start}, end={self.end}"
            )

    @property
    def positions(self) -> range:
        """The residue numbers the notation names, ``start`` to ``end`` inclusive.

        >>> list(parse_protein_change("D770_N771insSVD").positions)
        [770, 771]
        """
        return range(self.start, self.end + 1)

    @property
    def truncates(self) -> bool:
        """Whether the protein ends early (a stop or a frameshift): every residue from
        ``start`` on is lost or changed."""
        return self.kind in ("nonsense", "frameshift")

    def alters(self, first: int, last: int | None = None) -> bool:
        """Whether the change alters the protein anywhere in residues ``first..last``
        (``last`` defaults to ``first``).

        A synonymous change alters nothing; a stop or a frameshift alters every residue
        from ``start`` on; any other change alters the residues it names.

        >>> parse_protein_change("R1068*").alters(1100)
        True
        >>> parse_protein_change("T790=").alters(790)
        False
        """
        last = first if last is None else last
        if self.kind == "synonymous":
            return False
        if self.truncates:
            return last >= self.start
        return first <= self.end and last >= self.start

    def __str__(self) -> str:
        return f"{self.gene} {self.notation}" if self.gene else self.notation


def parse_protein_change(text: str, gene: str | None = None) -> ProteinChange:
    """Read one protein change in HGVS ``p.`` notation or its one-letter short form.

    Accepted: one-letter (``T790M``, ``p.T790M``) and three-letter (``p.Thr790Met``,
    ``p.(Leu858Arg)``) substitutions, synonymous changes (``p.Leu858=``, ``T790T``),
    stops (``R1068*``, ``p.Arg1068Ter``), in-frame deletions (``E746_A750del``,
    ``p.Glu746del``), insertions (``D770_N771insSVD``), deletion-insertions
    (``L747_P753delinsS``), duplications (``p.Ala767_Val769dup``) and frameshifts
    (``E746fs``, ``p.Glu746AlafsTer5``). A protein id before the change
    (``ENSP00000275493.2:p.Leu858Arg``, as VEP writes it) is dropped; a gene symbol
    before it (``EGFR:p.L858R``, ``EGFR L858R``) becomes ``gene`` unless ``gene`` is
    given. ``%3D`` (VEP's escaped ``=``) is read as ``=``.

    Raises :class:`VariantParseError` naming the text, why it cannot be read (``?``,
    an unknown effect; ``X``, ambiguous; a stop-loss extension; a splice site ...)
    and the accepted forms.

    >>> parse_protein_change("p.Leu858Arg")  # doctest: +NORMALIZE_WHITESPACE
    ProteinChange(gene=None, kind='missense', start=858, end=858, reference='L',
                  alternate='R', notation='L858R')
    >>> parse_protein_change("p.Asp770_Asn771insSerValAsp").notation
    'D770_N771insSVD'
    >>> parse_protein_change("p.Glu746AlafsTer5", gene="EGFR").notation
    'E746Afs*5'
    >>> parse_protein_change("p.?")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    drugml.variants._protein_change.VariantParseError: Cannot read the protein change 'p.?': ...
    """
    if not isinstance(text, str):
        raise _parse_error(text, f"a protein change is text, got {type(text).__name__}")
    body = unquote(text.strip()) if "%" in text else text.strip()
    prefixed = _PREFIXED.fullmatch(body)
    if prefixed:
        body = prefixed["change"]
        if gene is None and not _ACCESSION.fullmatch(prefixed["prefix"]):
            gene = prefixed["prefix"]
    body = body.removeprefix("p.")
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1]  # HGVS's parentheses mark a predicted change
    special = _special_reason(body)
    if special:
        raise _parse_error(text, special)
    body = _THREE_LETTER.sub(lambda m: _THREE_TO_ONE.get(m.group(), m.group()), body)
    for form, pattern in _FORMS:
        match = pattern.fullmatch(body)
        if match:
            fields = _BUILDERS[form](match.groups())
            if isinstance(fields, str):
                raise _parse_error(text, fields)
            return ProteinChange(gene=gene or None, **fields)
    raise _parse_error(text, "not a protein change in HGVS p. or one-letter short notation")


def _parse_error(text: object, reason: str) -> VariantParseError:
    error = VariantParseError(
        f"Cannot read the protein change {text!r}: {reason}. Accepted forms (one- or "
        f"three-letter, with or without 'p.' and parentheses): {ACCEPTED_FORMS}"
    )
    error.text, error.reason = str(text), reason
    return error


def _special_reason(body: str) -> str | None:
    """Why a well-known HGVS form that names no residue change cannot be read, or None."""
    if not body:
        return "the text is empty"
    if body[:2] in ("c.", "g.", "n.", "m.", "r."):
        return f"{body[:2]} is a DNA or RNA change; a protein change is written p."
    if "ext" in body:
        return "extensions (ext, a lost stop or start codon) are not supported"
    if body.endswith("?") and "fs" not in body:
        return "'?' means the effect on the protein is unknown"
    if body == "0":
        return "p.0 means no protein is made: there is no residue change to place"
    if body == "=":
        return "p.= names no residue (the protein is unchanged)"
    if "splice" in body:
        return "a splice-site change names no residue change"
    return None


def _check_letters(letters: str, allowed: frozenset[str]) -> str | None:
    unknown = [letter for letter in letters if letter not in allowed]
    if not unknown:
        return None
    if unknown[0] == "X":
        return (
            "X is ambiguous (a stop in old notation, any residue in HGVS); "
            "write * or Ter for a stop"
        )
    return f"{unknown[0]!r} is not an amino acid"


def _span(first: str, start: str, last: str | None, end: str | None) -> dict | str:
    """The named residues of ``first start [_ last end]`` as fields, or why they are wrong."""
    start_n = int(start)
    end_n = int(end) if end else start_n
    reference = first + (last or "")
    if end and end_n <= start_n:
        return f"the range {first}{start}_{last}{end} does not run forwards"
    problem = _check_letters(reference, _RESIDUES)
    if problem:
        return problem
    notation = f"{first}{start}" + (f"_{last}{end}" if last else "")
    return {"start": start_n, "end": end_n, "reference": reference, "notation": notation}


def _substitution(groups: tuple) -> dict | str:
    reference, position, alternate = groups
    problem = _check_letters(reference + alternate.replace("=", ""), _RESIDUES | {"*"})
    if problem:
        return problem
    start = int(position)
    fields = {"start": start, "end": start, "reference": reference}
    if alternate in ("=", reference):
        return fields | {
            "kind": "synonymous",
            "alternate": reference,
            "notation": f"{reference}{start}=",
        }
    kind = "nonsense" if alternate == "*" else "missense"
    return fields | {
        "kind": kind,
        "alternate": alternate,
        "notation": f"{reference}{start}{alternate}",
    }


def _deletion(groups: tuple) -> dict | str:
    span = _span(*groups)
    if isinstance(span, str):
        return span
    return span | {"kind": "deletion", "alternate": "", "notation": span["notation"] + "del"}


def _duplication(groups: tuple) -> dict | str:
    span = _span(*groups)
    if isinstance(span, str):
        return span
    return span | {"kind": "duplication", "alternate": "", "notation": span["notation"] + "dup"}


def _span_with_residues(groups: tuple, kind: str, word: str) -> dict | str:
    """A span followed by inserted residues (``delins`` or ``ins``), or the reason it is not."""
    *named, inserted = groups
    span = _span(*named)
    if isinstance(span, str):
        return span
    if kind == "insertion" and span["end"] != span["start"] + 1:
        return (
            f"an insertion names the two neighbouring residues it falls between, "
            f"not {span['notation']}"
        )
    problem = _check_letters(inserted, _RESIDUES | {"*"})
    if problem:
        return problem
    notation = f"{span['notation']}{word}{inserted}"
    return span | {"kind": kind, "alternate": inserted, "notation": notation}


def _delins(groups: tuple) -> dict | str:
    return _span_with_residues(groups, "delins", "delins")


def _insertion(groups: tuple) -> dict | str:
    return _span_with_residues(groups, "insertion", "ins")


def _frameshift(groups: tuple) -> dict | str:
    reference, position, new, length = groups
    problem = _check_letters(reference + (new or ""), _RESIDUES)
    if problem:
        return problem
    start = int(position)
    notation = f"{reference}{start}{new or ''}fs" + (f"*{length}" if length else "")
    return {
        "kind": "frameshift",
        "start": start,
        "end": start,
        "reference": reference,
        "alternate": new or "",
        "notation": notation,
    }


_BUILDERS = {
    "substitution": _substitution,
    "deletion": _deletion,
    "delins": _delins,
    "insertion": _insertion,
    "duplication": _duplication,
    "frameshift": _frameshift,
}
