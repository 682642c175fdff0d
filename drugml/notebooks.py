"""Run the drugml notebooks headless and publish them as an HTML gallery.

Notebooks are stored without outputs. :func:`execute_notebook` runs one with
papermill-style parameters: the cell tagged ``parameters`` keeps its defaults
and a cell tagged ``injected-parameters`` is inserted after it with the
values given, so the same notebook runs on another target without code
changes. :func:`build_gallery` executes every notebook of a folder and writes
one HTML page per notebook plus an ``index.html``.

Needs the ``notebooks`` extra (nbclient, nbconvert, ipykernel).

Example
-------
>>> from drugml.notebooks import build_gallery  # doctest: +SKIP
>>> build_gallery("notebooks", "results/gallery")  # doctest: +SKIP
PosixPath('results/gallery/index.html')
"""

from __future__ import annotations

import html
import re
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drugml.errors import DrugmlError

__all__ = [
    "NotebookExecutionError",
    "NotebookResult",
    "build_gallery",
    "execute_notebook",
    "export_html",
    "find_notebooks",
    "inject_parameters",
]

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
PREAMBLE_TAG = "drugml-preamble"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes in IPython tracebacks


class NotebookExecutionError(DrugmlError, RuntimeError):
    """A notebook failed while running; the message names the notebook and the cell.

    ``summary`` is one line (``cell N: ErrorName: message``) for reports.
    """

    def __init__(self, message: str, summary: str = "") -> None:
        super().__init__(message)
        self.summary = summary or message.splitlines()[0]


@dataclass
class NotebookResult:
    """What :func:`build_gallery` records for one notebook."""

    name: str
    html_path: Path | None
    seconds: float
    error: str | None = None
    summary: str | None = None  # one line for the index page

    @property
    def ok(self) -> bool:
        return self.error is None


def _require_notebook_stack():
    try:
        import nbclient
        import nbformat
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "Running notebooks needs the 'notebooks' extra: pip install 'drugml[notebooks]'"
        ) from exc
    return nbformat, nbclient


def find_notebooks(folder: str | Path) -> list[Path]:
    """Return the ``*.ipynb`` files of a folder in name order (checkpoints skipped)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"Notebook folder {folder} does not exist.")
    return sorted(p for p in folder.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def inject_parameters(nb: Any, parameters: Mapping[str, Any]) -> Any:
    """Insert a cell that overrides the notebook's parameters (in place; returns ``nb``).

    The notebook must have a code cell tagged ``parameters``; the new cell,
    tagged ``injected-parameters``, goes right after it. Values are written
    with ``repr`` so they must be Python literals (numbers, strings, lists,
    dicts, None, booleans).
    """
    import nbformat

    cells = nb.cells
    index = next(
        (i for i, c in enumerate(cells) if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])),
        None,
    )
    if index is None:
        raise ValueError("The notebook has no cell tagged 'parameters' to override.")
    source = "# Parameters injected by drugml\n" + "\n".join(
        f"{key} = {value!r}" for key, value in parameters.items()
    )
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": [INJECTED_TAG]})
    cells.insert(index + 1, cell)
    return nb


def execute_notebook(
    path: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    timeout: int = 900,
    kernel_name: str = "python3",
    preamble: str | None = None,
    cwd: str | Path | None = None,
) -> Any:
    """Execute a notebook and return the executed ``NotebookNode``.

    ``parameters`` override the defaults of the cell tagged ``parameters``.
    ``preamble`` is code run first in the kernel (the test suite blocks the
    network there); its cell is removed from the returned notebook. The kernel
    starts in ``cwd`` (default: the notebook's folder), as in JupyterLab.

    Raises :class:`NotebookExecutionError` naming the notebook and the failing
    cell's number and first line.
    """
    nbformat, nbclient = _require_notebook_stack()
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    if parameters:
        inject_parameters(nb, parameters)
    if preamble:
        nb.cells.insert(0, nbformat.v4.new_code_cell(preamble, metadata={"tags": [PREAMBLE_TAG]}))
    try:
        with tempfile.TemporaryDirectory(prefix="drugml-kernel-") as socket_dir:
            km = _kernel_manager(kernel_name, socket_dir)
            client = nbclient.NotebookClient(
                nb,
                km=km,
                timeout=timeout,
                kernel_name=kernel_name,
                resources={"metadata": {"path": str(Path(cwd) if cwd else path.parent)}},
            )
            try:
                client.execute()
            finally:  # a kernel manager we pass in is ours to shut down, not nbclient's
                if km.has_kernel:
                    km.shutdown_kernel(now=True)
    except nbclient.exceptions.CellExecutionError as exc:
        raise _execution_error(path, nb, exc) from exc
    finally:
        if preamble:
            nb.cells = [c for c in nb.cells if PREAMBLE_TAG not in c.metadata.get("tags", [])]
    return nb


def _kernel_manager(kernel_name: str, socket_dir: str):
    """A kernel manager that talks to its kernel over Unix sockets where it can.

    IPC keeps the kernel off TCP ports (and ipykernel's unencrypted-TCP
    warning out of the user's terminal); the socket files go to
    ``socket_dir``. Windows has no IPC transport and keeps TCP.
    """
    import os

    from jupyter_client.manager import KernelManager

    if os.name == "nt":
        return KernelManager(kernel_name=kernel_name)
    return KernelManager(
        kernel_name=kernel_name, transport="ipc", ip=os.path.join(socket_dir, "kernel")
    )


def _execution_error(path: Path, nb: Any, exc: Exception) -> NotebookExecutionError:
    """Name the failing cell and its error, without the traceback's colour codes."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
        if error is not None:
            first_line = (cell.source.strip().splitlines() or [""])[0]
            summary = f"cell {i}: {error.ename}: {error.evalue}"
            trace = _ANSI.sub("", "\n".join(error.get("traceback", [])))
            return NotebookExecutionError(
                f"Notebook {path} failed in cell {i} ({first_line!r}): "
                f"{error.ename}: {error.evalue}\n{trace}",
                summary,
            )
    return NotebookExecutionError(f"Notebook {path} failed: {_ANSI.sub('', str(exc))}")


#: nbconvert template folder shipped with drugml: JupyterLab's look, no CDN scripts.
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
OFFLINE_TEMPLATE = "drugml_offline"


def export_html(nb: Any, path: str | Path) -> Path:
    """Write an executed notebook as a standalone HTML page that needs no network.

    Uses JupyterLab's template without the scripts it would load from CDNs
    (require.js, MathJax, Mermaid, widget manager); images are embedded.
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name=OFFLINE_TEMPLATE, extra_template_basedirs=[str(TEMPLATE_DIR)]
    )
    body, _ = exporter.from_notebook_node(nb)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def _title(nb: Any, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def build_gallery(
    notebook_dir: str | Path,
    out_dir: str | Path,
    notebooks: Sequence[str] | None = None,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    timeout: int = 900,
    progress: bool = True,
) -> Path:
    """Execute notebooks and write their HTML pages plus ``index.html`` to ``out_dir``.

    Every notebook is attempted even when one fails; the index marks failures
    and the error is raised at the end (naming every failed notebook), so a
    gallery is never silently incomplete. ``parameters`` maps a notebook's file
    name (without ``.ipynb``) to the parameters to inject.
    """
    from tqdm.auto import tqdm

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = find_notebooks(notebook_dir)
    if notebooks:
        wanted = {n.removesuffix(".ipynb") for n in notebooks}
        paths = [p for p in paths if p.stem in wanted]
    if not paths:
        raise FileNotFoundError(f"No notebooks to run in {notebook_dir}.")
    results: list[NotebookResult] = []
    titles: dict[str, str] = {}
    for nb_path in tqdm(paths, desc="notebooks", unit="nb", disable=not progress):
        start = time.perf_counter()
        try:
            nb = execute_notebook(nb_path, (parameters or {}).get(nb_path.stem), timeout=timeout)
        except Exception as exc:  # keep going: the index reports every failure
            summary = getattr(exc, "summary", None) or f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - start
            results.append(NotebookResult(nb_path.stem, None, elapsed, str(exc), summary))
            continue
        titles[nb_path.stem] = _title(nb, nb_path.stem)
        html_path = export_html(nb, out_dir / f"{nb_path.stem}.html")
        results.append(NotebookResult(nb_path.stem, html_path, time.perf_counter() - start))
    index = _write_index(out_dir, results, titles)
    failed = [r for r in results if not r.ok]
    if failed:
        details = "\n\n".join(f"{r.name}: {r.error}" for r in failed)
        raise NotebookExecutionError(
            f"{len(failed)} of {len(results)} notebooks failed (see {index}):\n{details}"
        )
    return index


def _write_index(out_dir: Path, results: list[NotebookResult], titles: dict[str, str]) -> Path:
    from drugml import __version__

    rows = []
    for r in results:
        title = html.escape(titles.get(r.name, r.name))
        if r.ok:
            link = f'<a href="{r.html_path.name}">{title}</a>'
            status = "ran"
        else:
            link = title
            first = html.escape((r.summary or "")[:300])
            status = f'<span class="fail">failed: {first}</span>'
        rows.append(
            f"<tr><td>{html.escape(r.name)}</td><td>{link}</td>"
            f"<td>{r.seconds:.1f} s</td><td>{status}</td></tr>"
        )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>drugml notebook gallery</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .5rem; text-align: left; }}
.fail {{ color: #b00; }}
</style></head><body>
<h1>drugml notebook gallery</h1>
<p>Notebooks executed headless on {time.strftime("%Y-%m-%d %H:%M")} with drugml {__version__}.
Each page is a self-contained export of the executed notebook.</p>
<table><tr><th>notebook</th><th>title</th><th>run time</th><th>status</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
