"""The browser half of ``bench_zoom``: wheel to redrawn chart at 1,000,000 points, in chromium.

A real ``jupyter lab`` (tests/browser/lab.py) runs a notebook whose plot holds one series of
1,000,000 noisy points; chromium zooms it 4x with seven wheel events over the chart ("pan/zoom"
mode). A MutationObserver in the page stamps (``performance.now()``) every change of the
curves' SVG paths. Measured per zoom: from the first wheel event to the first redraw (the
browser magnifying what it holds) and from the last wheel event to the last redraw once the
page has been quiet for 2 s (the kernel's refinement arrived and was drawn: it goes through
the plot's zoom redraw throttle, 0.1 s). Then "reset zoom", and the next zoom elsewhere.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

CHART = ".metricwidgets-liveplot .metricwidgets-chart"
ZOOMS = 5
WHEELS = 7  # PanZoom: exp(0.001 * 200) per event, 7 events = 4.06x

CELL = """
import numpy as np
from metricwidgets import LivePlot
from metricwidgets.core.store import SeriesKey
from metricwidgets.polling.watch import Watch
rng = np.random.default_rng(0)
n = 1_000_000
steps = np.arange(n, dtype=np.float64)
values = 1.0 / np.sqrt(steps + 1) + rng.normal(0, 0.01, n)
values[rng.integers(0, n, 20)] += 1.0
watch = Watch([], start=False, name="bench")
watch.store.add_points(SeriesKey("bench", "algo-1", "train:loss"), steps, 1.7e9 + steps, values)
plot = LivePlot(watch)
plot.controls.mouse.value = "zoom"
plot
"""

_OBSERVE = """(chart) => {
    const root = document.querySelector(chart);
    if (window.__zoomObserver) window.__zoomObserver.disconnect();
    window.__zoomStamps = [];
    const observer = new MutationObserver(() => window.__zoomStamps.push(performance.now()));
    root.querySelectorAll('path.line').forEach(
        p => observer.observe(p, {attributes: true, attributeFilter: ['d']}));
    window.__zoomObserver = observer;
    return performance.now();
}"""


def _quiet(page, seconds: float = 2.0, timeout: float = 60.0) -> list:
    """The page's path-change stamps once none arrived for ``seconds``."""
    deadline = time.monotonic() + timeout
    seen, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        stamps = page.evaluate("() => window.__zoomStamps || []")
        if len(stamps) != seen:
            seen, since = len(stamps), time.monotonic()
        elif time.monotonic() - since >= seconds:
            return stamps
        page.wait_for_timeout(100)
    raise TimeoutError("the chart kept changing")


def measure() -> dict | None:
    """Median milliseconds ``{"magnified": ..., "refined": ...}`` over ZOOMS zooms, or None
    when chromium is not installed."""
    from tests.browser.lab import (
        CHROMIUM,
        CHROMIUM_ARGS,
        open_notebook,
        run_all_cells,
        running_lab,
        write_notebook,
    )

    if not Path(CHROMIUM).exists():
        return None
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    magnified, refined = [], []
    with tempfile.TemporaryDirectory() as folder, running_lab(Path(folder)) as url, \
            sync_playwright() as playwright:
        write_notebook(Path(folder) / "zoom.ipynb", [CELL])
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        open_notebook(page, url, "zoom.ipynb")
        run_all_cells(page)
        page.wait_for_selector(CHART + " path.line", timeout=120_000)
        page.locator(CHART).first.scroll_into_view_if_needed()
        page.evaluate(_OBSERVE, CHART)
        _quiet(page)
        for k in range(ZOOMS):
            box = page.locator(CHART + " .plotarea_background").first.bounding_box()
            page.mouse.move(box["x"] + box["width"] * (0.2 + 0.15 * k),
                            box["y"] + box["height"] / 2)
            start = page.evaluate(_OBSERVE, CHART)
            for _ in range(WHEELS):
                page.mouse.wheel(0, -200)
            last_wheel = page.evaluate("() => performance.now()")
            stamps = _quiet(page)
            magnified.append(stamps[0] - start)
            refined.append(stamps[-1] - last_wheel)
            page.locator(".metricwidgets-liveplot button", has_text="reset zoom").first.click()
            page.evaluate(_OBSERVE, CHART)
            _quiet(page)
        browser.close()
    return {"magnified": statistics.median(magnified), "refined": statistics.median(refined),
            "refined_max": max(refined), "refined_all": refined}
