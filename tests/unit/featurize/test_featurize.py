"""drugml.featurize: sklearn-compatible, bit-identical to RDKit, one row per input."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from rdkit import Chem, DataStructs
from rdkit.Chem import Descriptors, MACCSkeys, rdFingerprintGenerator
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import FeatureUnion, Pipeline

from drugml import data
from drugml.featurize import (
    ECFP,
    FCFP,
    MACCS,
    AtomPairs,
    FeaturizationError,
    MolecularFeatures,
    RDKitDescriptors,
    TopologicalTorsion,
    calc_descriptors,
)

SMILES = [
    *data.load("egfr_compounds")["smiles"].iloc[::10],
    *data.load("approved_drugs")["smiles"].iloc[::5],
    *data.load("esol")["smiles"].str.strip(),
    "[H]OC([H])([H])[H]",
    "F[C@H](Cl)Br",
    "C/C=C/C",
]
MOLS = [Chem.MolFromSmiles(s) for s in SMILES]


@pytest.mark.parametrize(
    ("featurizer", "generator", "counts"),
    [
        (ECFP(), rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048), False),
        (
            ECFP(radius=3, n_bits=1024, counts=True),
            rdFingerprintGenerator.GetMorganGenerator(radius=3, fpSize=1024),
            True,
        ),
        (
            ECFP(chirality=True),
            rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048, includeChirality=True),
            False,
        ),
        (
            FCFP(),
            rdFingerprintGenerator.GetMorganGenerator(
                radius=2,
                fpSize=2048,
                atomInvariantsGenerator=rdFingerprintGenerator.GetMorganFeatureAtomInvGen(),
            ),
            False,
        ),
        (AtomPairs(), rdFingerprintGenerator.GetAtomPairGenerator(fpSize=2048), False),
        (
            TopologicalTorsion(counts=True),
            rdFingerprintGenerator.GetTopologicalTorsionGenerator(fpSize=2048),
            True,
        ),
    ],
    ids=["ecfp4", "ecfp6_counts", "ecfp4_chiral", "fcfp4", "atompairs", "torsion_counts"],
)
def test_fingerprints_equal_rdkit_generators(featurizer, generator, counts):
    X = featurizer.fit_transform(SMILES)
    method = generator.GetCountFingerprintAsNumPy if counts else generator.GetFingerprintAsNumPy
    expected = np.array([method(m) for m in MOLS])
    np.testing.assert_array_equal(X, expected)
    assert X.dtype == (np.uint16 if counts else np.uint8)


def test_maccs_equals_rdkit():
    X = MACCS().transform(SMILES[:200])
    expected = np.zeros((200, 167), dtype=np.uint8)
    for i, m in enumerate(MOLS[:200]):
        DataStructs.ConvertToNumpyArray(MACCSkeys.GenMACCSKeys(m), expected[i])
    np.testing.assert_array_equal(X, expected)


def test_descriptors_equal_calc_mol_descriptors():
    subset = SMILES[::4]
    X = RDKitDescriptors().transform(subset)
    names = RDKitDescriptors().get_feature_names_out()
    reference = [Descriptors.CalcMolDescriptors(Chem.MolFromSmiles(s)) for s in subset]
    expected = np.array([[values[n] for n in names] for values in reference], dtype=np.float64)
    expected = expected.astype(np.float32)
    expected[~np.isfinite(expected)] = np.nan
    np.testing.assert_array_equal(X, expected)
    assert X.dtype == np.float32 and X.shape[1] == len(Descriptors._descList)


def test_descriptor_helper_equals_rdkit_for_every_descriptor():
    mol = Chem.MolFromSmiles("COc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC")
    assert calc_descriptors(mol) == pytest.approx(Descriptors.CalcMolDescriptors(mol), nan_ok=True)


def test_infinite_descriptor_values_become_nan_and_are_reported(monkeypatch):
    import drugml.featurize as featurize

    real = featurize.calc_descriptors

    def overflowing(mol, names=None):
        values = real(mol, names)
        if mol.GetNumAtoms() > 3:
            values["Ipc"] = 1e300  # beyond float32, as Ipc gets for large molecules
        return values

    monkeypatch.setattr(featurize._descriptors, "calc_descriptors", overflowing)
    featurizer = RDKitDescriptors(descriptors=["Ipc", "MolWt"])
    X = featurizer.transform(["CCO", "CCCCCCCC"])
    assert np.isfinite(X[0]).all()
    assert np.isnan(X[1, 0]) and np.isfinite(X[1, 1])
    assert featurizer.last_nonfinite_ == {"Ipc": [1]}


def test_invalid_molecules_give_nan_rows_named_by_index():
    with pytest.warns(UserWarning, match=r"2 of 4 molecules.*\[1\] 'C1CC'.*\[3\] ''"):
        X = ECFP(n_bits=64).transform(["CCO", "C1CC", "c1ccccc1", ""])
    assert X.dtype == np.float32
    assert np.isnan(X[[1, 3]]).all() and not np.isnan(X[[0, 2]]).any()
    with pytest.raises(FeaturizationError, match=r"\[1\] 'C1CC'"):
        ECFP(n_bits=64, strict=True).transform(["CCO", "C1CC"])


def test_parallel_and_chunked_results_equal_serial():
    serial = ECFP().transform(SMILES)
    np.testing.assert_array_equal(ECFP(n_jobs=2, chunk_size=97).transform(SMILES), serial)
    np.testing.assert_array_equal(ECFP(chunk_size=7).transform(pd.Series(SMILES)), serial)


def test_sklearn_protocol():
    featurizer = ECFP(radius=3, n_bits=512, counts=True)
    assert featurizer.get_params()["radius"] == 3
    cloned = clone(featurizer).set_params(n_bits=256)
    assert cloned.fit_transform(["CCO"]).shape == (1, 256)
    assert featurizer.get_feature_names_out()[:2].tolist() == ["ecfp6_0", "ecfp6_1"]
    assert pickle.loads(pickle.dumps(featurizer)).transform(["CCO"]).shape == (1, 512)
    # A 2-D one-column array (as ColumnTransformer passes it) is accepted.
    assert featurizer.transform(np.array([["CCO"], ["CCN"]], dtype=object)).shape == (2, 512)


def test_pipeline_and_cross_val_score_on_real_data():
    esol = data.load("esol").iloc[:300]
    features = FeatureUnion(
        [("ecfp", ECFP(n_bits=512)), ("desc", RDKitDescriptors(["MolLogP", "TPSA"]))]
    )
    pipeline = Pipeline([("features", features), ("ridge", Ridge(alpha=10.0))])
    scores = cross_val_score(
        pipeline, esol["smiles"], esol["measured log solubility in mols per litre"], cv=3
    )
    assert np.isfinite(scores).all() and scores.mean() > 0.3


def test_molecular_features_parse_once_and_match_union():
    union = FeatureUnion([("ecfp", ECFP(n_bits=256)), ("maccs", MACCS())])
    combined = MolecularFeatures([("ecfp", ECFP(n_bits=256)), ("maccs", MACCS())])
    np.testing.assert_array_equal(
        combined.fit_transform(SMILES[:100]), union.fit_transform(SMILES[:100])
    )
    names = combined.get_feature_names_out()
    assert names[0] == "ecfp__ecfp4_0" and names[-1] == "maccs__maccs_166"


def test_scaled_descriptors_learn_on_fit():
    featurizer = RDKitDescriptors(["MolWt", "TPSA"], scale=True)
    X = featurizer.fit_transform(SMILES[:200])
    np.testing.assert_allclose(np.nanmean(X, axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(np.nanstd(X, axis=0), 1, atol=1e-4)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        RDKitDescriptors(["MolWt"], scale=True).transform(["CCO"])


def test_bad_inputs():
    with pytest.raises(TypeError, match="not one string"):
        ECFP().transform("CCO")
    with pytest.raises(ValueError, match="Unknown RDKit descriptors"):
        RDKitDescriptors(["NotADescriptor"]).transform(["CCO"])
    with pytest.raises(ValueError, match="n_jobs"):
        ECFP(n_jobs=0).transform(["CCO"])


@pytest.mark.slow
def test_graph_featurizer_gives_graphs_and_names_failures():
    from drugml.featurize import GraphFeaturizer

    with pytest.warns(UserWarning, match=r"1 molecules gave no graph: \[1\] 'C1CC'"):
        graphs = GraphFeaturizer().transform(["CCO", "C1CC", "c1ccccc1"])
    assert graphs[1] is None
    assert graphs[0].num_nodes == 3 and graphs[2].num_nodes == 6
    conv = GraphFeaturizer(kind="molgraphconv").transform(["CCO"])[0]
    assert conv.node_features.shape[0] == 3
    with pytest.raises(ValueError, match="Unknown graph kind"):
        GraphFeaturizer(kind="nope").transform(["CCO"])


def test_tiled_tanimoto_equals_rdkit_bulk_similarity_exactly():
    from rdkit import DataStructs

    from drugml.featurize import bit_fingerprints, fingerprint_bits, max_tanimoto, tanimoto_blocks
    from drugml.models.split import tanimoto_neighbours

    smiles = [*data.load("approved_drugs")["smiles"].dropna().head(300), "[Na+].[Cl-]", "bad"]
    fps = bit_fingerprints(smiles)
    bits = fingerprint_bits(fps)
    expected = np.array([DataStructs.BulkTanimotoSimilarity(fp, fps) for fp in fps])
    tiles = np.zeros_like(expected)
    for i, j, tile in tanimoto_blocks(bits, bits, block=64):
        tiles[i : i + tile.shape[0], j : j + tile.shape[1]] = tile
    assert np.array_equal(tiles, expected)  # bit for bit, empty fingerprints included
    assert np.array_equal(max_tanimoto(bits[:50], bits[50:]), expected[:50, 50:].max(axis=1))
    neighbours = tanimoto_neighbours(fps, 0.5)
    assert all(
        np.array_equal(n, np.flatnonzero(row >= 0.5))
        for n, row in zip(neighbours, expected, strict=True)
    )


def test_top_tanimoto_gives_the_values_of_nearest_tanimoto_and_rdkit():
    from rdkit import DataStructs

    from drugml.featurize import bit_fingerprints, fingerprint_bits, nearest_tanimoto, top_tanimoto

    fps = bit_fingerprints(MOLS[:400])
    query, reference = fingerprint_bits(fps[:150]), fingerprint_bits(fps[150:])
    expected, _ = nearest_tanimoto(query, reference, k=5)
    assert np.array_equal(top_tanimoto(query, reference, k=5), expected)
    rdkit = [
        sorted(DataStructs.BulkTanimotoSimilarity(fp, fps[150:]), reverse=True)[:5]
        for fp in fps[:150]
    ]
    assert np.array_equal(top_tanimoto(query, reference, k=5), np.array(rdkit))
    # fewer references than k: zeros, as nearest_tanimoto
    assert np.array_equal(
        top_tanimoto(query, reference[:3], k=5), nearest_tanimoto(query, reference[:3], k=5)[0]
    )
