"""The instances panel of a live plot, on a real training command and its utilization."""

from __future__ import annotations

import sys
import textwrap

import numpy as np
import psutil

from metricwidgets.core.store import SeriesKey
from metricwidgets.polling.utilization_watch import system_watch_for_run
from metricwidgets.polling import Watch
from metricwidgets.widgets.liveplot import ChartSettings
from metricwidgets.widgets.liveplot import InstancesPanel
from metricwidgets.widgets.liveplot import LivePlot
from tests.waiting import wait_until
from tests.widgets.liveplot.test_live_plot import mark_xy
from metricwidgets.options import MetricOptions

# Prints a metric line a tenth of a second while burning CPU, until the stop file exists.
TRAINER = textwrap.dedent("""
    import os, sys, time
    stop, epoch = sys.argv[1], 0
    while not os.path.exists(stop):
        deadline = time.perf_counter() + 0.1
        while time.perf_counter() < deadline:
            pass
        print(f"epoch {epoch}: loss={1 / (epoch + 1):.4f}", flush=True)
        epoch += 1
""")


def _command_plot(tmp_path, poller):
    stop = tmp_path / "stop"
    watch = Watch.for_command([sys.executable, "-c", TRAINER, str(stop)], MetricOptions.from_keywords([{"Name": "loss", "Regex": r"loss=([0-9.]+)"}]), poller=poller)
    system = system_watch_for_run(watch, interval=0.2, poller=poller)
    return LivePlot(watch, system=system), stop


def test_a_command_gets_one_chart_per_metric_with_its_line(tmp_path, poller):
    plot, stop = _command_plot(tmp_path, poller)
    panel = plot.instances
    try:
        wait_until(lambda: {"CPUUtilization", "MemoryUtilization",
                            "DiskUtilization"} <= set(panel.charts), timeout=60,
                   what="the panel's CPU, memory and disk charts")
        assert panel.layout.display == "" and panel.toggle.value
        assert panel.grid.children[0] is panel.charts["CPUUtilization"]
        # The metric charts hold only the metrics; the utilization has its own store.
        wait_until(lambda: plot.charts, timeout=60, what="the loss chart")
        assert list(plot.charts) == ["loss"]
        assert "CPUUtilization" not in plot.watch.store.metrics()
        if not panel.devices.gpus:
            assert "no GPU" in panel.info.value and "GPUUtilization" not in panel.charts
            assert panel.info.value.count("no GPU") == 1, panel.info.value  # said once
        chart = panel.charts["CPUUtilization"]
        # The short title fits a small figure; what 100 % means is in the caption (it wraps).
        assert chart.figure.title == "CPU" and chart.y_axis.label == "%"
        assert f"% per vCPU (reported / {psutil.cpu_count()})" in chart.caption.value
        assert [e.checkbox.description for e in panel.legend.children] == ["local"]
    finally:
        stop.touch()
        assert plot.wait(60)
        wait_until(lambda: panel.watch.finished, timeout=30, what="sampling to stop")
        plot.close()


def test_per_device_divides_cpu_by_the_cores_and_as_reported_does_not(tmp_path, poller):
    plot, stop = _command_plot(tmp_path, poller)
    panel = plot.instances
    try:
        wait_until(lambda: len(panel.charts.get("CPUUtilization", {}) and
                               panel.charts["CPUUtilization"].series) > 0, timeout=60,
                   what="a CPU line")
        stop.touch()
        assert plot.wait(60)
        wait_until(lambda: panel.watch.finished, timeout=30, what="sampling to stop")
        plot.controls.smoothing.value = 0.0
        plot.refresh(force=True)
        key = SeriesKey(plot.watch.name, "local", "CPUUtilization")
        reported = panel.watch.store.snapshot(key).value
        _, y = mark_xy(panel.charts["CPUUtilization"].series[key].raw)
        np.testing.assert_allclose(y, reported / psutil.cpu_count(), rtol=1e-5)
        panel.per_device.value = False  # redraws by itself
        _, y = mark_xy(panel.charts["CPUUtilization"].series[key].raw)
        np.testing.assert_allclose(y, reported, rtol=1e-5)
        assert "as reported" in panel.charts["CPUUtilization"].caption.value
    finally:
        stop.touch()
        plot.close()


def test_the_panel_is_hidden_until_the_first_sample(tmp_path, poller):
    stop = tmp_path / "stop"
    watch = Watch.for_command([sys.executable, "-c", TRAINER, str(stop)], MetricOptions.from_keywords([]), poller=poller)
    system = system_watch_for_run(watch, start=False, poller=poller)
    panel = InstancesPanel(system)
    try:
        panel.update(ChartSettings())
        assert panel.layout.display == "none" and not panel.charts
        system.poll_once()
        panel.update(ChartSettings())
        assert panel.layout.display == ""
        assert "CPUUtilization" in panel.charts
    finally:
        stop.touch()
        assert watch.wait(60)
        panel.close()
        watch.close()


def test_collapsing_the_panel_hides_its_body(tmp_path, poller):
    plot, stop = _command_plot(tmp_path, poller)
    panel = plot.instances
    try:
        wait_until(lambda: panel.charts, timeout=60, what="a first chart")
        panel.toggle.value = False
        assert panel.body.layout.display == "none"
        panel.toggle.value = True
        assert panel.body.layout.display == ""
    finally:
        stop.touch()
        plot.close()


def test_the_utilization_watch_is_polled_by_the_poller_it_is_given(tmp_path, poller):
    stop = tmp_path / "stop"
    watch = Watch.for_command([sys.executable, "-c", TRAINER, str(stop)], MetricOptions.from_keywords([]), poller=poller)
    system = system_watch_for_run(watch, interval=0.2, poller=poller)
    try:
        assert watch in poller.items and system in poller.items
    finally:
        stop.touch()
        assert watch.wait(60)
        system.close()
        watch.close()
