"""Notebook 03 (a live SageMaker job on the stand-in) run ten times in JupyterLab, each in a
fresh kernel as a user runs it (opened and Run All, then Kernel > Restart Kernel and Run All):
every run ends with no browser console error, no uncaught page error, no widget that failed
to render, every chart's legend drawn and every chart's data drawn.

A fresh-kernel run once threw ``s.model.getScales is not a function`` 35 times and drew no
legend (bqplot's Figure given an error view for a mark whose view failed to render); such
races show on some runs only, hence ten. Each run's kernel is proven fresh by the execution
counts the kernel itself announces (1, 2, ... again after every restart). Two copies of the
notebook run side by side in two browser pages (five runs each): a run mostly waits for the
played job, and the test stays within a few minutes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser.lab import (
    open_notebook,
    running_lab,
    screenshot,
    wait_until,
)

pytestmark = pytest.mark.browser

RUNS = 10
TABS = 2
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "03-sagemaker-live.ipynb"
PLOT = ".metricwidgets-liveplot"
#: Lines the notebook's stand-in job writes per instance, one point per metric each.
POINTS = 30

_RECORD_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const rec = window.__nb03 = {inputs: [], idle: [], errors: []};
    panel.sessionContext.iopubMessage.connect((_, msg) => {
        const type = msg.header.msg_type;
        if (type === 'execute_input') {
            window.__nb03.inputs.push([msg.content.execution_count, msg.parent_header.msg_id]);
        } else if (type === 'status' && msg.content.execution_state === 'idle') {
            window.__nb03.idle.push(msg.parent_header.msg_id);
        } else if (type === 'error') {
            window.__nb03.errors.push(msg.content.ename + ': ' + msg.content.evalue);
        }
    });
    return panel.content.widgets.filter(cell => cell.model.type === 'code').length;
}"""

_RUN_STATE_JS = """() => {
    const rec = window.__nb03;
    const counts = rec.inputs.map(i => i[0]);
    const done = new Set(rec.idle);
    return {counts, finished: rec.inputs.filter(i => done.has(i[1])).map(i => i[0]),
            errors: rec.errors};
}"""

# Per chart of one plot (the ``index``-th): its legend entries' sizes (entry, swatch) and
# words (an instances chart's: the panel's one shared legend), and what it drew (points of
# each visible line, visible markers).
_CHARTS_JS = """([plot, index]) => {
    const root = document.querySelectorAll(plot)[index];
    if (!root) return null;
    return [...root.querySelectorAll('.metricwidgets-chart')]
    .filter(chart => chart.getClientRects().length)  // a collapsed panel's charts: not shown
    .map(chart => {
        const shown = el => {
            for (; el && el !== chart; el = el.parentElement) {
                const style = getComputedStyle(el);
                if (style.display === 'none' || style.visibility === 'hidden') return false;
            }
            return true;
        };
        const size = el => { const b = el.getBoundingClientRect(); return [b.width, b.height]; };
        // An instances chart has no legend of its own: the panel's one legend names the
        // hosts for all its charts.
        const panel = chart.closest('.metricwidgets-instances');
        const own = [...chart.querySelectorAll('.metricwidgets-legend-entry')];
        const entries = own.length || !panel ? own
            : [...panel.querySelectorAll('.metricwidgets-legend-entry')]
                .filter(e => !e.closest('.metricwidgets-chart'));
        const legend = entries.map(e => ({
            text: e.innerText.trim(), entry: size(e),
            swatch: e.querySelector('svg line') ? size(e.querySelector('svg line')) : [0, 0],
        }));
        const lines = [...chart.querySelectorAll('path.line')].filter(shown)
            .map(p => ((p.getAttribute('d') || '').match(/[ML]/g) || []).length);
        const markers = [...chart.querySelectorAll('path.dot')].filter(shown)
            .filter(m => { const [w, h] = size(m); return w > 0 && h > 0; }).length;
        return {title: (chart.querySelector('text.mainheading') || {}).textContent || '',
                legend, lines, markers};
    });
}"""


def plot_charts(page, index: int) -> list[dict] | None:
    """The charts of the notebook's ``index``-th plot, measured once it is scrolled into
    view (Lab skips rendering the cells out of view: their text has no layout)."""
    plot = page.locator(PLOT).nth(index)
    if not plot.count():
        return None
    plot.scroll_into_view_if_needed()
    return page.evaluate(_CHARTS_JS, [PLOT, index])


def chart_problems(page, plots: int = 2) -> list[str]:
    """What is wrong with the notebook's ``plots`` plots now (empty when every chart of
    each is drawn with its legend)."""
    found = []
    for index in range(plots):
        charts = plot_charts(page, index)
        if not charts:
            found.append(f"plot {index + 1}: no chart")
            continue
        for chart in charts:
            name = f"plot {index + 1} {chart['title'] or 'untitled chart'}"
            if not chart["legend"]:
                found.append(f"{name}: no legend entry")
            for entry in chart["legend"]:
                # The swatch is a horizontal line: a width, no height.
                if min(entry["entry"]) <= 0 or entry["swatch"][0] <= 0 or not entry["text"]:
                    found.append(f"{name}: legend entry {entry} not drawn")
            if not any(n >= 2 for n in chart["lines"]) and not chart["markers"]:
                found.append(f"{name}: no line or marker drawn ({chart['lines']})")
        if index == 0:  # the job's metric chart: an entry per metric and instance, all points
            main = charts[0]
            if len(main["legend"]) != 4:
                found.append(f"job chart: {len(main['legend'])} legend entries, not 4")
            if sum(n >= POINTS for n in main["lines"]) < 4:
                found.append(f"job chart: fewer than 4 lines of {POINTS} points "
                             f"({main['lines']})")
    return found


class NotebookTab:
    """One browser page showing one copy of the notebook, with what its page reported."""

    def __init__(self, page, url: str, name: str):
        self.page, self.name = page, name
        if not hasattr(page, "dialogs"):  # a page the fixture did not make
            page.dialogs = []
            page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message),
                                              dialog.dismiss()))
        self.console, self.page_errors = [], []
        page.on("console", lambda msg: self.console.append(msg.text)
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        # A workspace per page: Lab would otherwise open the other page's notebook too.
        open_notebook(page, url, name, timeout=90_000, workspace=Path(name).stem)
        self.cells = page.evaluate(_RECORD_JS)
        self.runs = 0

    def start(self) -> None:
        """Run All in the kernel Lab started (first run), else Kernel > Restart Kernel and
        Run All Cells..., confirmed in Lab's dialog."""
        self.page.evaluate("() => { Object.assign(window.__nb03, "
                           "{inputs: [], idle: [], errors: []}); }")
        command = "notebook:run-all-cells" if not self.runs else "notebook:restart-run-all"
        self.runs += 1
        self.page.evaluate(f"() => {{ window.jupyterapp.commands.execute('{command}'); }}")
        if self.runs > 1:
            self.page.locator(".jp-Dialog button.jp-mod-accept").click(timeout=30_000)

    def state(self) -> dict:
        return self.page.evaluate(_RUN_STATE_JS)

    def finished(self) -> bool:
        """The kernel finished the last cell (or a cell raised)."""
        state = self.state()
        return self.cells in state["finished"] or bool(state["errors"])

    def check(self, run: int) -> None:
        """Assert everything the run must leave; keep its screenshot. The console and
        page errors counted are those since the previous run's check (a restart's belong
        to the run it starts)."""
        state = self.state()
        assert not state["errors"], f"run {run}: a cell raised {state['errors']}"
        # A fresh kernel counts from 1 again; every cell ran once, in order.
        assert state["counts"] == list(range(1, self.cells + 1)), (
            f"run {run}: execution counts {state['counts']}")
        last = []

        def drawn():
            last[:] = chart_problems(self.page)
            return not last

        try:
            wait_until(drawn, 60, what="every chart drawn with its legend")
        except TimeoutError:
            screenshot(self.page, f"nb03_run{run:02d}_failed.png")
            raise AssertionError(f"run {run}: {last}") from None
        # The job's chart in the middle of the screenshot (the plot is taller than the page).
        self.page.evaluate("(plot) => document.querySelector(plot + ' .metricwidgets-chart')"
                           ".scrollIntoView({block: 'center'})", PLOT)
        screenshot(self.page, f"nb03_run{run:02d}.png")
        assert not self.page_errors, f"run {run}: uncaught page errors {self.page_errors}"
        assert not self.console, f"run {run}: console errors {self.console[:5]} " \
                                 f"({len(self.console)} in all)"
        assert not self.page.locator(".jupyter-widgets-error-widget").count(), (
            f"run {run}: a widget failed to render")
        self.console.clear()
        self.page_errors.clear()


@pytest.fixture
def lab_with_notebook_03(tmp_path, monkeypatch):
    """A lab serving ``TABS`` copies of notebook 03; yields ``(url, names)``."""
    # The stand-in plays the job (an AWS job named by the environment would not).
    monkeypatch.delenv("METRICWIDGETS_DEMO_JOB", raising=False)
    names = [f"03-sagemaker-live-{tab + 1}.ipynb" for tab in range(TABS)]
    for name in names:
        shutil.copy(NOTEBOOK, tmp_path / name)
    with running_lab(tmp_path) as url:
        yield url, names


@pytest.mark.timeout(600)
def test_notebook_03_ten_fresh_kernel_runs_draw_legends_and_lines_without_browser_errors(
        lab_with_notebook_03, page):
    url, names = lab_with_notebook_03
    pages = [page] + [page.context.new_page() for _ in names[1:]]
    tabs = [NotebookTab(p, url, name) for p, name in zip(pages, names)]
    run = 0
    while run < RUNS:
        batch = tabs[:RUNS - run]
        for tab in batch:
            tab.start()
        wait_until(lambda batch=batch: all(tab.finished() for tab in batch), 180,
                   what="the notebooks to run to their end")
        for tab in batch:
            run += 1
            tab.check(run)
    assert not [p.dialogs for p in pages if p.dialogs]
