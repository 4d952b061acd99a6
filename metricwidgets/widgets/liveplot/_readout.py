"""The hover readout: under the chart, the value of every visible series at the mouse's x.

bqplot's :class:`~bqplot.PanZoom` covers the marks, so their hover events never fire while
pan/zoom is on (bqplot issue 1352). The chart therefore offers two mouse modes: "read
values", with no interaction layer, where invisible hover targets along each series report
the x under the mouse to the kernel, and "pan/zoom". This module turns that x into the
nearest full-resolution point of every shown series (O(log n) per sorted series) and the
HTML shown.
"""

from __future__ import annotations

import datetime as _dt
import html
import math

import numpy as np

from metricwidgets.widgets.liveplot._view import x_values

__all__ = ["ReadoutRow", "nearest_rows", "readout_html"]


class ReadoutRow(tuple):
    """``(label, host, step, value, smoothed, time, colour)`` of one series' nearest point."""

    __slots__ = ()


def _nearest(x: np.ndarray, target: float, is_sorted: bool) -> int | None:
    n = len(x)
    if n == 0:
        return None
    if is_sorted:
        i = int(np.searchsorted(x, target))
        candidates = [j for j in (i - 1, i) if 0 <= j < n and math.isfinite(x[j])]
    else:
        finite = np.flatnonzero(np.isfinite(x))
        candidates = [int(finite[np.argmin(np.abs(x[finite] - target))])] if len(finite) else []
    if not candidates:
        return None
    return min(candidates, key=lambda j: abs(x[j] - target))


def _when(stamp: float) -> str:
    if not math.isfinite(stamp):
        return "-"
    return _dt.datetime.fromtimestamp(stamp, _dt.timezone.utc).strftime("%H:%M:%S UTC")


def nearest_rows(series_list, target: float, mode: str, origin: float) -> list[ReadoutRow]:
    """For each ``(label, colour, series)``: the point nearest ``target`` in x (``mode``:
    step / relative / wall seconds). ``series`` has ``snapshot``, ``view`` (its
    ``smoothed_full``) and ``cache`` (a :class:`~metricwidgets.widgets.liveplot._view.SeriesCache`)."""
    rows = []
    for label, colour, series in series_list:
        snap = series.snapshot
        if snap is None or not len(snap):
            continue
        x = x_values(snap.step, snap.timestamp, mode, origin)
        i = _nearest(x, target, series.cache.is_sorted(x, mode))
        if i is None:
            continue
        smoothed = getattr(series.view, "smoothed_full", None)
        smooth_value = float(smoothed[i]) if smoothed is not None and i < len(smoothed) \
            else math.nan
        rows.append(ReadoutRow((label, snap.key.host, float(snap.step[i]), float(snap.value[i]),
                                smooth_value, _when(float(snap.timestamp[i])), colour)))
    return rows


def _step_cell(step: float) -> str:
    shown = f"{step:g}" if math.isfinite(step) else "-"
    return f"<td class='metricwidgets-readout-step'>{shown}</td>"


def readout_html(rows: list[ReadoutRow], steps: bool = True,
                 values_are: str | None = None) -> str:
    """A compact table, one row per series (every text escaped).

    Points without a step (instance utilization is sampled in time only) get no step: the
    column is left out when no row has one, and reads "-" in a row without one. ``steps``
    False leaves it out whatever the rows hold (the store numbers stepless points by index:
    CloudWatch's published metrics); ``values_are`` names the value column
    (``"CloudWatch averages (1 min)"``; default "value")."""
    if not rows:
        return ""
    with_steps = steps and any(math.isfinite(row[2]) for row in rows)
    head = ("<tr><th></th><th>series</th><th>host</th>"
            + ("<th>step</th>" if with_steps else "")
            + f"<th>{html.escape(values_are or 'value')}</th><th>smoothed</th><th>time</th>"
            "</tr>")
    body = []
    for label, host, step, value, smoothed, when, colour in rows:
        smooth = "-" if not math.isfinite(smoothed) else f"{smoothed:.6g}"
        step_cell = _step_cell(step) if with_steps else ""
        body.append(
            f"<tr class='metricwidgets-readout-row'>"
            f"<td style='color:{html.escape(colour, quote=True)}'>&#9632;</td>"
            f"<td>{html.escape(label)}</td><td>{html.escape(host)}</td>"
            f"{step_cell}"
            f"<td class='metricwidgets-readout-value'>{value:.10g}</td>"
            f"<td>{smooth}</td><td>{html.escape(when)}</td></tr>")
    return ("<table class='metricwidgets-readout' style='font-size:12px;border-spacing:8px 0'>"
            + head + "".join(body) + "</table>")
