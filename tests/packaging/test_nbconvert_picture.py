"""A notebook executed headless and exported to HTML shows each chart as a picture.

``jupyter nbconvert --execute --to html notebooks/01-quickstart.ipynb`` with nbconvert's
DEFAULT settings, in a subprocess, with a real kernel: nbclient stores every widget's state,
and the HTML would draw a widget view from that state (with JavaScript from unpkg.com) in
place of any picture. Each of the notebook's two plots must come out as an ``<img>`` of its
SVG (its title, its legend, its findings), and no widget view of a plot may be left in the
HTML. The first plot's job ends while a later cell runs, so its finished picture reaches
the saved output only if the kernel sends it as part of the cell running then.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PICTURE = re.compile(r'<img[^>]* src="data:image/svg\+xml;base64,([^"]+)"')


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[str, dict]:
    """The quick-start executed and exported by nbconvert's defaults: (HTML, notebook)."""
    workdir = tmp_path_factory.mktemp("nbconvert")
    shutil.copy(REPO / "notebooks" / "01-quickstart.ipynb", workdir)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO), os.environ.get("PYTHONPATH", "")])}
    for to in ("html", "notebook"):
        subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--execute", "--to", to,
                        "--output", f"out-{to}", "01-quickstart.ipynb"],
                       check=True, cwd=workdir, env=env, timeout=400, capture_output=True)
    return ((workdir / "out-html.html").read_text(),
            json.loads((workdir / "out-notebook.ipynb").read_text()))


def pictures(page: str) -> list[str]:
    return [base64.b64decode(found).decode("utf-8") for found in PICTURE.findall(page)]


def test_nbconvert_execute_to_html_shows_each_plot_as_its_picture(exported):
    page, _notebook = exported
    assert "LivePlot(children=" not in page and "Error displaying widget" not in page
    first, suggested = pictures(page)
    # Title (the command), legend, the finished status, the finding under the chart.
    for words in ("train_digits", "train:error", "validation:error", "Completed",
                  "overfitting: validation:error rose from its best"):
        assert words in html.unescape(first), words
    for words in ("train_digits", "Train_error", "Valid_error", "Completed"):
        assert words in html.unescape(suggested), words
    assert not re.search(r'<script type="application/vnd\.jupyter\.widget-view\+json">', page)


def test_the_executed_notebook_stores_widget_state_yet_keeps_only_the_pictures(exported):
    _page, notebook = exported
    assert notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    plots = [o for c in notebook["cells"] for o in c.get("outputs", [])
             if "application/vnd.metricwidgets.plot+json" in o.get("data", {})]
    assert len(plots) == 2
    for output in plots:
        assert "application/vnd.jupyter.widget-view+json" not in output["data"]
        assert "Completed" in "".join(output["data"]["image/svg+xml"])
