"""The page skeleton shared by both pages: style, the candidate table's script, tables and
figures as HTML (escaped; figures embedded as PNG data with their ``alt`` text).

Nothing here refers to another host: a page is one self-contained file.

Example
-------
>>> import pandas as pd
>>> "<td>x &amp; y</td>" in table_html(pd.DataFrame({"a": ["x & y"]}))
True
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from typing import Any

__all__ = ["figure_html", "join_parts", "page", "table_html"]

_STYLE = """
* { box-sizing: border-box; }
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0 auto;
       max-width: 1200px; padding: 16px 24px; color: #222; line-height: 1.4; }
h1 { margin-bottom: 0; } h2 { border-bottom: 2px solid #2b6ca3; padding-bottom: 4px;
       margin-top: 36px; }
h3 { margin-bottom: 4px; }
.sub { color: #666; margin-top: 4px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { background: #f3f6fa; border-radius: 6px; padding: 10px 16px; flex: 1 1 170px; }
.card b { display: block; font-size: 20px; color: #2b6ca3; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f6fa; }
.tall { max-height: 80vh; overflow-y: auto; border: 1px solid #ddd; }
#candidates { margin: 0; }
#candidates th { cursor: pointer; user-select: none; position: sticky; top: 0; z-index: 1; }
#candidates th.sorted-asc::after { content: " \\25B2"; }
#candidates th.sorted-desc::after { content: " \\25BC"; }
#candidates td.structure { padding: 0; }
.figs { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
img, svg { max-width: 100%; height: auto; }
pre { background: #f7f7f7; padding: 10px; font-size: 12px; overflow-x: auto; }
.note { color: #555; font-size: 13px; }
.badge { display: inline-block; border-radius: 3px; padding: 0 5px; margin: 1px 2px 1px 0;
         font-size: 11px; white-space: nowrap; }
.b-train { background: #dbe9f6; color: #1d4f7a; } .b-domain { background: #fde6c8; color: #7a4a00; }
.b-alert { background: #f9d6d9; color: #8a1c2b; } .b-filter { background: #8a1c2b; color: #fff; }
.b-known { background: #d3efd8; color: #1e5e2c; } .b-short { background: #e4dcf3; color: #4b2e83; }
.why { font-size: 12px; color: #444; max-width: 260px; }
.controls { display: flex; flex-wrap: wrap; gap: 14px; align-items: center; font-size: 13px;
            margin: 8px 0; }
.controls input[type=search] { width: 220px; padding: 3px 6px; }
.legend span { margin-right: 14px; font-size: 13px; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px;
          vertical-align: -1px; border: 1px solid #999; }
.poses { display: flex; flex-wrap: wrap; gap: 12px; }
.pose { margin: 0; width: 440px; }
.pose figcaption { font-size: 13px; font-weight: bold; }
.proposals { display: flex; flex-wrap: wrap; gap: 12px; }
.proposal { width: 560px; border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px;
            font-size: 13px; }
.proposal ul { margin: 4px 0; padding-left: 18px; }
.warn { background: #fde6c8; color: #7a4a00; padding: 0 3px; }
"""

# Sorting (click a header) and filtering (text, check boxes) of the candidate table.
_TABLE_SCRIPT = """
(function () {
  const table = document.getElementById("candidates");
  if (!table) return;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  table.querySelectorAll("th").forEach((th, column) => {
    th.addEventListener("click", () => {
      const descending = !th.classList.contains("sorted-desc");
      table.querySelectorAll("th").forEach(h => h.classList.remove("sorted-asc", "sorted-desc"));
      th.classList.add(descending ? "sorted-desc" : "sorted-asc");
      const key = r => r.cells[column].dataset.sort ?? r.cells[column].textContent.trim();
      const numeric = rows.every(r => key(r) === "" || !isNaN(parseFloat(key(r))));
      rows.sort((a, b) => {
        let x = key(a), y = key(b);
        if (numeric) { x = x === "" ? -Infinity : parseFloat(x);
                       y = y === "" ? -Infinity : parseFloat(y); }
        const order = x < y ? -1 : x > y ? 1 : 0;
        return descending ? -order : order;
      });
      rows.forEach(r => body.appendChild(r));
    });
  });
  const text = document.getElementById("candidate-search");
  const boxes = Array.from(document.querySelectorAll("input[data-hide]"));
  function apply() {
    const words = text.value.toLowerCase().split(/\\s+/).filter(w => w);
    let shown = 0;
    rows.forEach(r => {
      const content = r.textContent.toLowerCase();
      const hidden = boxes.some(b => b.checked && r.dataset[b.dataset.hide] === "1") ||
                     !words.every(w => content.includes(w));
      r.style.display = hidden ? "none" : "";
      if (!hidden) shown += 1;
    });
    document.getElementById("candidate-count").textContent = shown;
  }
  text.addEventListener("input", apply);
  boxes.forEach(b => b.addEventListener("change", apply));
})();
"""


def figure_html(fig: Any, alt: str, width: int | None = None) -> str:
    """A matplotlib figure as an embedded PNG ``<img>`` with its ``alt`` text (figure closed)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    size = f' width="{width}"' if width else ""
    return f'<img alt="{html.escape(alt)}"{size} src="data:image/png;base64,{data}">'


def _cell(value: Any, float_format: str) -> str:
    import pandas as pd

    if isinstance(value, float) and not pd.isna(value):
        return html.escape(float_format.format(value))
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value))


def table_html(frame: Any, float_format: str = "{:.3g}", max_rows: int = 50, more: str = "") -> str:
    """A DataFrame as a plain HTML table (escaped, scrolls inside its box), ``max_rows`` rows.

    ``more`` (HTML) follows a cut table, e.g. a link to the full CSV.

    >>> import pandas as pd
    >>> "<td>1.23</td>" in table_html(pd.DataFrame({"x": [1.234]}))
    True
    """
    shown = frame.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_cell(v, float_format)}</td>" for v in row) + "</tr>"
        for row in shown.itertuples(index=False)
    )
    cut = (
        f'<p class="note">{len(frame) - max_rows:,} more rows{more}.</p>'
        if len(frame) > max_rows
        else ""
    )
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>'
        f"</table></div>{cut}"
    )


def join_parts(parts: Sequence[str]) -> str:
    """The non-empty parts of a section, one a line: a section built from its parts reads in
    the page exactly as if each part were a section of its own (:func:`page` joins them so).

    >>> join_parts(["<h2>A</h2>", "", "<p>b</p>"])
    '<h2>A</h2>\\n<p>b</p>'
    """
    return "\n".join(part for part in parts if part)


def page(title: str, sections: Sequence[str], head: str = "") -> str:
    """A whole self-contained page: style, ``head`` (e.g. an inline library), sections (empty
    ones left out) and the candidate table's script."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n"
        f"{head}</head>\n<body>\n"
        + join_parts(sections)
        + f"\n<script>{_TABLE_SCRIPT}</script>\n</body>\n</html>\n"
    )
