"""A plot's one list of findings follows the data: what arrives just after a diagnosis is
diagnosed once the interval has passed, without waiting for more data."""

from __future__ import annotations

import time

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




def _plot_of_running_job(steps, values):
    """A plot of job-1 (in progress) whose train:loss holds ``values``, a point a second
    until now (taken when called: points minutes old would be a silence, a stall finding)."""
    from metricwidgets.sources.base import JobStatus

    watch = Watch([], start=False, name="job-1")
    watch.poll_once()  # the plot opens on a polled watch (see the last test)
    watch.statuses["job-1"] = JobStatus("job-1", "InProgress")
    key = SeriesKey("job-1", "algo-1", "train:loss")
    start = time.time() - 32
    watch.store.add_points(key, steps, start + steps, values)
    return watch, key, start, LivePlot(watch, redraw_interval=0.0)


def test_a_finding_that_appears_while_the_job_runs_is_marked_for_notification_once():
    steps = np.arange(30.0)
    watch, key, start, plot = _plot_of_running_job(steps, 1 / np.sqrt(steps + 1))
    try:
        more = np.arange(30.0, 32.0)
        watch.store.add_points(key, more, start + more, [100.0, 100.0])
        plot.refresh(force=True)
        assert plot.findings.news == {"divergence|job-1|algo-1|train:loss"}
        value = plot.findings.value
        assert value.count('data-notify="1"') == 1
        assert f'data-plot="{plot.findings.plot_id}"' in value
        assert 'data-finding="divergence|job-1|algo-1|train:loss"' in value
        assert 'data-job="job-1"' in value
    finally:
        plot.close()


def test_the_findings_a_plot_opens_on_are_not_news():
    steps = np.arange(32.0)
    values = np.r_[1 / np.sqrt(steps[:30] + 1), 100.0, 100.0]
    watch, key, _start, plot = _plot_of_running_job(steps, values)
    try:
        assert [f.kind for f in plot.findings.findings] == ["divergence"]
        plot.refresh(force=True)
        assert plot.findings.news == set() and "data-notify" not in plot.findings.value
    finally:
        plot.close()


def test_plot_on_finding_tells_each_finding_once_from_the_pollers_thread(poller):
    import threading

    from metricwidgets.polling.watched_job import WatchedJob
    from tests.polling.scripted import ScriptedSource

    source = ScriptedSource("job-1")
    watch = Watch([WatchedJob("job-1", source)], [{"Name": "loss", "Regex": r"loss=(\S+)"}],
                  poller=poller, min_interval=0.01, max_interval=0.05)
    plot = LivePlot(watch)
    told = []
    try:
        plot.on_finding(lambda f: told.append((f.kind, threading.current_thread())))
        source.push_lines("algo-1", [f"loss={1 / (i + 1):.4f}" for i in range(12)])
        source.push_lines("algo-1", ["loss=50", "loss=400", "loss=3000"])
        wait_until(lambda: told, 20, what="the divergence told")
        source.push_lines("algo-1", ["loss=90000"])
        wait_until(lambda: len(watch.store.to_dataframe()) == 16, 10)
        watch.flush_findings()
        assert [kind for kind, _ in told] == ["divergence"]
        assert told[0][1] is poller.thread
    finally:
        plot.close()


def test_a_plot_made_before_its_watchs_first_poll_opens_on_what_that_poll_finds(poller, tmp_path):
    """A file watch starts polling on its own thread: under load the plot can be drawn (and
    diagnosed, with no data and no job known) before the first poll. The divergence that
    poll reads is what the plot opened on, not news to announce."""
    from metricwidgets.options import MetricOptions

    log = tmp_path / "old.log"
    values = [1 / (i + 1) for i in range(14)] + [40.0, 900.0, 20000.0]
    log.write_text("".join(f"epoch {i} loss={v}\n" for i, v in enumerate(values)))
    options = MetricOptions.from_keywords([{"Name": "train:loss", "Regex": r"loss=(\S+)"}],
                                          step_definition=r"epoch (\d+)")
    watch = Watch.for_file(str(log), options, start=False, poller=poller)
    plot = LivePlot(watch, redraw_interval=0.0)  # drawn before any poll
    try:
        assert plot.findings.findings == [] and watch.polls == 0
        watch.poll_once()
        plot.refresh(force=True)
        assert [f.kind for f in plot.findings.findings] == ["divergence"]
        assert plot.findings.news == set() and "data-notify" not in plot.findings.value
        with open(log, "a") as out:  # and what appears later is news again
            out.write("".join(f"epoch {17 + i} loss=nan\n" for i in range(3)))
        watch.poll_once()
        plot.refresh(force=True)
        assert {k.split("|")[0] for k in plot.findings.news} == {"nonfinite"}
    finally:
        plot.close()
