"""``target.pocket``: a target without a ligand gets its binding site from a detected pocket,
and the docking box follows it; a rank that does not exist is refused before any work."""

from __future__ import annotations

import numpy as np
import pytest

from drugml.campaign._docking import docking_setup
from drugml.campaign.config import ConfigError, load_config
from drugml.campaign.pipeline import check_inputs


@pytest.fixture
def campaign(egfr_campaign):
    """The shared EGFR campaign with ``target`` keys, docking one molecule."""
    return lambda **target: egfr_campaign(target, docking={"top_n": 1, "keep_waters": "none"})


def test_auto_pocket_places_the_box_on_the_atp_site(campaign):
    inputs = check_inputs(campaign(pocket="auto"))
    receptor, box, settings = docking_setup(inputs.config, inputs)
    from drugml.structure import load_structure

    ligand = load_structure("egfr_1m17").ligand_residue("AQ4")
    atoms = np.array([atom.coord for atom in ligand.get_atoms()])
    low = np.array(box.center) - np.array(box.size) / 2
    assert (atoms > low + 1.0).all() and (atoms < low + np.array(box.size) - 1.0).all()
    assert receptor.report["binding_site"].startswith("pocket 1 of")
    assert "MET769.A" in receptor.report["pocket"]["residues"]
    assert settings.reference_interactions is None  # no reference ligand, no similarity


def test_no_ligand_means_auto(campaign):
    config = load_config(campaign())
    assert config.target.pocket_source == "auto"
    assert load_config(campaign(ligand="AQ4")).target.pocket_source == "ligand"


def test_a_pocket_rank_that_does_not_exist_is_refused_before_work(campaign):
    with pytest.raises(ConfigError, match=r"target.pocket.*rank 40.*No pocket of rank 40"):
        check_inputs(campaign(pocket="auto", pocket_rank=40))


def test_pocket_modes_need_what_they_name(campaign):
    with pytest.raises(ConfigError, match=r"pocket: ligand needs target\.ligand"):
        load_config(campaign(pocket="ligand"))
    with pytest.raises(ConfigError, match="pocket_residues"):
        load_config(campaign(pocket="residues"))
    with pytest.raises(ConfigError, match=r"target\.pocket_residues"):
        check_inputs(campaign(pocket="residues", pocket_residues=[99999]))
