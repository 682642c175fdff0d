"""drugml.report.gallery: parameter injection, error reporting and the HTML gallery."""

from __future__ import annotations

import base64
import io
import re

import nbformat
import pytest
from conftest import NETWORK_GUARD

from drugml.report.gallery import (
    NotebookExecutionError,
    NotebookResult,
    build_gallery,
    execute_notebook,
    export_html,
    inject_parameters,
    write_index,
)

EXTERNAL_URL = re.compile(r"""(src|href)=["']?(https?:)?//""")


def _write(path, *cells, title="# A notebook\nAim, Theory, Practical, Discussion"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(title), *cells]
    nbformat.write(nb, path)
    return path


def _params(source):
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]})


def test_inject_parameters_goes_right_after_the_parameters_cell():
    nb = nbformat.v4.new_notebook()
    nb.cells = [_params("x = 1"), nbformat.v4.new_code_cell("print(x)")]
    inject_parameters(nb, {"x": 2, "name": "egfr"})
    assert nb.cells[1].source.splitlines()[1:] == ["x = 2", "name = 'egfr'"]
    assert nb.cells[1].metadata["tags"] == ["injected-parameters"]


def test_inject_parameters_without_parameters_cell_is_an_error():
    nb = nbformat.v4.new_notebook()
    with pytest.raises(ValueError, match="parameters"):
        inject_parameters(nb, {"x": 1})


@pytest.mark.slow
def test_failing_cell_is_named(tmp_path):
    path = _write(
        tmp_path / "bad.ipynb",
        _params("x = 1"),
        nbformat.v4.new_code_cell("raise ValueError('boom')"),
    )
    with pytest.raises(
        NotebookExecutionError, match=r"bad\.ipynb failed in cell 2 .*ValueError: boom"
    ):
        execute_notebook(path)


@pytest.mark.slow
def test_gallery_runs_every_notebook_and_reports_failures(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _write(
        nbs / "01_good.ipynb",
        _params("n = 2"),
        nbformat.v4.new_code_cell("print(n * 21)"),
        title="# Good notebook",
    )
    _write(nbs / "02_bad.ipynb", _params("n = 2"), nbformat.v4.new_code_cell("1 / 0"))
    out = tmp_path / "gallery"
    with pytest.raises(NotebookExecutionError, match=r"(?s)1 of 2 notebooks failed.*02_bad"):
        build_gallery(nbs, out, progress=False)
    index = (out / "index.html").read_text()
    assert '<a href="01_good.html">Good notebook</a>' in index
    assert "failed" in index and "ZeroDivisionError" in index
    assert "42" in (out / "01_good.html").read_text()
    assert not (out / "02_bad.html").exists()


@pytest.mark.slow
def test_preamble_cell_is_removed_from_the_result(tmp_path):
    path = _write(tmp_path / "ok.ipynb", _params("x = 1"))
    nb = execute_notebook(path, preamble=NETWORK_GUARD)
    assert all("drugml-preamble" not in c.metadata.get("tags", []) for c in nb.cells)


@pytest.mark.slow
def test_html_export_loads_nothing_from_elsewhere(tmp_path):
    path = _write(tmp_path / "ok.ipynb", _params("x = 1"), nbformat.v4.new_code_cell("x + 1"))
    page = export_html(execute_notebook(path), tmp_path / "ok.html").read_text()
    assert "jp-Notebook" in page and "<pre>2</pre>" in page  # a JupyterLab-style export ...
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"(https?:)?//", page)  # ... offline


@pytest.mark.slow
def test_no_kernel_outlives_its_notebook(tmp_path):
    psutil = pytest.importorskip("psutil")
    good = _write(tmp_path / "good.ipynb", _params("x = 1"))
    bad = _write(tmp_path / "bad.ipynb", _params("x = 1"), nbformat.v4.new_code_cell("1 / 0"))
    execute_notebook(good)
    with pytest.raises(NotebookExecutionError):
        execute_notebook(bad)
    kernels = [
        p
        for p in psutil.Process().children(recursive=True)
        if p.is_running() and "ipykernel" in " ".join(p.cmdline())
    ]
    assert not kernels


FIGURE_CELL = """\
%matplotlib inline
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
ax.plot([1, 2, 3], [2, 1, 3])
plt.show()"""


@pytest.mark.slow
def test_gallery_index_shows_aim_run_time_and_first_figure(tmp_path):
    from PIL import Image

    nbs = tmp_path / "nbs"
    nbs.mkdir()
    title = "# Figures\n\n**Aim.** Draw *one* line plot.\n\n**Contents.** Theory · Practical"
    _write(nbs / "01_figure.ipynb", nbformat.v4.new_code_cell(FIGURE_CELL), title=title)
    _write(nbs / "02_plain.ipynb", nbformat.v4.new_code_cell("1 + 1"), title="# Plain")
    index = build_gallery(nbs, tmp_path / "gallery", progress=False).read_text()
    assert '<a href="01_figure.html">Figures</a>' in index
    assert '<p class="aim">Draw one line plot.</p>' in index  # the aim, without markup
    assert len(re.findall(r"ran in \d+\.\d s", index)) == 2  # run times
    thumbnail = re.search(
        r'<img class="thumb" src="data:image/png;base64,([A-Za-z0-9+/=]+)" '
        r'alt="first figure of Figures"',
        index,
    )
    assert thumbnail, "no embedded thumbnail"
    image = Image.open(io.BytesIO(base64.b64decode(thumbnail.group(1))))
    assert image.format == "PNG" and image.width == 480  # scaled down from 800 px
    assert index.count("<img ") == 1 and 'class="thumb placeholder">no figure' in index
    assert not EXTERNAL_URL.search(index)


def test_index_cards_for_a_failure_and_an_svg_figure(tmp_path):
    svg = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"/>').decode()
    results = [
        NotebookResult(
            "01_svg",
            tmp_path / "01_svg.html",
            2.25,
            title="SVG <only>",
            aim="Show a drawing.",
            thumbnail=f"data:image/svg+xml;base64,{svg}",
        ),
        NotebookResult(
            "02_bad",
            None,
            0.5,
            "ZeroDivisionError: division by zero",
            "cell 1: ZeroDivisionError: division by zero",
            title="Bad",
            aim="Fail.",
        ),
    ]
    index = write_index(tmp_path, results).read_text()
    assert "2 notebooks, 1 failed" in index
    svg_card, bad_card = re.findall(r'<li class="card[^"]*">.*?</li>', index, re.DOTALL)
    assert '<a href="01_svg.html">SVG &lt;only&gt;</a>' in svg_card  # titles are escaped
    assert 'src="data:image/svg+xml;base64,' in svg_card
    assert 'alt="first figure of SVG &lt;only&gt;"' in svg_card
    assert "Show a drawing." in svg_card and "ran in 2.2 s" in svg_card
    assert "<h2>Bad</h2>" in bad_card and "href" not in bad_card  # nothing to link to
    assert "failed: cell 1: ZeroDivisionError: division by zero" in bad_card
    assert "no figure" in bad_card and "Fail." in bad_card
    assert not EXTERNAL_URL.search(index)


@pytest.mark.slow
def test_export_holds_3dmol_once_for_two_views(tmp_path):
    from drugml.viz.view3d import library_html

    library = library_html()
    if not library:
        pytest.skip("3Dmol.js is not installed (drugml viewer install)")
    view = "from drugml.viz import view_binding_site\nview_binding_site('egfr_1m17', 'AQ4')"
    path = _write(
        tmp_path / "views.ipynb",
        nbformat.v4.new_code_cell(view),
        nbformat.v4.new_code_cell(view),
    )
    nb = execute_notebook(path, preamble=NETWORK_GUARD)
    page = export_html(nb, tmp_path / "views.html").read_text()
    views = [m.start() for m in re.finditer(r'<div id="3dmolviewer_', page)]
    assert len(views) == 2
    # nbconvert copies text/html outputs verbatim, so the library's text is found,
    # and only its first copy, before the first view, is kept.
    assert page.count(library) == 1
    assert page.index(library) < views[0]
