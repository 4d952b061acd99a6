"""Zoom shows the data, measured in chromium: on an 18,000-point noisy run, a 4x wheel zoom
draws at least as many vertices in view as the whole curve had, the spikes in view are drawn
where they are, y fits the visible data, the zoom stays while points arrive, and reset
returns to the whole run. Shift + wheel zooms x and y about the mouse, and the kernel keeps
that y when it refines x.

The test writes the log itself (so it knows every value); the notebook follows it with
``LivePlot.for_file``, and a second cell appends more points once the user has zoomed.
The chart before and after the zoom is kept as ``zoom_whole_chart.png`` and
``zoom_4x_chart.png``; with ``METRICWIDGETS_REFRESH_SCREENSHOT=1`` they also become the
README's ``docs/zoom_whole.png`` and ``docs/zoom_4x.png``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.browser.chart_geometry import check_axis, geometry, parse_label, split_axes
from tests.browser.lab import (
    SCREENSHOTS,
    open_notebook,
    run_all_cells,
    screenshot,
    wait_until,
    write_notebook,
)

pytestmark = pytest.mark.browser

PLOT = ".metricwidgets-liveplot"
CHART = f"{PLOT} .metricwidgets-chart"
N = 18_000
MORE = 600
SPIKES = (2_000, 6_000, 12_500, 13_700, 15_000, 16_900)
DOCS = Path(__file__).resolve().parents[2] / "docs"
#: PanZoom zooms by exp(0.001 * deltaY) per wheel event: 7 x -200 is 4.06x.
WHEELS = 7


def run_values() -> np.ndarray:
    """A noisy decaying loss with spikes, rounded as the log writes it."""
    rng = np.random.default_rng(21)
    step = np.arange(N + MORE)
    values = 2.0 * np.exp(-step / 5000.0) + 0.1 + rng.normal(0.0, 0.04, len(step))
    values[list(SPIKES)] += 2.5
    return np.round(values, 5)


def cells(log: str) -> list[str]:
    return [
        ("from metricwidgets import LivePlot\n"
         "DEFS = [{'Name': 'train:error', 'Regex': r'Train_error=(.*?);'}]\n"
         f"plot = LivePlot.for_file({log!r}, DEFS, min_interval=0.2, max_interval=0.5)\n"
         "plot"),
        # Training goes on once the user has zoomed: more points arrive into a zoomed view.
        ("import threading, time\n"
         "def more_points():\n"
         "    while not plot.charts.get('error') or not plot.charts['error'].user_x:\n"
         "        time.sleep(0.1)\n"
         f"    extra = open({log + '.more'!r}).read().splitlines(True)\n"
         "    with open(" + repr(log) + ", 'a') as log:\n"
         "        for start in range(0, len(extra), 100):\n"
         "            log.writelines(extra[start:start + 100]); log.flush(); time.sleep(0.3)\n"
         "threading.Thread(target=more_points, daemon=True).start()"),
    ]


_PLOT_JS = """(chart) => {
    const root = document.querySelector(chart);
    const bg = root && root.querySelector('.plotarea_background');
    if (!bg) return null;
    const b = bg.getBoundingClientRect();
    return [b.left, b.top, b.right, b.bottom];
}"""


def plot_area(page) -> list:
    return page.evaluate(_PLOT_JS, CHART)


def axis_map(ticks: list, vertical: bool):
    """(value -> pixel, pixel -> value) from the tick labels' positions (screen pixels)."""
    values = [parse_label(t["text"], "step") for t in ticks]
    centres = [((t["box"][1] + t["box"][3]) if vertical else (t["box"][0] + t["box"][2])) / 2
               for t in ticks]
    (v0, p0), (v1, p1) = (values[0], centres[0]), (values[-1], centres[-1])
    scale = (p1 - p0) / (v1 - v0)
    return (lambda v: p0 + (v - v0) * scale), (lambda p: v0 + (p - p0) / scale)


def view(page) -> dict | None:
    """What the chart shows now: the x and y ranges of the plot area (from the tick labels)
    and the vertices of the drawn lines inside it horizontally."""
    geo, area = geometry(page, CHART), plot_area(page)
    if geo is None or area is None:
        return None
    x_ticks, y_ticks = split_axes(geo)
    if len(x_ticks) < 2 or len(y_ticks) < 2:
        return None
    try:
        x_of, x_at = axis_map(x_ticks, False)
        y_of, y_at = axis_map(y_ticks, True)
    except (ValueError, ZeroDivisionError):
        return None
    left, top, right, bottom = area
    points = [p for path in geo["paths"] if path["visible"] for p in path["points"]
              if left - 0.5 <= p[0] <= right + 0.5]
    return {"x": (x_at(left), x_at(right)), "y": (y_at(bottom), y_at(top)), "points": points,
            "x_of": x_of, "y_of": y_of, "area": area, "labels": [t["text"] for t in x_ticks]}


def chart_picture(page, name: str) -> None:
    """The chart alone as ``SCREENSHOTS/<name>_chart.png`` (and ``docs/<name>.png`` when
    refreshing the README's pictures)."""
    path = SCREENSHOTS / f"{name}_chart.png"
    page.locator(CHART).first.screenshot(path=str(path))
    if os.environ.get("METRICWIDGETS_REFRESH_SCREENSHOT") == "1":
        shutil.copyfile(path, DOCS / f"{name}.png")


def header_points(page) -> int:
    found = re.search(r"train:error: (\d+)", page.inner_text(f"{PLOT} .metricwidgets-counts"))
    return int(found.group(1)) if found else 0


def settled(page, condition, what: str, quiet: int = 3):
    """The view once ``condition(view)`` held on ``quiet`` reads in a row with the same
    x labels (the wheel's messages and the kernel's redraws have all arrived)."""
    seen = {"labels": None, "count": 0, "view": None}

    def steady():
        now = view(page)
        if now is None or not condition(now):
            seen["count"] = 0
            return False
        same = now["labels"] == seen["labels"] and len(now["points"]) == \
            len(seen["view"]["points"]) if seen["view"] else False
        seen.update(labels=now["labels"], view=now, count=seen["count"] + 1 if same else 1)
        return seen["count"] >= quiet

    wait_until(steady, 60, 0.3, what=what)
    return seen["view"]


def whole_run(lab, page, values: np.ndarray, more: bool) -> dict:
    """The run's first N values in a log, followed by a plot in Lab (``more``: with the cell
    that appends the rest once the user zoomed); the view once the whole run is drawn."""
    url, root = lab
    log = root / "noisy.log"
    log.write_text("".join(f"Train_error={v:.5f};\n" for v in values[:N]))
    (root / "noisy.log.more").write_text("".join(f"Train_error={v:.5f};\n" for v in values[N:]))
    write_notebook(root / "zoom.ipynb", cells(str(log))[:None if more else 1])
    open_notebook(page, url, "zoom.ipynb")
    run_all_cells(page)
    page.wait_for_selector(CHART, timeout=90_000)
    page.locator(CHART).first.scroll_into_view_if_needed()
    return settled(page, lambda v: v["x"][1] >= N - 1 - 50 and len(v["points"]) > 100,
                   "the whole run drawn")


@pytest.mark.timeout(300)
def test_a_wheel_zoom_shows_the_data_not_a_magnified_sketch(lab, page):
    values = run_values()
    whole = whole_run(lab, page, values, more=True)
    screenshot(page, "zoom_whole.png")
    chart_picture(page, "zoom_whole")
    span = whole["x"][1] - whole["x"][0]

    # The wheel over the plot, at three quarters of its width: x zooms about 4x, y does not.
    page.locator(f"{PLOT} .widget-toggle-button", has_text="pan/zoom").first.click()
    left, top, right, bottom = whole["area"]
    page.mouse.move(left + 0.75 * (right - left), top + 0.5 * (bottom - top))
    for _ in range(WHEELS):
        page.mouse.wheel(0, -200)
    zoomed = settled(page, lambda v: v["x"][1] - v["x"][0] <= span / 3.9 and
                     len(v["points"]) >= len(whole["points"]), "the 4x zoom refined")
    screenshot(page, "zoom_4x.png")
    chart_picture(page, "zoom_4x")
    lo, hi = zoomed["x"]
    assert (hi - lo) == pytest.approx(span / 4.06, rel=0.03)
    # At least as many vertices in view as the whole curve had: redrawn from the store.
    assert len(zoomed["points"]) >= len(whole["points"])

    # The y labels read as their ticks' values, on the scale in force: a zoom ended with
    # one-decimal labels for ticks 0.05 apart in about half the kernels (test_tick_labels).
    y_ticks = split_axes(geometry(page, CHART))[1]
    assert check_axis(y_ticks, "linear", True) is None, [t["text"] for t in y_ticks]

    # Every spike in view is drawn where it is: at its step, a vertex off the top of the plot
    # (outliers are ignored by the y range), measured in pixels.
    left, top, right, bottom = zoomed["area"]
    for spike in (s for s in SPIKES if lo + 20 < s < hi - 20):
        x = zoomed["x_of"](spike)
        assert any(abs(px - x) <= 1.5 and py < top - 20 for px, py in zoomed["points"]), \
            f"spike at step {spike} not drawn"

    # y fits the visible data: every vertex but the spikes' lies in the plot, and the bulk
    # of them (2nd to 98th percentile) spans at least half its height (the whole run's
    # range, from 2.6 down to 0.1, would squeeze this end of the decaying loss flat).
    ys = np.array([py for _, py in zoomed["points"]])
    in_plot = ys[ys >= top - 20]
    assert len(ys) - len(in_plot) <= 2 * len(SPIKES)
    p2, p98 = np.percentile(in_plot, [2, 98])
    assert top - 1 <= p2 and p98 <= bottom + 1
    assert p98 - p2 >= 0.5 * (bottom - top)

    # Points keep arriving (the second cell writes them once the user zoomed): the view stays.
    wait_until(lambda: header_points(page) >= N + MORE, 60, what="more points after zooming")
    kept = settled(page, lambda v: True, "the view after new points")
    assert kept["labels"] == zoomed["labels"]
    assert kept["x"] == pytest.approx(zoomed["x"], abs=0.5)

    # Reset: the whole run again, new points included.
    page.locator(f"{PLOT} button", has_text="reset zoom").first.click()
    reset = settled(page, lambda v: v["x"][1] >= N + MORE - 1 - 50 and v["x"][0] <= 50,
                    "the whole run after reset")
    screenshot(page, "zoom_reset.png")
    # (The plot area is a few pixels wider than the scale's range: compare like with like.)
    assert reset["x"][1] - reset["x"][0] == pytest.approx(span * (N + MORE - 1) / (N - 1),
                                                          rel=0.01)
    assert not page.dialogs


@pytest.mark.timeout(300)
def test_shift_wheel_zooms_x_and_y_about_the_mouse(lab, page):
    values = run_values()
    whole = whole_run(lab, page, values, more=False)
    x_span, y_span = (whole["x"][1] - whole["x"][0]), (whole["y"][1] - whole["y"][0])

    # Shift + wheel over the curve, right of centre: x and y zoom ~4x about the mouse (the
    # wheel alone zooms x only: the test above).
    page.locator(f"{PLOT} .widget-toggle-button", has_text="pan/zoom").first.click()
    left, top, right, bottom = whole["area"]
    x_at = whole["x"][0] + 0.6 * x_span
    y_at = float(np.median(values[int(x_at) - 50:int(x_at) + 50]))
    fractions = {"x": 0.6, "y": (bottom - whole["y_of"](y_at)) / (bottom - top)}
    page.mouse.move(left + 0.6 * (right - left), whole["y_of"](y_at))
    page.keyboard.down("Shift")
    for _ in range(WHEELS):
        page.mouse.wheel(0, -200)
    page.keyboard.up("Shift")
    zoomed = settled(page, lambda v: v["x"][1] - v["x"][0] <= x_span / 3.9 and
                     v["y"][1] - v["y"][0] <= y_span / 3.9 and
                     len(v["points"]) >= len(whole["points"]), "x and y zoomed, x refined")
    screenshot(page, "zoom_shift.png")
    assert zoomed["x"][1] - zoomed["x"][0] == pytest.approx(x_span / 4.06, rel=0.03)
    assert zoomed["y"][1] - zoomed["y"][0] == pytest.approx(y_span / 4.06, rel=0.03)
    # About the mouse: the values under it are those that were under it before. Settled
    # once the kernel refined x (more vertices in view than the whole curve had): it kept
    # the user's y, which fitted to the data in view would sit lower.
    for axis, at, span in (("x", x_at, x_span), ("y", y_at, y_span)):
        lo, hi = zoomed[axis]
        assert lo + fractions[axis] * (hi - lo) == pytest.approx(at, abs=span / 200), axis

    # Reset: the whole run, y fitted to it again.
    page.locator(f"{PLOT} button", has_text="reset zoom").first.click()
    reset = settled(page, lambda v: v["x"][1] >= N - 1 - 50 and v["x"][0] <= 50 and
                    v["y"][1] - v["y"][0] >= 0.9 * y_span, "the whole run after reset")
    assert reset["y"] == pytest.approx(whole["y"], abs=0.02 * y_span)
    assert not page.dialogs
