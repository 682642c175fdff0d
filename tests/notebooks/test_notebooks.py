"""Every notebook in notebooks/ runs top to bottom, offline, from its stored form."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest
from conftest import NETWORK_GUARD, NOTEBOOK_DIR
from environments import (
    binder_distributions,
    demo_distributions,
    distributions_of,
    import_recorder,
)

from drugml.report.gallery import execute_notebook, find_notebooks

NOTEBOOKS = find_notebooks(NOTEBOOK_DIR)

# Quicker settings for the slowest steps, through each notebook's parameters cell: every
# cell still runs, with smaller models or fewer molecules. No notebook checks a number; the
# test checks that every cell runs offline, that pictures are shown and what is imported.
QUICK_XGBOOST = {"n_estimators": 50, "learning_rate": 0.3}
TEST_PARAMETERS = {
    "03_chemical_space": {"map_sample": 500},  # t-SNE grows quadratically
    "04_property_models": {"xgb_params": QUICK_XGBOOST, "forest_trees": 10},
    "05_screening_and_ranking": {"estimator_params": QUICK_XGBOOST},
    "06_scale_out": {"n_records": 200},
    "08_docking": {"shortlist": ["IBUPROFEN"]},  # docks in 5 s, gefitinib in 30
    # the ready panel's light endpoints (built once per session into its cache)
    "09_admet_profile": {
        "endpoints": ["herg", "hia_hou", "dili"],
        "calibration_endpoints": ["herg", "dili"],
    },
    "10_design_loop": {"estimator_params": QUICK_XGBOOST},
}


def _parameter_names(cell: dict) -> set[str]:
    """The names a parameters cell assigns."""
    tree = ast.parse("".join(cell["source"]))
    return {
        t.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_clean_with_a_parameters_cell(path: Path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    # the settings the tests run it with are parameters it has
    assert set(TEST_PARAMETERS.get(path.stem, {})) <= _parameter_names(tagged[0])
    first_markdown = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "".join(first_markdown["source"]).startswith("# "), "a title comes first"
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for section in ("Aim", "Theory", "Practical", "Discussion"):
        assert section in text, f"missing section {section}"


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_offline(path: Path, tmp_path: Path):
    imported = tmp_path / "imports.txt"
    preamble = NETWORK_GUARD + import_recorder(imported)
    nb = execute_notebook(path, TEST_PARAMETERS.get(path.stem), preamble=preamble, timeout=600)
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
    # Pictures, not only numbers: every notebook shows at least one image.
    images = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if {"image/png", "image/svg+xml"} & set(o.get("data", {}))
    ]
    assert images, f"{path.name} shows no picture"
    # Everything the notebook imports, itself or through the drugml functions it
    # calls, is installed by the README's demo command and on Binder.
    needed = distributions_of(set(imported.read_text().split()))
    assert needed, "the import recorder saw nothing"
    for where, provided in (
        ("scripts/demo.sh", demo_distributions()),
        ("binder/environment.yml", binder_distributions()),
    ):
        missing = {m: d for m, d in needed.items() if not d & provided}
        assert not missing, f"{path.name} imports {missing}, which {where} does not install"


@pytest.mark.notebook
@pytest.mark.slow
def test_data_tour_follows_its_parameters():
    nb = execute_notebook(
        NOTEBOOK_DIR / "00_data_tour.ipynb",
        parameters={"n_top": 3, "reference_drugs": ["GEFITINIB", "NOT A DRUG"]},
        preamble=NETWORK_GUARD,
    )
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "n_top = 3" in injected[0].source
    text = nbformat.writes(nb)
    assert "1 of 2 reference drugs are in the library; not found: NOT A DRUG" in text
