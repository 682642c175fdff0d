"""drugml.viz: grids keep one cell per input; plots are labelled."""

from __future__ import annotations

import math
import re

import matplotlib.pyplot as plt
import pandas as pd
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


def test_grid_highlight_atoms_per_molecule():
    grid = molecule_grid(["c1ccccc1O", "CCN"], highlight_atoms=[[0, 1], []])
    assert "#FF7F7F" in grid.svg.upper()
    with pytest.raises(ValueError, match="2 molecules but 1 highlight lists"):
        molecule_grid(["c1ccccc1O", "CCN"], highlight_atoms=[[0]])
    with pytest.raises(ValueError, match="either highlight or highlight_atoms"):
        molecule_grid(["CCO"], highlight="C", highlight_atoms=[[0]])


def test_curation_log_plot_has_one_bar_per_step():
    from drugml.chem.curate import curate_bioactivities
    from drugml.viz import plot_curation_log

    raw = pd.DataFrame(
        {
            "molecule_chembl_id": ["A", "A", "B"],
            "standard_type": ["IC50"] * 3,
            "standard_relation": ["=", ">", "="],
            "standard_value": [10.0, 5.0, 100.0],
            "standard_units": ["nM"] * 3,
            "smiles": ["CCO", "CCO", "c1ccccc1"],
        }
    )
    _, log = curate_bioactivities(raw)
    ax = plot_curation_log(log)
    assert len(ax.patches) == len(log)
    assert any("1 dropped" in t.get_text() for t in ax.texts)
    plt.close(ax.figure)


def test_property_plots_split_by_group():
    from drugml.viz import plot_property_distributions, plot_ro5_radar

    table = pd.DataFrame(
        {
            "mw": [300.0, 450.0, 520.0, 250.0],
            "clogp": [2.0, 4.0, 5.5, 1.0],
            "hbd": [1, 2, 3, 0],
            "hba": [4, 6, 9, 3],
            "tpsa": [60.0, 90.0, 150.0, 40.0],
            "active": [True, True, False, False],
        }
    )
    fig = plot_property_distributions(table, ["mw", "clogp"], by="active", limits={"mw": 500})
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == ["mw", "clogp"]
    plt.close(fig)
    ax = plot_ro5_radar(table, by="active", labels={True: "active", False: "inactive"})
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["inactive (n=2)", "active (n=2)", "rule limit"]
    plt.close(ax.figure)


def _admet_tidy() -> pd.DataFrame:
    """A tidy table as AdmetPanel.predict writes it: two molecules, one unusable."""
    rows = []
    for record, (name, ok) in enumerate([("gefitinib", True), ("typo", False), ("ethanol", True)]):
        for endpoint, pct in (("herg", 90.0), ("caco2_wang", 40.0), ("bbb_martins", 70.0)):
            value = pct - 10 * record if ok else math.nan
            rows.append(
                {
                    "record": record,
                    "id": name,
                    "endpoint": endpoint,
                    "percentile_vs_approved_drugs": value,
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("kind", ["radar", "bar"])
def test_admet_percentiles_mark_the_direction_and_skip_unusable_rows(kind):
    from drugml.viz import plot_admet_percentiles

    with pytest.warns(UserWarning, match=r"records \[1\] \(typo\)"):
        ax = plot_admet_percentiles(_admet_tidy(), kind=kind, reference=2)
    ticks = ax.get_xticklabels() if kind == "radar" else ax.get_yticklabels()
    texts = [t.get_text() for t in ticks]
    assert texts[0] == "hERG blockade\n(lower is better)"
    assert texts[1].endswith("(higher is better)") and texts[2].endswith("(context, not a goal)")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "median approved drug" in legend
    molecules = [label for label in legend if label != "median approved drug"]
    assert molecules == ["ethanol", "gefitinib"]  # the reference row first, then the molecules
    plt.close(ax.figure)


def test_admet_percentiles_reject_what_they_cannot_draw():
    from drugml.viz import VisualizationError, plot_admet_percentiles

    tidy = _admet_tidy().dropna()
    with pytest.raises(VisualizationError, match="percentile_vs_approved_drugs"):
        plot_admet_percentiles(tidy.drop(columns="percentile_vs_approved_drugs"))
    with pytest.raises(VisualizationError, match="kind"):
        plot_admet_percentiles(tidy, kind="pie")
    with pytest.raises(VisualizationError, match="at most 1"):
        plot_admet_percentiles(tidy, max_molecules=1)
    with pytest.raises(VisualizationError, match="ames"):
        plot_admet_percentiles(tidy, endpoints=["ames"])
