"""3D views render in a real browser with no network: saved pages, exported notebooks, JupyterLab.

Headless Chromium (Debian's ``chromium``, driven by Python playwright through
``executable_path``; ``scripts/test.sh`` installs it when missing) opens each
page with every request outside localhost aborted and recorded. A drawn 3D
view has thousands of colours; a blank one is one flat colour. The negative
control (py3Dmol's default CDN script) must come out blank, so these checks
can fail.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pandas as pd
import pytest
from conftest import NETWORK_GUARD, NOTEBOOK_DIR

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
VIEWER = 'div[id^="3dmolviewer"]'
LOCAL = ("file:", "data:", "blob:", "about:", "http://127.0.0.1", "http://localhost")


def _require_browser() -> None:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (scripts/test.sh installs Debian's chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from drugml.data.assets import threedmol_path

    if threedmol_path() is None:
        pytest.fail("3Dmol.js is not installed: run `drugml viewer install` (scripts/test.sh does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


class OfflinePage:
    """A page whose requests outside localhost are aborted and remembered."""

    def __init__(self, browser, width: int = 1100, height: int = 900) -> None:
        self.outside: list[str] = []
        self.errors: list[str] = []  # the page's console errors and uncaught exceptions
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def offline_page(browser):
    page = OfflinePage(browser)
    yield page
    page.close()


def pixel_stats(png: bytes) -> tuple[int, float]:
    """(distinct colours, fraction of non-white pixels) of a screenshot."""
    from PIL import Image

    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    colours = len(np.unique(image.reshape(-1, 3), axis=0))
    return colours, float((image.sum(axis=2) < 750).mean())


def wait_for_canvases(page, count: int, timeout: float = 60_000) -> None:
    """Wait until ``count`` viewers hold a sized canvas, then for two animation frames."""
    page.wait_for_function(
        """n => { const c = [...document.querySelectorAll('div[id^="3dmolviewer"] canvas')]
                  .filter(x => x.width > 0 && x.height > 0); return c.length >= n; }""",
        arg=count,
        timeout=timeout,
    )
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def assert_drawn(png: bytes, what: str) -> None:
    colours, filled = pixel_stats(png)
    assert colours > 100 and filled > 0.02, f"{what} looks blank: {colours} colours, {filled:.1%}"


def test_saved_view_renders_offline(offline_page, tmp_path):
    from drugml.viz import view_binding_site, view_rna

    pages = [
        view_binding_site("egfr_1m17", "AQ4").save_html(tmp_path / "pocket.html"),
        view_rna("rna_4gxy", "B1Z").save_html(tmp_path / "rna.html"),
    ]
    for path in pages:
        text = path.read_text()
        assert not re.search(r"""src=["']https?://""", text), "an external script URL"
        offline_page.page.goto(path.as_uri())
        wait_for_canvases(offline_page.page, 1)
        assert_drawn(offline_page.page.locator(VIEWER).first.screenshot(), path.name)
    assert offline_page.outside == []


def test_pockets_page_of_drugml_pockets_renders_offline(offline_page, tmp_path):
    """``drugml pockets --out``: the pockets found without a ligand, drawn with no network."""
    from drugml.cli import main

    assert main(["pockets", "egfr_1m17", "--top", "3", "--out", str(tmp_path)]) == 0
    path = tmp_path / "pockets.html"
    assert not re.search(r"""src=["']https?://""", path.read_text()), "an external script URL"
    offline_page.page.goto(path.as_uri())
    wait_for_canvases(offline_page.page, 1)
    assert_drawn(offline_page.page.locator(VIEWER).first.screenshot(), "pockets view")
    assert offline_page.outside == [] and offline_page.errors == []


def test_cdn_view_is_blank_offline_negative_control(offline_page, tmp_path):
    """py3Dmol's own view loads 3Dmol.js from a CDN: offline it must stay blank."""
    import py3Dmol

    from drugml.structure import load_structure

    view = py3Dmol.view(width=640, height=480)
    view.addModel(load_structure("egfr_1m17").to_pdb(), "pdb")
    view.setStyle({"cartoon": {"color": "spectrum"}})
    view.zoomTo()
    path = tmp_path / "cdn.html"
    view.write_html(str(path))
    offline_page.page.goto(path.as_uri())
    offline_page.page.wait_for_load_state("load")
    png = offline_page.page.locator(VIEWER).first.screenshot()
    colours, filled = pixel_stats(png)
    assert colours <= 100 or filled <= 0.02, "the CDN view drew something with no network"
    assert any("3dmol" in url.lower() for url in offline_page.outside), offline_page.outside


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("name", ["01_target_structure", "07_rna_targets"])
def test_exported_notebook_renders_offline(offline_page, tmp_path, name):
    from drugml.report.gallery import execute_notebook, export_html
    from drugml.viz.view3d import library_html

    nb = execute_notebook(NOTEBOOK_DIR / f"{name}.ipynb", preamble=NETWORK_GUARD, timeout=600)
    path = export_html(nb, tmp_path / f"{name}.html")
    text = path.read_text()
    assert not re.search(r"""<script[^>]+src=["']?https?://""", text), "an external script URL"
    n_views = len(re.findall(r'<div id="3dmolviewer_', text))
    assert n_views >= 2
    assert text.count(library_html()) == 1, "3Dmol.js should be in the page once, for every view"
    offline_page.page.goto(path.as_uri())
    wait_for_canvases(offline_page.page, n_views)
    viewers = offline_page.page.locator(VIEWER)
    for i in range(n_views):
        viewers.nth(i).scroll_into_view_if_needed()
        assert_drawn(viewers.nth(i).screenshot(), f"{name} view {i + 1}")
    assert offline_page.outside == []


def _png_data_uri(width: int, height: int) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "steelblue").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def test_gallery_index_fits_a_1280px_window(browser, tmp_path):
    """The gallery's landing page: a grid of cards, no sideways scrolling, figures embedded."""
    from drugml.report.gallery import NotebookResult, write_index

    figure, aim = _png_data_uri(1600, 900), "Look at the target and its pocket. " * 10
    results = [
        NotebookResult(
            f"{i:02d}_nb",
            tmp_path / f"{i:02d}_nb.html",
            12.3,
            title=f"{i:02d} · Nb",
            aim=aim,
            thumbnail=figure if i % 2 == 0 else None,
        )
        for i in range(7)
    ]
    summary = "cell 3: ValueError: " + "x" * 300  # one long word must wrap, not widen the page
    results.append(NotebookResult("07_bad", None, 1.0, "ValueError", summary, title="Broken"))
    index = write_index(tmp_path, results)
    page = OfflinePage(browser, width=1280, height=800)
    try:
        page.page.goto(index.as_uri())
        scroll, client = page.page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, f"the index is {scroll} px wide in a {client} px window"
        columns = page.page.evaluate(
            "() => getComputedStyle(document.querySelector('.gallery'))"
            ".gridTemplateColumns.split(' ').length"
        )
        assert columns >= 3
        thumbnails = page.page.evaluate(
            "() => [...document.querySelectorAll('img.thumb')]"
            ".map(i => [i.complete && i.naturalWidth > 0, i.getBoundingClientRect().width])"
        )
        assert thumbnails == [[True, 240]] * 4  # decoded from the page itself, 240 px wide
        assert page.page.locator(".thumb.placeholder").count() == 4
        assert page.outside == []
    finally:
        page.close()


# ------------------------------------------------------------------ JupyterLab
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["/", "/user/binder-like/"], ids=["base-root", "base-binder"])
def jupyterlab(request, tmp_path):
    _require_browser()
    root = tmp_path / "work"
    root.mkdir()
    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": "from drugml.viz import view_binding_site\n"
            "view_binding_site('egfr_1m17', 'AQ4')",
        },
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": "view_binding_site('egfr_1m17', 'AQ4', surface=False)",
        },
    ]
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / "view.ipynb").write_text(json.dumps(notebook))
    settings = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # No news or update checks: they would fetch from the internet.
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    port, token, base = _free_port(), "drugml-test-token", request.param
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--ServerApp.token={token}",
        f"--ServerApp.base_url={base}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--ServerApp.disable_check_xsrf=True",
        "--allow-root",
        "--LabApp.extension_manager=readonly",
    ]
    log = (tmp_path / "jupyterlab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}{base}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                log_text = (tmp_path / "jupyterlab.log").read_text()
                pytest.fail(f"JupyterLab did not start: {log_text}")
            time.sleep(0.5)
    yield url, token
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def _idle_kernel(url: str, token: str) -> bool:
    with urllib.request.urlopen(f"{url}api/sessions?token={token}", timeout=5) as response:
        sessions = json.load(response)
    return any(s["kernel"]["execution_state"] == "idle" for s in sessions)


@pytest.mark.slow
def test_view_renders_in_live_jupyterlab(browser, jupyterlab):
    url, token = jupyterlab
    page = OfflinePage(browser)
    try:
        page.page.goto(f"{url}lab/tree/view.ipynb?token={token}")
        page.page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
        page.page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        deadline = time.monotonic() + 60
        while not _idle_kernel(url, token):
            assert time.monotonic() < deadline, "the kernel never became idle"
            page.page.wait_for_timeout(250)
        page.page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        wait_for_canvases(page.page, 2, timeout=120_000)
        viewers = page.page.locator(f".jp-OutputArea {VIEWER}")
        assert viewers.count() == 2
        for i in range(2):
            viewers.nth(i).scroll_into_view_if_needed()
            assert_drawn(viewers.nth(i).screenshot(), f"JupyterLab view {i + 1}")
        assert page.outside == []
    finally:
        page.close()


@pytest.mark.slow
def test_report_renders_offline_fits_1280_and_its_table_sorts_and_filters(
    browser, second_target_run
):
    out, _ = second_target_run
    page = OfflinePage(browser, width=1280, height=900)
    try:
        page.page.goto((out / "report.html").as_uri())
        wait_for_canvases(page.page, 1)
        viewer = page.page.locator(VIEWER).first
        viewer.scroll_into_view_if_needed()
        assert_drawn(viewer.screenshot(), "the report's pocket view")
        width = page.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"the report is {width} px wide in a 1280 px window"
        assert page.page.evaluate("[...document.images].every(i => i.alt.length > 20)")
        # Sort by score, ascending then descending; filter by text.
        rows = page.page.locator("#candidates tbody tr")
        n_rows = rows.count()
        assert n_rows > 10

        def scores() -> list[float]:
            return [float(rows.nth(i).locator("td").nth(3).inner_text()) for i in range(n_rows)]

        header = page.page.locator("#candidates th", has_text="score").first
        header.click()
        assert scores() == sorted(scores(), reverse=True)
        header.click()
        assert scores() == sorted(scores())
        first_id = rows.nth(0).locator("td").nth(2).locator("small").inner_text().split(";")[0]
        page.page.fill("#candidate-search", first_id)
        shown = int(page.page.inner_text("#candidate-count"))
        assert 1 <= shown < n_rows
        assert page.outside == [] and page.errors == []
    finally:
        page.close()


@pytest.mark.slow
def test_ranking_page_of_drugml_rank_renders_offline_and_fits_1280(
    browser, second_target_run, tmp_path, capsys
):
    """``drugml rank``'s report.html of a run's screen, re-ranked by the run's own campaign
    file (whose docking objective a screen cannot have: left out, said): drawn offline, no
    wider than the window, sortable."""
    from drugml.cli import main

    out, _ = second_target_run
    ranked = tmp_path / "reranked"
    assert (
        main(
            [
                "rank",
                str(out / "screen"),
                "--config",
                str(out / "config.yaml"),
                "--out",
                str(ranked),
            ]
        )
        == 0
    )
    assert "docking objectives and filters (docking_score) are left out" in capsys.readouterr().err
    page = OfflinePage(browser, width=1280, height=900)
    try:
        page.page.goto((ranked / "report.html").as_uri())
        width = page.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"the ranking page is {width} px wide in a 1280 px window"
        assert page.page.evaluate("[...document.images].every(i => i.alt.length > 20)")
        assert page.page.evaluate("document.images.length") >= 1  # the score figure
        rows = page.page.locator("#candidates tbody tr")
        n_rows = rows.count()
        assert n_rows > 10
        ranks = [int(rows.nth(i).locator("td").nth(0).inner_text()) for i in range(n_rows)]
        assert ranks == sorted(ranks)
        page.page.locator("#candidates th", has_text="rank").first.click()  # descending
        first = int(rows.nth(0).locator("td").nth(0).inner_text())
        assert first == max(ranks)
        assert page.outside == [] and page.errors == []
    finally:
        page.close()


@pytest.mark.slow
def test_report_docked_poses_render_offline(browser, second_target_run):
    """Each docked candidate's pose is a 3D view in the report, drawn with no network."""
    out, metrics = second_target_run
    text = (out / "report.html").read_text()
    n_views = len(re.findall(r'<div id="3dmolviewer_', text))
    n_docked = metrics["docking"]["docked"]
    assert n_docked >= 1 and n_views == 1 + n_docked  # the pocket, then one per docked pose
    page = OfflinePage(browser, width=1280, height=900)
    try:
        page.page.goto((out / "report.html").as_uri())
        wait_for_canvases(page.page, n_views)
        viewers = page.page.locator(VIEWER)
        for i in range(1, n_views):
            viewers.nth(i).scroll_into_view_if_needed()
            assert_drawn(viewers.nth(i).screenshot(), f"docked pose view {i}")
        # beside each pose, its interactions drawn in 2D (an inline SVG, no script)
        diagrams = page.page.locator(".diagram svg")
        assert diagrams.count() == n_docked
        for i in range(n_docked):
            diagrams.nth(i).scroll_into_view_if_needed()
            box = diagrams.nth(i).bounding_box()
            assert box["width"] > 300 and box["height"] > 200
        assert page.outside == []
    finally:
        page.close()


def test_report_design_section_draws_each_proposal_beside_its_parent_offline(
    browser, second_target_run
):
    """The design section: each drawn proposal an SVG with the change highlighted, the next
    batch's table with a reason per pick; nothing fetched, nothing wider than the window."""
    out, metrics = second_target_run
    page = OfflinePage(browser, width=1280, height=900)
    try:
        page.page.goto((out / "report.html").as_uri())
        cards = page.page.locator("div.proposal")
        n_cards = cards.count()
        assert 1 <= n_cards <= metrics["design"]["proposals"]
        first = cards.first
        first.scroll_into_view_if_needed()
        assert first.locator("svg").count() == 1
        # highlighted atoms: the drawing has coloured (not only black) pixels
        assert_drawn(first.locator("svg").screenshot(), "a proposal beside its parent")
        heading = page.page.locator("h3", has_text="The next batch")
        assert heading.count() == 1
        reasons = page.page.locator("h3:has-text('The next batch') + p + div table tbody tr")
        assert reasons.count() == metrics["design"]["batch"]
        width = page.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"the report is {width} px wide in a 1280 px window"
        assert page.outside == [] and page.errors == []
    finally:
        page.close()


# ------------------------------------------------------------------ variants
VARIANT_COHORT = pd.DataFrame(
    {
        "sample": ["P1", "P2", "P3", "P1", "P4", "P5", "P6", "P7", "P8", "P9"],
        "protein_change": [
            "L858R", "L858R", "p.Leu858Arg", "T790M", "p.Thr790Met", "E746_A750del",
            "E746_A750del", "C797S", "T790=", "R108K",
        ],
    }
)  # fmt: skip


def test_variant_view_with_its_legend_renders_offline(offline_page, tmp_path):
    from drugml.variants import map_variants, read_variants, reference_from_pdb
    from drugml.viz import variant_legend, variant_structure_view

    table = read_variants(VARIANT_COHORT, gene="EGFR")
    mapped = map_variants(table, reference_from_pdb("egfr_1m17"), "egfr_1m17", ligand="AQ4")
    view = variant_structure_view("egfr_1m17", mapped, ligand="AQ4")
    path = view.save_html(tmp_path / "variants.html")
    page = path.read_text().replace("</body>", variant_legend(mapped) + "\n</body>")
    path.write_text(page)
    assert not re.search(r"""src=["']https?://""", page), "an external script URL"
    offline_page.page.goto(path.as_uri())
    wait_for_canvases(offline_page.page, 1)
    # 3Dmol.js draws with WebGL off screen and shows the image in the viewer's canvas
    webgl = offline_page.page.evaluate(
        """() => Object.keys(window).filter(k => k.startsWith('viewer_')).map(k => {
                const gl = window[k].renderer.getContext();
                return (gl instanceof WebGLRenderingContext
                        || gl instanceof WebGL2RenderingContext) && !gl.isContextLost(); })"""
    )
    assert webgl == [True], "the viewer has no live WebGL context"
    assert_drawn(offline_page.page.locator(VIEWER).first.screenshot(), "variant view")
    text = offline_page.page.inner_text("body")
    assert "L858R (LEU834.A): 3 samples" in text
    assert "not shown: 2 (synonymous 1, outside_structure 1)" in text
    assert offline_page.outside == [] and offline_page.errors == []
