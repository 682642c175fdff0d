"""drugml.screening.filters: columns agree with direct RDKit calls; bad input gets a reason."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rdkit import Chem
from rdkit.Chem import QED, Crippen, Descriptors, rdMolDescriptors
from rdkit.Chem.FilterCatalog import FilterCatalog, FilterCatalogParams
from rdkit.Contrib.SA_Score import sascorer

from drugml import data
from drugml.screening.filters import (
    alert_matches,
    druglikeness,
    leadlike,
    lipinski,
    structural_alerts,
    veber,
)

EGFR = data.load("egfr_compounds")


def _catalog(*names):
    params = FilterCatalogParams()
    for name in names:
        params.AddCatalog(getattr(FilterCatalogParams.FilterCatalogs, name))
    return FilterCatalog(params)


@pytest.fixture(scope="module")
def sample():
    # Every 12th EGFR compound: ~460 molecules across the potency range.
    smiles = EGFR["smiles"].iloc[::12].reset_index(drop=True)
    return smiles, druglikeness(smiles)


def test_properties_and_rules_agree_with_rdkit(sample):
    smiles, table = sample
    mols = [Chem.MolFromSmiles(s) for s in smiles]
    assert table["ok"].all()
    np.testing.assert_array_equal(table["mw"], [Descriptors.MolWt(m) for m in mols])
    np.testing.assert_array_equal(table["clogp"], [Crippen.MolLogP(m) for m in mols])
    np.testing.assert_array_equal(
        table["hbd"], [rdMolDescriptors.CalcNumLipinskiHBD(m) for m in mols]
    )
    np.testing.assert_array_equal(
        table["hba"], [rdMolDescriptors.CalcNumLipinskiHBA(m) for m in mols]
    )
    np.testing.assert_array_equal(table["tpsa"], [rdMolDescriptors.CalcTPSA(m) for m in mols])
    hbd = [rdMolDescriptors.CalcNumLipinskiHBD(m) for m in mols]
    hba = [rdMolDescriptors.CalcNumLipinskiHBA(m) for m in mols]
    violations = [
        (Descriptors.MolWt(m) > 500) + (Crippen.MolLogP(m) > 5) + (d > 5) + (a > 10)
        for m, d, a in zip(mols, hbd, hba, strict=True)
    ]
    np.testing.assert_array_equal(table["ro5_violations"], violations)
    np.testing.assert_array_equal(table["ro5_pass"], np.array(violations) <= 1)
    assert 0 < table["ro5_pass"].mean() < 1  # the rule discriminates on real data


def test_alerts_qed_and_sa_agree_with_rdkit(sample):
    smiles, table = sample
    mols = [Chem.MolFromSmiles(s) for s in smiles]
    pains, brenk = _catalog("PAINS_A", "PAINS_B", "PAINS_C"), _catalog("BRENK")
    np.testing.assert_array_equal(table["pains"], [pains.HasMatch(m) for m in mols])
    np.testing.assert_array_equal(table["brenk"], [brenk.HasMatch(m) for m in mols])
    np.testing.assert_allclose(table["qed"], [QED.qed(m) for m in mols])
    np.testing.assert_allclose(table["sa_score"], [sascorer.calculateScore(m) for m in mols])
    assert table["pains"].any() and table["brenk"].any()
    hit = table[table["pains"]].iloc[0]
    assert hit["pains_alerts"]  # named, not just flagged


def test_invalid_molecules_get_nan_and_a_reason():
    out = druglikeness(pd.Series(["CCO", "C1CC", "", None], index=list("abcd")))
    assert out.index.tolist() == list("abcd")
    assert out["ok"].tolist() == [True, False, False, False]
    assert out.loc["b", "error"].startswith("unparsable")
    assert out.loc[["b", "c", "d"], "mw"].isna().all()


def test_table_input_and_parallel_equals_serial():
    table = data.load("approved_drugs").head(120)
    serial = druglikeness(table)
    parallel = druglikeness(table, n_jobs=2, chunk_size=40)
    pd.testing.assert_frame_equal(serial, parallel)


def test_rules_by_hand():
    assert lipinski({"mw": 501, "clogp": 5.1, "hbd": 1, "hba": 1}) == {
        "ro5_violations": 2,
        "ro5_pass": False,
    }
    assert lipinski({"mw": 501, "clogp": 1, "hbd": 1, "hba": 1})["ro5_pass"]
    assert not veber({"rotatable_bonds": 11, "tpsa": 20})["veber_pass"]
    assert not veber({"rotatable_bonds": 3, "tpsa": 141})["veber_pass"]
    assert leadlike({"mw": 300, "clogp": 3.0, "rotatable_bonds": 7})["leadlike_pass"]
    assert not leadlike({"mw": 360, "clogp": 3.0, "rotatable_bonds": 2})["leadlike_pass"]


def test_alert_helpers():
    rhodanine = Chem.MolFromSmiles("S=C1SC(=Cc2ccccc2)C(=O)N1")
    assert structural_alerts(rhodanine, catalogs=["pains"]) == {
        "pains": True,
        "pains_alerts": "ene_rhod_A(235)",
    }
    (name, atoms), *_ = alert_matches(rhodanine, "pains")
    assert name == "ene_rhod_A(235)" and len(atoms) == 8
    with pytest.raises(ValueError, match="Unknown alert catalogue"):
        structural_alerts(rhodanine, catalogs=["toxic"])


@pytest.fixture(scope="module")
def mixed_molecules():
    # Approved drugs (salts, metals, macrocycles, peptides) and ESOL's small
    # molecules: a spread the EGFR sample lacks. Plus one with explicit Hs.
    smiles = (
        data.load("approved_drugs")["smiles"].dropna().iloc[::4].tolist()
        + data.load("esol")["smiles"].str.strip().iloc[::4].tolist()
    )
    mols = [m for m in (Chem.MolFromSmiles(s) for s in smiles) if m is not None]
    mols.append(Chem.AddHs(Chem.MolFromSmiles("S=C1SC(=Cc2ccccc2)C(=O)N1")))
    return mols


def test_screened_alerts_and_qed_equal_rdkit_exactly(mixed_molecules):
    from drugml.screening.filters import ALERT_CATALOGS
    from drugml.screening.filters._alerts import alerts_and_qed
    from drugml.screening.filters._catalogs import catalog_alerts
    from drugml.screening.filters._query_screen import alert_screen

    # The fast path is really in use with this RDKit: every catalogue entry was read.
    screen = alert_screen()
    assert screen is not None
    assert screen[2] == sum(
        _catalog(*members).GetNumEntries() for members in ALERT_CATALOGS.values()
    )
    fast = alerts_and_qed(mixed_molecules)
    reference = [(catalog_alerts(m, tuple(ALERT_CATALOGS)), QED.qed(m)) for m in mixed_molecules]
    assert fast == reference  # names in every catalogue, and QED to the last bit
    flagged = {name: sum(alerts[name] for alerts, _ in fast) for name in ALERT_CATALOGS}
    assert min(flagged.values()) > 0, flagged  # each catalogue has hits to compare


def test_unreadable_catalogue_falls_back_to_filtercatalog(monkeypatch, mixed_molecules):
    from drugml.screening.filters import _alerts, _catalogs, _query_screen

    sample = mixed_molecules[:60] + mixed_molecules[-1:]
    expected = _alerts.alerts_and_qed(sample)
    monkeypatch.setattr(_catalogs, "_entry_query", lambda entry: None)
    _catalogs.catalog_queries.cache_clear()
    _query_screen.alert_screen.cache_clear()
    try:
        assert _query_screen.alert_screen() is None
        assert _alerts.alerts_and_qed(sample) == expected
    finally:
        _catalogs.catalog_queries.cache_clear()
        _query_screen.alert_screen.cache_clear()


def test_alert_screen_skips_by_counts_and_rings_and_tries_a_repeated_alert_once():
    from drugml.screening.filters._query_screen import alert_screen

    screen, labels, n_catalog = alert_screen(("brenk",))
    ring = labels.index(("brenk", "halogenated_ring_2"))  # three halogens on a benzene
    two, three = Chem.MolFromSmiles("Clc1cccc(Cl)c1"), Chem.MolFromSmiles("Clc1cccc(Cl)c1Cl")
    possible = screen.local.possible([two, three])
    # Both have every kind of atom and bond the alert needs; only the second has three Cl.
    assert not possible[ring, 0] and possible[ring, 1]
    assert [ring in hits for hits in screen.matches([two, three])] == [False, True]
    # Three fused benzene rings need atoms of two rings: terphenyl's 18 aromatic atoms
    # and bonds are not enough; anthracene has them.
    fused = labels.index(("brenk", "Polycyclic_aromatic_hydrocarbon_2"))
    terphenyl = Chem.MolFromSmiles("c1ccc(cc1)-c1ccc(cc1)-c1ccccc1")
    anthracene = Chem.MolFromSmiles("c1ccc2cc3ccccc3cc2c1")
    assert screen.local.possible([terphenyl, anthracene])[fused].tolist() == [False, True]
    assert [fused in hits for hits in screen.matches([terphenyl, anthracene])] == [False, True]
    # QED's alerts repeat some of Brenk's: the repeat takes the first one's answer.
    repeats = [k for k in range(n_catalog, len(screen.queries)) if screen.same_as[k] != k]
    assert repeats and all(screen.same_as[k] < n_catalog for k in repeats)


def test_sa_score_equals_rdkit_contrib_to_the_last_bit(mixed_molecules):
    from drugml.screening.filters import possible_stereocentres, sa_score

    # stereocentres assigned and not, spiro, bridgeheads, a macrocycle, a ring system
    # whose centres depend on each other
    extra = [
        "C[C@H](F)C(F)(Cl)Br",
        "C1CC(C)C(C)C(C)C1",
        "C1CCC2(CC1)CCCC2",
        "C1CC2CCC1C2",
        "C1CCCCCCCCCCC1",
        "O=C1CCCCCCCCCCCN1",
        "CC1=CC[C@@H](C(C)C)CC1",
    ]
    mols = mixed_molecules + [Chem.MolFromSmiles(s) for s in extra]
    expected = [sascorer.calculateScore(Chem.Mol(m)) for m in mols]
    assert [sa_score(Chem.Mol(m)) for m in mols] == expected  # exact, not approximately
    centres = [len(Chem.FindMolChiralCenters(Chem.Mol(m), includeUnassigned=True)) for m in mols]
    assert [possible_stereocentres(Chem.Mol(m)) for m in mols] == centres
    assert max(centres) >= 3
