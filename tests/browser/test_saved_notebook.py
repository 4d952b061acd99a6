"""The chart outlives its kernel: a plot's output carries a picture of itself.

In chromium: the live kernel shows the widget (its picture hidden); the notebook saved and
reopened in JupyterLab with a fresh kernel (the plot's widget models gone) shows the
picture, not "Error displaying widget: model not found"; ``jupyter nbconvert --execute``
(nbconvert's defaults: widget state stored) then ``--to html`` shows the chart as an SVG with
its title, legend and findings, rendered in chromium, and the executed notebook opened in
JupyterLab (untrusted, its kernel never run there) shows the picture. Creating a chart logs
no console error.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.lab import open_notebook, run_all_cells, screenshot, wait_until, write_notebook

pytestmark = pytest.mark.browser

TINY = str(Path(__file__).resolve().parents[1] / "data" / "train_tiny.py")
CELL = f"""import sys
from metricwidgets import LivePlot
DEFS = [{{"Name": "train:error", "Regex": r"Train_error=(.*?);"}},
        {{"Name": "validation:error", "Regex": r"Valid_error=(.*?);"}}]
plot = LivePlot.for_command([sys.executable, {TINY!r}, "--epochs", "30", "--nan-at", "20"],
                            DEFS, step_definition=r"epoch ([0-9]+):")
plot.wait(60)
plot"""
OUTPUT = ".jp-Notebook .jp-OutputArea-output"
PICTURE = ".jp-MetricWidgets-picture img"


def _console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def _visible(page, selector: str) -> bool:
    return page.evaluate("""(sel) => [...document.querySelectorAll(sel)].some(e => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(e).display !== 'none';
    })""", selector)


def _saved_outputs(path: Path) -> list[dict]:
    nb = json.loads(path.read_text())
    return [o for c in nb["cells"] for o in c.get("outputs", [])]


def assert_the_picture_not_the_widget(page) -> None:
    """The plot's output shows its picture, loaded, and neither a widget nor an error."""
    page.wait_for_selector(PICTURE, timeout=60_000)
    wait_until(lambda: page.evaluate(
        "(sel) => { const i = document.querySelector(sel); return i && i.complete "
        "&& i.naturalWidth > 800; }", PICTURE), 30, what="the picture to load")
    assert _visible(page, PICTURE)
    assert "model not found" not in page.locator(OUTPUT).first.inner_text()
    assert not _visible(page, ".metricwidgets-liveplot")


def test_the_live_kernel_shows_the_widget_and_the_reopened_notebook_its_picture(lab, page):
    url, root = lab
    path = write_notebook(root / "saved.ipynb", [CELL])
    errors = _console_errors(page)
    open_notebook(page, url, "saved.ipynb")
    run_all_cells(page)
    page.wait_for_selector(".metricwidgets-liveplot .metricwidgets-chart .bqplot",
                           timeout=90_000)
    wait_until(lambda: page.locator(".metricwidgets-findings").inner_text().count("\u25c6") >= 2,
               60, what="the findings of the finished run")
    assert _visible(page, ".metricwidgets-liveplot .bqplot")
    assert not _visible(page, PICTURE)  # the picture waits behind the live widget
    screenshot(page, "saved_notebook_live.png")
    assert not [e for e in errors if "negative value" in e], errors  # rect widths

    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    wait_until(lambda: any("image/svg+xml" in o.get("data", {}) for o in _saved_outputs(path)),
               30, what="the notebook saved with its output")
    [output] = [o for o in _saved_outputs(path) if "image/svg+xml" in o.get("data", {})]
    svg = output["data"]["image/svg+xml"]
    svg = "".join(svg) if isinstance(svg, list) else svg
    for words in ("train_tiny.py", "train:error", "validation:error", "overfitting"):
        assert words in svg, words

    # Reopened: a new kernel, in which the plot's widget models do not exist.
    page.evaluate("() => window.jupyterapp.commands.execute('kernelmenu:shutdown')")
    page.goto("about:blank")
    open_notebook(page, url, "saved.ipynb")
    assert_the_picture_not_the_widget(page)
    screenshot(page, "saved_notebook_reopened.png")


#: The plot shown by one cell, its job awaited in the next (a notebook's usual shape): the
#: finished picture is sent while that next cell runs.
SPLIT_CELLS = [CELL.replace("plot.wait(60)\n", ""), "plot.wait(60)"]


def nbconvert_execute(path: Path, to: str) -> Path:
    """``jupyter nbconvert --execute --to TO`` with nbconvert's default settings (widget
    state stored); the path written."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")])}
    out = f"{path.stem}-{to}"
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", to, "--execute",
                    "--output", out, str(path)],
                   check=True, cwd=path.parent, env=env, timeout=300, capture_output=True)
    return path.with_name(out + (".html" if to == "html" else ".ipynb"))


def test_nbconvert_executes_and_exports_each_chart_as_a_picture(page, tmp_path):
    html = nbconvert_execute(write_notebook(tmp_path / "report.ipynb", SPLIT_CELLS), "html")
    text = html.read_text()
    assert "Error displaying widget" not in text and "LivePlot(children=" not in text
    # The widget state is stored (nbconvert's default), yet no widget view is left to draw.
    assert 'type="application/vnd.jupyter.widget-state+json"' in text
    assert '<script type="application/vnd.jupyter.widget-view+json">' not in text
    # nbconvert embeds an SVG output as an <img> with a base64 data: URL.
    [encoded] = re.findall(r'<img[^>]* src="data:image/svg\+xml;base64,([^"]+)"', text)
    picture = base64.b64decode(encoded).decode("utf-8")
    for words in ("train_tiny.py", "train:error", "validation:error", "overfitting"):
        assert words in picture, words

    page.goto(html.as_uri())
    image = page.locator("img[src^='data:image/svg+xml']")
    image.wait_for(timeout=30_000)
    wait_until(lambda: image.evaluate("i => i.complete && i.naturalWidth") == 900, 30,
               what="the picture drawn")
    image.scroll_into_view_if_needed()
    screenshot(page, "nbconvert_report.png")


def test_a_notebook_executed_headless_opens_in_lab_with_its_picture(lab, page):
    url, root = lab
    executed = nbconvert_execute(write_notebook(root / "headless.ipynb", SPLIT_CELLS),
                                 "notebook")
    errors = _console_errors(page)
    # Not trusted (nbconvert signs nothing) and its kernel never ran there: no widget model.
    open_notebook(page, url, executed.name)
    assert_the_picture_not_the_widget(page)
    page.locator(PICTURE).first.scroll_into_view_if_needed()
    screenshot(page, "headless_notebook_in_lab.png")
    assert not errors, errors
