"""Pictures: 2D molecule grids, interaction diagrams, plots of data and models, 3D views (py3Dmol)
and RNA drawings.

Example
-------
>>> from drugml.viz import molecule_grid
>>> grid = molecule_grid(["CCO", "c1ccccc1"])
"""

from __future__ import annotations

from drugml._util.lazy import lazy_submodules
from drugml.viz._admet import plot_admet_leaderboard, plot_admet_percentiles
from drugml.viz._interaction_diagram import INTERACTION_STYLES, interaction_diagram
from drugml.viz._molecules import (
    MoleculeGrid,
    molecule_grid,
    molecule_svg,
    pair_svg,
    similarity_map,
)
from drugml.viz._plots import (
    ACCENT_COLOR,
    PRIMARY_COLOR,
    RO5_LIMITS,
    VisualizationError,
    plot_chemical_space,
    plot_curation_log,
    plot_distribution,
    plot_error_vs_similarity,
    plot_parity,
    plot_property_distributions,
    plot_ro5_radar,
    plot_roc,
    reliability_plot,
)

# 3D and RNA helpers, loaded on first use so that `import drugml.viz` stays light.
_LAZY_NAMES = {
    "MoleculeView": "drugml.viz.view3d",
    "pocket_legend": "drugml.viz._pockets",
    "pocket_view": "drugml.viz._pockets",
    "plot_variant_lollipop": "drugml.viz._variants",
    "variant_legend": "drugml.viz._variants",
    "variant_structure_view": "drugml.viz._variants",
    "plot_scorer_evidence": "drugml.viz._scoring",
    "view_binding_site": "drugml.viz.view3d",
    "view_molecule": "drugml.viz.view3d",
    "view_rna": "drugml.viz.view3d",
    "view_structure": "drugml.viz.view3d",
    "view_superposed": "drugml.viz.view3d",
    "rna_secondary_structure": "drugml.structure.rna",
    "draw_rna_secondary_structure": "drugml.structure.rna",
}
__getattr__, __dir__ = lazy_submodules(__name__, ("view3d",), globals(), _LAZY_NAMES)

__all__ = [
    *_LAZY_NAMES,
    "ACCENT_COLOR",
    "INTERACTION_STYLES",
    "interaction_diagram",
    "molecule_grid",
    "plot_admet_leaderboard",
    "molecule_svg",
    "pair_svg",
    "MoleculeGrid",
    "plot_admet_percentiles",
    "plot_chemical_space",
    "plot_curation_log",
    "plot_distribution",
    "plot_error_vs_similarity",
    "plot_parity",
    "plot_property_distributions",
    "plot_ro5_radar",
    "plot_roc",
    "PRIMARY_COLOR",
    "reliability_plot",
    "RO5_LIMITS",
    "similarity_map",
    "VisualizationError",
    "view3d",
]
