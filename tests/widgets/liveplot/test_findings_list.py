"""A plot's one list of findings follows the data: what arrives just after a diagnosis is
diagnosed once the interval has passed, without waiting for more data."""

from __future__ import annotations

import numpy as np

from metricwidgets.core.store import SeriesKey
from metricwidgets.polling.watch import Watch
from metricwidgets.widgets.liveplot import _live_plot as live_plot
from metricwidgets.widgets.liveplot import LivePlot
from tests.waiting import wait_until


def test_the_last_data_of_a_burst_is_diagnosed_without_more_data():
    watch = Watch([], start=False, name="job-1")
    key = SeriesKey("job-1", "algo-1", "train:loss")
    steps = np.arange(30.0)
    watch.store.add_points(key, steps, 1.7e9 + steps, 1 / np.sqrt(steps + 1))
    plot = LivePlot(watch, redraw_interval=0.0)
    try:
        assert plot.findings.lines == []  # diagnosed at once: a healthy start
        more = np.arange(30.0, 32.0)
        watch.store.add_points(key, more, 1.7e9 + more, [100.0, 100.0])  # it explodes
        plot.refresh()  # within the interval: not diagnosed now...
        assert plot.findings.lines == []
        # ...but once the interval has passed, with no further data or call.
        wait_until(lambda: any("exploded" in line for line in plot.findings.lines),
                   timeout=5 * live_plot.DIAGNOSE_INTERVAL, what="the divergence listed")
        assert [f.kind for f in plot.findings.findings] == ["divergence"]
        assert "metricwidgets-divergence metricwidgets-error" in plot.findings.value
    finally:
        plot.close()
