"""The hover readout's table: utilization points have a time but no step."""

from __future__ import annotations

import math

from metricwidgets.widgets.liveplot import ReadoutRow, readout_html


def _row(label, step, host="algo-1"):
    return ReadoutRow((label, host, step, 42.0, math.nan, "12:00:00 UTC", "#123456"))


def test_utilization_rows_show_time_and_no_step_column():
    text = readout_html([_row("CPUUtilization", math.nan), _row("MemoryUtilization", math.nan)])
    assert "step" not in text and "nan" not in text
    assert "<th>time</th>" in text and text.count("12:00:00 UTC") == 2
    assert "<td class='metricwidgets-readout-value'>42</td>" in text


def test_metric_rows_keep_their_step():
    text = readout_html([_row("loss", 7.0)])
    assert "<th>step</th>" in text
    assert "<td class='metricwidgets-readout-step'>7</td>" in text


def test_a_row_without_a_step_beside_one_with_a_step_reads_a_dash():
    text = readout_html([_row("loss", 7.0), _row("CPUUtilization", math.nan)])
    assert "<td class='metricwidgets-readout-step'>-</td>" in text and "nan" not in text
