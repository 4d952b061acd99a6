"""Every figure of a plot measured in chromium, at JupyterLab's default width and at 800 px.

``%metrics JOB`` of a finished two-instance job on the stand-in draws its metric charts and
the instances panel's five charts. In each x mode (step, relative time, wall time), every
one of those figures must pass the checks of :mod:`tests.browser.chart_geometry`: tick labels
in order, on the scale, readable numbers or times, not closer than 8 px, no two pieces of
text over each other (tick labels, axis titles, title, legend, caption), the title inside
the figure, a curve drawn, a metric chart's legend over no point. The panel's time axis is
the metric charts' (the same tick labels in relative and wall time; never a negative time)
and its one legend names each host once.

The Lab-width run refreshes the README's ``docs/instances-panel.png`` with
``METRICWIDGETS_REFRESH_SCREENSHOT=1`` (never in CI: a test run leaves the tree clean).
"""

from __future__ import annotations

import pytest

from metricwidgets.core.diagnosis import UTILIZATION_METRICS
from metricwidgets.testing.standin import StandIn
from tests.browser.chart_geometry import all_geometry, figure_problems, split_axes
from tests.browser.lab import (
    WIDTHS,
    docs_screenshot,
    open_notebook,
    run_all_cells,
    screenshot,
    wait_until,
    write_notebook,
)

pytestmark = pytest.mark.browser

JOB = "surfaces-two-instances"
PLOT = ".metricwidgets-liveplot"
METRIC_CHARTS = f"{PLOT} .metricwidgets-chart:not(.metricwidgets-instances *)"
PANEL = f"{PLOT} .metricwidgets-instances"
PANEL_CHARTS = f"{PANEL} .metricwidgets-chart"


@pytest.fixture(scope="module")
def aws():
    with StandIn() as standin:
        standin.write_finished_job(JOB, lines_per_host=30, instance_count=2, seconds=600,
                                   instance_type="ml.g5.12xlarge")
        yield standin


def surface_problems(page, x_kind: str) -> list[str]:
    """Everything wrong with the plot's figures in x mode ``x_kind`` (empty: all right)."""
    metric = all_geometry(page, METRIC_CHARTS)
    panel = all_geometry(page, PANEL_CHARTS)
    if not metric or len(panel) != len(UTILIZATION_METRICS):
        return [f"{len(metric)} metric charts, {len(panel)} instance charts"]
    panel_kind = "relative" if x_kind == "step" else x_kind
    found = [f"metric chart {g['title']!r}: {p}" for g in metric
             for p in figure_problems(g, x_kind, "linear")]
    found += [f"instances chart {g['title']!r}: {p}" for g in panel
              for p in figure_problems(g, panel_kind, "linear", legend=False)]
    if x_kind != "step":
        first = [t["text"] for t in split_axes(metric[0])[0]]
        for geo in panel:
            labels = [t["text"] for t in split_axes(geo)[0]]
            if labels != first:
                found.append(f"instances chart {geo['title']!r}: time {labels}, "
                             f"not the metric chart's {first}")
    return found


def legend_words(page) -> list[str]:
    return page.eval_on_selector_all(
        f"{PANEL} .metricwidgets-legend-entry", "es => es.map(e => e.innerText.trim())")


def settle(page, x_kind: str, name: str) -> None:
    last = []

    def right():
        last[:] = surface_problems(page, x_kind)
        return not last

    try:
        wait_until(right, 60, what=f"every figure right in {x_kind}")
    except TimeoutError:
        screenshot(page, f"surfaces_{name}_failed.png")
        raise AssertionError(f"{name}: {last}") from None
    page.locator(PANEL).scroll_into_view_if_needed()
    screenshot(page, f"surfaces_{name}.png")


@pytest.mark.timeout(300)
@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_figure_of_a_plot_is_legible_in_every_x_mode(lab_on_standin, page, width):
    url, root = lab_on_standin
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    write_notebook(root / "surfaces.ipynb", ["%load_ext metricwidgets", f"%metrics {JOB}"])
    open_notebook(page, url, "surfaces.ipynb")
    run_all_cells(page)
    settle(page, "step", f"{width}_step")
    assert legend_words(page) == ["algo-1", "algo-2"]
    if width == "lab":  # the whole panel as a user sees it, for the README
        page.set_viewport_size({"width": WIDTHS[width], "height": 1500})
        settle(page, "step", "lab_tall")
        docs_screenshot(page.locator(PANEL), "instances-panel.png")
        page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    for mode, kind in (("relative time", "relative"), ("wall time", "wall"),
                       ("step", "step")):
        page.locator(f"{PLOT} .widget-toggle-button", has_text=mode).first.click()
        settle(page, kind, f"{width}_{kind}")
    # Unticking a host in the panel's legend hides its line on every chart of the panel.
    page.locator(f"{PANEL} .metricwidgets-legend-entry", has_text="algo-2") \
        .locator("input").click()
    wait_until(lambda: all(sum(p["visible"] and len(p["points"]) > 1 for p in g["paths"])
                           <= 2 for g in all_geometry(page, PANEL_CHARTS)), 30,
               what="algo-2's lines hidden")
    assert not page.dialogs
