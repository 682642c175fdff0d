"""Residue names: which hetero groups are not ligands, and the one-letter code of amino
acids, RNA and DNA residues."""

from __future__ import annotations

#: Hetero groups that are not ligands: water, common ions and crystallization
#: additives (buffers, cryoprotectants, detergents, precipitants).
NOT_LIGANDS = frozenset({
    # water
    "HOH", "WAT", "H2O", "DOD",
    # ions
    "NA", "K", "LI", "MG", "CA", "MN", "ZN", "FE", "FE2", "CO", "NI", "CU", "CU1", "CD", "HG",
    "SR", "BA", "CS", "RB", "CL", "BR", "IOD", "F", "IRI", "NH4", "SO4", "PO4", "NO3", "SCN",
    "CO3", "ACY", "ACT", "FMT", "AZI", "OH",
    # additives
    "GOL", "EDO", "PEG", "PGE", "PG4", "1PE", "P6G", "MPD", "DMS", "BME", "TRS", "EPE", "MES",
    "HEZ", "IPA", "EOH", "MOH", "BU3", "CIT", "TAR", "MLI", "SIN", "IMD", "NHE", "BOG", "LDA",
    "DTT", "TLA", "FLC", "PE4", "PE8", "2PE", "12P", "15P", "P33", "PEU", "UNX",
})  # fmt: skip

#: RNA residues (standard and common modified ones) and their one-letter base.
RNA_BASES = {
    "A": "A", "C": "C", "G": "G", "U": "U", "I": "I", "PSU": "U", "5MC": "C", "OMC": "C",
    "OMG": "G", "1MA": "A", "2MG": "G", "7MG": "G", "M2G": "G", "GTP": "G", "GDP": "G",
    "CCC": "C", "H2U": "U", "5MU": "U", "4SU": "U",
}  # fmt: skip
#: DNA residues and their one-letter base.
DNA_BASES = {"DA": "A", "DC": "C", "DG": "G", "DT": "T", "DI": "I", "DU": "U"}


def one_letter_code(resname: str) -> str | None:
    """The one-letter code of an amino-acid residue name (``None`` for anything else).

    >>> one_letter_code("MET"), one_letter_code("HOH")
    ('M', None)
    """
    return one_letter(resname.strip().upper())


def one_letter(resname: str) -> str | None:
    """:func:`one_letter_code` of a name already stripped and upper-case."""
    from Bio.PDB.Polypeptide import is_aa
    from Bio.SeqUtils import seq1

    if is_aa(resname, standard=False):
        letter = seq1(resname)
        return letter if letter != "X" or resname == "UNK" else "X"
    return None
