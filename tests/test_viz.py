"""drugml.viz: grids keep one cell per input; plots are labelled."""

from __future__ import annotations

import math
import re

import matplotlib.pyplot as plt
import pytest
from rdkit import Chem

from drugml import data
from drugml.viz import molecule_grid, plot_distribution


def test_grid_of_real_inhibitors_has_one_legend_per_molecule():
    top = data.load("egfr_compounds").head(6)
    grid = molecule_grid(top["smiles"], legends=top["molecule_chembl_id"].tolist(), n_cols=3)
    assert grid.svg.lstrip().startswith("<?xml")
    assert grid._repr_svg_() == grid.svg
    # 6 cells in a 3-wide grid: the SVG is two cells high.
    height = int(re.search(r"height='(\d+)px'", grid.svg).group(1))
    assert height == 2 * 200


def test_grid_accepts_mols_and_saves(tmp_path):
    grid = molecule_grid([Chem.MolFromSmiles("c1ccccc1O")], legends=["phenol"])
    path = grid.save(tmp_path / "grid.svg")
    assert path.read_text() == grid.svg


def test_invalid_smiles_keeps_its_cell_and_is_named():
    with pytest.warns(UserWarning, match=r"entries \[1\]"):
        grid = molecule_grid(["CCO", "not a smiles", "c1ccccc1"], n_cols=3)
    width = int(re.search(r"width='(\d+)px'", grid.svg).group(1))
    assert width == 3 * 250


def test_mismatched_legends_are_an_error():
    with pytest.raises(ValueError, match="2 molecules but 1 legends"):
        molecule_grid(["CCO", "CCN"], legends=["one"])


def test_highlight_pattern_colours_the_match():
    plain = molecule_grid(["c1ccccc1Nc1ncnc2ccccc12"]).svg
    lit = molecule_grid(["c1ccccc1Nc1ncnc2ccccc12"], highlight="c1ncnc2ccccc12").svg
    assert lit != plain and "#FF7F7F" in lit.upper()


def test_bad_highlight_pattern_is_an_error():
    with pytest.raises(ValueError, match="not valid SMARTS"):
        molecule_grid(["CCO"], highlight="[[")


def test_distribution_plot_counts_missing_values():
    ax = plot_distribution([5.0, 6.0, 7.0, math.nan], "pIC50", threshold=6.3)
    assert ax.get_xlabel() == "pIC50"
    assert "n = 3, 1 missing" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["median 6.00", "threshold 6.3"]
    plt.close(ax.figure)
