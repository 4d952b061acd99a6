"""``LivePlot.for_job(name, source="metrics")`` on the stand-in: CloudWatch's published
averages have no step, so the chart draws them against wall time (no step offered), a lone
average per metric is a full marker, the header names the values CloudWatch's averages and
warns of no unmatched definition, and the readout shows no step."""

from __future__ import annotations

import time

from metricwidgets.widgets.liveplot import LivePlot

VALUES = {"train:error": 0.375, "validation:error": 0.4375}


def published_plot(standin, job_name, **kwargs):
    standin.write_finished_job(job_name, lines_per_host=10, instance_count=1, seconds=180,
                               publish_metrics=False)
    stamp = (time.time() - 120) // 60 * 60 + 30  # one minute bucket inside the run
    standin.put_metrics(job_name, {m: [(stamp, v)] for m, v in VALUES.items()})
    plot = LivePlot.for_job(job_name, source="metrics", instances=False, **standin.aws_kwargs,
                            **kwargs)
    assert plot.wait(60)
    return plot


def test_published_averages_draw_on_wall_time_as_full_markers(standin, job_name):
    plot = published_plot(standin, job_name)
    try:
        assert plot.controls.x_mode.value == "wall"
        assert "step" not in dict(plot.controls.x_mode.options).values()
        (chart,) = plot.charts.values()
        assert type(chart.x_scale).__name__ == "DateScale"
        assert chart.x_axis.tick_format is not None and len(chart.x_axis.tick_values) >= 2
        for key, series in chart.series.items():
            assert len(series.raw.x) == 1 and series.raw.y[0] == VALUES[key.metric]
            assert series.raw.marker == "circle" and series.raw.opacities == [0.9]
    finally:
        plot.close()


def test_the_header_and_readout_call_them_cloudwatch_averages(standin, job_name):
    plot = published_plot(standin, job_name)
    try:
        header = plot.header.value
        assert "CloudWatch averages (1 min)" in header
        assert "parsed from the logs" not in header and "matched no line" not in header
        (chart,) = plot.charts.values()
        series = next(iter(chart.series.values()))
        # As the browser sends a wall-time hover: the point's x in milliseconds.
        millis = float(series.hover.x[0].astype("datetime64[ms]").astype("int64"))
        chart._on_hover({"point": {"x": millis}})
        assert "CloudWatch averages (1 min)" in chart.readout.value
        assert "<th>step</th>" not in chart.readout.value
        assert format(VALUES[series.key.metric], ".10g") in chart.readout.value
    finally:
        plot.close()


def test_the_logs_of_the_same_job_keep_steps_and_parsed_wording(standin, job_name):
    standin.write_finished_job(job_name, lines_per_host=10, instance_count=1)
    plot = LivePlot.for_job(job_name, instances=False, **standin.aws_kwargs)
    try:
        assert plot.wait(60)
        assert plot.controls.x_mode.value == "step"
        assert "CloudWatch averages" not in plot.header.value
        assert "last parsed from the logs" in plot.header.value
    finally:
        plot.close()
