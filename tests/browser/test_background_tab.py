"""A plot created while its notebook is a background JupyterLab tab logs no console error,
is drawn right once its tab is shown, and still notifies a finding that appears meanwhile.

Issue 22's last case: a cell sleeps, the user opens another tab, the cell then creates a
LivePlot. JupyterLab hides a background tab with ``display: none``, so the chart's elements
have no size; bqplot's Figure view, drawn at that size, set negative widths on its ``<rect>``
elements and chromium logged ``<rect> attribute width: A negative value is not valid`` six
times per chart. A real ``jupyter lab`` with the labextension (the build on ``JUPYTER_PATH``
first), chromium, a kernel following a log file the test writes as a training would (it
starts overfitting while the tab is hidden: a warning, notified once). Screenshot: ``test-artifacts/screenshots/background_tab.png``.
"""

from __future__ import annotations

import pytest

from tests.browser.chart_geometry import figure_problems, geometry
from tests.browser.lab import (
    open_notebook,
    running_lab,
    screenshot,
    wait_until,
    write_notebook,
)

pytestmark = pytest.mark.browser

DEFS = ('[{"Name": "train:loss", "Regex": "train_loss=(\\\\S+)"},'
        ' {"Name": "validation:loss", "Regex": "val_loss=(\\\\S+)"}]')


def epoch(i: int) -> str:
    """A training's line: training loss falls throughout; validation loss falls until
    epoch 11, then rises (overfitting, a warning, found once epoch 15 is in)."""
    valid = 0.5 / (i + 1) + 0.3 if i < 12 else 0.5 / 13 + 0.3 + 0.04 * (i - 11)
    return f"epoch {i} train_loss={1.0 / (i + 1):.4f} val_loss={valid:.4f}"


HEALTHY = [epoch(i) for i in range(12)]
OVERFITTING = [epoch(i) for i in range(12, 18)]
FINDING = "overfitting: validation:loss rose"
PLOT = ".metricwidgets-liveplot"
CHART = f"{PLOT} .metricwidgets-chart"
TOAST = ".Toastify__toast"

#: Every figure of the plot has been handled by its view: drawn (bqplot's plot area is
#: there), or waiting for its element to have a size (``_browser.js`` marks it).
_FIGURES_SETTLED_JS = """() => {
    const figures = [...document.querySelectorAll('.metricwidgets-liveplot .bqplot.figure')];
    return figures.length > 0 && figures.every(f =>
        f.querySelector('rect.plotarea_background') || f.hasAttribute('data-metricwidgets-waiting'));
}"""
#: The notebook's panel is in the page but not shown (a background tab).
_HIDDEN_JS = """(id) => {
    const panel = document.getElementById(id);
    return !!panel && panel.getBoundingClientRect().width === 0
        && !!panel.querySelector('.metricwidgets-liveplot');
}"""
#: Screen boxes of the chart's figure and of bqplot's plot area inside it.
_AREA_JS = """(chart) => {
    const root = document.querySelector(chart);
    const box = el => { const b = el.getBoundingClientRect(); return [b.left, b.right, b.width]; };
    const figure = root.querySelector('svg.svg-figure');
    const area = root.querySelector('rect.plotarea_background');
    return {figure: figure ? box(figure) : null, area: area ? box(area) : null,
            width: area ? area.getAttribute('width') : null};
}"""


class Reports:
    """The console errors and uncaught page errors a page reported."""

    def __init__(self, page):
        self.console: list[str] = []
        self.page_errors: list[str] = []
        page.on("console", lambda msg: self.console.append(msg.text)
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))

    def assert_clean(self, when: str) -> None:
        assert not self.page_errors, f"{when}: {self.page_errors}"
        assert not self.console, f"{when}: {len(self.console)} console errors {self.console}"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("first_points", ["before", "after"])
def test_a_plot_made_in_a_background_tab_logs_no_error_notifies_and_draws_when_shown(
        tmp_path, page, first_points):
    """``first_points``: the log has its first points when the plot is made ("before": its
    chart is built with it), or they come while the tab is hidden ("after": the chart is
    built then, as for a job that has just started)."""
    log, go = tmp_path / "train.log", tmp_path / "go"
    started, plotted = tmp_path / "started", tmp_path / "plotted"
    log.write_text("\n".join(HEALTHY) + "\n" if first_points == "before" else "")
    # The cell waits (in the kernel) until the test has put another tab in front.
    write_notebook(tmp_path / "background.ipynb", [
        "import pathlib, time\nfrom metricwidgets import LivePlot\n"
        f"pathlib.Path({str(started)!r}).write_text('waiting')\n"
        f"deadline = time.monotonic() + 120\n"
        f"while not pathlib.Path({str(go)!r}).exists() and time.monotonic() < deadline:\n"
        "    time.sleep(0.05)\n"
        f"plot = LivePlot.for_file({str(log)!r}, {DEFS}, step_definition=r'epoch (\\d+)')\n"
        "display(plot)\n"
        # What the plot opened on is not news: it has looked (polled, then diagnosed) before
        # the test makes the job overfit.
        "while plot.watch.polls == 0 and time.monotonic() < deadline:\n"
        "    time.sleep(0.05)\n"
        "plot.refresh(force=True)\n"
        f"_ = pathlib.Path({str(plotted)!r}).write_text('shown')",
    ])
    reports = Reports(page)
    with running_lab(tmp_path) as url:
        open_notebook(page, url, "background.ipynb")
        notebook = page.evaluate("() => window.jupyterapp.shell.currentWidget.id")
        # Not awaited (run_all_cells waits for the cells to finish): the cell waits for go.
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        wait_until(started.exists, 60, what="the cell running")
        page.evaluate("() => { window.jupyterapp.commands.execute('launcher:create'); }")
        page.locator(".jp-Launcher").first.wait_for(timeout=30_000)
        go.write_text("")
        wait_until(plotted.exists, 90, what="the plot made in the kernel")
        wait_until(lambda: page.evaluate(_HIDDEN_JS, notebook), 60,
                   what="the plot in the hidden notebook")
        if first_points == "after":
            with log.open("a") as handle:
                handle.write("\n".join(HEALTHY) + "\n")
        wait_until(lambda: page.evaluate(_FIGURES_SETTLED_JS), 60,
                   what="the hidden plot's figures handled by their views")
        # Its series have arrived (the legend is HTML, there while hidden): the findings list
        # has been seen empty; the job now overfits while the tab stays hidden.
        wait_until(lambda: page.locator(f"{PLOT} .metricwidgets-legend-entry").count() == 2,
                   60, what="the hidden plot's series")
        with log.open("a") as handle:
            handle.write("\n".join(OVERFITTING) + "\n")
        toast = page.locator(TOAST, has_text=FINDING)
        wait_until(lambda: toast.count() >= 1, 60,
                   what="the overfitting warning notified from the hidden plot")
        assert page.evaluate(_HIDDEN_JS, notebook)
        reports.assert_clean("while the notebook was a background tab")

        page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="background.ipynb").click()
        last: list[str] = []

        def drawn_right():
            geo = geometry(page, CHART)
            last[:] = ["no chart"] if geo is None else figure_problems(geo, "step", "linear")
            return not last

        try:
            wait_until(drawn_right, 60, what="the chart drawn once its tab is shown")
        except TimeoutError:
            screenshot(page, "background_tab_failed.png")
            raise AssertionError(f"the chart once shown: {last}") from None
        area = page.evaluate(_AREA_JS, CHART)
        page.locator(CHART).first.scroll_into_view_if_needed()
        screenshot(page, "background_tab.png")
        # The plot area spans the figure less its margins (not drawn for a 0 px element).
        left, right, width = area["figure"]
        assert width > 300, area
        assert float(area["width"]) > 0 and area["area"][2] > width - 150, area
        assert left <= area["area"][0] and area["area"][1] <= right + 0.5, area
        assert toast.count() == 1 and "warning" in toast.get_attribute("class")
        assert page.locator(TOAST).count() == 1
        reports.assert_clean("after the tab was shown")
        assert not page.dialogs
