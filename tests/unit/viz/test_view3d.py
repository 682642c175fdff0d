"""3D views: offline HTML, styles, bad input. (Rendering is checked in test_browser.py.)"""

from __future__ import annotations

import re
import warnings

import pytest

from drugml import viz
from drugml.data.assets import THREEDMOL_SHA256, threedmol_path
from drugml.structure import StructureError, load_structure, superpose
from drugml.viz import view3d

EXTERNAL_SCRIPT = re.compile(r"""src=["']https?://|loadScriptAsync\(['"]https?://""")


@pytest.fixture(autouse=True)
def _needs_local_js():
    if threedmol_path() is None:
        pytest.fail("3Dmol.js is not installed: run `drugml viewer install` (scripts/test.sh does)")


def test_binding_site_view_embeds_the_library_and_no_url(tmp_path):
    view = viz.view_binding_site("egfr_1m17", "AQ4", cutoff=4.0)
    html = view.to_html()
    assert view.offline and not EXTERNAL_SCRIPT.search(html)
    assert "$3Dmolpromise = Promise.resolve()" in html and "createViewer" in html
    # Pocket residues are labelled and styled; the hinge residue is among them.
    assert "addResLabels" in html and '"resi": [' in html and "769" in html
    page = view.save_html(tmp_path / "sub" / "pocket.html")
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>") and "egfr_1m17: AQ4 A999 pocket" in text


def test_views_display_as_html_in_notebooks():
    view = viz.view_structure("egfr_1m17")
    html = view._repr_html_()
    assert isinstance(html, str) and html.count("3dmolviewer_") >= 1
    # Exactly one copy of the library per view: it is large.
    assert html.count("For license information please see 3Dmol-min.js.LICENSE.txt") == 1


@pytest.mark.parametrize(
    ("color", "expected"),
    [
        ("chain", '"colorscheme": "chain"'),
        ("secondary_structure", "ssPyMol"),
        ("bfactor", '"prop": "b"'),
        ("spectrum", '"color": "spectrum"'),
        ("#ff0000", "#ff0000"),
    ],
)
def test_cartoon_colour_schemes(color, expected):
    assert expected in viz.view_structure("egfr_1m17", color=color).to_html()


def test_bad_requests_are_clear_errors():
    with pytest.raises(ValueError, match="color must be"):
        viz.view_structure("egfr_1m17", color="by mood")
    with pytest.raises(StructureError, match=r"chains present: \['A'\]"):
        viz.view_structure("egfr_1m17", chains=["Z"])
    with pytest.raises(StructureError, match="nothing to show"):
        viz.view_structure("egfr_1m17", chains=[])
    with pytest.raises(StructureError, match=r"ligands present: \['AQ4'\]"):
        viz.view_binding_site("egfr_1m17", "ATP")
    with pytest.raises(ValueError, match="no 3D coordinates"):
        from rdkit import Chem

        viz.view_binding_site("egfr_1m17", "AQ4", candidates=[Chem.MolFromSmiles("CCO")])


def test_rna_view_colours_bases_and_shows_the_pocket():
    html = viz.view_rna("rna_4gxy", ligand="B1Z").to_html()
    for colour in view3d.BASE_COLORS.values():
        assert colour in html
    assert '"within": {"distance": 4.0' in html  # zoomed on the pocket
    with pytest.raises(StructureError, match="no ligand 'XYZ'"):
        viz.view_rna("rna_4gxy", ligand="XYZ")


def test_superposed_view_has_one_model_per_structure():
    structures = [load_structure(n) for n in ("egfr_1m17", "egfr_5ug9", "egfr_3poz")]
    superpose(structures)
    html = viz.view_superposed(structures).to_html()
    assert len(re.findall(r"viewer_\d+\.addModel\(", html)) == 3
    with pytest.raises(ValueError, match="at least one"):
        viz.view_superposed([])


def test_missing_library_falls_back_to_the_cdn_and_says_so_once(monkeypatch, tmp_path):
    from drugml.data import assets

    monkeypatch.setattr(assets, "_candidates", lambda: [tmp_path / "missing.js"])
    monkeypatch.setattr(view3d, "_CDN_WARNED", False)
    with pytest.warns(UserWarning, match="drugml viewer install"):
        view = viz.view_structure("egfr_1m17")
    assert not view.offline and "3dmol" in view.to_html().lower()
    assert view3d._cdn_url() in view.to_html()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said once, not for every view
        viz.view_structure("egfr_1m17")


def test_a_tampered_library_is_not_used(monkeypatch, tmp_path):
    from drugml.data import assets

    fake = tmp_path / "3Dmol-min.js"
    fake.write_text("alert('not 3Dmol.js')")
    monkeypatch.setattr(assets, "_candidates", lambda: [fake])
    assert assets.threedmol_path() is None
    status = assets.threedmol_status()
    assert not status["installed"] and status["sha256_found"] != THREEDMOL_SHA256
