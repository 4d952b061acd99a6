"""The instances panel in a real JupyterLab and chromium: ``%metrics JOB`` of a 2-instance
job on the stand-in shows one small chart per utilization metric, one line per instance."""

from __future__ import annotations

import pytest

from metricwidgets.core.diagnosis import UTILIZATION_METRICS
from metricwidgets.testing.standin import StandIn
from tests.browser.lab import (
    open_notebook,
    run_all_cells,
    screenshot,
    wait_until,
    write_notebook,
)

pytestmark = pytest.mark.browser

JOB = "panel-two-instances"
PANEL = ".metricwidgets-liveplot .metricwidgets-instances"
FINDINGS = ".metricwidgets-liveplot .metricwidgets-findings"


@pytest.fixture(scope="module")
def aws():
    with StandIn() as standin:
        standin.write_finished_job(JOB, lines_per_host=30, instance_count=2, seconds=600,
                                   instance_type="ml.g5.12xlarge")
        yield standin


def panel_charts(page) -> list[dict]:
    """Per chart of the panel: its title, its smoothed lines drawn, its caption."""
    return page.evaluate(
        """(panel) => [...document.querySelectorAll(panel + ' .metricwidgets-chart')].map(c => ({
            title: (c.querySelector('text.mainheading') || {}).textContent || '',
            lines: [...c.querySelectorAll('g.curve path.line')].filter(p =>
                !(p.getAttribute('style') || '').includes('opacity: 0.25')
                && (p.getAttribute('d') || '').length > 0).length,
            caption: (c.querySelector('.metricwidgets-instance-caption') || {}).innerText || '',
        }))""", PANEL)


def test_the_panel_draws_one_line_per_instance_and_collapses(lab_on_standin, page):
    url, root = lab_on_standin
    write_notebook(root / "panel.ipynb", ["%load_ext metricwidgets", f"%metrics {JOB}"])
    open_notebook(page, url, "panel.ipynb")
    run_all_cells(page)
    try:
        wait_until(lambda: len(panel_charts(page)) == len(UTILIZATION_METRICS)
                   and all(c["lines"] == 2 for c in panel_charts(page)), 120,
                   what="five utilization charts of two lines each")
    except TimeoutError:
        screenshot(page, "instances_panel_failed.png")
        raise
    page.locator(PANEL).scroll_into_view_if_needed()
    charts = panel_charts(page)
    assert [c["title"] for c in charts] == ["CPU", "memory", "disk", "GPU", "GPU memory"]
    assert charts[3]["caption"] == "% per GPU (reported / 4)"
    # One legend for the panel, naming each instance once.
    legend = page.eval_on_selector_all(PANEL + " .metricwidgets-legend-entry",
                                       "es => es.map(e => e.innerText.trim())")
    assert legend == ["algo-1", "algo-2"]
    # Its finding is in the plot's one list of findings, with the metric diagnoses.
    wait_until(lambda: "algo-2: the GPU sat mostly idle" in page.inner_text(FINDINGS), 30,
               what="the idle GPU in the plot's findings")
    assert page.inner_text(FINDINGS).count("GPU sat mostly idle") == 1
    assert "GPU sat mostly idle" not in page.inner_text(PANEL)
    screenshot(page, "instances_panel.png")
    assert not page.dialogs

    page.locator(PANEL + " button", has_text="instances").first.click()
    wait_until(lambda: not page.locator(PANEL + " .metricwidgets-chart").first.is_visible(),
               20, what="the panel to collapse")
