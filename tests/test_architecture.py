"""The package's shape: layers import only downwards, no import circles, the top folder shows
the layers, old import paths still work (with a warning) through one alias table."""

from __future__ import annotations

import importlib
import warnings

import pytest

import drugml._aliases as aliases
from tests.architecture import (
    LAYER_OF,
    PACKAGE,
    import_cycles,
    import_edges,
    package_sources,
    upward_imports,
)


@pytest.fixture(scope="module")
def sources():
    return package_sources()


def test_no_import_points_up_the_layers(sources):
    assert upward_imports(import_edges(sources)) == []


def test_no_import_circles_even_inside_functions(sources):
    assert import_cycles(import_edges(sources)) == []


def test_an_upward_import_inside_a_function_is_caught(sources):
    """Negative control: one import of the campaign hidden in a chemistry function."""
    changed = dict(sources)
    changed["drugml.chem.scaffolds"] += (
        "\n\ndef _sneaky():\n    from drugml.campaign.pipeline import run\n\n    return run\n"
    )
    found = set(upward_imports(import_edges(changed))) - set(upward_imports(import_edges(sources)))
    assert len(found) == 1
    assert next(iter(found)).startswith("drugml.chem.scaffolds:")
    assert "imports drugml.campaign.pipeline" in next(iter(found))


def test_a_circle_inside_one_layer_is_caught(sources):
    """Negative control: two screening modules importing each other, one inside a function."""
    changed = dict(sources)
    changed["drugml.screening.ranking_config"] += (
        "\n\ndef _sneaky():\n    import drugml.screening.rank\n"
    )
    cycles = import_cycles(import_edges(changed))
    assert ["drugml.screening.rank", "drugml.screening.ranking_config"] in cycles


def test_lazy_tables_and_import_module_count_as_imports(sources):
    edges = import_edges(sources)
    assert "drugml.viz.view3d" in edges["drugml.viz"]  # the lazy 3D names
    assert "drugml.structure.rna" in edges["drugml.viz"]


def test_the_top_folder_shows_the_layers():
    import drugml

    entries = {p.stem for p in PACKAGE.iterdir() if p.name not in ("__pycache__", "_vendor")}
    assert entries == {"__init__", *LAYER_OF}
    assert set(drugml.LAYERS) == {k for k in LAYER_OF if not k.startswith("_")}


#: Every drugml name that the previous release's README and notebooks used (found in their
#: text at da398e1 and checked to exist there), and the modules they imported whole.
OLD_NAMES = (
    "drugml.admet.ENDPOINTS",
    "drugml.admet.endpoint_table",
    "drugml.admet.load_panel",
    "drugml.admet.train_panel",
    "drugml.chem.read_molecules",
    "drugml.chem.standardize",
    "drugml.chem.to_mol",
    "drugml.curate.curate_bioactivities",
    "drugml.curate.curation_summary",
    "drugml.data.DataIntegrityError",
    "drugml.data.data_dir",
    "drugml.data.info",
    "drugml.data.list_datasets",
    "drugml.data.load",
    "drugml.data.path",
    "drugml.data.verify",
    "drugml.dock.DockingSettings",
    "drugml.dock.KeyInteraction",
    "drugml.dock.WARHEADS",
    "drugml.dock.box_from_ligand",
    "drugml.dock.bridging_waters",
    "drugml.dock.covalent_attachments",
    "drugml.dock.dock",
    "drugml.dock.dock_many",
    "drugml.dock.pose_rmsd",
    "drugml.dock.prepare_receptor",
    "drugml.dock.read_poses",
    "drugml.errors.DrugmlError",
    "drugml.featurize.ECFP",
    "drugml.featurize.MolecularFeatures",
    "drugml.featurize.RDKitDescriptors",
    "drugml.featurize.tanimoto_similarity",
    "drugml.filters.alert_matches",
    "drugml.filters.druglikeness",
    "drugml.metrics.enrichment_summary",
    "drugml.models.PropertyModel",
    "drugml.notebooks.execute_notebook",
    "drugml.pipeline.IN_MEMORY_RANKING_ROWS",
    "drugml.pipeline.find_known_actives",
    "drugml.rank.DEFAULT_RANKING",
    "drugml.rank.desirability",
    "drugml.rank.rank_candidates",
    "drugml.rank_stream.rank_screen",
    "drugml.report.write_ranking_report",
    "drugml.rna.BASE_COLORS",
    "drugml.rna.RNASequenceError",
    "drugml.rna.base_pairs",
    "drugml.rna.ligand_contact_positions",
    "drugml.rna.rna_secondary_structure",
    "drugml.scaffolds.scaffold_table",
    "drugml.scaffolds.scaffolds",
    "drugml.schema.DEFAULT_RANKING",
    "drugml.schema.model_columns",
    "drugml.screen.ShortlistBound",
    "drugml.screen.load_rejects",
    "drugml.screen.load_results",
    "drugml.screen.merge_salt_forms",
    "drugml.screen.screen_library",
    "drugml.split.butina_clusters",
    "drugml.split.cluster_split",
    "drugml.split.random_split",
    "drugml.split.scaffold_split",
    "drugml.structure.NOT_LIGANDS",
    "drugml.structure.load_structure",
    "drugml.structure.place_like_reference",
    "drugml.structure.residue_mapping",
    "drugml.structure.superpose",
    "drugml.uncertainty.SimilarityConformal",
    "drugml.uncertainty.conformal_quantile",
    "drugml.view3d.PALETTE",
    "drugml.view3d.legend_html",
    "drugml.viz.ACCENT_COLOR",
    "drugml.viz.PRIMARY_COLOR",
    "drugml.viz.draw_rna_secondary_structure",
    "drugml.viz.molecule_grid",
    "drugml.viz.plot_admet_percentiles",
    "drugml.viz.plot_chemical_space",
    "drugml.viz.plot_curation_log",
    "drugml.viz.plot_distribution",
    "drugml.viz.plot_error_vs_similarity",
    "drugml.viz.plot_parity",
    "drugml.viz.plot_property_distributions",
    "drugml.viz.plot_ro5_radar",
    "drugml.viz.plot_roc",
    "drugml.viz.rna_secondary_structure",
    "drugml.viz.view_binding_site",
    "drugml.viz.view_rna",
    "drugml.viz.view_structure",
    "drugml.viz.view_superposed",
)
OLD_MODULES = (
    "admet",
    "chem",
    "curate",
    "data",
    "dock",
    "featurize",
    "filters",
    "metrics",
    "pipeline",
    "rank",
    "rna",
    "scaffolds",
    "schema",
    "screen",
    "split",
    "structure",
    "viz",
)


@pytest.mark.parametrize("old", OLD_NAMES)
def test_old_names_still_import_with_a_warning_naming_the_new_path(old):
    module, _, name = old.rpartition(".")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = getattr(importlib.import_module(module), name)
    moved = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    if module in aliases.MODULES:
        home = aliases.new_home(module, name)
        assert len(moved) == 1 and f"import {name} from {home}" in str(moved[0].message)
        assert moved[0].filename == __file__  # the warning points at the caller
        assert getattr(importlib.import_module(home), name) is value
    else:  # the old path is a path of the new layout: no warning
        assert moved == []


@pytest.mark.parametrize("name", OLD_MODULES)
def test_old_modules_import_from_the_package(name):
    import drugml

    module = getattr(drugml, name)
    assert module is importlib.import_module(f"drugml.{name}")


def test_the_alias_table_points_at_modules_that_exist():
    for old, new in aliases.MODULES.items():
        assert importlib.import_module(new).__name__ == new, old
    for old, new in aliases.NAMES.items():
        name = old.rpartition(".")[2]
        assert hasattr(importlib.import_module(new), name), old


def test_an_unknown_name_of_an_old_module_is_an_attribute_error():
    import drugml.dock as old_dock

    with pytest.raises(AttributeError, match="no attribute 'no_such_thing'"):
        _ = old_dock.no_such_thing


def test_ranking_config_keeps_its_old_dict_access_for_one_release():
    from drugml.screening.ranking_config import parse_ranking

    config = parse_ranking({"top_k": 3})
    with pytest.warns(DeprecationWarning, match="use ranking.top_k"):
        assert config["top_k"] == 3
