"""drugml.notebooks: parameter injection, error reporting and the HTML gallery."""

from __future__ import annotations

import re

import nbformat
import pytest
from conftest import NETWORK_GUARD

from drugml.notebooks import (
    NotebookExecutionError,
    build_gallery,
    execute_notebook,
    export_html,
    inject_parameters,
)


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
