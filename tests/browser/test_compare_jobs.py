"""Three jobs overlaid in a real JupyterLab and chromium (``LivePlot.for_jobs`` on the
stand-in): a legend entry per job and series, one colour per job, and unticking one job's
entries hides that job's lines only."""

from __future__ import annotations

import pytest

from metricwidgets.testing.standin import StandIn
from tests.browser.chart_geometry import CHART, geometry
from tests.browser.lab import (
    open_notebook,
    run_all_cells,
    screenshot,
    wait_until,
    write_notebook,
)

pytestmark = pytest.mark.browser

JOBS = ["compare-browser-a", "compare-browser-b", "compare-browser-c"]


@pytest.fixture(scope="module")
def aws():
    with StandIn() as standin:
        for seed, job in enumerate(JOBS):
            standin.write_finished_job(job, lines_per_host=20, instance_count=1, seed=seed)
        yield standin


def legend(page) -> list[str]:
    return page.locator(CHART).first.locator(".metricwidgets-legend-entry").all_inner_texts()


def visible_colours(page) -> set:
    geo = geometry(page)
    return {p["stroke"] for p in (geo or {}).get("paths", []) if p["visible"] and p["points"]}


def test_three_jobs_overlaid_with_a_legend_entry_each_and_one_hidden(lab_on_standin, page):
    url, root = lab_on_standin
    write_notebook(root / "compare.ipynb", [
        "from metricwidgets import LivePlot\n"
        f"plot = LivePlot.for_jobs({JOBS!r})\nplot.wait(60)\nplot"])
    open_notebook(page, url, "compare.ipynb")
    run_all_cells(page)
    try:
        wait_until(lambda: len(legend(page)) == 6 and len(visible_colours(page)) == 6, 120,
                   what="two series of each of three jobs drawn")
    except TimeoutError:
        screenshot(page, "compare_jobs_failed.png")
        raise
    for job in JOBS:
        assert sum(job in text for text in legend(page)) == 2, (job, legend(page))
    # Every label is shown whole (wrapped if need be), never cut off by an ellipsis.
    cut = page.locator(CHART).first.evaluate(
        "c => [...c.querySelectorAll('.metricwidgets-legend-entry label')]"
        ".filter(l => l.scrollWidth > l.clientWidth + 1).map(l => l.innerText)")
    assert cut == []
    shown = visible_colours(page)
    screenshot(page, "compare_jobs.png")
    entries = page.locator(CHART).first.locator(".metricwidgets-legend-entry", has_text=JOBS[0])
    for i in range(entries.count()):
        entries.nth(i).locator("input").click()
    try:
        wait_until(lambda: len(visible_colours(page)) == 4, 20, what="job a's lines to hide")
    except TimeoutError:
        screenshot(page, "compare_jobs_hide_failed.png")
        raise
    assert visible_colours(page) < shown
    assert not page.dialogs
