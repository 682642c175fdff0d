"""The protein's reference sequence in UniProt numbering: the numbering variants are written in.

A cohort's protein changes number residues as UniProt does (``T790M`` is residue 790 of
P00533), while a structure file numbers them as its authors chose (1M17 numbers EGFR 24
lower). A :class:`ReferenceSequence` is the bridge: a stretch of the protein's sequence
and the UniProt number of its first residue. Get one from a PDB or mmCIF file's
sequence and its cross-reference to UniProt (:func:`reference_from_pdb`), from a FASTA
with the number of its first residue (:func:`reference_from_fasta`), or build it
directly.

Example
-------
>>> from drugml.variants import reference_from_pdb
>>> egfr = reference_from_pdb("egfr_1m17", "A")
>>> egfr.name, egfr.accession, egfr.start, egfr.end, egfr.residue(790)
('EGFR', 'P00533', 695, 1022, 'T')
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from drugml.variants._protein_change import VariantError
from drugml.variants._table import VariantFileNotFoundError

if TYPE_CHECKING:
    from drugml.structure import Structure

__all__ = [
    "ReferenceSequence",
    "ReferenceSequenceError",
    "reference_from_fasta",
    "reference_from_pdb",
]

# One-letter codes a reference may hold: the 20 amino acids, selenocysteine (U),
# pyrrolysine (O) and X for a residue the source does not name.
_SEQUENCE_LETTERS = frozenset("ACDEFGHIKLMNPQRSTVWYUOX")
_UNIPROT_HEADER = re.compile(r"(?:sp|tr)\|(?P<accession>[^|]+)\|(?P<entry>\S+)")
_GENE_NAME = re.compile(r"\bGN=(?P<gene>\S+)")
_FASTA_HINT = (
    "give the reference as a FASTA with the UniProt number of its first residue: "
    "reference_from_fasta(path, start=...)"
)


class ReferenceSequenceError(VariantError):
    """A reference sequence cannot be built or read as asked; the message says why and what
    to give instead."""


@dataclass(frozen=True)
class ReferenceSequence:
    """A protein's sequence, or a stretch of it, in UniProt numbering.

    ``start`` is the UniProt number of ``sequence[0]``; ``name`` the gene symbol that a
    variant table's ``gene`` column is checked against (None: no check); ``accession``
    the UniProt accession where known; ``source`` where the sequence came from, for
    provenance in reports. Letters are upper-cased and whitespace is dropped.

    >>> ref = ReferenceSequence("EGFR", "P00533", 695, "GEAPNQALLR", "a test")
    >>> ref.end, ref.residue(697), ref.number_of(2), ref.label(697), 700 in ref
    (704, 'A', 697, 'A697', True)
    """

    name: str | None
    accession: str | None
    start: int
    sequence: str
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.start, int) or isinstance(self.start, bool) or self.start < 1:
            raise ReferenceSequenceError(
                f"A reference sequence's start is the UniProt number of its first residue "
                f"(an integer >= 1), got {self.start!r}"
            )
        if not isinstance(self.sequence, str):
            raise ReferenceSequenceError(
                f"A reference sequence is text, got {type(self.sequence).__name__}"
            )
        sequence = "".join(self.sequence.split()).upper()
        if not sequence:
            raise ReferenceSequenceError("The reference sequence is empty")
        unknown = sorted(set(sequence) - _SEQUENCE_LETTERS)
        if unknown:
            at = sequence.index(unknown[0])
            raise ReferenceSequenceError(
                f"The reference sequence has {unknown[0]!r} at residue {self.start + at}, "
                "which is not a one-letter amino-acid code"
            )
        object.__setattr__(self, "sequence", sequence)

    @property
    def end(self) -> int:
        """The UniProt number of the last residue."""
        return self.start + len(self.sequence) - 1

    def __len__(self) -> int:
        return len(self.sequence)

    def __contains__(self, number: object) -> bool:
        return isinstance(number, int) and self.start <= number <= self.end

    def number_of(self, index: int) -> int:
        """The UniProt number of ``sequence[index]`` (0-based)."""
        if not 0 <= index < len(self.sequence):
            raise ReferenceSequenceError(
                f"Index {index} is outside the reference sequence (0..{len(self.sequence) - 1})"
            )
        return self.start + index

    def index_of(self, number: int) -> int:
        """The 0-based index in ``sequence`` of UniProt residue ``number``."""
        if number not in self:
            raise ReferenceSequenceError(
                f"Residue {number} is outside the reference sequence "
                f"({self.describe()}: {self.start}-{self.end})"
            )
        return number - self.start

    def residue(self, number: int) -> str:
        """The one-letter code of UniProt residue ``number``."""
        return self.sequence[self.index_of(number)]

    def label(self, number: int) -> str:
        """A residue as variants name it: its letter and UniProt number (``"T790"``)."""
        return f"{self.residue(number)}{number}"

    def describe(self) -> str:
        """A short name: the gene and accession where known (``"EGFR (P00533)"``)."""
        if self.name and self.accession:
            return f"{self.name} ({self.accession})"
        return self.name or self.accession or "the reference"

    def to_fasta(self, width: int = 60) -> str:
        """The sequence as FASTA text; its header gives the numbers of the first and last residue.

        >>> ReferenceSequence("EGFR", "P00533", 695, "GEAPNQ").to_fasta()
        '>EGFR P00533 695-700\\nGEAPNQ\\n'
        """
        header = " ".join(x for x in (self.name, self.accession) if x) or "reference"
        lines = [self.sequence[i : i + width] for i in range(0, len(self.sequence), width)]
        return "\n".join([f">{header} {self.start}-{self.end}", *lines]) + "\n"


# ----------------------------------------------------------------------------- FASTA
def reference_from_fasta(
    path_or_text: str | Path,
    start: int = 1,
    name: str | None = None,
    accession: str | None = None,
) -> ReferenceSequence:
    """A reference sequence from a FASTA file or text of one record.

    ``start`` is the UniProt number of the record's first residue (1 for a full-length
    UniProt sequence). ``name`` (the gene symbol variants are checked against) and
    ``accession`` default to what a UniProt header gives (``>sp|P00533|EGFR_HUMAN ...
    GN=EGFR``); for another header, ``name`` stays None unless given, and no gene check
    is made. A trailing ``*`` (a stop) is dropped.

    >>> ref = reference_from_fasta(">sp|P00533|EGFR_HUMAN EGFR OS=Homo sapiens GN=EGFR\\nMRPSG", 1)
    >>> ref.name, ref.accession, ref.sequence, ref.source
    ('EGFR', 'P00533', 'MRPSG', 'FASTA text, record sp|P00533|EGFR_HUMAN, residues 1-5')
    """
    from Bio import SeqIO

    text, where = _fasta_text(path_or_text)
    if not text.lstrip().startswith(">"):
        raise ReferenceSequenceError(
            f"A reference is one FASTA record ('>' header, then the sequence); {where} has no "
            "FASTA record (it does not start with '>')"
        )
    records = list(SeqIO.parse(io.StringIO(text.lstrip()), "fasta"))
    if len(records) != 1:
        found = "no FASTA record" if not records else f"{len(records)} records"
        raise ReferenceSequenceError(
            f"A reference is one FASTA record ('>' header, then the sequence); {where} has {found}"
        )
    record = records[0]
    uniprot = _UNIPROT_HEADER.match(record.id)
    gene = _GENE_NAME.search(record.description)
    if name is None and gene:
        name = gene["gene"]
    if accession is None and uniprot:
        accession = uniprot["accession"]
    sequence = str(record.seq).strip().removesuffix("*")
    try:
        reference = ReferenceSequence(name, accession, start, sequence)
    except ReferenceSequenceError as exc:
        raise ReferenceSequenceError(f"{where}: {exc}") from None
    source = f"{where}, record {record.id}, residues {reference.start}-{reference.end}"
    return ReferenceSequence(name, accession, start, reference.sequence, source)


def _fasta_text(path_or_text: str | Path) -> tuple[str, str]:
    """The FASTA text and how to name where it came from."""
    if isinstance(path_or_text, str) and (
        path_or_text.lstrip().startswith(">") or "\n" in path_or_text
    ):
        return path_or_text, "FASTA text"
    path = Path(path_or_text)
    if not path.is_file():
        raise VariantFileNotFoundError(f"FASTA file {path} does not exist")
    return path.read_text(encoding="utf-8", errors="replace"), f"FASTA {path.name}"


# ------------------------------------------------------------------------- PDB / mmCIF
_Found = TypeVar("_Found")


@dataclass(frozen=True)
class _Segment:
    """One cross-reference of a chain to UniProt: the database's residues ``db_begin..db_end``
    are the chain's ``sequence`` (entity residues between the two, both inclusive)."""

    entry: str
    accession: str
    entry_name: str
    db_begin: int
    db_end: int
    sequence: str
    differences: tuple[tuple[int, str, str, str], ...]  # (UniProt number, UniProt, file, why)
    left_out: str  # what of the file's sequence lies outside the segment, in words
    records: str = "SEQRES, DBREF"  # the file's records that gave the sequence and the reference


def reference_from_pdb(
    structure_or_path: Structure | str | Path,
    chain: str | None = None,
    name: str | None = None,
) -> ReferenceSequence:
    """The reference sequence of one chain, from a PDB file's SEQRES and DBREF records
    (an mmCIF file's ``_entity_poly`` and ``_struct_ref_seq``).

    The cross-reference gives the UniProt accession and which residues of the entry's
    sequence are which UniProt residues; residues outside it (expression tags, cloning
    artefacts) are left out. Where the entry's residue differs from UniProt's
    (``SEQADV``/``_struct_ref_seq_dif``: an engineered mutation, a conflict), the
    reference takes UniProt's, so a mutant crystal structure still gives the wild-type
    reference. ``chain`` defaults to the first protein chain; ``name`` to the UniProt
    entry name before ``_`` (``EGFR_HUMAN`` gives ``EGFR``: usually the gene symbol, not
    always; give ``name`` where it differs).

    Raises :class:`ReferenceSequenceError` for a chain without a cross-reference to
    UniProt (many files written by tools carry none), saying to give a FASTA instead.

    >>> ref = reference_from_pdb("egfr_1m17", "A")
    >>> ref.start, ref.end, ref.sequence[:10]
    (695, 1022, 'SGEAPNQALL')
    >>> print(ref.source)  # doctest: +NORMALIZE_WHITESPACE
    1M17 chain A SEQRES, DBREF to UniProt P00533 (EGFR_HUMAN) 695-1022;
    left out: 5 residues before
    """
    from drugml.structure import Structure, load_structure

    structure = (
        structure_or_path
        if isinstance(structure_or_path, Structure)
        else load_structure(structure_or_path)
    )
    if structure.path is None:
        raise ReferenceSequenceError(
            f"{structure.name} has no file to read its sequence records from; {_FASTA_HINT}"
        )
    if chain is None:
        proteins = [c.id for c in structure.chains if c.type == "protein"]
        if not proteins:
            raise ReferenceSequenceError(f"{structure.name} has no protein chain")
        chain = proteins[0]
    modelled = structure.chain(chain)  # a StructureError listing the chains if there is none
    if structure.path.suffix.lower() in (".cif", ".mmcif"):
        segment = _cif_segment(structure.path, chain)
    else:
        segment = _pdb_segment(structure.path, chain, modelled.sequence, modelled.residue_ids)
    sequence = list(segment.sequence)
    changed = []
    for number, uniprot, in_file, why in segment.differences:
        sequence[number - segment.db_begin] = uniprot
        changed.append(f"{uniprot}{number}{in_file}" + (f" ({why.lower()})" if why else ""))
    source = (
        f"{segment.entry} chain {chain} {segment.records} to UniProt {segment.accession} "
        f"({segment.entry_name}) {segment.db_begin}-{segment.db_end}"
    )
    if changed:
        source += "; UniProt's residue taken where the entry differs: " + ", ".join(changed)
    if segment.left_out:
        source += f"; left out: {segment.left_out}"
    if name is None:
        name = segment.entry_name.split("_")[0] or None
    return ReferenceSequence(name, segment.accession, segment.db_begin, "".join(sequence), source)


def _only_one(
    found: list[_Found], spans: list[str], chain: str, path: Path, other: list[str]
) -> _Found:
    """The one UniProt cross-reference of a chain, or the error that says why there is not."""
    if not found:
        also = f" (only to {', '.join(sorted(set(other)))})" if other else ""
        raise ReferenceSequenceError(
            f"{path.name} has no cross-reference of chain {chain!r} to UniProt (DBREF){also}; "
            + _FASTA_HINT
        )
    if len(found) > 1:
        raise ReferenceSequenceError(
            f"Chain {chain!r} of {path.name} is cross-referenced to several UniProt segments "
            f"({', '.join(spans)}: a fusion or a chimera); {_FASTA_HINT}"
        )
    return found[0]


def _pdb_records(path: Path) -> dict[str, list[str]]:
    """The header records drugml reads, each line padded to 80 columns."""
    wanted = ("DBREF ", "DBREF1", "DBREF2", "SEQRES", "SEQADV", "MODRES", "HEADER")
    records: dict[str, list[str]] = {key: [] for key in wanted}
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith(("ATOM  ", "HETATM")):
                break  # the header records come before the coordinates
            if line[:6] in records:
                records[line[:6]].append(line.rstrip("\n").ljust(80))
    return records


def _pdb_cross_references(records: dict[str, list[str]], chain: str) -> list[tuple]:
    """(entry, database, accession, entry name, seq begin, seq end, db begin, db end,
    insertion codes) of each DBREF (or DBREF1/DBREF2 pair) of the chain."""
    fields = []  # (text fields, number fields, insertion codes) of each cross-reference
    for line in records["DBREF "]:
        if line[12] == chain:
            names = (line[7:11], line[26:32], line[33:41], line[42:54])
            numbers = (line[14:18], line[20:24], line[55:60], line[62:67])
            fields.append((names, numbers, line[18] + line[24] + line[60] + line[67]))
    firsts = [line for line in records["DBREF1"] if line[12] == chain]
    seconds = [line for line in records["DBREF2"] if line[12] == chain]
    for first, second in zip(firsts, seconds, strict=False):
        names = (first[7:11], first[26:32], second[18:40], first[47:67])
        numbers = (first[14:18], first[20:24], second[45:55], second[57:67])
        fields.append((names, numbers, first[18] + first[24]))
    try:
        return [
            (*(x.strip() for x in names), *(int(x) for x in numbers), icodes.strip())
            for names, numbers, icodes in fields
        ]
    except ValueError as exc:
        raise ReferenceSequenceError(
            f"A DBREF record of chain {chain!r} is malformed: {exc}"
        ) from None


def _pdb_segment(
    path: Path, chain: str, modelled: str, residue_ids: tuple[tuple[int, str], ...]
) -> _Segment:
    """The chain's UniProt segment of a PDB file: SEQRES residues located by the DBREF
    numbers of the modelled residues."""
    records = _pdb_records(path)
    refs = _pdb_cross_references(records, chain)
    unp = [r for r in refs if r[1] == "UNP"]
    spans = [f"{r[2]} {r[6]}-{r[7]}" for r in unp]
    other = [r[1] for r in refs if r[1] != "UNP"]
    entry, _, accession, entry_name, seq_begin, seq_end, db_begin, db_end, icodes = _only_one(
        unp, spans, chain, path, other
    )
    if icodes or seq_end - seq_begin != db_end - db_begin:
        raise ReferenceSequenceError(
            f"The DBREF of chain {chain!r} in {path.name} does not pair the entry's residues "
            f"one to one with UniProt's ({seq_begin}-{seq_end} with {db_begin}-{db_end}"
            + (", with insertion codes" if icodes else "")
            + f"); {_FASTA_HINT}"
        )
    letters = _seqres_letters(records, chain)
    first = _locate(letters, seq_begin, seq_end, modelled, residue_ids)
    if first is None:
        raise ReferenceSequenceError(
            f"Cannot place the DBREF residues {seq_begin}-{seq_end} of chain {chain!r} in the "
            f"SEQRES of {path.name} (no SEQRES, or no modelled residue agrees with it); "
            + _FASTA_HINT
        )
    span = seq_end - seq_begin + 1
    before, after = first, len(letters) - first - span
    left_out = " and ".join(
        f"{n} residue{'s' * (n != 1)} {where}"
        for n, where in ((before, "before"), (after, "after"))
        if n
    )
    return _Segment(
        entry.strip() or next((h[62:66].strip() for h in records["HEADER"]), path.stem),
        accession,
        entry_name,
        db_begin,
        db_end,
        "".join(letters[first : first + span]),
        _pdb_differences(records, chain, accession, db_begin, db_end),
        left_out,
    )


def _seqres_letters(records: dict[str, list[str]], chain: str) -> list[str]:
    from drugml.structure import one_letter_code

    parents = {
        line[12:15].strip(): line[24:27].strip() for line in records["MODRES"] if line[16] == chain
    }
    names = [name for line in records["SEQRES"] if line[11] == chain for name in line[19:].split()]
    return [one_letter_code(parents.get(name, name)) or "X" for name in names]


def _locate(
    letters: list[str],
    seq_begin: int,
    seq_end: int,
    modelled: str,
    residue_ids: Iterable[tuple[int, str]],
) -> int | None:
    """The index in ``letters`` of entry residue ``seq_begin``: the placement of the span on
    which most modelled residues (by their number) have their SEQRES letter."""
    span = seq_end - seq_begin + 1
    placed = [
        (number - seq_begin, letter)
        for (number, icode), letter in zip(residue_ids, modelled, strict=True)
        if seq_begin <= number <= seq_end and not icode.strip()
    ]
    if len(letters) < span or not placed:
        return None

    def agreement(first: int) -> int:
        return sum(letters[first + k] in (letter, "X") or letter == "X" for k, letter in placed)

    scores = {first: agreement(first) for first in range(len(letters) - span + 1)}
    best = max(scores, key=lambda first: (scores[first], -first))
    # A file whose SEQRES disagrees with its own coordinates is not one to trust blindly.
    return best if scores[best] >= 0.9 * len(placed) else None


def _pdb_differences(
    records: dict[str, list[str]], chain: str, accession: str, db_begin: int, db_end: int
) -> tuple[tuple[int, str, str, str], ...]:
    from drugml.structure import one_letter_code

    out = []
    for line in records["SEQADV"]:
        if line[16] != chain or line[29:38].strip() != accession:
            continue
        uniprot, in_file = one_letter_code(line[39:42]), one_letter_code(line[12:15])
        number = line[43:48].strip()
        if uniprot and in_file and number.isdigit() and db_begin <= int(number) <= db_end:
            out.append((int(number), uniprot, in_file, line[49:70].strip()))
    return tuple(out)


def _cif_segment(path: Path, chain: str) -> _Segment:
    """The chain's UniProt segment of an mmCIF file (``_struct_ref_seq`` numbers the
    entity's sequence directly, so nothing has to be located)."""
    from Bio.PDB.MMCIF2Dict import MMCIF2Dict

    data = MMCIF2Dict(str(path))

    def rows(category: str, *items: str) -> list[tuple[str, ...]]:
        columns = [data.get(f"{category}.{item}", []) for item in items]
        return list(zip(*columns, strict=True)) if all(columns) else []

    refs = {
        ref_id: (db, code, accession, entity)
        for ref_id, db, code, accession, entity in rows(
            "_struct_ref", "id", "db_name", "db_code", "pdbx_db_accession", "entity_id"
        )
    }
    aligned = [
        (refs.get(ref_id, ("?",) * 4), int(begin), int(end), int(db_begin), int(db_end))
        for strand, ref_id, begin, end, db_begin, db_end in rows(
            "_struct_ref_seq",
            "pdbx_strand_id",
            "ref_id",
            "seq_align_beg",
            "seq_align_end",
            "db_align_beg",
            "db_align_end",
        )
        if strand == chain
    ]
    sequences = {
        entity: "".join(code.split())
        for entity, code in rows("_entity_poly", "entity_id", "pdbx_seq_one_letter_code_can")
    }
    entry = (data.get("_entry.id") or [path.stem])[0]
    segments = []
    for (db, code, accession, entity), begin, end, db_begin, db_end in aligned:
        if db != "UNP":
            continue
        whole = sequences.get(entity, "")
        differences = _cif_differences(rows, chain, db_begin, db_end)
        left = [(begin - 1, "before"), (len(whole) - end, "after")]
        segments.append(
            _Segment(
                entry,
                accession,
                code,
                db_begin,
                db_end,
                whole[begin - 1 : end],
                differences,
                " and ".join(f"{n} residue{'s' * (n != 1)} {w}" for n, w in left if n > 0),
                "_entity_poly, _struct_ref_seq",
            )
        )
    other = [ref[0][0] for ref in aligned if ref[0][0] != "UNP"]
    spans = [f"{s.accession} {s.db_begin}-{s.db_end}" for s in segments]
    segment = _only_one(segments, spans, chain, path, other)
    if len(segment.sequence) != segment.db_end - segment.db_begin + 1:
        raise ReferenceSequenceError(
            f"The cross-reference of chain {chain!r} in {path.name} spans entity residues that "
            f"do not match UniProt {segment.db_begin}-{segment.db_end} one to one; {_FASTA_HINT}"
        )
    return segment


def _cif_differences(
    rows: Any, chain: str, db_begin: int, db_end: int
) -> tuple[tuple[int, str, str, str], ...]:
    """(UniProt number, UniProt's residue, the entry's, why) of ``_struct_ref_seq_dif``."""
    from drugml.structure import one_letter_code

    out = []
    for strand, mon, db_mon, number, why in rows(
        "_struct_ref_seq_dif",
        "pdbx_pdb_strand_id",
        "mon_id",
        "db_mon_id",
        "pdbx_seq_db_seq_num",
        "details",
    ):
        uniprot, in_file = one_letter_code(db_mon), one_letter_code(mon)
        in_span = number.isdigit() and db_begin <= int(number) <= db_end
        if strand == chain and in_span and uniprot and in_file:
            out.append((int(number), uniprot, in_file, why if why not in ("?", ".") else ""))
    return tuple(out)
