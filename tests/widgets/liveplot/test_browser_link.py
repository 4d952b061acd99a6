"""What each chart tells its browser module (``ChartLink``) after a redraw, read with
``get_state()``: widget references to its marks and the plot's controls, the settings the
kernel drew with, and per series the raw points it drew (the browser redraws from these while
the kernel is busy)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from bqplot import Figure

from metricwidgets.polling.watch import Watch
from metricwidgets.widgets.liveplot import LivePlot
from metricwidgets.widgets.liveplot import ChartLink, FigureGuard
from metricwidgets.options import MetricOptions

TINY = str(Path(__file__).resolve().parents[2] / "data" / "train_tiny.py")
DEFS = [{"Name": "train:error", "Regex": r"Train_error=(.*?);"},
        {"Name": "validation:error", "Regex": r"Valid_error=(.*?);"}]


@pytest.fixture
def plot(poller):
    watch = Watch.for_command([sys.executable, TINY, "--epochs", "30"], MetricOptions.from_keywords(DEFS, step_definition=r"epoch ([0-9]+):"), poller=poller)
    plot = LivePlot(watch)
    assert plot.wait(60)
    yield plot
    plot.close()


def column(table: bytes) -> np.ndarray:
    return np.frombuffer(table, np.float32)


def test_link_refers_to_the_charts_marks_and_the_plots_controls(plot):
    chart = plot.charts["error"]
    state = chart.link.get_state()
    refs = state["refs"]
    assert refs["y_scale"] == f"IPY_MODEL_{chart.y_scale.model_id}"
    assert refs["controls"]["log_y"] == f"IPY_MODEL_{plot.controls.log_y.model_id}"
    series = list(chart.series.values())
    assert [s["raw"] for s in refs["series"]] == [f"IPY_MODEL_{s.raw.model_id}" for s in series]
    assert [s["legend"] for s in refs["series"]] == [
        f"IPY_MODEL_{chart.legend.entry(s.key).checkbox.model_id}" for s in series]
    assert chart.link in chart.children and chart.link.layout.display == "none"


def test_link_tables_hold_the_other_x_of_the_drawn_points(plot):
    # on a step axis: each drawn raw point's seconds since the origin; on a time axis: its
    # step (the raw mark carries the x in the mode drawn and the values)
    chart = plot.charts["error"]
    origin = chart.link.applied["origin"]
    for series, table in zip(chart.series.values(), chart.link.tables):
        index = series.view.index
        assert len(column(table)) == len(series.raw.x) == len(index)
        assert np.allclose(column(table), series.snapshot.timestamp[index] - origin, atol=0.01)
    plot.controls.x_mode.value = "relative"
    for series, table in zip(chart.series.values(), chart.link.tables):
        assert np.array_equal(column(table), series.snapshot.step[series.view.index])


def test_link_applied_follows_the_kernels_settings_after_a_toggle(plot):
    chart = plot.charts["error"]
    assert chart.link.applied["log_y"] is False and chart.link.applied["x_mode"] == "step"
    plot.controls.log_y.value = True
    plot.controls.x_mode.value = "relative"
    first = list(chart.series)[0]
    chart.legend.entry(first).checkbox.value = False
    applied = chart.link.applied
    assert applied["log_y"] is True and applied["x_mode"] == "relative"
    assert applied["legend_hidden"] == [k == first for k in chart.series]
    # a toggle rebuilds the marks: the references follow
    raw = chart.link.get_state()["refs"]["series"][0]["raw"]
    assert raw == f"IPY_MODEL_{chart.series[first].raw.model_id}"


def test_link_sends_nothing_when_a_redraw_changed_nothing(plot):
    chart = plot.charts["error"]
    sent = []
    chart.link.observe(lambda change: sent.append(change["name"]), names=["refs", "applied",
                                                                          "tables"])
    plot.refresh(force=True)
    assert sent == []


def test_link_module_ships_inside_the_package():
    # anywidget loads the ES module from the Python package: no labextension needed
    module = Path(ChartLink.__module__.replace(".", "/") + ".js")
    root = Path(__file__).resolve().parents[3]
    assert "export default" in (root / module).read_text()


def test_a_plot_holds_a_figure_guard_before_its_first_chart(poller, tmp_path):
    # The browser module makes our figures wait for a size as it initializes with a model
    # naming bqplot's Figure view: the plot has one from the start, before any chart (a job
    # with no metrics yet), and each chart's link names it too.
    log = tmp_path / "train.log"
    log.write_text("")
    watch = Watch.for_file(str(log), MetricOptions.from_keywords(DEFS), start=False, poller=poller)
    plot = LivePlot(watch)
    try:
        figure = Figure()
        named = {"name": figure._view_name, "module": figure._view_module,
                 "module_version": figure._view_module_version}
        assert not plot.charts
        guard = plot.children[0]
        assert isinstance(guard, FigureGuard) and not isinstance(guard, ChartLink)
        assert guard.get_state()["figure_view"] == named and guard.layout.display == "none"
        log.write_text("epoch 1: Train_error=0.5; Valid_error=0.6;\n")
        watch.poll_once()
        plot.refresh(force=True)
        assert plot.charts["error"].link.get_state()["figure_view"] == named
        figure.close()
    finally:
        plot.close()
