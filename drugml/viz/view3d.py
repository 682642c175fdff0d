"""Interactive 3D views of targets, binding sites, ligands and RNA (py3Dmol), offline.

Every function returns a :class:`MoleculeView`: a ``py3Dmol.view`` that shows
itself in JupyterLab, survives ``nbconvert`` export and writes a standalone
page with :meth:`MoleculeView.save_html`. Each view carries the local,
checksum-verified 3Dmol.js (see :mod:`drugml.data.assets`) inside its own HTML, so
it renders with no network, in live JupyterLab, in exported notebooks and in
drugml's reports; the library is evaluated once per page. When 3Dmol.js is not
installed the views fall back to py3Dmol's pinned CDN URL, and drugml says once
how to make them work offline (``drugml viewer install``).

Notebooks executed elsewhere open *untrusted* in Jupyter, which blocks the
scripts in their outputs: re-run the cells (or trust the notebook) to see views.

Example
-------
>>> from drugml.viz.view3d import view_binding_site
>>> view = view_binding_site("egfr_1m17", "AQ4")
>>> html = view.to_html()
>>> "createViewer" in html
True
"""

from __future__ import annotations

import html as html_lib
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import py3Dmol

from drugml.viz import VisualizationError

if TYPE_CHECKING:
    from rdkit import Chem

    from drugml.structure import Ligand, Structure

__all__ = [
    "BASE_COLORS",
    "MoleculeView",
    "dedupe_library",
    "legend_html",
    "library_html",
    "view_binding_site",
    "view_molecule",
    "view_rna",
    "view_structure",
    "view_superposed",
]

#: Nucleotide colours (the usual A green, C blue, G orange, U red convention).
BASE_COLORS = {"A": "#2ca02c", "C": "#1f77b4", "G": "#ff7f0e", "U": "#d62728", "T": "#d62728"}
#: Distinct colours for chains / superposed structures (colour-blind friendly, Okabe-Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
_CDN_WARNED = False


def _cdn_url() -> str:
    """py3Dmol's own pinned default URL for 3Dmol.js (used only when no local copy exists)."""
    import inspect

    return inspect.signature(py3Dmol.view.__init__).parameters["js"].default


def _loader(js: str) -> str:
    """Inline script that evaluates 3Dmol.js once per page and tells py3Dmol it is loaded.

    ``define``/``exports``/``module`` are hidden while it runs so that a page
    with require.js or a CommonJS shim gets the ``$3Dmol`` global, not a module.
    """
    return (
        "<script>\n"
        'if (typeof window.$3Dmol === "undefined") {\n'
        "var __drugmlSaved = {define: window.define, exports: window.exports, "
        "module: window.module};\n"
        "window.define = undefined; window.exports = undefined; window.module = undefined;\n"
        "try {\n" + js + "\n} finally {\n"
        "window.define = __drugmlSaved.define; window.exports = __drugmlSaved.exports; "
        "window.module = __drugmlSaved.module;\n}\n"
        "window.$3Dmolpromise = Promise.resolve();\n"
        '} else if (typeof window.$3Dmolpromise === "undefined") {\n'
        "window.$3Dmolpromise = Promise.resolve();\n}\n"
        "</script>\n"
    )


class MoleculeView(py3Dmol.view):
    """A py3Dmol view with 3Dmol.js embedded; ``save_html(path)`` writes a standalone page.

    Use it like ``py3Dmol.view`` (``addModel``, ``setStyle``, ``zoomTo`` ...).
    """

    def __init__(self, width: int = 640, height: int = 480, title: str = "", **kwargs: Any) -> None:
        from drugml.data.assets import threedmol_js

        js = threedmol_js()
        self.title = title
        self._offline = js is not None
        self._loader_html = _loader(js) if js is not None else ""
        if js is None:
            _warn_cdn_once()
        super().__init__(width=width, height=height, js="" if js else _cdn_url(), **kwargs)

    @property
    def offline(self) -> bool:
        """True when the view embeds the local 3Dmol.js (renders with no network)."""
        return self._offline

    def _make_html(self) -> str:
        return self._loader_html + super()._make_html()

    def to_html(self, include_library: bool = True) -> str:
        """The view as an HTML fragment (a ``div`` and its scripts).

        ``include_library=False`` leaves 3Dmol.js out: for a page that holds
        several views and puts :func:`library_html` once before the first.
        """
        return self._make_html() if include_library else py3Dmol.view._make_html(self)

    def _repr_html_(self) -> str:
        # Plain text/html only: py3Dmol also publishes a custom MIME type with
        # the same (here 540 KB) content, doubling every notebook's size.
        return self._make_html()

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        display(HTML(self._make_html()))

    def show(self) -> None:
        """Display the view in a notebook."""
        self._ipython_display_()

    def save_html(self, path: str | Path) -> Path:
        """Write a standalone HTML page with the view; it opens offline in any browser."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        title = html_lib.escape(self.title or "drugml 3D view")
        page = (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{title}</title>\n</head>\n"
            '<body style="margin: 0; padding: 8px; font-family: sans-serif;">\n'
            + (f"<h3>{title}</h3>\n" if self.title else "")
            + self._make_html()
            + "\n</body>\n</html>\n"
        )
        path.write_text(page, encoding="utf-8")
        return path


def library_html() -> str:
    """The local 3Dmol.js as one inline ``<script>``, for a page's views to share.

    Evaluated once per page even if it appears several times; ``""`` when
    3Dmol.js is not installed (views then name the CDN themselves). Pages with
    several views (drugml's report, exported notebooks) carry it once:
    :func:`dedupe_library` removes the later copies from a page.
    """
    from drugml.data.assets import threedmol_js

    js = threedmol_js()
    return _loader(js) if js is not None else ""


def dedupe_library(page: str) -> str:
    """A page with 3Dmol.js once: every copy of :func:`library_html` after the first removed.

    >>> dedupe_library("no views here")
    'no views here'
    """
    library = library_html()
    first = page.find(library) if library else -1
    if first < 0:
        return page
    cut = first + len(library)
    return page[:cut] + page[cut:].replace(library, "")


def _warn_cdn_once() -> None:
    global _CDN_WARNED
    if not _CDN_WARNED:
        _CDN_WARNED = True
        warnings.warn(
            "3Dmol.js is not installed locally, so 3D views load it from a CDN and stay blank "
            "without network access. Run `drugml viewer install` (or `python -m drugml viewer "
            "install`) once to make them work offline.",
            UserWarning,
            stacklevel=3,
        )


# ---------------------------------------------------------------- helpers
def _structure(structure: Structure | str | Path) -> Structure:
    from drugml.structure import Structure, load_structure

    return structure if isinstance(structure, Structure) else load_structure(structure)


def _ligand_selection(ligand: Ligand) -> dict[str, Any]:
    return {"resn": ligand.resname, "chain": ligand.chain, "resi": ligand.resnum}


def _around(ligand: Ligand, distance: float) -> dict[str, Any]:
    """3Dmol.js selection of every atom within ``distance`` Å of a ligand (for zooming)."""
    return {"within": {"distance": float(distance), "sel": _ligand_selection(ligand)}}


def _check_chains(structure: Structure, chains: Sequence[str] | None) -> list[str]:
    present = [c.id for c in structure.chains]
    if chains is None:
        return present
    missing = [c for c in chains if c not in present]
    if missing or not chains:
        from drugml.structure import StructureError

        raise StructureError(
            f"{structure.name}: nothing to show for chains {list(chains)}; chains present: "
            f"{present}"
        )
    return list(chains)


def _cartoon_style(color: str, structure: Structure, chain_index: int = 0) -> dict[str, Any]:
    if color == "chain":
        return {"cartoon": {"colorscheme": "chain"}}
    if color in ("secondary_structure", "ss"):
        return {"cartoon": {"colorscheme": "ssPyMol"}}
    if color in ("bfactor", "b"):
        values = [a.get_bfactor() for a in structure.model.get_atoms()]
        low, high = (min(values), max(values)) if values else (0.0, 100.0)
        return {
            "cartoon": {"colorscheme": {"prop": "b", "gradient": "rwb", "min": high, "max": low}}
        }
    if color == "spectrum":
        return {"cartoon": {"color": "spectrum"}}
    if color.startswith("#") or color.isalpha():
        return {"cartoon": {"color": color}}
    raise VisualizationError(
        f"color must be 'chain', 'secondary_structure', 'bfactor', 'spectrum' or a colour, "
        f"got {color!r}"
    )


def _add_ligands(view: MoleculeView, ligands: Sequence[Ligand], carbon: str = "green") -> None:
    for ligand in ligands:
        view.setStyle(
            _ligand_selection(ligand), {"stick": {"colorscheme": f"{carbon}Carbon", "radius": 0.25}}
        )


def _mol_block(mol: Chem.Mol) -> str:
    from rdkit import Chem

    if mol.GetNumConformers() == 0 or not mol.GetConformer().Is3D():
        raise VisualizationError(
            "The molecule has no 3D coordinates; embed it first "
            "(drugml.structure.place_like_reference or RDKit's EmbedMolecule)"
        )
    return Chem.MolToMolBlock(mol)


# ------------------------------------------------------------------ views
def view_structure(
    structure: Structure | str | Path,
    color: str = "chain",
    chains: Sequence[str] | None = None,
    ligands: bool = True,
    surface: bool = False,
    width: int = 640,
    height: int = 480,
) -> MoleculeView:
    """Cartoon of a protein (or nucleic acid) structure with its ligands as sticks.

    ``color``: ``"chain"``, ``"secondary_structure"`` (helices red, strands
    yellow, PyMOL's scheme; 3Dmol.js assigns them when the file has none),
    ``"bfactor"`` (blue = ordered, red = mobile), ``"spectrum"`` (N to C
    terminus) or one colour. ``chains`` limits the view (an unknown chain
    raises :class:`~drugml.structure.StructureError` naming the chains there are).

    >>> view = view_structure("egfr_1m17", color="secondary_structure")
    >>> view.offline  # doctest: +SKIP
    True
    """
    structure = _structure(structure)
    shown = _check_chains(structure, chains)
    view = MoleculeView(width, height, title=f"{structure.name}")
    view.addModel(structure.to_pdb(), "pdb")
    view.setStyle({}, {})
    view.setStyle({"chain": shown}, _cartoon_style(color, structure))
    if ligands:
        _add_ligands(view, [x for x in structure.ligands() if x.chain in shown])
    if surface:
        view.addSurface("VDW", {"opacity": 0.5, "color": "white"}, {"chain": shown})
    view.zoomTo({"chain": shown})
    return view


def view_binding_site(
    structure: Structure | str | Path,
    ligand: str | Ligand,
    cutoff: float = 5.0,
    surface: bool = True,
    labels: bool = True,
    candidates: Sequence[Chem.Mol] = (),
    width: int = 640,
    height: int = 480,
) -> MoleculeView:
    """The pocket of a ligand: residues within ``cutoff`` Å as labelled sticks, the ligand too.

    The rest of the protein is a thin grey cartoon; ``surface`` adds a
    transparent surface over the pocket residues. ``candidates`` are RDKit
    molecules with 3D coordinates in the structure's frame (for instance from
    :func:`drugml.structure.place_like_reference`), drawn as sticks with
    magenta carbons. An unknown ligand raises
    :class:`~drugml.structure.StructureError` listing the ligands present.
    """
    structure = _structure(structure)
    ligand = structure.ligand(ligand)
    site = structure.binding_site(ligand, cutoff)
    view = MoleculeView(width, height, title=f"{structure.name}: {ligand.label} pocket")
    view.addModel(structure.to_pdb(), "pdb")
    view.setStyle({}, {"cartoon": {"color": "lightgrey", "opacity": 0.6}})
    for chain, group in site.groupby("chain"):
        pocket = {"chain": chain, "resi": [int(r) for r in group["resnum"]]}
        view.addStyle(pocket, {"stick": {"colorscheme": "whiteCarbon", "radius": 0.15}})
        if labels:
            label_style = {
                "fontSize": 11,
                "fontColor": "black",
                "backgroundOpacity": 0.6,
                "backgroundColor": "white",
            }
            view.addResLabels(pocket, label_style)
        if surface:
            view.addSurface("VDW", {"opacity": 0.25, "color": "#9ecae1"}, pocket)
    _add_ligands(view, [ligand])
    for i, mol in enumerate(candidates):
        view.addModel(_mol_block(mol), "sdf")
        view.setStyle({"model": i + 1}, {"stick": {"colorscheme": "magentaCarbon", "radius": 0.2}})
    view.zoomTo(_around(ligand, cutoff))
    return view


def view_superposed(
    structures: Sequence[Structure],
    ligands: bool = True,
    width: int = 640,
    height: int = 480,
) -> MoleculeView:
    """Several structures (already superposed, see :func:`drugml.structure.superpose`), one
    colour each, with their ligands as sticks in the same colour."""
    if not structures:
        raise VisualizationError("view_superposed needs at least one structure")
    view = MoleculeView(width, height, title=", ".join(s.name for s in structures))
    for i, structure in enumerate(structures):
        colour = PALETTE[i % len(PALETTE)]
        view.addModel(structure.to_pdb(), "pdb")
        view.setStyle({"model": i}, {"cartoon": {"color": colour, "opacity": 0.8}})
        if ligands:
            for ligand in structure.ligands():
                view.setStyle(
                    {"model": i, **_ligand_selection(ligand)},
                    {"stick": {"color": colour, "radius": 0.2}},
                )
    view.zoomTo()
    return view


def view_rna(
    structure: Structure | str | Path,
    ligand: str | Ligand | None = None,
    cutoff: float = 4.0,
    chains: Sequence[str] | None = None,
    width: int = 640,
    height: int = 480,
) -> MoleculeView:
    """An RNA structure: backbone cartoon, nucleotides coloured by base (A, C, G, U).

    With ``ligand``: the ligand as sticks and the nucleotides within
    ``cutoff`` Å of it as sticks too, the view centred on the pocket.
    """
    structure = _structure(structure)
    nucleic = [c.id for c in structure.chains if c.type in ("RNA", "DNA")]
    shown = _check_chains(structure, chains if chains is not None else nucleic or None)
    view = MoleculeView(width, height, title=f"{structure.name} (RNA)")
    view.addModel(structure.to_pdb(), "pdb")
    view.setStyle({}, {})
    for base, colour in BASE_COLORS.items():
        view.setStyle(
            {"chain": shown, "resn": [base, f"D{base}"]},
            {"cartoon": {"color": colour, "thickness": 0.6}},
        )
    if ligand is not None:
        ligand = structure.ligand(ligand)
        site = structure.binding_site(ligand, cutoff)
        for chain, group in site.groupby("chain"):
            view.addStyle(
                {"chain": chain, "resi": [int(r) for r in group["resnum"]]},
                {"stick": {"radius": 0.15}},
            )
        _add_ligands(view, [ligand], carbon="magenta")
        view.zoomTo(_around(ligand, cutoff))
    else:
        _add_ligands(view, [x for x in structure.ligands() if x.chain in shown], "magenta")
        view.zoomTo({"chain": shown})
    return view


def view_molecule(
    mol: Chem.Mol, style: str = "stick", width: int = 400, height: int = 300
) -> MoleculeView:
    """One small molecule with 3D coordinates (``style``: stick, sphere or line)."""
    view = MoleculeView(width, height, title=mol.GetProp("_Name") if mol.HasProp("_Name") else "")
    view.addModel(_mol_block(mol), "sdf")
    view.setStyle({}, {style: {}})
    view.zoomTo()
    return view


def legend_html(items: dict[str, str]) -> str:
    """A small HTML colour legend (label -> colour) to show beside a view."""
    chips = "".join(
        f'<span style="display:inline-block;margin-right:12px"><span style="display:inline-block;'
        f'width:12px;height:12px;background:{colour};margin-right:4px"></span>'
        f"{html_lib.escape(label)}</span>"
        for label, colour in items.items()
    )
    return f'<div style="font-family:sans-serif;font-size:12px">{chips}</div>'
