"""Charts legible when small (the instances panel's, a narrow notebook): fewer ticks rather
than labels run together, flat series on a round range, the y-axis title beyond the tick
labels, the panel's time axis never before the job's start."""

from __future__ import annotations

import numpy as np

from metricwidgets.core.store import SeriesKey
from metricwidgets.widgets.liveplot._axes import LABEL_CHAR_PX, LABEL_GAP_PX, Axes
from metricwidgets.widgets.liveplot._controls import ChartSettings
from metricwidgets.widgets.liveplot._instances_panel import _panel_settings, time_span
from metricwidgets.widgets.liveplot._ticks import linear_ticks
from metricwidgets.widgets.liveplot._view import y_range


def _ticks(mode: str, lo: float, hi: float, width: float):
    axes = Axes(mode, False, "q", plot_px=(width, 135))
    axes.x_scale.min, axes.x_scale.max = lo, hi
    return axes.compute("x")


def test_time_ticks_thin_out_until_their_labels_keep_apart_on_a_small_plot():
    narrow, wide = _ticks("relative", 0, 600, 220), _ticks("relative", 0, 600, 900)
    assert len(narrow.values) < len(wide.values)
    room = min(b - a for a, b in zip(narrow.values, narrow.values[1:])) * 220 / 600
    assert room >= max(map(len, narrow.labels)) * LABEL_CHAR_PX + LABEL_GAP_PX
    assert len(narrow.values) >= 2


def test_a_flat_series_gets_a_round_range_not_float_noise():
    for level in (25.4, 99999999.0, 0.25):
        flat = np.full(50, level) + np.linspace(0, level * 1e-9, 50)
        lo, hi = y_range([flat])
        assert lo < level < hi and hi - lo >= 0.02 * level * 0.99
        labels = linear_ticks(lo, hi, 5).labels
        assert len(set(labels)) == len(labels) >= 2, labels
        assert all(len(label.split(".")[-1]) <= 4 for label in labels if "e" not in label)
    lo, hi = y_range([np.full(30, 25.4)], min_span=10.0)  # a percentage: 10 points at least
    assert hi - lo >= 10.0 and lo < 25.4 < hi


def test_the_y_axis_title_sits_beyond_the_widest_tick_label():
    axes = Axes("step", False, "loss", plot_px=(220, 135))
    axes.y_scale.min, axes.y_scale.max = 99_000_000.0, 101_000_000.0
    axes.x_scale.min, axes.x_scale.max = 0.0, 10.0
    axes.apply_ticks()
    widest = max(map(len, axes.ticks["y"].labels)) * LABEL_CHAR_PX
    assert float(axes.y_axis.label_offset.removesuffix("px")) >= widest + 10


def test_the_panel_shows_the_metric_charts_time_never_before_the_start():
    settings = ChartSettings(x_mode="step", origin=1000.0)
    panel = _panel_settings(settings, (940.0, 1600.0))  # a minute average began before it
    assert panel.x_mode == "relative" and panel.x_span == (1000.0, 1600.0)
    wall = _panel_settings(ChartSettings(x_mode="wall", origin=1000.0), (940.0, 1600.0))
    assert wall.x_span == (940.0, 1600.0)


def test_time_span_covers_the_shown_series_only():
    class Snap:
        def __init__(self, source, stamps):
            self.key = SeriesKey(source, "algo-1", "loss")
            self.timestamp = np.asarray(stamps, float)

        def __len__(self):
            return len(self.timestamp)

    snaps = [Snap("a", [10, 20]), Snap("b", [5, 50]), Snap("c", [])]
    assert time_span(snaps) == (5.0, 50.0)
    assert time_span(snaps, {"b"}) == (10.0, 20.0)
    assert time_span([]) is None
