"""The target's pocket on the campaign page: the best new candidate placed by analogy on the
reference ligand, and the docked candidates (how the receptor was prepared, their table and
each chosen pose in 3D). The 3D views are inline; their 3Dmol.js is in the page's head, once.

Example
-------
>>> pocket_section(None, None, None, None)
''
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from drugml.report._html import join_parts, table_html
from drugml.report._receptor_text import describe_receptor
from drugml.report._scoring_evidence import scoring_evidence_html
from drugml.report._view import molecule_name

__all__ = ["docking_html", "docking_section", "pocket_section"]


def _placed_candidate(
    structure: Any, target: Mapping[str, Any], ranked: Any, name_column: str | None
) -> tuple[list[Any], dict[str, str], str]:
    """The best-ranked passing candidate that is not a training compound, placed by analogy on
    the reference ligand: its pose (none when too little is in common), legend and note."""
    from drugml.chem import to_mol
    from drugml.structure import place_like_reference

    reference = structure.ligand_mol(target["ligand"], target["ligand_smiles"])
    pool = ranked[ranked["passes_filters"]]
    if "in_training_data" in pool:  # a molecule the model has not seen is more telling
        pool = pool[~pool["in_training_data"]]
    best = pool.head(1)
    if not len(best):
        return [], {}, ""
    row = next(best.itertuples(index=False))
    pose = place_like_reference(to_mol(row.smiles), reference)
    if pose.GetIntProp("mcs_atoms") < 6:
        too_little = (
            f"Candidate #{row.rank}, the best-ranked new molecule, shares too little "
            "with the reference ligand to be placed by analogy; only the reference "
            "ligand is shown."
        )
        return [], {}, too_little
    name = molecule_name(row, name_column)
    legend = {f"candidate #{row.rank} {name} (magenta carbons)": "#ff00ff"}
    note = (
        f"Candidate #{row.rank}, {name}, is the best-ranked "
        "molecule that passes the filters and is not in the training data. It is "
        f"placed by analogy on the reference ligand ({pose.GetIntProp('mcs_atoms')}"
        " atoms in common, the rest embedded around them): an illustration of how "
        "it could sit, not a docked pose."
    )
    return [pose], legend, note


def _pocket_view(target: Any, structure_path: Path, ranked: Any, name_column: str | None) -> str:
    """The pocket with the best-ranked passing candidate that is not a training compound."""
    from drugml.structure import load_structure
    from drugml.viz.view3d import view_binding_site

    target = {
        "ligand": target.ligand,
        "ligand_smiles": target.ligand_smiles,
        "pocket_cutoff": target.pocket_cutoff,
    }
    structure = load_structure(structure_path, ligand_residues=[target["ligand"]])
    candidates, note = [], ""
    legend = {
        f"reference ligand {target['ligand']} (green carbons)": "#33aa33",
        "pocket residues (white carbons, labelled)": "#ffffff",
        "pocket surface": "#9ecae1",
    }
    if target.get("ligand_smiles"):
        candidates, placed, note = _placed_candidate(structure, target, ranked, name_column)
        legend.update(placed)
    cutoff = float(target["pocket_cutoff"])
    view = view_binding_site(
        structure,
        target["ligand"],
        cutoff=cutoff,
        surface=True,
        candidates=candidates,
        width=900,
        height=520,
    )
    offline = (
        ""
        if view.offline
        else (
            '<p class="note">3Dmol.js is not installed locally: this view needs network access '
            "(run <code>drugml viewer install</code> before <code>drugml run</code>).</p>"
        )
    )
    swatches = "".join(
        f'<span><span class="swatch" style="background:{colour}"></span>{html.escape(label)}</span>'
        for label, colour in legend.items()
    )
    return (
        f'<div class="legend">{swatches}</div>'
        + view.to_html(include_library=False)
        + (f'<p class="note">{html.escape(note)}</p>' if note else "")
        + offline
    )


def pocket_section(
    target: Any, structure_path: Path | None, ranked: Any, name_column: str | None
) -> str:
    """The best new candidate in the pocket, for a target with a reference ligand and a
    structure ('' otherwise). ``target``: the campaign's target settings (``ligand``,
    ``ligand_smiles``, ``pocket_cutoff``); ``ranked``: the ranked rows, best first."""
    if target is None or not structure_path:
        return ""
    if target.pocket_source == "auto":
        return join_parts(
            ["<h2>Pockets found in the structure</h2>", _detected_pockets(target, structure_path)]
        )
    if not target.ligand:
        return ""
    parts = [
        "<h2>The best new candidate in the pocket</h2>",
        _pocket_view(target, structure_path, ranked, name_column),
    ]
    return join_parts(parts)


def _detected_pockets(target: Any, structure_path: Path) -> str:
    """A target without a reference ligand: the pockets found, in 3D and as a table."""
    from drugml.structure import load_structure
    from drugml.structure.pockets import find_pockets, pocket_table
    from drugml.viz import pocket_legend, pocket_view

    structure = load_structure(structure_path)
    pockets = find_pockets(structure)
    view = pocket_view(structure, pockets, top=3, width=900, height=520)
    table = pocket_table(pockets).drop(columns=["center_x", "center_y", "center_z"])
    table["residues"] = [r if len(r) < 120 else r[:117] + "..." for r in table["residues"]]
    return (
        pocket_legend(pockets[:3])
        + view.to_html(include_library=False)
        + f'<p class="note">No reference ligand: the binding site is pocket '
        f"{target.pocket_rank} of the {len(pockets)} the grid detector found (target.pocket: "
        "auto), and the docking box follows it. Score: a druggability-style heuristic of "
        "size, buriedness and hydrophobic lining (drugml.structure.pockets), not a trained "
        "model.</p>" + table_html(table, float_format="{:.2f}")
    )


# ----------------------------------------------------------------- docking
def _docking_words(summary: Mapping[str, Any]) -> list[str]:
    """How the candidates were docked, the covalent case and how to read a docking score."""
    receptor = summary["receptor"]
    settings = summary["settings"]
    key = settings.get("key_interaction")
    key_text = f"{'/'.join(key['interactions'])} with {key['residue']}" if key else "none set"
    return [
        f"<p>{summary['docked']} of {summary['asked']} candidates of the short list docked into "
        f"{html.escape(str(receptor['structure']))} (chains {', '.join(receptor['chains'])}) with "
        f"AutoDock Vina ({html.escape(settings['scoring'])}, exhaustiveness "
        f"{settings['exhaustiveness']}, seed {settings['seed']}) in {summary['seconds']:.0f} s. "
        f"Receptor: {html.escape(describe_receptor(receptor, covalent=False))} "
        f"Box: centre {summary['box']['center']}, size {summary['box']['size']} Å. Key "
        f"interaction: {html.escape(key_text)}; pose choice: "
        f"{html.escape(settings['pose_selection'])}.</p>",
        (
            f'<p class="note"><b>Covalent docking at {html.escape(receptor["covalent"]["residue"])}'
            f"</b>: its {html.escape(receptor['covalent']['atom'])} was removed so that a warhead "
            "can take its place, and for a molecule with a warhead the best-scored pose whose "
            f"warhead is within {settings.get('covalent_distance', 5.0):g} Å of that atom is "
            "chosen (<i>warhead to reactive atom</i>; empty: no warhead).</p>"
            if receptor.get("covalent")
            else f'<p class="note"><b>The reference ligand is covalently bound</b> (to '
            f"{html.escape(', '.join(receptor['reference_covalent_to']))}): Vina docks without "
            "covalent bonds, so a covalent candidate's warhead is placed by non-bonded terms "
            "only (<code>docking.covalent_residue: auto</code> docks it covalently).</p>"
            if receptor.get("reference_covalent_to")
            else ""
        ),
        scoring_evidence_html(),
    ]


#: The docked candidates' table: column -> heading.
_DOCKED_COLUMNS = {
    "rank": "rank",
    "docking_status": "status",
    "docking_score": "score (kcal/mol)",
    "docking_ligand_efficiency": "LE",
    "docking_size_corrected_score": "size-corrected score",
    "docking_key_interaction": "key interaction",
    "docking_interaction_similarity": "interaction similarity",
    "pose_ok": "pose ok",
    "pose_failed_checks": "failed checks",
}


def _docked_table(docked: Any, receptor: Mapping[str, Any], name_column: str | None) -> str:
    """The docked candidates: status, score, ligand efficiency, interactions, pose checks."""
    import pandas as pd

    columns = dict(_DOCKED_COLUMNS)
    if receptor.get("covalent") and "docking_covalent_distance" in docked:
        columns["docking_covalent_distance"] = "warhead to reactive atom (Å)"
    names = [molecule_name(row, name_column) for row in docked.itertuples(index=False)]
    table = pd.DataFrame({"molecule": names})
    for column, title in columns.items():
        if column in docked:
            table[title] = docked[column].to_numpy()
    return table_html(table, float_format="{:.2f}")


def _column_meanings(docked: Any) -> str:
    """One line per structure-based column of the table, from its scorer's description."""
    from drugml.structure.scoring import available_scorers, scorer_class

    items = []
    for name in available_scorers():
        scorer = scorer_class(name)
        column = scorer.columns[0] if scorer.columns else None
        shown = column in _DOCKED_COLUMNS and column in docked
        if scorer.kind in ("docking", "interactions") and shown:
            items.append(
                f"<li><b>{html.escape(_DOCKED_COLUMNS[column])}</b>: "
                f"{html.escape(scorer.description)}</li>"
            )
    return f'<ul class="note">{"".join(items)}</ul>' if items else ""


def _interactions_figure(pose: Any, receptor_pdb: Path | None) -> str:
    """The pose's interactions drawn in 2D (ligand atoms to residues), van der Waals contacts
    left out for legibility; the stored list as text when the receptor file is missing."""
    from drugml.structure.dock import pose_interaction_records
    from drugml.viz import interaction_diagram

    if receptor_pdb is None or not receptor_pdb.is_file():
        found = pose.GetProp("interactions") if pose.HasProp("interactions") else ""
        return f'<p class="note">{html.escape(found) or "no interaction found"}</p>'
    records = pose_interaction_records(pose, receptor_pdb)
    drawn = [r for r in records if r["interaction"] != "VdWContact"]
    svg = interaction_diagram(pose, drawn, size=(440, 340))
    contacts = len(records) - len(drawn)
    note = f" ({contacts} van der Waals contacts not drawn)" if contacts else ""
    return f'<div class="diagram">{svg}</div><p class="note">Interactions{note}.</p>'


def _pose_views(
    docked: Any,
    structure_path: str | Path,
    reference_ligand: str | None,
    run_dir: Path,
    name_column: str | None,
    receptor_pdb: Path | None = None,
) -> list[str]:
    """Each docked candidate's chosen pose in 3D in the pocket (those with a pose file),
    beside its interactions in 2D."""
    from drugml.structure import load_structure
    from drugml.structure.dock import read_poses
    from drugml.viz.view3d import view_binding_site, view_structure

    ligands = [reference_ligand] if reference_ligand else None
    structure = load_structure(structure_path, ligand_residues=ligands)
    views = []
    for row in docked.itertuples(index=False):
        pose_file = getattr(row, "docking_pose_file", "") or ""
        if not pose_file or not (run_dir / pose_file).is_file():
            continue
        poses = read_poses(run_dir / pose_file)
        chosen = [p for p in poses if p.HasProp("chosen") and p.GetProp("chosen") == "True"]
        pose = (chosen or poses)[0]
        if reference_ligand:
            view = view_binding_site(
                structure,
                reference_ligand,
                surface=False,
                labels=True,
                candidates=[pose],
                width=440,
                height=340,
            )
        else:
            view = view_structure(structure, width=440, height=340)
        views.append(
            f'<figure class="pose"><figcaption>#{row.rank} '
            f"{html.escape(molecule_name(row, name_column))}"
            f": {getattr(row, 'docking_score', float('nan')):.2f} kcal/mol</figcaption>"
            f"{view.to_html(include_library=False)}"
            f"{_interactions_figure(pose, receptor_pdb)}</figure>"
        )
    return views


def docking_html(
    docked: Any,
    summary: Mapping[str, Any],
    structure_path: str | Path,
    reference_ligand: str | None,
    run_dir: Path,
    name_column: str | None = None,
) -> str:
    """The docking section: how the receptor was prepared, the docked candidates' table and
    each chosen pose in 3D in the pocket with the reference ligand (offline with a local
    3Dmol.js). ``docked``: the rows of the ranked table that were docked (rank order)."""
    lines = _docking_words(summary)
    lines.append(_docked_table(docked, summary["receptor"], name_column))
    lines.append(_column_meanings(docked))
    folder = summary.get("folder")
    receptor_pdb = run_dir / folder / "receptor" / "receptor.pdb" if folder else None
    views = _pose_views(
        docked, structure_path, reference_ligand, run_dir, name_column, receptor_pdb
    )
    if views:
        lines.append(
            '<p class="note">Each docked candidate\'s chosen pose (magenta carbons) in '
            "the pocket, with the reference ligand (green carbons).</p>"
        )
        lines.append('<div class="poses">' + "".join(views) + "</div>")
    return "\n".join(lines)


def docking_section(
    summary: Mapping[str, Any] | None, ranked: Any, run_dir: Path, name_column: str | None
) -> str:
    """The docked candidates of a campaign that docked ('' otherwise). ``summary``: the
    metrics' ``docking``; ``run_dir``: the folder the pose files are relative to."""
    if not summary:
        return ""
    docked = ranked[ranked["docking_status"].notna()].sort_values("rank")
    html_text = docking_html(
        docked, summary, summary["structure"], summary.get("reference_ligand"), run_dir, name_column
    )
    return join_parts(["<h2>Docked candidates</h2>", html_text])
