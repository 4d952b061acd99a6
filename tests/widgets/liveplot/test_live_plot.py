"""LivePlot without a kernel: bqplot/ipywidgets state read with ``get_state()``.

Each test watches something real (a training command, a log file, a job on the moto
stand-in) and waits on conditions, never on fixed sleeps.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from bqplot import DateScale, LogScale

from metricwidgets.core.pairing import group_metrics
from metricwidgets.core.store import MetricStore, SeriesKey
from metricwidgets.widgets.liveplot import ema
from metricwidgets.errors import UserFacingError
from metricwidgets.polling.watch import Watch
from metricwidgets.widgets.liveplot import Chart
from metricwidgets.widgets.liveplot import ChartSettings
from metricwidgets.widgets.liveplot import LivePlot
from tests.waiting import wait_until
from metricwidgets.options import MetricOptions

TINY = str(Path(__file__).resolve().parents[2] / "data" / "train_tiny.py")
DEFS = [{"Name": "train:error", "Regex": r"Train_error=(.*?);"},
        {"Name": "validation:error", "Regex": r"Valid_error=(.*?);"}]
EPOCH = r"epoch ([0-9]+):"


def array(state_value):
    """A bqplot array trait as numpy, from ``get_state()`` (binary buffer) or a list."""
    if isinstance(state_value, dict) and "value" in state_value:
        buffer = state_value["value"]
        dtype = {"float": np.float32}.get(state_value["dtype"], state_value["dtype"])
        return np.frombuffer(bytes(buffer), dtype=dtype)
    return np.asarray(state_value)


def mark_xy(mark):
    state = mark.get_state()
    return array(state["x"]), array(state["y"])


@pytest.fixture
def finished_plot(poller):
    watch = Watch.for_command([sys.executable, TINY, "--epochs", "30", "--nan-at", "20"], MetricOptions.from_keywords(DEFS, step_definition=EPOCH), poller=poller)
    plot = LivePlot(watch)
    assert plot.wait(60)
    yield plot
    plot.close()


def test_training_and_validation_share_one_chart_told_apart_by_shade_and_dash(finished_plot):
    assert list(finished_plot.charts) == ["error"]
    chart = finished_plot.charts["error"]
    by_metric = {k.metric: s for k, s in chart.series.items()}
    train, valid = by_metric["train:error"], by_metric["validation:error"]
    assert train.smooth.colors != valid.smooth.colors  # a darker shade, not only a dash
    assert train.smooth.line_style == "solid" and valid.smooth.line_style == "dashed"
    labels = [e.checkbox.description for e in chart.legend.children]
    assert labels == ["train:error", "validation:error"]
    assert finished_plot.charts_box.children == (chart,)


def test_legend_entry_hides_and_shows_its_series_at_any_smoothing(finished_plot):
    chart = finished_plot.charts["error"]
    valid = next(s for k, s in chart.series.items() if k.metric == "validation:error")
    finished_plot.controls.smoothing.value = 0.0
    assert len(chart.legend.children) == 2  # the legend stays at smoothing 0
    chart.legend.entry(valid.key).checkbox.value = False
    assert not valid.raw.visible and not valid.smooth.visible
    chart.legend.entry(valid.key).checkbox.value = True
    assert valid.raw.visible


def test_raw_points_are_faded_behind_the_debiased_smoothed_line(finished_plot):
    chart = finished_plot.charts["error"]
    valid = next(s for k, s in chart.series.items() if k.metric == "validation:error")
    x, y = mark_xy(valid.raw)
    _sx, sy = mark_xy(valid.smooth)
    values = finished_plot.watch.store.snapshot(valid.key).value
    assert x.tolist() == list(range(30))
    np.testing.assert_allclose(y, values, rtol=1e-6)
    np.testing.assert_allclose(sy, ema(values, 0.6), rtol=1e-5)
    assert valid.raw.opacities == [0.25]
    order = finished_plot.charts["error"].figure.marks
    assert order.index(valid.raw) < order.index(valid.smooth)


def test_smoothing_slider_redraws_with_the_new_weight(finished_plot):
    finished_plot.controls.smoothing.value = 0.9
    chart = finished_plot.charts["error"]
    valid = next(s for k, s in chart.series.items() if k.metric == "validation:error")
    values = finished_plot.watch.store.snapshot(valid.key).value
    np.testing.assert_allclose(mark_xy(valid.smooth)[1], ema(values, 0.9), rtol=1e-5)


def test_nan_capture_is_marked_where_it_happened(finished_plot):
    chart = finished_plot.charts["error"]
    x, y = mark_xy(chart.nan_marks)
    assert x.tolist() == [20.0]
    assert y[0] == pytest.approx(chart.y_scale.max)  # drawn at the top edge
    assert any(d.kind == "nonfinite" and d.step == 20.0 for d in chart.diagnoses)


def test_overfitting_is_diagnosed_and_marked_at_validations_best(finished_plot):
    chart = finished_plot.charts["error"]
    store = finished_plot.watch.store
    valid = store.snapshot(next(k for k in store.keys() if k.metric == "validation:error"))
    best = float(valid.step[np.argmin(valid.value)])
    over = [d for d in chart.diagnoses if d.kind == "overfitting"]
    assert len(over) == 1 and over[0].step == best
    x, _y = mark_xy(chart.diag_marks)
    assert best in x.tolist()
    # Said once, in the plot's one list of findings (the chart keeps the diamond).
    said = [line for line in finished_plot.findings.lines if "rose from its best" in line]
    assert len(said) == 1 and said[0].startswith("overfitting: validation:error rose")
    assert "metricwidgets-overfitting" in finished_plot.findings.value
    assert "rose from its best" not in chart.notes.value
    assert all(d.job == over[0].job and d.host for d in chart.diagnoses)


def test_log_toggle_builds_scales_axes_and_marks_together(finished_plot):
    chart = finished_plot.charts["error"]
    finished_plot.controls.log_y.value = True
    assert isinstance(chart.y_scale, LogScale)
    marks = list(chart.figure.marks)
    assert all(m.scales["y"] is chart.y_scale for m in marks)
    assert chart.y_axis.scale is chart.y_scale and chart.y_scale.min > 0
    assert chart.figure.axes == [chart.x_axis, chart.y_axis]
    ticks = list(chart.y_axis.tick_values)
    assert all(chart.y_scale.min <= t <= chart.y_scale.max for t in ticks) and len(ticks) >= 2
    finished_plot.controls.log_y.value = False
    assert not isinstance(chart.y_scale, LogScale)
    assert all(m.scales["y"] is chart.y_scale for m in chart.figure.marks)
    labels = chart.y_axis.tick_labels
    assert len(set(labels.values())) == len(labels) >= 2


def test_wall_time_axis_uses_dates(finished_plot):
    finished_plot.controls.x_mode.value = "wall"
    chart = finished_plot.charts["error"]
    assert isinstance(chart.x_scale, DateScale)
    series = next(iter(chart.series.values()))
    assert series.raw.get_state()["x"]["dtype"] == "float64"  # ms since the epoch
    assert series.raw.x.dtype.kind == "M"


def test_relative_time_counts_from_the_start(finished_plot):
    finished_plot.controls.x_mode.value = "relative"
    chart = finished_plot.charts["error"]
    x, _ = mark_xy(next(iter(chart.series.values())).raw)
    assert 0 <= x[0] < 30 and np.all(np.diff(x) >= 0)
    assert chart.x_axis.label.startswith("time since start")


def test_readout_shows_every_series_at_the_nearest_step(finished_plot):
    chart = finished_plot.charts["error"]
    hover = next(iter(chart.series.values())).hover
    hover._handle_custom_msg({"event": "hover", "point": {"x": 7.2, "y": 0.1}}, [])
    store = finished_plot.watch.store
    text = chart.readout.value
    for key in store.keys():
        value = float(store.snapshot(key).value[7])
        assert f"{value:.10g}" in text and key.metric in text
    assert "<td class='metricwidgets-readout-step'>7</td>" in text


def test_to_dataframe_and_csv_export_carry_every_point(finished_plot):
    frame = finished_plot.to_dataframe()
    assert len(frame) == 59  # 30 validation + 29 training points (one capture was NaN)
    csv = finished_plot.export.csv()
    assert csv.count("\n") == 60
    assert finished_plot.export.file_name(".csv") == "train_tiny.csv"


def test_header_shows_status_counts_and_escapes_names(poller, tmp_path):
    log = tmp_path / "<run>.log"
    log.write_text("Train_error=0.5;  Valid_error=abc;\n")
    defs = DEFS + [{"Name": "never", "Regex": r"zzz=(\d+)"}]
    watch = Watch.for_file(str(log), MetricOptions.from_keywords(defs), start=False, poller=poller)
    plot = LivePlot(watch)
    try:
        watch.poll_once()
        plot.refresh()
        header = plot.header.value
        assert "&lt;run&gt;.log" in header and "<run>" not in header
        assert "train:error: 1" in header
        assert "<b>never</b> has matched no line yet" in header
        assert "capture(s) dropped, the capture is not a number" in header and "abc" in header
    finally:
        plot.close()


def test_user_zoom_survives_new_points_and_reset_follows_again(poller, tmp_path):
    log = tmp_path / "train.log"
    log.write_text("".join(f"Train_error={1 / (i + 1):.4f};\n" for i in range(200)))
    watch = Watch.for_file(str(log), MetricOptions.from_keywords(DEFS), start=False, poller=poller)
    plot = LivePlot(watch)
    try:
        watch.poll_once()
        plot.refresh()
        chart = plot.charts["error"]
        assert (chart.x_scale.min, chart.x_scale.max) == (0.0, 199.0)
        # What PanZoom does in the browser: the scale's range changes (and syncs back).
        chart.x_scale.min, chart.x_scale.max = 50.0, 60.0
        assert chart.user_x
        with log.open("a") as handle:
            handle.write("".join(f"Train_error={1 / (i + 1):.4f};\n" for i in range(200, 400)))
        wait_until(lambda: (watch.poll_once() or True) and len(watch.store) == 400, 30, 0.02,
                   what="400 points")
        plot.refresh()
        assert (chart.x_scale.min, chart.x_scale.max) == (50.0, 60.0)
        x, _ = mark_xy(next(iter(chart.series.values())).raw)
        assert x.min() >= 49 and x.max() <= 61  # only what is visible was sent
        plot.reset_zoom()
        assert (chart.x_scale.min, chart.x_scale.max) == (0.0, 399.0)
        assert not chart.user_x
    finally:
        plot.close()


def test_a_million_points_are_downsampled_with_spikes_kept():
    store = MetricStore()
    n = 1_000_000
    values = np.full(n, 0.5)
    values[777_777] = 50.0
    key = SeriesKey("job", "algo-1", "train:loss")
    store.add_points(key, np.arange(n, dtype=float), np.arange(n, dtype=float) + 1e9, values)
    settings = ChartSettings(width_px=800)
    chart = Chart(group_metrics(["train:loss"])[0], settings)
    chart.update(store.snapshots(), settings)
    x, y = mark_xy(chart.series[key].raw)
    assert len(x) <= 1602
    assert 50.0 in y.tolist() and 777_777.0 in x.tolist()
    # Ignoring outliers, the y-range is set by the bulk of the points, not by the spike.
    assert chart.y_scale.max < 50.0


def test_updates_from_the_poller_are_throttled_and_coalesced(poller):
    watch = Watch.for_command([sys.executable, TINY, "--epochs", "40", "--delay", "0.01"], MetricOptions.from_keywords(DEFS, step_definition=EPOCH), poller=poller, min_interval=0.01, max_interval=0.02, start=False)
    notifications = []
    watch.add_listener(lambda _w: notifications.append(time.monotonic()))
    plot = LivePlot(watch, redraw_interval=0.5)
    watch.resume()  # start polling only now, so every notification is counted
    try:
        assert plot.wait(60)
        assert len(notifications) >= 8
        # Initial draw + one per half second of the run + the final one.
        assert plot.redraws <= 3 + (notifications[-1] - notifications[0]) / 0.5
        assert plot.redraws < len(notifications)
        assert len(plot.to_dataframe()) == 80
    finally:
        plot.close()


def test_close_stops_the_process_and_leaves_no_thread(poller):
    watch = Watch.for_command([sys.executable, TINY, "--epochs", "1000", "--delay", "0.05"], MetricOptions.from_keywords(DEFS), poller=poller)
    plot = LivePlot(watch)
    wait_until(lambda: len(watch.store) > 0, 30, 0.02, what="first points")
    process = watch.sources[0]
    plot.close()
    assert watch.closed and plot.closed
    assert poller.join(10)
    wait_until(lambda: process.finished or getattr(process, "_proc", None) is None
               or process._proc.poll() is not None, 10, 0.02, what="the process to end")
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
    assert plot not in LivePlot.instances


def test_pause_and_resume_reach_the_watch(finished_plot):
    finished_plot.pause()
    assert finished_plot.watch.paused and finished_plot.controls.pause.value
    finished_plot.controls.pause.value = False
    assert not finished_plot.watch.paused


@pytest.mark.aws
def test_job_on_the_stand_in_shows_final_metrics_beside_parsed_values(standin, job_name):
    standin.write_finished_job(job_name, lines_per_host=30, instance_count=2)
    plot = LivePlot.for_job(job_name, **standin.aws_kwargs)
    try:
        assert plot.wait(60)
        header = plot.header.value
        assert "Completed" in header and "FinalMetricDataList" in header
        assert "last parsed from the logs" in header
        chart = next(iter(plot.charts.values()))
        hosts = {k.host for k in chart.series}
        assert hosts == {"algo-1", "algo-2"}
        colours = {chart.series[k].smooth.colors[0] for k in chart.series
                   if k.metric.startswith("train")}
        assert len(colours) == 2  # one colour per host
        # One job: the legend names each host, not the job again (the header names it).
        labels = sorted(e.checkbox.description for e in chart.legend.children)
        metrics = sorted({k.metric for k in chart.series})
        assert labels == sorted(f"{m} ({h})" for m in metrics for h in ("algo-1", "algo-2"))
    finally:
        plot.close()


@pytest.mark.aws
def test_unknown_job_is_a_one_line_error(standin):
    with pytest.raises(UserFacingError) as caught:
        LivePlot.for_job("no-such-job-anywhere", **standin.aws_kwargs)
    assert "\n" not in str(caught.value)


@pytest.mark.aws
def test_tuning_job_children_are_overlaid_filterable_and_the_best_highlighted(standin,
                                                                              job_name):
    tuning = job_name[:28] + "-hpo"
    children = [f"{tuning}-c1", f"{tuning}-c2"]
    standin.create_tuning_job(tuning, objective="validation:error")
    for child in children:
        standin.write_finished_job(child, lines_per_host=15, instance_count=1)
        standin.add_tuning_child(tuning, child)
    standin.finish_tuning_job(tuning, children[1], 0.1)
    plot = LivePlot.for_tuning_job(tuning, **standin.aws_kwargs)
    try:
        assert plot.wait(90)
        assert list(plot.controls.sources.options) == children
        assert plot.controls.sources.layout.display == ""
        chart = plot.charts["error"]
        smooth = {k.source: s.smooth for k, s in chart.series.items()
                  if k.metric == "validation:error"}
        assert smooth[children[1]].stroke_width > smooth[children[0]].stroke_width
        assert smooth[children[0]].colors != smooth[children[1]].colors
        assert children[0] in smooth[children[0]].labels[0]  # legend names the job
        plot.controls.sources.value = (children[1],)
        assert not smooth[children[0]].visible and smooth[children[1]].visible
    finally:
        plot.close()


def test_svg_export_shows_the_job_legend_ticks_and_findings_on_white_without_matplotlib(
        finished_plot, monkeypatch):
    import xml.etree.ElementTree as ET

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # a plain install has none
    chart = finished_plot.charts["error"]
    name, svg = finished_plot.export.svg_file()
    assert name == "train_tiny.svg"  # the program, not the cut-off tail of a command line
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag.endswith("svg")
    said = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    for words in ["train:error", "validation:error", "overfitting", "step",
                  *chart.axes.ticks["x"].labels, *chart.axes.ticks["y"].labels]:
        assert words in said, words
    assert "train_tiny.py" in said  # the title names what was watched
    background = next(e for e in root if e.tag.endswith("rect"))
    assert background.get("fill") == "white"
    curves = [e for e in root.iter() if e.tag.endswith("path")]
    assert len(curves) >= 4  # raw and smoothed, training and validation
    # What the SVG and PNG buttons save, in the browser, under the job's name.
    assert finished_plot.export.svg == svg.decode()
    assert finished_plot.export.file_name(".png") == "train_tiny.png"


def test_the_plots_output_carries_the_widget_and_its_picture_and_keeps_the_picture_on_close(
        poller):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    watch = Watch.for_command([sys.executable, TINY, "--epochs", "12"], MetricOptions.from_keywords(DEFS, step_definition=EPOCH), poller=poller)
    plot = LivePlot(watch)
    view = "application/vnd.jupyter.widget-view+json"
    model_id = plot.model_id  # None once closed
    # One capture throughout: the job may finish (and its picture be refreshed, from the
    # poller's thread) while the plot is still being displayed.
    with capture_output() as captured:
        InteractiveShell.instance().display_formatter.format(plot)  # what a cell's end does
        plot._ipython_display_()

        def pictures():  # what the last display showed in turn: the display, its updates
            shown = [o for o in captured.outputs if not o.update][-1]
            display_id = shown.transient.get("display_id")
            return [shown.data] + [o.data for o in captured.outputs if o.update and
                                   o.transient.get("display_id") == display_id]

        def finished(data):
            return "(Completed)" in data["text/plain"] and view in data and \
                "validation:error" in data["image/svg+xml"]

        assert plot.wait(60)
        # The finished picture, with the widget, reaches the output (maybe in the display
        # itself, when the tiny job finished first).
        wait_until(lambda: any(finished(data) for data in pictures()), 10,
                   what="the finished picture")
        plot.close()
    shown = [o for o in captured.outputs if not o.update]
    first = shown[-1]
    assert first.data[view]["model_id"] == model_id
    assert first.data["text/plain"].startswith("LivePlot of ")
    assert first.data["image/svg+xml"].startswith("<svg")
    assert first.transient.get("display_id") == plot.picture.displays[-1][0]
    seen = pictures()
    closed = seen[-1]
    # Once the widget is gone no picture brings its view back (a refresh drawn before the
    # close and published after it included).
    gone = next(i for i, data in enumerate(seen) if view not in data)
    assert all(view not in data for data in seen[gone:])
    assert view not in closed and "validation:error" in closed["image/svg+xml"]


def test_displaying_the_plot_twice_shows_one_live_model(finished_plot):
    first = finished_plot._repr_mimebundle_()
    second = finished_plot._repr_mimebundle_()
    view = "application/vnd.jupyter.widget-view+json"
    assert first[view]["model_id"] == second[view]["model_id"] == finished_plot.model_id


def test_many_metrics_get_a_chart_selector(poller, tmp_path):
    log = tmp_path / "many.log"
    names = ["loss", "acc", "lr", "grad_norm", "throughput", "auc"]
    log.write_text("".join(" ".join(f"{n}={i / 10 + k}" for k, n in enumerate(names)) + "\n"
                           for i in range(5)))
    defs = [{"Name": n, "Regex": rf"\b{n}=([0-9.]+)"} for n in names]
    watch = Watch.for_file(str(log), MetricOptions.from_keywords(defs), start=False, poller=poller)
    plot = LivePlot(watch)
    try:
        watch.poll_once()
        plot.refresh()
        selector = plot.controls.charts
        assert selector.layout.display == "" and list(selector.options) == names
        assert [c.group.quantity for c in plot.charts_box.children] == names[:4]
        selector.value = ("auc",)
        assert [c.group.quantity for c in plot.charts_box.children] == ["auc"]
    finally:
        plot.close()


def test_diagnose_of_the_plot_says_what_the_chart_marks(finished_plot):
    import metricwidgets

    def said(findings):
        return sorted((f.kind, f.metric, f.job, f.host, f.step, f.text) for f in findings)

    chart = finished_plot.charts["error"]
    assert said(metricwidgets.diagnose(finished_plot)) == said(chart.diagnoses)
    assert {"nonfinite", "overfitting"} <= {f.kind for f in chart.diagnoses}


@pytest.mark.aws
def test_jobs_are_overlaid_one_colour_each_and_join_and_leave_without_a_rebuild(standin,
                                                                                job_name):
    jobs = [f"{job_name}-a", f"{job_name}-b", f"{job_name}-c"]
    for job in jobs:
        standin.write_finished_job(job, lines_per_host=15, instance_count=1)
    plot = LivePlot.for_jobs(jobs[:2], **standin.aws_kwargs)
    try:
        assert plot.wait(60)
        chart = plot.charts["error"]  # the same chart object through every change below
        assert {k.source for k in chart.series} == set(jobs[:2])
        colours = {k.source: chart.series[k].smooth.colors[0] for k in chart.series
                   if k.metric == "train:error"}
        assert len(set(colours.values())) == 2
        assert plot.add_job(jobs[2]) and not plot.add_job(jobs[2])
        assert not plot.watch.finished  # a finished overlay polls again for a new job
        assert plot.wait(60) and jobs[2] in {k.source for k in chart.series}
        assert plot.charts["error"] is chart
        assert "train:error: 45" in plot.header.value  # three jobs of 15 points
        plot.controls.sources.value = (jobs[1],)  # two unticked: counted out
        assert "train:error: 15," in plot.header.value
        plot.controls.sources.value = tuple(jobs)
        assert plot.remove_job(jobs[0]) and not plot.remove_job(jobs[0])
        assert "train:error: 30" in plot.header.value  # the job taken off is not counted
        gone = [s for k, s in chart.series.items() if k.source == jobs[0]]
        assert gone and not any(s.smooth.visible for s in gone)
        assert jobs[0] not in plot.controls.sources.options
        assert plot.job_names == jobs[1:]
        assert jobs[0] not in plot.watch.statuses
        points = len(plot.watch.store)
        assert plot.add_job(jobs[0])  # back with its curves, nothing read twice
        assert all(s.smooth.visible for s in gone)
        assert plot.wait(60)
        assert len(plot.watch.store) == points
    finally:
        plot.close()


@pytest.mark.aws
def test_a_comparison_names_the_job_in_every_legend_entry_while_one_job_has_data(standin,
                                                                                 job_name):
    # As the sidebar's compare opens it: one job already logged on two hosts, the other
    # started but silent so far (a legend of hosts alone would not say whose they are).
    done, silent = f"{job_name}-a", f"{job_name}-b"
    standin.write_finished_job(done, lines_per_host=10, instance_count=2)
    standin.create_job(silent)
    plot = LivePlot.for_jobs([done, silent], **standin.aws_kwargs)
    try:
        chart = plot.charts["error"]
        labels = [entry.checkbox.description for entry in chart.legend.children]
        assert labels and all(done in label for label in labels), labels
        assert any(label.endswith("/algo-2)") for label in labels), labels
    finally:
        plot.close()


def test_a_running_plots_picture_is_refreshed_at_most_every_interval_and_once_at_the_end(
        monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from metricwidgets.widgets.liveplot import _picture
    from metricwidgets.widgets.liveplot import StaticPicture

    InteractiveShell.instance()
    drawn = []
    picture = StaticPicture(lambda: (f"<svg>{len(drawn)}</svg>", drawn.append(1) or "words"))
    assert not picture.tick("m", finished=False)  # nothing displayed: nothing to refresh
    with capture_output() as shown:
        picture.display("m")
        assert not picture.tick("m", finished=False)  # the interval has not passed
        monkeypatch.setattr(_picture, "PICTURE_INTERVAL", 0.0)
        assert picture.tick("m", finished=False)
        assert picture.tick("m", finished=True, version=1)  # the end, once
        assert not picture.tick("m", finished=True, version=1)
        # Running again (a job joined the plot): refreshed while it runs and at its new end.
        assert picture.tick("m", finished=False)
        assert picture.tick("m", finished=True, version=2)
        assert not picture.tick("m", finished=True, version=2)
    bundles = [o.data for o in shown.outputs]
    assert len(bundles) == 5 and all(b["text/plain"] == "words" for b in bundles)
    assert all(b[_picture.PLOT_MIMETYPE] == {"model_id": "m"} for b in bundles)


def test_a_headless_runs_display_keeps_only_the_picture_once_the_watch_finishes():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from metricwidgets.widgets.liveplot import StaticPicture
    from metricwidgets.widgets.liveplot._picture import PLOT_MIMETYPE, WIDGET_VIEW

    InteractiveShell.instance()
    picture = StaticPicture(lambda: ("<svg/>", "words"))
    # As the kernel records them: nbclient's request allows no input, JupyterLab's does.
    headless = {"header": {"msg_id": "a"}, "content": {"allow_stdin": False}}
    live = {"header": {"msg_id": "b"}, "content": {"allow_stdin": True}}
    picture.displays += [("headless", headless), ("live", live)]
    with capture_output() as shown:
        picture.update("m")  # a refresh while the job runs: both keep the widget
        picture.update("m", finished=True)
    running, finished = shown.outputs[:2], shown.outputs[2:]
    assert all(o.data[WIDGET_VIEW]["model_id"] == "m" for o in running)
    by_display = dict(zip(("headless", "live"), finished))
    assert WIDGET_VIEW not in by_display["headless"].data
    assert by_display["headless"].data[PLOT_MIMETYPE] == {}  # our extension's <img>
    assert by_display["live"].data[WIDGET_VIEW]["model_id"] == "m"


@pytest.mark.parametrize("interval", [0.0, 30.0])
def test_a_running_plots_redraws_refresh_its_picture_only_once_the_interval_passed(
        poller, monkeypatch, interval):
    """The LivePlot wires its picture to its redraws: while the job runs, a redraw refreshes
    the picture only when the interval has passed since the last one (never, for a job of a
    few seconds under the real 30 s); at the end, once."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from metricwidgets.widgets.liveplot import _picture

    monkeypatch.setattr(_picture, "PICTURE_INTERVAL", interval)
    InteractiveShell.instance()
    watch = Watch.for_command([sys.executable, TINY, "--epochs", "15", "--delay", "0.2"],
                              MetricOptions.from_keywords(DEFS, step_definition=EPOCH),
                              poller=poller)
    plot = LivePlot(watch)
    try:
        with capture_output() as shown:
            plot._ipython_display_()
            wait_until(lambda: len(watch.store) > 0, 30, 0.02, what="first points")
            for _ in range(2):  # redraws while the job runs (15 epochs, 0.2 s apart)
                plot.refresh(force=True)
            assert not watch.finished
            assert plot.wait(60)
        words = [o.data["text/plain"].splitlines()[0] for o in shown.outputs[1:]]
        running = [w for w in words if "Completed" not in w]
        assert words.count(words[-1]) == 1 and "Completed" in words[-1]  # the end, once
        assert bool(running) == (interval == 0.0), words
    finally:
        plot.close()
