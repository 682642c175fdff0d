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
>>> from drugml.report.gallery import build_gallery  # doctest: +SKIP
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

from drugml.errors import DrugmlError, MissingDependencyError

__all__ = [
    "NotebookExecutionError",
    "NotebookParametersError",
    "NotebookResult",
    "NotebooksNotFoundError",
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


class NotebooksNotFoundError(DrugmlError, FileNotFoundError):
    """The notebook folder does not exist, or holds none of the notebooks asked for."""


class NotebookParametersError(DrugmlError, ValueError):
    """Parameters were given for a notebook that has no cell tagged ``parameters``."""


@dataclass
class NotebookResult:
    """What :func:`build_gallery` records for one notebook."""

    name: str
    html_path: Path | None
    seconds: float
    error: str | None = None
    summary: str | None = None  # one line for the index page
    title: str = ""  # the notebook's first "# " heading
    aim: str = ""  # plain text, from the "Aim" paragraph
    thumbnail: str | None = None  # data: URI of the first figure

    @property
    def ok(self) -> bool:
        return self.error is None


def _require_notebook_stack():
    try:
        import nbclient
        import nbformat
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise MissingDependencyError(
            "Running notebooks needs the 'notebooks' extra: pip install 'drugml[notebooks]'"
        ) from exc
    return nbformat, nbclient


def find_notebooks(folder: str | Path) -> list[Path]:
    """Return the ``*.ipynb`` files of a folder in name order (checkpoints skipped)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise NotebooksNotFoundError(f"Notebook folder {folder} does not exist.")
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
        raise NotebookParametersError(
            "The notebook has no cell tagged 'parameters' to override: tag the cell that "
            "sets its defaults 'parameters' (Jupyter: View > Cell Toolbar > Tags)"
        )
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
    (require.js, MathJax, Mermaid, widget manager); images are embedded. Every
    3D view's output carries 3Dmol.js; the page keeps only the first copy
    (:func:`drugml.viz.view3d.dedupe_library`), so five views load it once.
    """
    from nbconvert import HTMLExporter

    from drugml.viz.view3d import dedupe_library

    exporter = HTMLExporter(
        template_name=OFFLINE_TEMPLATE, extra_template_basedirs=[str(TEMPLATE_DIR)]
    )
    body, _ = exporter.from_notebook_node(nb)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedupe_library(body), encoding="utf-8")
    return path


# ------------------------------------------------------------- what the index shows
_AIM_HEADING = re.compile(r"#{1,6}\s.*\baims?\b", re.IGNORECASE)  # "## Aim of this talktorial"
# A paragraph that opens with an "Aim" label: "**Aim.** ...", "**Aim**: ...", "Aim: ..."
_AIM_LABEL = re.compile(r"(?:\*\*|__)?aims?(?:[.:](?:\*\*|__)?|(?:\*\*|__)[.:]?)\s*", re.IGNORECASE)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # [text](url) and ![alt](url) -> text
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
AIM_LIMIT = 420  # characters of the aim shown on a gallery card
THUMBNAIL_PIXELS = 480  # stored width of a card's figure (twice its CSS width, for sharp screens)


def _title(nb: Any, fallback: str) -> str:
    """The notebook's first ``# `` heading, or ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _markdown_paragraphs(nb: Any) -> list[str]:
    """The paragraphs of all markdown cells, in order; a heading line starts a new one."""
    return [
        part.strip()
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for part in re.split(r"\n\s*\n|\n(?=#{1,6}\s)", cell.source)
        if part.strip()
    ]


def _plain_text(markdown: str) -> str:
    """Markdown inline text without its markup, on one line.

    >>> _plain_text("Screen **the** `approved` drugs,\\nsee [docs](https://x.org).")
    'Screen the approved drugs, see docs.'
    """
    text = _MD_LINK.sub(r"\1", markdown)
    for _ in range(2):  # **bold *italic* text**
        text = _MD_EMPHASIS.sub(r"\2", text)
    return " ".join(text.split())


def _shorten(text: str, limit: int = AIM_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, at a sentence end where one is near.

    >>> _shorten("One two. Three four five.", 14)
    'One two.'
    >>> _shorten("One two three four five.", 12)
    'One two…'
    """
    if len(text) <= limit:
        return text
    cut = text[:limit]
    sentence = cut.rfind(". ")
    if sentence >= limit // 3:
        return cut[: sentence + 1]
    space = cut.rfind(" ")
    return cut[: space if space > 0 else limit].rstrip(",;:") + "…"


def _aim(nb: Any) -> str:
    """The notebook's aim as plain text: the paragraph after an "Aim" heading or label.

    Follows the TeachOpenCADD layout: either ``**Aim.** text`` in the title cell
    or a heading such as ``## Aim`` with the aim as the next paragraph; ``""``
    when there is none.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
    ...     "# 03 · Chemical space\\n\\n**Aim.** See the inhibitors as *fingerprints*.")])
    >>> _aim(nb)
    'See the inhibitors as fingerprints.'
    """
    paragraphs = _markdown_paragraphs(nb)
    for i, paragraph in enumerate(paragraphs):
        first_line, _, rest = paragraph.partition("\n")
        if _AIM_HEADING.match(first_line):
            following = paragraphs[i + 1] if i + 1 < len(paragraphs) else ""
            text = rest or ("" if following.startswith("#") else following)
            return _shorten(_plain_text(text))
        label = _AIM_LABEL.match(paragraph)
        if label:
            return _shorten(_plain_text(paragraph[label.end() :]))
    return ""


def _shrink_png(png_b64: str, width: int = THUMBNAIL_PIXELS) -> str:
    """A base64 PNG scaled down to ``width`` pixels (unchanged if narrower or unreadable)."""
    import base64
    import io

    try:
        from PIL import Image

        image = Image.open(io.BytesIO(base64.b64decode(png_b64)))
        if image.width <= width:
            return png_b64
        height = max(1, round(image.height * width / image.width))
        buffer = io.BytesIO()
        image.resize((width, height), Image.LANCZOS).save(buffer, format="PNG", optimize=True)
    except Exception:  # a thumbnail is a nicety: keep the original figure
        return png_b64
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _thumbnail(nb: Any) -> str | None:
    """A ``data:`` URI of the notebook's first PNG figure (else its first SVG), or None."""
    import base64

    svg = None
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                png = "".join(data["image/png"].split())
                return f"data:image/png;base64,{_shrink_png(png)}"
            if svg is None and "image/svg+xml" in data:
                svg = base64.b64encode(data["image/svg+xml"].encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{svg}" if svg else None


# ------------------------------------------------------------------------ the gallery
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
    name (without ``.ipynb``) to the parameters to inject. The index shows one
    card per notebook: its title, aim, run time and first figure.
    """
    from tqdm.auto import tqdm

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = find_notebooks(notebook_dir)
    if notebooks:
        wanted = {n.removesuffix(".ipynb") for n in notebooks}
        paths = [p for p in paths if p.stem in wanted]
    if not paths:
        wanted = f" named {sorted(notebooks)}" if notebooks else ""
        raise NotebooksNotFoundError(f"No notebooks{wanted} to run in {notebook_dir}.")
    results = [
        _gallery_entry(nb_path, out_dir, (parameters or {}).get(nb_path.stem), timeout)
        for nb_path in tqdm(paths, desc="notebooks", unit="nb", disable=not progress)
    ]
    index = write_index(out_dir, results)
    failed = [r for r in results if not r.ok]
    if failed:
        details = "\n\n".join(f"{r.name}: {r.error}" for r in failed)
        raise NotebookExecutionError(
            f"{len(failed)} of {len(results)} notebooks failed (see {index}):\n{details}"
        )
    return index


def _gallery_entry(
    nb_path: Path, out_dir: Path, parameters: Mapping[str, Any] | None, timeout: int
) -> NotebookResult:
    """Execute and export one notebook; a failure is recorded, not raised."""
    start = time.perf_counter()
    try:
        nb = execute_notebook(nb_path, parameters, timeout=timeout)
    except Exception as exc:  # keep going: the index reports every failure
        summary = getattr(exc, "summary", None) or f"{type(exc).__name__}: {exc}"
        title, aim = _source_title_and_aim(nb_path)
        elapsed = time.perf_counter() - start
        return NotebookResult(nb_path.stem, None, elapsed, str(exc), summary, title, aim)
    html_path = export_html(nb, out_dir / f"{nb_path.stem}.html")
    return NotebookResult(
        nb_path.stem,
        html_path,
        time.perf_counter() - start,
        title=_title(nb, nb_path.stem),
        aim=_aim(nb),
        thumbnail=_thumbnail(nb),
    )


def _source_title_and_aim(nb_path: Path) -> tuple[str, str]:
    """Title and aim read from the notebook file (for notebooks that failed to run)."""
    import nbformat

    try:
        nb = nbformat.read(nb_path, as_version=4)
    except Exception:  # unreadable: its execution error already says why
        return nb_path.stem, ""
    return _title(nb, nb_path.stem), _aim(nb)


_INDEX_CSS = """
*, *::before, *::after { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 80rem;
       padding: 0 1.5rem; color: #222; line-height: 1.45; }
.gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr));
           gap: 1.25rem; list-style: none; margin: 1.5rem 0; padding: 0; }
.card { position: relative; display: flex; flex-direction: column; gap: .5rem; min-width: 0;
        padding: .75rem; border: 1px solid #d0d7de; border-radius: 8px; background: #fff;
        overflow-wrap: anywhere; }
.card:hover, .card:focus-within { border-color: #0969da; box-shadow: 0 2px 8px #0002; }
.card h2 { order: 1; font-size: 1.05rem; margin: 0; }
.card h2 a { color: #0550ae; text-decoration: none; }
.card h2 a::after { content: ""; position: absolute; inset: 0; }  /* the whole card links */
.card h2 a:focus-visible { outline: none; }
.card:focus-within { outline: 2px solid #0969da; outline-offset: 2px; }
.thumb { order: 0; display: block; width: 240px; max-width: 100%; height: 170px;
         align-self: center; object-fit: contain; background: #f6f8fa; border-radius: 4px; }
.placeholder { display: flex; align-items: center; justify-content: center;
               color: #6e7781; font-size: .9rem; }
.aim { order: 2; margin: 0; font-size: .9rem; }
.meta { order: 3; margin: auto 0 0; font-size: .85rem; color: #57606a; }
.fail { order: 2; margin: 0; color: #b00; font-size: .9rem; }
.card.failed { border-color: #e5a0a0; background: #fff8f8; }
"""


def _thumbnail_html(result: NotebookResult, title: str) -> str:
    """The card's figure: the embedded first figure, or a placeholder box."""
    if result.thumbnail:
        alt = html.escape(f"first figure of {title}")
        return f'<img class="thumb" src="{result.thumbnail}" alt="{alt}" width="240">'
    return '<div class="thumb placeholder">no figure</div>'


def _card(result: NotebookResult) -> str:
    """One notebook's card: title (linked to its page), figure, aim, run time, status."""
    title = result.title or result.name
    heading = html.escape(title)
    if result.ok and result.html_path is not None:
        heading = f'<a href="{html.escape(result.html_path.name)}">{heading}</a>'
    parts = [f"<h2>{heading}</h2>", _thumbnail_html(result, title)]
    if result.aim:
        parts.append(f'<p class="aim">{html.escape(result.aim)}</p>')
    if not result.ok:
        summary = html.escape((result.summary or "")[:300])
        parts.append(f'<p class="fail">failed: {summary}</p>')
    status = "ran" if result.ok else "failed"
    parts.append(
        f'<p class="meta">{html.escape(result.name)} · {status} in {result.seconds:.1f} s</p>'
    )
    css_class = "card" if result.ok else "card failed"
    return f'<li class="{css_class}">\n' + "\n".join(parts) + "\n</li>"


def write_index(out_dir: Path, results: list[NotebookResult]) -> Path:
    """Write ``index.html``: a grid of cards, one per notebook, that needs no network."""
    from drugml._version import __version__

    failed = sum(not r.ok for r in results)
    counts = f"{len(results)} notebooks" + (f", {failed} failed" if failed else "")
    cards = "\n".join(_card(r) for r in results)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>drugml notebook gallery</title>
<style>{_INDEX_CSS}</style></head><body>
<h1>drugml notebook gallery</h1>
<p>{counts}, executed headless on {time.strftime("%Y-%m-%d %H:%M")} with drugml {__version__}.
Each page is a self-contained export of the executed notebook: open a card to read it.</p>
<ul class="gallery">
{cards}
</ul></body></html>
"""
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
