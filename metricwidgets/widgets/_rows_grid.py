"""The rows of a :class:`~metricwidgets.widgets.runs_table.RunsTable`: one HTML table drawn in
the browser by a few lines of JavaScript (an ``anywidget``), not a grid of widgets.

Why: a widget per cell or per row costs the browser a view per widget; 1,000 rows of
checkbox + HTML took 19 s to appear in chromium on a loaded machine and scrolled at 70 ms a
frame. One ``<table>`` of 1,000 rows is drawn at once and scrolls as a page does, and it is
what a screen reader expects: ``<th>`` headers with ``aria-sort``, ``<td>`` cells of DOM text,
a labelled checkbox per row. anywidget carries its JavaScript in this module (no build step),
and it renders in JupyterLab, Notebook 7 and VS Code.

The kernel decides everything shown (texts already formatted, which columns are numbers,
the best row); the browser only lays it out and reports the user's two gestures by
setting a trait: ``selected`` (the ticked rows' names) and ``sort`` (a header clicked).
"""

from __future__ import annotations

import anywidget
import traitlets

__all__ = ["RowsGrid"]

_ESM = r"""
function cell(tag, text, cls) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  node.textContent = text;
  return node;
}

function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "metricwidgets-runs-grid";
  const table = document.createElement("table");
  table.className = "metricwidgets-runs-rows";
  box.appendChild(table);
  el.appendChild(box);
  let boxes = [];

  function tick(name, on) {
    const chosen = model.get("selected").filter((n) => n !== name);
    if (on) chosen.push(name);
    model.set("selected", chosen);
    model.save_changes();
  }

  function sortBy(column) {
    const sort = model.get("sort") || {};
    const ascending = sort.column === column ? !sort.ascending : true;
    model.set("sort", { column, ascending });
    model.save_changes();
  }

  function showSelected() {
    const chosen = new Set(model.get("selected"));
    const names = model.get("names");
    boxes.forEach((input, i) => { input.checked = chosen.has(names[i]); });
  }

  function draw() {
    box.style.maxHeight = model.get("height");
    const columns = model.get("columns");
    const sort = model.get("sort") || {};
    const head = document.createElement("thead");
    const top = document.createElement("tr");
    top.appendChild(cell("th", "", "tick"));
    for (const column of columns) {
      const th = cell("th", "", column.numeric ? "num" : "text");
      const sorted = sort.column === column.name;
      th.setAttribute("aria-sort", sorted ? (sort.ascending ? "ascending" : "descending") : "none");
      const button = cell("button", column.name + (sorted ? (sort.ascending ? " \u25B2" : " \u25BC") : ""));
      button.title = "sort by " + column.name;
      button.addEventListener("click", () => sortBy(column.name));
      th.appendChild(button);
      top.appendChild(th);
    }
    head.appendChild(top);
    const body = document.createElement("tbody");
    const names = model.get("names");
    const best = model.get("best");
    boxes = [];
    model.get("rows").forEach((texts, i) => {
      const tr = document.createElement("tr");
      if (i === best) tr.className = "best";
      const td = cell("td", "", "tick");
      const input = document.createElement("input");
      input.type = "checkbox";
      input.setAttribute("aria-label", "overlay " + names[i]);
      input.addEventListener("change", () => tick(names[i], input.checked));
      td.appendChild(input);
      tr.appendChild(td);
      boxes.push(input);
      texts.forEach((text, k) => tr.appendChild(cell("td", text, columns[k].numeric ? "num" : "text")));
      body.appendChild(tr);
    });
    table.replaceChildren(head, body);
    showSelected();
  }

  model.on("change:rows", draw);
  model.on("change:columns", draw);
  model.on("change:best", draw);
  model.on("change:sort", draw);
  model.on("change:height", draw);
  model.on("change:selected", showSelected);
  draw();
}

export default { render };
"""

_CSS = """
.metricwidgets-runs-grid { overflow: auto; max-width: 100%; }
.metricwidgets-runs-rows { border-collapse: separate; border-spacing: 0;
  font-variant-numeric: tabular-nums; }
.metricwidgets-runs-rows th, .metricwidgets-runs-rows td { white-space: nowrap;
  padding: 0 8px; line-height: 26px; text-align: left; }
.metricwidgets-runs-rows .num { text-align: right; }
.metricwidgets-runs-rows thead th { position: sticky; top: 0; z-index: 1;
  background: var(--jp-layout-color2, #eee); }
.metricwidgets-runs-rows th button { all: unset; cursor: pointer; font-weight: 600; }
.metricwidgets-runs-rows th button:focus-visible { outline: 2px solid #1976d2; }
.metricwidgets-runs-rows .tick { width: 22px; padding: 0 4px; }
.metricwidgets-runs-rows tbody tr:nth-child(even) { background: var(--jp-layout-color1, #fafafa); }
.metricwidgets-runs-rows tbody tr.best { background: #e8f4e8; }
"""


class RowsGrid(anywidget.AnyWidget):
    """Rows as one table, a checkbox each, sortable headers.

    Attributes
    ----------
    columns : list of dict
        ``{"name": str, "numeric": bool}`` per column (numbers are right-aligned).
    rows : list of list of str
        Each row's cell texts, as shown.
    names : list of str
        Each row's job name (what ``selected`` holds).
    best : int
        Index of the highlighted row, -1 for none.
    selected : list of str
        Names of the ticked rows; set by the browser when the user ticks one.
    sort : dict
        ``{"column": str, "ascending": bool}``; set by the browser when the user clicks a
        header.
    height : str
        The box's CSS ``max-height``: taller tables scroll under their header.
    """

    _esm = _ESM
    _css = _CSS
    columns = traitlets.List([]).tag(sync=True)
    rows = traitlets.List([]).tag(sync=True)
    names = traitlets.List([]).tag(sync=True)
    best = traitlets.Int(-1).tag(sync=True)
    selected = traitlets.List([]).tag(sync=True)
    sort = traitlets.Dict({}).tag(sync=True)
    height = traitlets.Unicode("420px").tag(sync=True)
