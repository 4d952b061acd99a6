"""``--source metrics`` in a real JupyterLab and chromium: CloudWatch's published averages of
a stand-in job, one point per metric, are drawn on a wall-time axis (time labels, placed on
the scale), each lone point as a visible marker that hovering reads, and the header and
readout call the values CloudWatch's averages, not values parsed from the logs."""

from __future__ import annotations

import time

import pytest

from metricwidgets.testing.standin import StandIn
from tests.browser.chart_geometry import CHART, check_axis, geometry, split_axes
from tests.browser.lab import open_notebook, run_all_cells, screenshot, wait_until, write_notebook

pytestmark = pytest.mark.browser

JOB = "metrics-source-browser"
#: One published value per metric, exact in binary so the readout shows it as written.
VALUES = {"train:error": 0.375, "validation:error": 0.4375}

_MARKERS_JS = """(chart) => {
    const root = document.querySelector(chart);
    if (!root) return [];
    const figure = root.querySelector('svg.svg-figure').getBoundingClientRect();
    return [...root.querySelectorAll('path.dot')].filter(dot => {
        for (let el = dot; el && el !== root; el = el.parentElement) {
            const style = getComputedStyle(el);
            if (style.display === 'none' || style.visibility === 'hidden') return false;
        }
        const box = dot.getBoundingClientRect();
        const opacity = +getComputedStyle(dot).opacity;
        return (dot.getAttribute('d') || '').length > 0 && opacity >= 0.5 && box.width >= 3
            && box.left >= figure.left && box.right <= figure.right
            && box.top >= figure.top && box.bottom <= figure.bottom;
    }).map(dot => { const b = dot.getBoundingClientRect();
                    return [(b.left + b.right) / 2, (b.top + b.bottom) / 2]; });
}"""


@pytest.fixture(scope="module")
def aws():
    with StandIn() as standin:
        # Logs written, no averages published by the writer: one average per metric, put here,
        # inside one CloudWatch minute of the job's run.
        standin.write_finished_job(JOB, lines_per_host=10, instance_count=1, seconds=180,
                                   publish_metrics=False)
        stamp = (time.time() - 120) // 60 * 60 + 30
        standin.put_metrics(JOB, {metric: [(stamp, value)] for metric, value in VALUES.items()})
        yield standin


def markers(page) -> list:
    return page.evaluate(_MARKERS_JS, CHART)


def test_cloudwatch_averages_on_a_time_axis_with_a_marker_per_point(lab_on_standin, page):
    url, root = lab_on_standin
    write_notebook(root / "published.ipynb", [
        "from metricwidgets import LivePlot\n"
        f"plot = LivePlot.for_job({JOB!r}, source='metrics', instances=False)\n"
        "plot.wait(60)\nplot"])
    open_notebook(page, url, "published.ipynb")
    run_all_cells(page)
    last = {}

    def drawn():
        geo = geometry(page)
        if geo is None:
            return False
        last["x"] = check_axis(split_axes(geo)[0], "wall", vertical=False)
        last["markers"] = markers(page)
        return last["x"] is None and len(last["markers"]) == len(VALUES)

    try:
        wait_until(drawn, 120, what="a marker per published average on a wall-time axis")
    except TimeoutError:
        screenshot(page, "metrics_source_failed.png")
        raise AssertionError(f"x axis: {last.get('x')}; markers: {last.get('markers')}") \
            from None
    page.locator(CHART).first.scroll_into_view_if_needed()
    screenshot(page, "metrics_source.png")

    header = page.locator(".metricwidgets-liveplot .metricwidgets-header").first.inner_text()
    assert "CloudWatch averages (1 min)" in header
    assert "parsed from the logs" not in header and "matched no line" not in header

    x, y = markers(page)[0]
    page.mouse.move(x, y)
    readout = page.locator(CHART).first.locator(".metricwidgets-readout")
    wait_until(lambda: readout.count() and "CloudWatch averages" in readout.inner_text(), 20,
               what="the readout of the hovered average")
    text = readout.inner_text()
    assert any(format(value, ".10g") in text for value in VALUES.values()), text
    assert "step" not in text.split("\n")[0]  # no step column: CloudWatch gives none
    screenshot(page, "metrics_source_hover.png")
    assert not page.dialogs
