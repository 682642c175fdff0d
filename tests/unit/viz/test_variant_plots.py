"""Pictures of variants: the lollipop's heads and labels are the cohort's sample counts, its
domain track and pocket ticks are drawn, rows left out are said in the title; the 3D view
colours and labels the mapped residues offline, and its legend lists the rows not shown."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from drugml.data.assets import threedmol_path
from drugml.structure import StructureError, load_structure
from drugml.variants import map_variants, read_variants, reference_from_pdb, variant_counts
from drugml.viz import (
    VisualizationError,
    plot_variant_lollipop,
    variant_legend,
    variant_structure_view,
)

EXTERNAL_SCRIPT = re.compile(r"""src=["']https?://|loadScriptAsync\(['"]https?://""")

# L858R x3 samples, T790M x2, E746_A750del x2, C797S x1, a synonymous and an unparsable row.
COHORT = pd.DataFrame(
    {
        "sample": ["P1", "P2", "P3", "P1", "P4", "P5", "P6", "P7", "P8", "P9"],
        "protein_change": [
            "L858R",
            "p.Leu858Arg",
            "L858R",
            "p.Thr790Met",
            "T790M",
            "E746_A750del",
            "p.Glu746_Ala750del",
            "C797S",
            "T790=",
            "p.?",
        ],
    }
)
POCKET = [718, 726, 745, 790, 793, 797, 844, 855]
KINASE = ("kinase", 712, 979)


@pytest.fixture(scope="module")
def egfr_1m17():
    return load_structure("egfr_1m17")


@pytest.fixture(scope="module")
def reference(egfr_1m17):
    return reference_from_pdb(egfr_1m17, "A")


@pytest.fixture(scope="module")
def mapped(egfr_1m17, reference):
    return map_variants(read_variants(COHORT, gene="EGFR"), reference, egfr_1m17, ligand="AQ4")


@pytest.fixture
def lollipop(mapped, reference):
    ax = plot_variant_lollipop(
        mapped, reference, domains=[KINASE, ("C-lobe", 800, 900)], pocket_residues=POCKET
    )
    yield ax
    plt.close(ax.figure)


def _heads(ax) -> list[tuple[float, float]]:
    """Every head's (x: first residue, height: samples), over the kinds' scatters, sorted."""
    return sorted(
        (float(x), float(y))
        for collection in ax.collections
        if (collection.get_gid() or "").startswith("variant-heads:")
        for x, y in collection.get_offsets()
    )


def test_heads_and_labels_are_the_sample_counts(lollipop, mapped):
    counts = variant_counts(mapped)
    counts = counts[counts["status"] == "mapped"]
    assert _heads(lollipop) == sorted((r.start, r.samples) for r in counts.itertuples())
    assert _heads(lollipop) == [(746, 2), (790, 2), (797, 1), (858, 3)]
    labels = {t.get_text(): t.xy for t in lollipop.texts if t.get_gid() == "variant-label"}
    assert labels == {
        "L858R": (858, 3),
        "T790M": (790, 2),
        "E746_A750del": (746, 2),
        "C797S": (797, 1),
    }
    kinds = {c.get_gid() for c in lollipop.collections if c.get_gid()}
    assert {"variant-heads:missense", "variant-heads:deletion", "variant-spans"} <= kinds


def test_title_says_which_rows_were_left_out_and_the_axis_is_the_reference(lollipop, reference):
    title = lollipop.get_title()
    assert title.splitlines() == [
        "EGFR (P00533): 8 of 10 rows, 4 protein changes (status mapped)",
        "left out: 1 synonymous, 1 unparsable",
    ]
    assert lollipop.get_xlim() == (reference.start - 0.5, reference.end + 0.5)


def test_domain_track_draws_each_domain_and_the_pocket_ticks(lollipop):
    boxes = {p.get_gid(): (p.get_x(), p.get_width()) for p in lollipop.patches}
    assert boxes["domain:kinase"] == (711.5, 268) and boxes["domain:C-lobe"] == (799.5, 101)
    assert {"kinase", "C-lobe"} <= {t.get_text() for t in lollipop.texts}
    (ticks,) = [c for c in lollipop.collections if c.get_gid() == "pocket-residues"]
    assert sorted(float(segment[0][0]) for segment in ticks.get_segments()) == POCKET
    legend = [t.get_text() for t in lollipop.get_legend().get_texts()]
    assert legend == ["missense", "deletion", "pocket residue"]


def test_several_statuses_fewer_labels_and_no_reference():
    table = read_variants(COHORT.assign(sample=[None] * 10), gene="EGFR")
    ax = plot_variant_lollipop(table, status=["parsed", "synonymous"], label_top=1)
    try:
        # without samples every row counts once; the axis spans the data
        assert _heads(ax) == [(746, 2), (790, 1), (790, 2), (797, 1), (858, 3)]
        assert [t.get_text() for t in ax.texts if t.get_gid() == "variant-label"] == ["L858R"]
        assert ax.get_title().endswith("(status parsed or synonymous)\nleft out: 1 unparsable")
        low, high = ax.get_xlim()
        assert 730 < low < 746 and 858 < high < 875
    finally:
        plt.close(ax.figure)


def test_rows_of_another_gene_or_outside_the_reference_are_counted(reference):
    extra = pd.DataFrame(
        {"sample": ["Q1", "Q2"], "gene": ["KRAS", "EGFR"], "protein_change": ["G12C", "R108K"]}
    )
    table = read_variants(pd.concat([COHORT.assign(gene="EGFR"), extra], ignore_index=True))
    ax = plot_variant_lollipop(table, reference, status="parsed")
    try:
        assert ax.get_title().splitlines()[1] == (
            "left out: 1 synonymous, 1 unparsable, 1 not EGFR, 1 outside 695-1022"
        )
    finally:
        plt.close(ax.figure)


def test_bad_input_is_a_named_error(mapped, reference):
    table = read_variants(COHORT, gene="EGFR")
    with pytest.raises(VisualizationError, match=r"status mapped.*has: parsed \(8\), synonymous"):
        plot_variant_lollipop(table)
    with pytest.raises(VisualizationError, match=r"status must be one or more of parsed"):
        plot_variant_lollipop(mapped, status="mutated")
    with pytest.raises(VisualizationError, match=r"lacks the columns .*protein_change"):
        plot_variant_lollipop(pd.DataFrame({"mutation": ["L858R"]}))
    with pytest.raises(VisualizationError, match=r"A domain is \(name, start, end\)"):
        plot_variant_lollipop(mapped, domains=[("kinase", 979, 712)])
    with pytest.raises(VisualizationError, match=r"'M790' names M790, but the reference has T790"):
        plot_variant_lollipop(mapped, reference, pocket_residues=["M790"])
    with pytest.raises(VisualizationError, match=r"1200 is outside the reference EGFR"):
        plot_variant_lollipop(mapped, reference, pocket_residues=[790, 1200])
    with pytest.raises(VisualizationError, match=r"not a variant table \(list\)"):
        plot_variant_lollipop(["L858R"])
    with pytest.raises(VisualizationError, match=r"label_top is a number of labels >= 0"):
        plot_variant_lollipop(mapped, label_top=-1)
    two_genes = read_variants(
        pd.DataFrame({"gene": ["EGFR", "KRAS"], "mutation": ["L858R", "G12C"]})
    )
    with pytest.raises(VisualizationError, match=r"several genes \(EGFR, KRAS\)"):
        plot_variant_lollipop(two_genes, status="parsed")
    assert not plt.get_fignums()  # an error before drawing leaves no figure behind


# ------------------------------------------------------------------ 3D view
@pytest.fixture(scope="module")
def view_html(egfr_1m17, mapped):
    if threedmol_path() is None:
        pytest.fail("3Dmol.js is not installed: run `drugml viewer install` (scripts/test.sh does)")
    view = variant_structure_view(egfr_1m17, mapped, ligand="AQ4")
    assert view.offline
    return view.title, view.to_html()


def test_view_colours_and_labels_each_mapped_residue_offline(view_html):
    title, html = view_html
    assert title == "egfr_1m17: 8 variant rows on 8 residues (2 rows not shown)"
    assert not EXTERNAL_SCRIPT.search(html)
    # 1M17 numbers EGFR 24 lower: L858 is LEU834, T790 THR766, C797 CYS773, E746-A750 722-726
    colours = dict(
        re.findall(r'\{"chain": "A", "resi": (\d+)\},\{"cartoon": \{"color": "(#\w+)"', html)
    )
    assert set(colours) == {"834", "766", "773", "722", "723", "724", "725", "726"}
    assert colours["834"] == "#7f0000"  # 3 samples: the darkest
    assert colours["766"] == colours["722"] == colours["726"] != colours["834"] != colours["773"]
    assert html.count('"not": {"atom": ["N", "C", "O"]}') == 8  # the side chains as sticks
    for label in ("L858R", "T790M", "E746_A750del", "C797S"):
        assert f'addLabel("{label}"' in html
    assert '"resi": [722, 723, 724, 725, 726], "atom": "CA"' in html  # the span's label
    assert '"resn": "AQ4"' in html and "greenCarbon" in html


def test_legend_gives_the_scale_the_counts_and_the_rows_not_shown(mapped):
    legend = variant_legend(mapped)
    assert "samples: 1 " in legend and "linear-gradient" in legend
    assert "L858R (LEU834.A): 3 samples, 10.1 Å to ligand" in legend
    assert "C797S (CYS773.A): 1 sample, 4.7 Å to ligand" in legend
    assert "not shown: 2 (synonymous 1, unparsable 1)" in legend


def test_view_bad_input_is_a_named_error(egfr_1m17, mapped, reference):
    unmapped = mapped.assign(status="outside_structure")
    with pytest.raises(VisualizationError, match=r"no rows with status mapped.*outside_structure"):
        variant_structure_view(egfr_1m17, unmapped)
    with pytest.raises(VisualizationError, match=r"lacks the columns structure_residue"):
        variant_legend(read_variants(COHORT))
    with pytest.raises(VisualizationError, match=r"mapped onto egfr_1m17, not egfr_5ug9"):
        variant_structure_view("egfr_5ug9", mapped)
    with pytest.raises(VisualizationError, match=r"has no chain 'B'; chains: \['A'\]"):
        variant_structure_view(egfr_1m17, mapped, chain="B")
    moved = mapped.assign(
        structure_residue=mapped["structure_residue"].replace("THR766.A", "THR9766.A")
    )
    with pytest.raises(VisualizationError, match=r"no residues 9766.A"):
        variant_structure_view(egfr_1m17, moved)
    with pytest.raises(StructureError, match=r"no ligand 'XYZ'"):
        variant_structure_view(egfr_1m17, mapped, ligand="XYZ")
