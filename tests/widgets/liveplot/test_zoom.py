"""Zoom shows the data: a zoom or pan (the x scale's min/max set as the browser sets them)
redraws the new range from the store at full resolution, y fits what is in view, the wheel
zooms x only unless "zoom y" is ticked, and reset returns to the whole run."""

from __future__ import annotations

import numpy as np
import pytest

from metricwidgets.polling.watch import Watch
from metricwidgets.widgets.liveplot import LivePlot
from tests.waiting import wait_until
from tests.widgets.liveplot.test_live_plot import DEFS, mark_xy
from metricwidgets.options import MetricOptions

N = 18_000
SPIKES = (1_000, 5_000, 13_000, 15_500)


def noisy_values(n: int = N) -> np.ndarray:
    rng = np.random.default_rng(7)
    step = np.arange(n)
    values = 2.0 * np.exp(-step / 6000.0) + rng.normal(0.0, 0.05, n) + 0.1
    values[list(SPIKES)] += 3.0
    return values


@pytest.fixture
def noisy_plot(poller, tmp_path):
    log = tmp_path / "train.log"
    values = np.round(noisy_values(), 6)  # as written in the log
    log.write_text("".join(f"Train_error={v:.6f};\n" for v in values))
    watch = Watch.for_file(str(log), MetricOptions.from_keywords(DEFS), start=False, poller=poller)
    wait_until(lambda: (watch.poll_once() or True) and len(watch.store) == N, 60, 0.05,
               what=f"{N} points")
    # Read before the plot exists and diagnosed at once: no redraw is left pending, so
    # only the zoom itself can redraw.
    plot = LivePlot(watch)
    plot.refresh(force=True)
    yield plot, values, log
    plot.close()


def user_sets_x(chart, lo: float, hi: float) -> None:
    """What the browser's message does: both bounds set in one state update."""
    chart.x_scale.set_state({"min": lo, "max": hi})


def raw_inside(chart, lo, hi):
    x, y = mark_xy(next(iter(chart.series.values())).raw)
    inside = (x >= lo) & (x <= hi)
    return x[inside], y[inside]


def test_a_zoom_redraws_its_range_at_full_resolution_with_the_spikes(noisy_plot):
    plot, values, _log = noisy_plot
    chart = plot.charts["error"]
    whole_x, _ = mark_xy(next(iter(chart.series.values())).raw)
    lo, hi = 12_000.0, 16_500.0
    user_sets_x(chart, lo, hi)
    assert chart.user_x
    wait_until(lambda: len(raw_inside(chart, lo, hi)[0]) >= len(whole_x), 10, 0.02,
               what="the zoomed range redrawn from the store")
    x, y = raw_inside(chart, lo, hi)
    assert {13_000.0, 15_500.0} <= set(x.tolist())  # the spikes in view are drawn
    np.testing.assert_allclose(y[x == 13_000.0], values[13_000], rtol=1e-6)


def test_a_narrow_zoom_draws_every_point_and_y_fits_what_is_in_view(noisy_plot):
    plot, values, _log = noisy_plot
    chart = plot.charts["error"]
    whole_y = (chart.y_scale.min, chart.y_scale.max)
    lo, hi = 16_000.0, 16_400.0
    user_sets_x(chart, lo, hi)
    wait_until(lambda: len(raw_inside(chart, lo, hi)[0]) == 401, 10, 0.02,
               what="every point of the zoom")
    x, y = raw_inside(chart, lo, hi)
    np.testing.assert_allclose(y, values[16_000:16_401], rtol=1e-6)
    shown = values[16_000:16_401]
    assert chart.y_scale.min > whole_y[0] or chart.y_scale.max < whole_y[1]
    assert chart.y_scale.min <= np.percentile(shown, 5) and \
        chart.y_scale.max >= np.percentile(shown, 95)
    assert not chart.user_y


def test_the_wheel_zooms_x_only_unless_zoom_y_is_ticked(noisy_plot):
    plot, _values, _log = noisy_plot
    chart = plot.charts["error"]
    assert chart.panzoom.scales["x"] == [chart.x_scale] and chart.panzoom.scales["y"] == []
    plot.controls.zoom_y.value = True
    assert chart.panzoom.scales["y"] == [chart.y_scale]
    chart.y_scale.set_state({"min": 0.5, "max": 0.6})
    assert chart.user_y
    wait_until(lambda: plot.redraws and (chart.y_scale.min, chart.y_scale.max) == (0.5, 0.6)
               and chart.user_y, 5, 0.02, what="the user's y kept")
    plot.controls.zoom_y.value = False
    assert chart.panzoom.scales["y"] == [] and not chart.user_y
    assert (chart.y_scale.min, chart.y_scale.max) != (0.5, 0.6)  # y follows the data again


def test_a_zoom_stays_while_points_arrive_and_reset_returns_to_the_whole_run(noisy_plot):
    plot, _values, log = noisy_plot
    chart = plot.charts["error"]
    user_sets_x(chart, 2_000.0, 6_000.0)
    with log.open("a") as handle:
        handle.write("".join(f"Train_error={0.2:.6f};\n" for _ in range(500)))
    wait_until(lambda: (plot.watch.poll_once() or True) and len(plot.watch.store) == N + 500,
               30, 0.05, what="500 more points")
    plot.refresh()
    assert (chart.x_scale.min, chart.x_scale.max) == (2_000.0, 6_000.0)
    x, _ = mark_xy(next(iter(chart.series.values())).raw)
    assert x.min() >= 1_999 and x.max() <= 6_001
    plot.reset_zoom()
    assert not chart.user_x
    assert (chart.x_scale.min, chart.x_scale.max) == (0.0, N + 499.0)


def test_a_stopped_plot_still_redraws_a_zoom(noisy_plot):
    plot, _values, _log = noisy_plot
    chart = plot.charts["error"]
    plot.stop()
    before = plot.redraws
    user_sets_x(chart, 100.0, 300.0)
    assert plot.redraws > before
    assert len(raw_inside(chart, 100.0, 300.0)[0]) == 201
