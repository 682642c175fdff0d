"""Pictures of a cohort's variants on the target: a lollipop plot along the sequence
(:func:`plot_variant_lollipop`) and the structure coloured by variant frequency
(:func:`variant_structure_view`, with :func:`variant_legend` beside it).

Both count a protein change's *samples*: its distinct samples, each row without a sample
counting once. Rows that are not drawn are counted and said (the plot's title, the
legend's "not shown" line), never dropped silently.
"""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml.viz._plots import SERIES_COLORS, VisualizationError
from drugml.viz.view3d import MoleculeView, legend_html

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from drugml.structure import Ligand, Structure
    from drugml.variants import ReferenceSequence

__all__ = [
    "VARIANT_KIND_STYLES", "plot_variant_lollipop", "variant_legend", "variant_structure_view",
]  # fmt: skip

#: How the lollipop shows each kind of protein change: (legend label, kinds, colour, marker).
VARIANT_KIND_STYLES = (
    ("missense", ("missense",), SERIES_COLORS[0], "o"),
    ("deletion", ("deletion",), SERIES_COLORS[1], "v"),
    ("insertion, delins, dup", ("insertion", "delins", "duplication"), SERIES_COLORS[2], "^"),
    ("nonsense, frameshift", ("nonsense", "frameshift"), SERIES_COLORS[4], "s"),
    ("synonymous", ("synonymous",), "#999999", "D"),
)
# The frequency scale of the 3D view: part of matplotlib's OrRd light enough to read as
# "few" yet dark enough to stand out from the grey cartoon.
_SCALE_MAP, _SCALE_LOW = "OrRd", 0.35
# "THR766.A", "SER100A.B" (insertion code A): residue name, number, insertion code, chain.
_RESIDUE_ID = re.compile(r"^[A-Za-z0-9]*?(?P<number>-?\d+)[A-Za-z]?\.(?P<chain>\S+)$")
_NAMED_RESIDUE = re.compile(r"(?:p\.)?(?P<letters>[A-Za-z]{1,3})?(?P<number>[1-9]\d*)")
_BACKBONE = ["N", "C", "O"]
_LABEL_SIZE = 8


# ------------------------------------------------------------------ shared checks
def _check_table(table: Any, needed: Iterable[str], what: str) -> None:
    import pandas as pd

    columns = table.columns if isinstance(table, pd.DataFrame) else ()
    missing = [column for column in needed if column not in columns]
    if missing:
        raise VisualizationError(
            f"{what}: not a variant table ({type(table).__name__}), it lacks the columns "
            f"{', '.join(missing)} "
            "(read one with drugml.variants.read_variants; place it with map_variants)"
        )


def _statuses_words(table: pd.DataFrame) -> str:
    counts = Counter(str(status) for status in table["status"])
    return ", ".join(f"{status} ({n})" for status, n in counts.most_common()) or "no rows"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _frequency(samples: pd.Series) -> int:
    """Distinct samples, each row without a sample counting once."""
    return int(samples.dropna().nunique() + samples.isna().sum())


def _as_statuses(status: str | Sequence[str]) -> tuple[str, ...]:
    from drugml.variants import VARIANT_STATUSES

    chosen = (status,) if isinstance(status, str) else tuple(status)
    unknown = [s for s in chosen if s not in VARIANT_STATUSES]
    if not chosen or unknown:
        raise VisualizationError(
            f"status must be one or more of {', '.join(VARIANT_STATUSES)}; got {status!r}"
        )
    return chosen


# ------------------------------------------------------------------ lollipop
def _select_rows(
    table: pd.DataFrame, statuses: tuple[str, ...], reference: ReferenceSequence | None
) -> tuple[pd.DataFrame, Counter]:
    """The rows to draw and, by reason, how many of the others were left out."""
    left_out: Counter = Counter(str(s) for s in table["status"] if s not in statuses)
    rows = table[table["status"].isin(statuses)]
    if rows.empty:
        raise VisualizationError(
            f"No rows with status {' or '.join(statuses)} to plot; the table has: "
            f"{_statuses_words(table)}. Pass status= one of those (map_variants sets 'mapped')"
        )
    placed = rows["start"].notna() & rows["end"].notna()
    left_out["without a position"] += int((~placed).sum())
    rows = rows[placed]
    if reference is not None:
        if reference.name:  # a row without a gene is taken to be on the reference's
            name = reference.name.upper()
            other = rows["gene"].map(lambda g: isinstance(g, str) and g.upper() != name)
            left_out[f"not {reference.name}"] += int(other.sum())
            rows = rows[~other.astype(bool)]
        inside = rows["start"].astype(int).between(reference.start, reference.end)
        left_out[f"outside {reference.start}-{reference.end}"] += int((~inside).sum())
        rows = rows[inside]
    else:
        genes = sorted({g for g in rows["gene"] if isinstance(g, str)})
        if len(genes) > 1:
            raise VisualizationError(
                f"The rows are on several genes ({', '.join(genes)}): plot one gene's rows "
                "(read_variants(..., gene=...)) or pass its reference sequence"
            )
    if rows.empty:
        reasons = ", ".join(f"{n} {why}" for why, n in left_out.items() if n)
        raise VisualizationError(f"None of the rows can be placed on the sequence: {reasons}")
    return rows, +left_out


def _lollipop_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per protein change: kind, start, end, samples (most frequent first)."""
    frame = rows.groupby("protein_change", sort=False).agg(
        kind=("kind", "first"), start=("start", "first"), end=("end", "first"),
        samples=("sample", _frequency),
    )  # fmt: skip
    frame = frame.reset_index().astype({"start": int, "end": int, "samples": int})
    return frame.sort_values(["samples", "start"], ascending=[False, True], kind="stable")


def _check_domains(domains: Iterable[Sequence[Any]]) -> list[tuple[str, int, int]]:
    checked = []
    for domain in domains:
        numbers = list(domain[1:]) if isinstance(domain, Sequence) else []
        if (
            isinstance(domain, str)
            or len(numbers) != 2
            or any(isinstance(x, bool) or not isinstance(x, int) for x in numbers)
            or not 1 <= numbers[0] <= numbers[1]
        ):
            raise VisualizationError(
                f"A domain is (name, start, end) in UniProt numbering with 1 <= start <= end, "
                f"got {domain!r}"
            )
        checked.append((str(domain[0]), int(domain[1]), int(domain[2])))
    return checked


def _pocket_numbers(residues: Iterable[Any], reference: ReferenceSequence | None) -> list[int]:
    """UniProt numbers of residues given as 790, "790", "T790" or "Thr790"; a letter that
    disagrees with ``reference`` is an error (a residue named in the structure's numbering)."""
    from drugml.structure import one_letter_code

    numbers = set()
    for item in [residues] if isinstance(residues, (str, int)) else residues:
        match = None if isinstance(item, bool) else _NAMED_RESIDUE.fullmatch(str(item).strip())
        letters = (match["letters"] or "") if match else ""
        letter = one_letter_code(letters) if len(letters) == 3 else letters.upper()
        if match is None or len(letters) == 2 or letter is None:
            raise VisualizationError(
                f"pocket_residues: cannot read {item!r} as a residue; name it in UniProt "
                "numbering as 790, 'T790' or 'Thr790'"
            )
        number = int(match["number"])
        if reference is not None and number not in reference:
            raise VisualizationError(
                f"pocket_residues: {item!r} is outside the reference {reference.describe()}, "
                f"residues {reference.start}-{reference.end}"
            )
        if letter and reference is not None and reference.residue(number) != letter:
            raise VisualizationError(
                f"pocket_residues: {item!r} names {letter}{number}, but the reference has "
                f"{reference.label(number)} (residues are named in UniProt numbering)"
            )
        numbers.add(number)
    return sorted(numbers)


def _x_range(
    counts: pd.DataFrame,
    reference: ReferenceSequence | None,
    domains: list[tuple[str, int, int]],
    pockets: list[int],
) -> tuple[float, float]:
    if reference is not None:
        return reference.start - 0.5, reference.end + 0.5
    low = min([*counts["start"], *(d[1] for d in domains), *pockets])
    high = max([*counts["end"], *(d[2] for d in domains), *pockets])
    pad = max(5.0, 0.02 * (high - low))
    return low - pad, high + pad


def _draw_heads(ax: Axes, counts: pd.DataFrame, highest: int) -> list[Any]:
    """Stems, span bars and heads (area by samples, colour and marker by kind); legend handles."""
    from matplotlib.lines import Line2D

    ax.vlines(counts["start"], 0, counts["samples"], color="#888888", lw=1, gid="variant-stems")
    spans = counts[counts["end"] > counts["start"]]
    handles = []
    for label, kinds, colour, marker in VARIANT_KIND_STYLES:
        group = counts[counts["kind"].isin(kinds)]
        if group.empty:
            continue
        sizes = 30 + 170 * group["samples"] / highest
        ax.scatter(
            group["start"], group["samples"], s=sizes, c=colour, marker=marker,
            edgecolors="white", linewidths=0.8, zorder=3, gid=f"variant-heads:{label}",
        )  # fmt: skip
        in_span = spans[spans["kind"].isin(kinds)]
        if not in_span.empty:
            ax.hlines(
                in_span["samples"], in_span["start"], in_span["end"], color=colour,
                lw=3, alpha=0.6, zorder=2, gid="variant-spans",
            )  # fmt: skip
        handles.append(
            Line2D([], [], ls="", marker=marker, color=colour, markersize=7, label=label)
        )
    return handles


def _draw_labels(ax: Axes, counts: pd.DataFrame, label_top: int) -> None:
    """The ``label_top`` most frequent changes named above their heads; a label that would
    overlap one already placed is lifted a line (the axes' limits must be set)."""
    (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
    box = ax.get_position()
    # points per data unit, from the figure's size (no renderer needed)
    x_scale = box.width * ax.figure.get_figwidth() * 72 / (x_high - x_low)
    y_scale = box.height * ax.figure.get_figheight() * 72 / (y_high - y_low)
    placed: list[tuple[float, float, float]] = []  # (left, right, bottom) in points
    for row in counts.head(label_top).sort_values("start", kind="stable").itertuples():
        half = 0.3 * _LABEL_SIZE * len(str(row.protein_change))
        x = (row.start - x_low) * x_scale
        base = (row.samples - y_low) * y_scale + 8
        level = next(
            level
            for level in range(len(placed) + 1)
            if not any(
                left < x + half and x - half < right and abs(base + 11 * level - bottom) < 10
                for left, right, bottom in placed
            )
        )
        placed.append((x - half, x + half, base + 11 * level))
        ax.annotate(
            row.protein_change, (row.start, row.samples), xytext=(0, 8 + 11 * level),
            textcoords="offset points", ha="center", va="bottom", fontsize=_LABEL_SIZE,
            gid="variant-label",
        )  # fmt: skip


def _draw_track(ax: Axes, x_range: tuple, domains: list, pockets: list, top: float) -> list[Any]:
    """The domain track under the counts: a backbone, one named box per domain, pocket ticks."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    bottom, height = -0.2 * top, 0.12 * top
    middle = bottom + height / 2
    ax.plot(x_range, [middle, middle], color="#bbbbbb", lw=3, solid_capstyle="butt", zorder=1)
    for i, (name, start, end) in enumerate(domains):
        colour = SERIES_COLORS[(i + 2) % len(SERIES_COLORS)]
        box = Rectangle(
            (start - 0.5, bottom), end - start + 1, height, facecolor=colour, alpha=0.35,
            edgecolor=colour, zorder=2, gid=f"domain:{name}",
        )  # fmt: skip
        ax.add_patch(box)
        centre = (max(start, x_range[0]) + min(end, x_range[1])) / 2
        ax.text(
            centre, middle, name, ha="center", va="center", fontsize=8, clip_on=True, zorder=4,
            bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 1},
        )  # fmt: skip
    handles = []
    if pockets:
        ax.vlines(
            pockets, bottom - 0.15 * height, bottom + 1.15 * height, color="black", lw=0.8,
            zorder=3, gid="pocket-residues",
        )  # fmt: skip
        handles.append(Line2D([], [], color="black", lw=0.8, label="pocket residue"))
    return handles


def plot_variant_lollipop(
    table: pd.DataFrame,
    reference: ReferenceSequence | None = None,
    domains: Iterable[Sequence[Any]] = (),
    pocket_residues: Iterable[int | str] = (),
    ax: Axes | None = None,
    label_top: int = 8,
    status: str | Sequence[str] = "mapped",
) -> Axes:
    """Variant counts along the protein's sequence, with its domains and pocket residues.

    ``table`` is what :func:`~drugml.variants.read_variants` (status ``parsed``) or
    :func:`~drugml.variants.map_variants` (``mapped``, the default) gives; only rows of
    ``status`` (one status or several) are drawn. Each protein change is a stem at its
    first residue (UniProt numbering) as high as its samples (distinct samples; rows
    without a sample count once each), its head sized by that count and coloured and
    shaped by kind (:data:`VARIANT_KIND_STYLES`); a change over several residues
    (``E746_A750del``) has a bar over its span. The ``label_top`` most frequent are
    named. Under the axis a track shows ``domains`` (``(name, start, end)`` boxes) and
    ``pocket_residues`` (UniProt numbers such as ``790`` or ``"T790"``) as ticks.

    With ``reference`` the x-axis spans its residues and rows of another gene or outside
    it are left out; without it the axis spans the data (variants, domains, pocket). The
    title says how many rows were drawn and, by reason, how many were left out. No rows of
    ``status``: a :class:`~drugml.viz.VisualizationError` naming the statuses there are.

    >>> import pandas as pd
    >>> from drugml.variants import read_variants
    >>> table = read_variants(pd.DataFrame({"mutation": ["L858R", "L858R", "T790="]}), gene="EGFR")
    >>> ax = plot_variant_lollipop(table, domains=[("kinase", 712, 979)], status="parsed")
    >>> ax.get_title().splitlines()[1]
    'left out: 1 synonymous'
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    statuses, domains, pockets = _lollipop_inputs(
        table, reference, domains, pocket_residues, label_top, status
    )
    rows, left_out = _select_rows(table, statuses, reference)
    counts = _lollipop_counts(rows)
    highest = int(counts["samples"].max())
    x_range = _x_range(counts, reference, domains, pockets)
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4.2))
    top = highest * 1.35 + 0.5
    handles = _draw_heads(ax, counts, highest)
    handles += _draw_track(ax, x_range, domains, pockets, top)
    ax.axhline(0, color="#888888", lw=0.8, zorder=1)
    ax.set_xlim(*x_range)
    ax.set_ylim(-0.25 * top, top)
    _draw_labels(ax, counts, label_top)
    genes = sorted({g for g in rows["gene"] if isinstance(g, str)}) or ["variants"]
    name = reference.describe() if reference is not None else genes[0]
    title = (
        f"{name}: {len(rows)} of {len(table)} rows, {_plural(len(counts), 'protein change')} "
        f"(status {' or '.join(statuses)})"
    )
    if left_out:
        title += "\nleft out: " + ", ".join(f"{n} {why}" for why, n in left_out.items())
    _finish_axes(ax, highest, f"residue ({name}, UniProt numbering)", title, handles)
    return ax


def _lollipop_inputs(
    table: Any, reference: Any, domains: Any, pocket_residues: Any, label_top: Any, status: Any
) -> tuple[tuple[str, ...], list[tuple[str, int, int]], list[int]]:
    """The checked statuses, domains and pocket residues; a named error for bad input."""
    from drugml.variants import VARIANT_COLUMNS, ReferenceSequence

    _check_table(table, VARIANT_COLUMNS, "plot_variant_lollipop")
    statuses = _as_statuses(status)
    if reference is not None and not isinstance(reference, ReferenceSequence):
        raise VisualizationError(
            f"reference is a drugml.variants.ReferenceSequence, got {type(reference).__name__}"
        )
    if isinstance(label_top, bool) or not isinstance(label_top, int) or label_top < 0:
        raise VisualizationError(f"label_top is a number of labels >= 0, got {label_top!r}")
    return statuses, _check_domains(domains), _pocket_numbers(pocket_residues, reference)


def _finish_axes(ax: Axes, highest: int, xlabel: str, title: str, handles: list[Any]) -> None:
    from matplotlib.ticker import MaxNLocator

    ticks = MaxNLocator(integer=True, nbins=5).tick_values(0, highest)
    ax.set_yticks([t for t in ticks if 0 <= t <= highest])
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines["left"].set_bounds(0, highest)
    ax.set_ylabel("samples")
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=10)
    ax.legend(
        handles=handles, frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0)
    )


# ------------------------------------------------------------------ 3D view
def _residue_ids(structure_residue: str) -> tuple[str, int, int]:
    """(chain, first number, last number) of ``"THR766.A"`` or ``"GLU722.A_ALA726.A"``."""
    parts = [_RESIDUE_ID.match(part) for part in structure_residue.split("_")]
    if not 1 <= len(parts) <= 2 or None in parts or len({p["chain"] for p in parts}) != 1:
        raise VisualizationError(
            f"Cannot read the structure residue {structure_residue!r}; expected an id such as "
            "'THR766.A' or a span 'GLU722.A_ALA726.A' (map_variants gives them)"
        )
    numbers = [int(p["number"]) for p in parts]
    return parts[0]["chain"], numbers[0], numbers[-1]


def _mapped_rows(mapped: pd.DataFrame, what: str) -> tuple[pd.DataFrame, Counter]:
    """The rows with status ``mapped`` and, by status, how many of the others there are."""
    from drugml.variants import MAPPED_COLUMNS, VARIANT_COLUMNS

    _check_table(mapped, (*VARIANT_COLUMNS, *MAPPED_COLUMNS), what)
    shown = mapped[mapped["status"] == "mapped"]
    if shown.empty:
        raise VisualizationError(
            f"{what}: no rows with status mapped to show; the table has: {_statuses_words(mapped)}"
        )
    hidden = Counter(str(s) for s in mapped["status"] if s != "mapped")
    return shown, hidden


def _residue_frequencies(shown: pd.DataFrame) -> dict[tuple[str, int], int]:
    """Samples per structure residue: every residue of a span counts the span's samples."""
    import pandas as pd

    samples: dict[tuple[str, int], list[Any]] = {}
    for residue, sample in zip(shown["structure_residue"], shown["sample"], strict=True):
        chain, first, last = _residue_ids(str(residue))
        for number in range(first, last + 1):
            samples.setdefault((chain, number), []).append(sample)
    return {key: _frequency(pd.Series(values, dtype=object)) for key, values in samples.items()}


def _scale_colour(count: int, highest: int) -> str:
    """The frequency scale's colour for ``count`` samples (1 lightest, ``highest`` darkest)."""
    import matplotlib
    from matplotlib.colors import to_hex

    fraction = 1.0 if highest <= 1 else (count - 1) / (highest - 1)
    return to_hex(matplotlib.colormaps[_SCALE_MAP](_SCALE_LOW + (1 - _SCALE_LOW) * fraction))


def _check_residues(structure: Structure, residues: Iterable[tuple[str, int]]) -> None:
    present = {(chain.id, residue.id[1]) for chain in structure.model for residue in chain}
    missing = sorted(
        f"{number}.{chain}" for chain, number in residues if (chain, number) not in present
    )
    if missing:
        raise VisualizationError(
            f"{structure.name} has no residues {', '.join(missing[:5])}: the table was mapped onto "
            "another structure; map it onto this one (map_variants)"
        )


def variant_structure_view(
    structure: Structure | str | Path,
    mapped: pd.DataFrame,
    chain: str | None = None,
    ligand: str | Ligand | None = None,
    width: int = 640,
    height: int = 480,
) -> MoleculeView:
    """The structure coloured by variant frequency, the mutated side chains and the ligand
    as sticks, each variant residue labelled with its protein change; offline.

    ``mapped`` is :func:`~drugml.variants.map_variants`' table for this ``structure``;
    its ``mapped`` rows are drawn: each structure residue (every residue of a span such as
    ``"GLU722.A_ALA726.A"``) coloured light to dark red by its samples (distinct samples;
    rows without a sample count once each), its side chain as sticks, a label naming the
    changes there (``"T790M"``). The rest of ``chain`` (default: the one the table was
    mapped onto) is a grey cartoon; ``ligand`` (default: the chain's ligands) green sticks.
    The title says how many rows are not shown; :func:`variant_legend`, to show beside the
    view, gives the colour scale, the counts and those rows by status.

    >>> import pandas as pd
    >>> from drugml.variants import map_variants, read_variants, reference_from_pdb
    >>> table = read_variants(pd.DataFrame({"mutation": ["T790M", "T790M", "R108K"]}))
    >>> mapped = map_variants(table, reference_from_pdb("egfr_1m17"), "egfr_1m17", ligand="AQ4")
    >>> view = variant_structure_view("egfr_1m17", mapped, ligand="AQ4")
    >>> view.title, 'addLabel("T790M"' in view.to_html()
    ('egfr_1m17: 2 variant rows on 1 residue (1 row not shown)', True)
    """
    from drugml.structure import Structure, load_structure

    shown, hidden = _mapped_rows(mapped, "variant_structure_view")
    if not isinstance(structure, Structure):
        structure = load_structure(structure)
    frequencies = _residue_frequencies(shown)
    chain = _view_chain(structure, mapped, frequencies, chain)
    ligands = [structure.ligand(ligand)] if ligand is not None else [
        x for x in structure.ligands() if x.chain == chain
    ]  # fmt: skip
    title = (
        f"{structure.name}: {_plural(len(shown), 'variant row')} on "
        f"{_plural(len(frequencies), 'residue')} ({_plural(sum(hidden.values()), 'row')} not shown)"
    )
    view = MoleculeView(width, height, title=title)
    view.addModel(structure.to_pdb(), "pdb")
    view.setStyle({}, {})
    view.setStyle({"chain": chain}, {"cartoon": {"color": "#d9d9d9"}})
    highest = max(frequencies.values())
    for (res_chain, number), count in sorted(frequencies.items()):
        colour = _scale_colour(count, highest)
        residue = {"chain": res_chain, "resi": number}
        view.setStyle(residue, {"cartoon": {"color": colour}})
        side_chain = {**residue, "not": {"atom": _BACKBONE}}
        view.addStyle(side_chain, {"stick": {"color": colour, "radius": 0.3}})
    for each in ligands:
        selection = {"chain": each.chain, "resi": each.resnum, "resn": each.resname}
        view.setStyle(selection, {"stick": {"colorscheme": "greenCarbon", "radius": 0.25}})
    _add_variant_labels(view, shown, frequencies, highest)
    view.zoomTo(_zoom_selection(chain, frequencies, ligands))
    return view


def _zoom_selection(chain: str, frequencies: dict, ligands: list[Ligand]) -> dict[str, Any]:
    """The variant residues and the ligand: a whole chain with its loose ends looks small."""
    numbers = [number for _, number in frequencies]
    if any(ligand.chain != chain for ligand in ligands):
        return {"chain": chain}
    return {"chain": chain, "resi": sorted({*numbers, *(ligand.resnum for ligand in ligands)})}


def _view_chain(
    structure: Structure, mapped: pd.DataFrame, frequencies: dict, chain: str | None
) -> str:
    """The chain to show, the one the table was mapped onto; its residues must be there."""
    name = mapped.attrs.get("structure")
    if name is not None and name != structure.name:
        raise VisualizationError(
            f"The table was mapped onto {name}, not {structure.name}: its residue ids are "
            f"{name}'s; map it onto {structure.name} (map_variants) or show it on {name}"
        )
    _check_residues(structure, frequencies)
    chains = sorted({key[0] for key in frequencies})
    if chain is None:
        chain = mapped.attrs.get("chain") or chains[0]
    present = [c.id for c in structure.model]
    if chain not in present:
        raise VisualizationError(f"{structure.name} has no chain {chain!r}; chains: {present}")
    if chains != [chain]:
        raise VisualizationError(
            f"The variants were mapped onto chain {', '.join(chains)}, not {chain!r}; map "
            f"them onto chain {chain!r} (map_variants(..., chain={chain!r})) to show it"
        )
    return chain


def _add_variant_labels(
    view: MoleculeView, shown: pd.DataFrame, frequencies: dict, highest: int
) -> None:
    """One label per structure residue (or span): the protein changes there."""
    names: dict[str, list[str]] = {}
    for residue, change in zip(shown["structure_residue"], shown["protein_change"], strict=True):
        changes = names.setdefault(str(residue), [])
        if change not in changes:
            changes.append(str(change))
    for residue, changes in names.items():
        chain, first, last = _residue_ids(residue)
        count = max(frequencies[(chain, n)] for n in range(first, last + 1))
        style = {
            "backgroundColor": _scale_colour(count, highest), "backgroundOpacity": 0.85,
            "fontColor": "black" if count * 2 <= highest else "white", "fontSize": 11,
        }  # fmt: skip
        where = {"chain": chain, "resi": list(range(first, last + 1)), "atom": "CA"}
        view.addLabel(", ".join(changes), style, where)


def variant_legend(mapped: pd.DataFrame) -> str:
    """An HTML legend for :func:`variant_structure_view`: the colour scale (samples), each
    mapped change with its structure residue, samples and distance to the ligand, and the
    rows not shown, by status.

    >>> import pandas as pd
    >>> from drugml.variants import map_variants, read_variants, reference_from_pdb
    >>> table = read_variants(pd.DataFrame({"mutation": ["T790M", "R108K", "p.?"]}))
    >>> mapped = map_variants(table, reference_from_pdb("egfr_1m17"), "egfr_1m17")
    >>> "not shown: 2 (outside_structure 1, unparsable 1)" in variant_legend(mapped)
    True
    """
    import pandas as pd

    shown, hidden = _mapped_rows(mapped, "variant_legend")
    frequencies = _residue_frequencies(shown)
    highest = max(frequencies.values())
    stops = ", ".join(_scale_colour(c, highest) for c in sorted({1, (highest + 1) // 2, highest}))
    gradient = stops if highest > 1 else f"{stops}, {stops}"
    scale = (
        '<div style="font-family:sans-serif;font-size:12px;margin-bottom:4px">samples: 1 '
        f'<span style="display:inline-block;width:120px;height:10px;vertical-align:middle;'
        f'background:linear-gradient(to right, {gradient})"></span> {highest}</div>'
    )
    chips = {}
    for change, group in shown.groupby("protein_change", sort=False):
        residue = str(group["structure_residue"].iloc[0])
        count = _frequency(group["sample"])
        colour = _scale_colour(count, highest)
        distance = group["distance_to_ligand"].iloc[0]
        where = "" if pd.isna(distance) else f", {float(distance):.1f} Å to ligand"
        chips[f"{change} ({residue}): {_plural(count, 'sample')}{where}"] = colour
    n_hidden = sum(hidden.values())
    why = ", ".join(f"{status} {n}" for status, n in hidden.most_common())
    missing = html_lib.escape(f"not shown: {n_hidden}" + (f" ({why})" if why else ""))
    return (
        f"<div>{scale}{legend_html(chips)}"
        f'<div style="font-family:sans-serif;font-size:12px;color:#555">{missing}</div></div>'
    )
