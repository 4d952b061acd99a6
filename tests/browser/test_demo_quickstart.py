"""The README's first command, seen in a browser: the demo's quick-start chart grows live.

``metricwidgets demo --no-browser`` is started as a user would start it; chromium opens the URL
it prints (token included), runs the quick-start notebook as shipped, and watches the training
job's curve grow and the overfitting diagnosis appear. Its screenshot, the finished chart
with the hover readout at one epoch, is ``test-artifacts/screenshots/demo_quickstart.png``;
with ``METRICWIDGETS_REFRESH_SCREENSHOT=1`` it also becomes the README's ``docs/screenshot.png``
(never in CI: a test run leaves the tree clean).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.browser.chart_geometry import geometry, x_pixel
from tests.browser.lab import screenshot, wait_until
from tests.packaging.demo_process import running_demo

pytestmark = pytest.mark.browser

CHART = ".metricwidgets-liveplot .metricwidgets-chart"
README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"
#: The epoch the screenshot's readout shows (after the overfitting began).
HOVER_STEP = 20


def curve_points(page) -> int:
    """Points in the longest curve drawn on the quick-start's chart (SVG path commands)."""
    return page.evaluate(
        """(chart) => Math.max(0, ...[...document.querySelectorAll(chart + ' path.line')]
                .map(p => ((p.getAttribute('d') || '').match(/[ML]/g) || []).length))""", CHART)


def hover_target(page, x: float) -> tuple[float, float]:
    """The screen centre of the chart's hover target (an invisible dot on each raw point)
    nearest to screen ``x``."""
    centres = page.evaluate(
        """(chart) => [...document.querySelector(chart).querySelectorAll('path.dot')]
            .map(d => d.getBoundingClientRect()).filter(b => b.width > 0)
            .map(b => [(b.left + b.right) / 2, (b.top + b.bottom) / 2])""", CHART)
    assert centres, "no hover target on the chart"
    return min(centres, key=lambda c: abs(c[0] - x))


@pytest.mark.timeout(240)
def test_demo_quickstart_chart_grows_live_and_flags_overfitting(tmp_path, page):
    workdir = tmp_path / "demo"
    with running_demo(workdir, tmp_path / "demo.log") as (url, _port, _token):
        page.goto(url, timeout=90_000)
        page.wait_for_selector(".jp-NotebookPanel", timeout=90_000)
        # The kernel named by the notebook's kernelspec is started and idle.
        page.wait_for_selector(".jp-StatusBar-Widget:has-text('Python 3 (ipykernel) | Idle')",
                               timeout=90_000)
        # As a user does it: Run > Run All Cells (the demo's Lab does not expose its app).
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        page.wait_for_selector(CHART + " path.line", timeout=90_000)
        wait_until(lambda: curve_points(page) >= 3, 90, what="the first epochs on the chart")
        first = curve_points(page)
        wait_until(lambda: curve_points(page) >= first + 5, 90, what="the curve to grow")
        diagnosis = page.wait_for_selector(".metricwidgets-diagnosis.metricwidgets-overfitting",
                                           timeout=120_000)
        assert "overfitting: validation:error rose from its best" in diagnosis.inner_text()
        # The whole run arrives: 30 epochs, each a point of the curve.
        wait_until(lambda: curve_points(page) >= 30, 90, what="all 30 epochs on the chart")
        news = page.get_by_role("button", name="No", exact=True)  # Lab's news prompt
        if news.count():
            news.first.click()
            page.wait_for_selector("text=Would you like to get notified", state="detached",
                                   timeout=10_000)
        # The chart in the middle of the page, the mouse on an epoch: the readout under the
        # chart shows both curves' values there.
        page.evaluate("(chart) => document.querySelector(chart).scrollIntoView("
                      "{block: 'center'})", CHART)
        page.mouse.move(*hover_target(page, x_pixel(geometry(page), HOVER_STEP)))
        readout = page.locator(CHART).first.locator(".metricwidgets-readout")
        wait_until(lambda: readout.count() and "validation:error" in readout.inner_text()
                   and "train:error" in readout.inner_text(), 20, what="the hover readout")
        shot = screenshot(page, "demo_quickstart.png")
        assert not page.dialogs
    if os.environ.get("METRICWIDGETS_REFRESH_SCREENSHOT") == "1":
        shutil.copyfile(shot, README_SCREENSHOT)
