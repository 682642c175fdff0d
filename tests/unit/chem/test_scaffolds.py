"""drugml.chem.scaffolds: Bemis-Murcko scaffolds and their frequencies."""

from __future__ import annotations

from rdkit.Chem.Scaffolds import MurckoScaffold

from drugml import data
from drugml.chem.scaffolds import murcko_scaffold, scaffold_table, scaffolds


def test_scaffolds_match_rdkit_on_egfr():
    # Stereo is dropped, as in DeepChem's scaffold splitter (includeChirality=False).
    smiles = data.load("egfr_compounds")["smiles"].iloc[::20].tolist()
    ours = scaffolds(smiles)
    expected = [MurckoScaffold.MurckoScaffoldSmiles(s, includeChirality=False) for s in smiles]
    assert ours == expected


def test_generic_scaffold_merges_heteroatom_variants():
    assert murcko_scaffold("c1ccncc1CC", generic=True) == murcko_scaffold(
        "c1ccccc1CC", generic=True
    )
    assert murcko_scaffold("c1ccncc1CC") != murcko_scaffold("c1ccccc1CC")
    assert murcko_scaffold("CCCC", generic=True) == ""


def test_scaffold_table_counts_every_molecule():
    compounds = data.load("egfr_compounds")
    table = scaffold_table(compounds["smiles"], ids=compounds["molecule_chembl_id"])
    assert table["count"].sum() == len(compounds)
    assert table["count"].is_monotonic_decreasing
    assert abs(table["fraction"].sum() - 1) < 1e-9
    top = table.iloc[0]
    assert top["scaffold"] == "c1ccc(Nc2ncnc3ccccc23)cc1"  # 4-anilinoquinazoline
    assert scaffold_table(compounds["smiles"], top=5).shape[0] == 5


def test_unparsable_molecules_are_counted_under_none():
    table = scaffold_table(["c1ccccc1C", "C1CC", "c1ccccc1N"])
    assert table["scaffold"].tolist() == ["c1ccccc1", None]
    assert table["count"].tolist() == [2, 1]
