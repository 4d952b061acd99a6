"""LivePlot in a real JupyterLab and chromium: the curve grows, a zoom survives new points.

The notebook runs ``%metrics_run`` on the quick-start's real training script (a small
scikit-learn MLP that prints ``Train_error=...;  Valid_error=...;`` every epoch), with a short
pause between epochs so the chart can be seen growing.
"""

from __future__ import annotations

import re
import sys
import time

import pytest

from tests.browser.chart_geometry import geometry, split_axes
from tests.browser.lab import open_notebook, screenshot, wait_until, write_notebook

pytestmark = pytest.mark.browser

# Far more epochs than the test needs: on a loaded machine the chart may show up late, and
# the zoom must still see new epochs arrive (the test ends as soon as its conditions hold).
EPOCHS = 150
DELAY = 0.4
CHART = ".metricwidgets-liveplot .metricwidgets-chart"


def path_points(page) -> int:
    """Points of the first smoothed line drawn: the commands of its SVG path (``M``/``L``)."""
    accept_kernel_dialog(page)
    return page.evaluate(
        """(chart) => {
            const lines = [...document.querySelectorAll(chart + ' g.curve path.line')]
                .filter(p => !(p.getAttribute('style') || '').includes('opacity: 0.25'));
            const d = lines.length ? (lines[0].getAttribute('d') || '') : '';
            return (d.match(/[ML]/g) || []).length;
        }""", CHART)


def accept_kernel_dialog(page) -> None:
    """Lab sometimes asks for a kernel although the notebook names one: take the default."""
    button = page.locator(".jp-Dialog button.jp-mod-accept")
    if button.count():
        button.first.click()


def x_ticks(page) -> list:
    """The x tick labels of the first metric chart."""
    geo = geometry(page)
    return [t["text"] for t in split_axes(geo)[0]] if geo else []


def settled_ticks(page, quiet: float = 1.5) -> list:
    """The x tick labels once they stopped changing for ``quiet`` seconds (the wheel's
    zoom steps reach the kernel, which sends the ticks of each new range)."""
    seen = {"ticks": x_ticks(page), "since": time.monotonic()}

    def quiet_for_a_while():
        now = x_ticks(page)
        if now != seen["ticks"]:
            seen.update(ticks=now, since=time.monotonic())
        return time.monotonic() - seen["since"] >= quiet

    wait_until(quiet_for_a_while, 30, what="the zoomed ticks to settle")
    return seen["ticks"]


def header_points(page) -> int:
    text = page.inner_text(".metricwidgets-counts")
    counts = [int(n) for n in re.findall(r"_error: (\d+)", text)]
    return min(counts) if counts else 0


def test_live_curve_grows_and_keeps_the_users_zoom(lab, page):
    url, root = lab
    command = (f"{sys.executable} -m metricwidgets.examples.train_digits "
               f"--epochs {EPOCHS} --delay {DELAY}")
    write_notebook(root / "live.ipynb", [
        "%load_ext metricwidgets",
        f"plot = %metrics_run -- {command}\nplot",
    ])
    open_notebook(page, url, "live.ipynb")
    # Not awaited: the command's promise waits for the kernel, and a kernel dialog (if Lab
    # shows one) is answered by the waits below.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")

    # The curve grows while the script runs: more points in the SVG path over time.
    try:
        wait_until(lambda: path_points(page) >= 5, 90, what="a first few points in the path")
    except TimeoutError:
        screenshot(page, "live_plot_failed.png")
        raise
    first = path_points(page)
    wait_until(lambda: path_points(page) >= first + 5, 60, what="the path to grow")
    assert not page.dialogs

    # Zoom in with the mouse wheel over the chart (bqplot's PanZoom, the "pan/zoom" mode).
    before = x_ticks(page)
    page.locator(".metricwidgets-liveplot .widget-toggle-button", has_text="pan/zoom").click()
    box = page.locator(CHART + " svg.svg-figure").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    for _ in range(3):
        page.mouse.wheel(0, -200)
    wait_until(lambda: x_ticks(page) != before, 20, what="the x-axis to zoom")
    zoomed = settled_ticks(page)

    # New epochs arrive; the zoom stays where the user put it.
    points = header_points(page)
    wait_until(lambda: header_points(page) >= points + 3, 60, what="new points after zooming")
    grown = path_points(page)
    wait_until(lambda: header_points(page) >= points + 5, 60, what="more new points")
    assert x_ticks(page) == zoomed
    assert path_points(page) >= 2  # the zoomed view still draws its points
    screenshot(page, "live_plot.png")
    assert grown >= 2
