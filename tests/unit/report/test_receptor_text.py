"""describe_receptor: Receptor.report in plain words, on a real prepared 1M17 (with its
bridging water kept) and on hand-made reports with the rarer keys."""

from __future__ import annotations

import json
import re

import pytest

from drugml.errors import DrugmlError
from drugml.report._receptor_text import describe_receptor


def _plain(text):
    """No Python syntax leaks into the page: no braces, brackets, quotes around labels."""
    return not re.search(r"[{}\[\]]|'\w+'|\w+:\w+\d", text)


@pytest.fixture(scope="module")
def egfr_1m17():
    pytest.importorskip("meeko")
    from drugml.structure.dock import prepare_receptor

    return prepare_receptor("egfr_1m17", keep_waters=["A:10"])


def test_a_real_receptor_report_reads_as_plain_sentences(egfr_1m17, tmp_path):
    text = describe_receptor(egfr_1m17.report)
    assert _plain(text), text
    assert text.startswith(
        "Chain A of egfr_1m17 (312 residues), with 1 water kept (HOH 10); "
        "19 waters and 1 ligand (AQ4) removed. "
    )
    assert "the alternate locations was kept for 2 residues (Cys751, Asp831)" in text
    assert re.search(r"Meeko added \d[\d,]* hydrogens\.$", text)
    assert text.count(". ") + 1 == 2  # two sentences
    # The same report read back from receptor.json (as a campaign folder holds it).
    written = json.loads(egfr_1m17.write(tmp_path)["report"].read_text())
    assert describe_receptor(written) == text


def test_the_docking_summary_of_a_covalent_run():
    receptor = {
        "removed": {"waters": ["HOH 1", "HOH 2"], "ions": []},
        "structure": "5HG8",
        "chains": ["A"],
        "kept_waters": [],
        "hydrogens_added": 1234,
        "covalent": {"residue": "CYS797.X", "atom": "SG", "written_as": "ALA"},
        "reference_covalent_to": ["CYS797:SG"],
    }
    text = describe_receptor(receptor)
    assert text == (
        "Chain A of 5HG8; 2 waters removed. Meeko added 1,234 hydrogens. Covalent docking at "
        "Cys797 (chain X): its SG atom was removed (CYS written as ALA) so that a warhead can "
        "take its place."
    )
    assert describe_receptor(receptor, covalent=False) == (
        "Chain A of 5HG8; 2 waters removed. Meeko added 1,234 hydrogens."
    )
    del receptor["covalent"]
    assert describe_receptor(receptor).endswith(
        "The reference ligand is covalently bound to Cys797 (SG); Vina docks without that bond."
    )


def test_every_kind_of_removal_is_named_and_counted():
    text = describe_receptor(
        {
            "structure": "demo",
            "chains": ["A", "B"],
            "kept_waters": ["A:HOH10", "B:HOH12"],
            "removed": {
                "waters": 3,  # a count instead of labels
                "ligands": ["A:8AM9001"],
                "ions": ["A:ZN301", "A:K601", "B:CL1"],
                "additives": ["A:SO41", "A:SO42", "A:GOL3", "A:EDO4", "A:PEG5", "A:1PE6"],
                "nonstandard": ["A:MSE42"],
                "incomplete": ["A:745", "A:LYS746"],
                "other_chains": ["C:ALA1", "D:GLY2", "D:GLY3"],
                "glycans": ["A:NAG1"],  # a kind this text does not know yet
            },
            "histidines": ["HID", "HIE"],
        }
    )
    assert _plain(text), text
    assert text == (
        "Chains A and B of demo, with 2 waters kept (HOH 10, HOH 12); 3 waters, 1 ligand (8AM), "
        "3 ions (ZN, K, CL), 6 additives (SO4, GOL, EDO, PEG and 1 more), 1 nonstandard "
        "residue (MSE 42), 2 residues with missing atoms (residue 745 of chain A, Lys746), "
        "chains C and D and "
        "glycans (1) removed. Histidines were typed as HID and HIE (Meeko's default tautomer)."
    )


def test_an_empty_or_missing_report():
    assert describe_receptor({}) == "The receptor's preparation was not reported."
    assert describe_receptor({"structure": "1m17"}) == "1m17."
    with pytest.raises(DrugmlError, match="needs a receptor report"):
        describe_receptor(None)


def test_a_target_without_ligand_shows_the_pockets_found():
    from drugml import data
    from drugml.campaign.config import TargetConfig
    from drugml.report._pocket import pocket_section

    html_text = pocket_section(
        TargetConfig(structure="egfr_1m17"), data.path("egfr_1m17"), None, None
    )
    assert "<h2>Pockets found in the structure</h2>" in html_text
    assert "the binding site is pocket 1 of the" in html_text
    assert "LEU694.A" in html_text  # the glycine-rich loop lines the top pocket
