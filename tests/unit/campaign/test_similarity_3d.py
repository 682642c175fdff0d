"""``similarity_3d:``: every unique screened molecule overlaid on the reference ligand before
the ranking; its columns can be objectives; each setting checked before any work."""

from __future__ import annotations

import pandas as pd
import pytest

from drugml.campaign._similarity import add_similarity_3d, similarity_references
from drugml.campaign.config import ConfigError, load_config
from drugml.campaign.pipeline import check_inputs

ERLOTINIB = "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC"


@pytest.fixture
def campaign(egfr_campaign):
    """The shared EGFR campaign with a ``similarity_3d`` section and ``target`` keys; its
    ranking has an overlay objective (``objective=True``)."""

    def build(similarity: dict, objective: bool = True, **target) -> dict:
        objectives = {
            "logs": {"column": "logs_prediction", "shape": "increasing", "low": -6, "high": -2}
        }
        if objective:
            objectives["overlay"] = {
                "column": "pharmacophore_similarity",
                "shape": "increasing",
                "low": 0.2,
                "high": 0.6,
            }
        return egfr_campaign(target, ranking={"objectives": objectives}, similarity_3d=similarity)

    return build


def test_the_target_reference_needs_the_crystal_ligand(campaign):
    with pytest.raises(ConfigError, match=r"needs target\.ligand and target\.ligand_smiles"):
        load_config(campaign({}))
    config = load_config(campaign({"references": ["c1ccccc1"]}))  # a SMILES needs no target
    assert config.similarity_3d.settings(seed=0).n_conformers >= 1


def test_overlay_columns_are_objectives_and_every_row_stays(campaign):
    inputs = check_inputs(campaign({}, ligand="AQ4", ligand_smiles=ERLOTINIB))
    assert similarity_references(inputs.config, inputs)[0][1:] == ("AQ4", ERLOTINIB)
    table = pd.DataFrame({"smiles": [ERLOTINIB, "CCO", "not a smiles"], "id": ["a", "b", "c"]})
    out, summary = add_similarity_3d(inputs.config, inputs, table, n_jobs=1, progress=False)
    assert len(out) == 3 and list(out["id"]) == ["a", "b", "c"]
    assert out["shape_status"].tolist() == ["ok", "ok", "unparsable"]
    assert out.loc[0, "pharmacophore_similarity"] > out.loc[1, "pharmacophore_similarity"]
    assert summary["statuses"] == {"ok": 2, "unparsable": 1}


def test_an_overlay_objective_without_the_section_is_refused(campaign):
    config = campaign({}, ligand="AQ4", ligand_smiles=ERLOTINIB)
    del config["similarity_3d"]
    with pytest.raises(ConfigError, match="pharmacophore_similarity"):
        check_inputs(config)
