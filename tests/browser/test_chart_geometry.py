"""The chart a user can trust, measured in chromium: after every sequence of controls the
tick labels are numbers (times on time axes), in order, 8 px apart or more and placed on the
scale in force; hovering a known point reads its exact value; a legend click hides a series;
the legend covers no drawn point.

The notebook watches a real training run (``tests/data/train_tiny.py``, 40 epochs) with
``LivePlot.for_command`` and prints the parsed values once it has finished, so the test knows
what each point must read.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from tests.browser.chart_geometry import (
    CHART,
    figure_problems,
    geometry,
    split_axes,
    x_pixel,
    y_pixel,
)
from tests.browser.lab import open_notebook, screenshot, wait_until, write_notebook

pytestmark = pytest.mark.browser

TINY = str(Path(__file__).resolve().parents[1] / "data" / "train_tiny.py")
PLOT = ".metricwidgets-liveplot"


def notebook_cells(epochs: int = 40, delay: float = 0.1) -> list[str]:
    return [
        ("from metricwidgets import LivePlot\n"
        "DEFS = [{'Name': 'train:error', 'Regex': r'Train_error=(.*?);'},\n"
        "        {'Name': 'validation:error', 'Regex': r'Valid_error=(.*?);'}]\n"
        f"plot = LivePlot.for_command([{sys.executable!r}, {TINY!r}, '--epochs', '{epochs}',\n"
        f"                              '--delay', '{delay}'], DEFS,\n"
        "                             step_definition=r'epoch ([0-9]+):')\n"
        "plot"),
        ("import json\n"
        "assert plot.wait(120)\n"
        "store = plot.watch.store\n"
        "print('VALUES=' + json.dumps({k.metric: store.snapshot(k).value.tolist()\n"
        "                              for k in store.keys()}))"),
    ]


def problems(page, x_kind: str, y_kind: str) -> list[str]:
    """What is wrong with the chart now (empty when the axes, legend and texts are right)."""
    geo = geometry(page)
    if geo is None:
        return ["no chart"]
    return figure_problems(geo, x_kind, y_kind)


def settle(page, x_kind: str, y_kind: str, name: str) -> None:
    """Wait until the chart is right for the scales in force; keep a screenshot."""
    last = []

    def right():
        last[:] = problems(page, x_kind, y_kind)
        return not last

    try:
        wait_until(right, 30, what=f"a right chart after {name}")
    except TimeoutError:
        screenshot(page, f"chart_{name}_failed.png")
        raise AssertionError(f"after {name}: {last}") from None
    page.locator(CHART).first.scroll_into_view_if_needed()
    screenshot(page, f"chart_{name}.png")


def click_toggle(page, text: str) -> None:
    page.locator(f"{PLOT} .widget-toggle-button", has_text=text).first.click()


def set_smoothing(page, value: str) -> None:
    readout = page.locator(f"{PLOT} .widget-slider .widget-readout").first
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


def drag_pan(page) -> None:
    """Drag the plot area a third of its width to the right (pan/zoom mode must be on)."""
    box = page.locator(CHART + " svg.svg-figure").first.bounding_box()
    y = box["y"] + box["height"] * 0.5
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    for k in range(1, 11):
        page.mouse.move(box["x"] + box["width"] * (0.3 + 0.03 * k), y)
    page.mouse.up()


def x_labels(page) -> list[str]:
    return [t["text"] for t in split_axes(geometry(page))[0]]


def wheel_zoom(page) -> None:
    box = page.locator(CHART + " svg.svg-figure").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.5)
    for _ in range(3):
        page.mouse.wheel(0, -200)


@pytest.fixture
def finished_chart(lab, page):
    url, root = lab
    write_notebook(root / "chart.ipynb", notebook_cells())
    open_notebook(page, url, "chart.ipynb")
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    output = page.wait_for_selector(".jp-OutputArea-output:has-text('VALUES={')",
                                    timeout=120_000)
    values = json.loads(re.search(r"VALUES=(\{.*\})", output.inner_text()).group(1))
    page.locator(CHART).first.scroll_into_view_if_needed()
    return page, values


@pytest.mark.timeout(300)
def test_axes_stay_right_through_every_control_sequence(finished_chart):
    page, _values = finished_chart
    settle(page, "step", "linear", "start")
    page.locator(f"{PLOT} .widget-checkbox", has_text="log y").locator("input").click()
    settle(page, "step", "log", "log_on")
    page.locator(f"{PLOT} .widget-checkbox", has_text="log y").locator("input").click()
    settle(page, "step", "linear", "log_off")
    for mode, kind in (("wall time", "wall"), ("step", "step"), ("relative time", "relative"),
                       ("step", "step")):
        click_toggle(page, mode)
        settle(page, kind, "linear", f"x_{kind}_from_{mode.split()[0]}")
    before = split_axes(geometry(page))[0]
    click_toggle(page, "pan/zoom")
    wheel_zoom(page)
    wait_until(lambda: [t["text"] for t in split_axes(geometry(page))[0]] !=
               [t["text"] for t in before], 20, what="the x-axis to zoom")
    settle(page, "step", "linear", "zoomed")
    page.locator(f"{PLOT} button", has_text="reset zoom").first.click()
    settle(page, "step", "linear", "reset")
    set_smoothing(page, "0")
    settle(page, "step", "linear", "smoothing_0")
    assert page.locator(CHART).first.locator(".metricwidgets-legend-entry").count() == 2
    set_smoothing(page, "0.99")
    settle(page, "step", "linear", "smoothing_099")
    page.locator(f"{PLOT} .widget-checkbox", has_text="log y").locator("input").click()
    click_toggle(page, "wall time")
    settle(page, "wall", "log", "wall_and_log")
    assert not page.dialogs


@pytest.mark.timeout(300)
def test_hover_reads_the_exact_value_and_the_legend_hides_a_series(finished_chart):
    page, values = finished_chart
    settle(page, "step", "linear", "before_hover")
    geo = geometry(page)
    page.mouse.move(x_pixel(geo, 7), y_pixel(geo, values["validation:error"][7]))
    readout = page.locator(CHART).first.locator(".metricwidgets-readout")
    wait_until(lambda: readout.count() and "validation:error" in readout.inner_text(), 20,
               what="the readout")
    text = readout.inner_text()
    for metric in ("train:error", "validation:error"):
        assert format(values[metric][7], ".10g") in text
    assert re.search(r"\b7\b", text)
    screenshot(page, "chart_hover.png")

    def dashed_visible():
        return [p["visible"] for p in geometry(page)["paths"] if p["dash"] not in ("none", "")]

    assert any(dashed_visible())
    entry = page.locator(CHART).first.locator(".metricwidgets-legend-entry",
                                              has_text="validation:error")
    entry.locator("input").click()
    try:
        wait_until(lambda: not any(dashed_visible()), 20, what="validation's path to hide")
    except TimeoutError:
        screenshot(page, "chart_legend_failed.png")
        raise
    screenshot(page, "chart_legend_hidden.png")
    entry.locator("input").click()
    wait_until(lambda: any(dashed_visible()), 20, what="validation's path to show again")


@pytest.mark.timeout(300)
def test_axes_stay_right_under_clicks_while_the_job_is_still_running(lab, page):
    """The same checks while points keep arriving: outliers off and on, log y, every x mode,
    pan by dragging, zoom and reset, in a user's order."""
    url, root = lab
    write_notebook(root / "live.ipynb", notebook_cells(epochs=400, delay=0.25)[:1])
    open_notebook(page, url, "live.ipynb")
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_selector(CHART + " svg.svg-figure", timeout=120_000)
    page.locator(CHART).first.scroll_into_view_if_needed()
    settle(page, "step", "linear", "live_start")
    outliers = page.locator(f"{PLOT} .widget-checkbox", has_text="ignore outliers").locator("input")
    outliers.click()
    settle(page, "step", "linear", "live_outliers_off")
    page.locator(f"{PLOT} .widget-checkbox", has_text="log y").locator("input").click()
    settle(page, "step", "log", "live_log_on")
    outliers.click()
    settle(page, "step", "log", "live_outliers_on_log")
    click_toggle(page, "relative time")
    settle(page, "relative", "log", "live_relative_log")
    page.locator(f"{PLOT} .widget-checkbox", has_text="log y").locator("input").click()
    settle(page, "relative", "linear", "live_relative")
    click_toggle(page, "step")
    settle(page, "step", "linear", "live_step_again")
    click_toggle(page, "pan/zoom")
    before = x_labels(page)
    drag_pan(page)
    wait_until(lambda: x_labels(page) != before, 20, what="the x-axis to pan")
    settle(page, "step", "linear", "live_panned")
    wheel_zoom(page)
    settle(page, "step", "linear", "live_zoomed")
    page.locator(f"{PLOT} button", has_text="reset zoom").first.click()
    settle(page, "step", "linear", "live_reset")
    click_toggle(page, "wall time")
    settle(page, "wall", "linear", "live_wall")
