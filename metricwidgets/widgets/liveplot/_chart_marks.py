"""A chart's annotations: NaN/Inf crosses, diagnosis diamonds and the note under the chart.

Diagnoses are computed per job/host by :mod:`metricwidgets.core.diagnosis._detectors`; on a chart with
several jobs (a tuning job's children) each note names the job it is about.
"""

from __future__ import annotations

import math

import numpy as np
from bqplot import Scatter, Tooltip

from metricwidgets.core.diagnosis import Diagnosis, SeriesData, diagnose_group
from metricwidgets.core.store import SeriesSnapshot
from metricwidgets.widgets.liveplot._mark_points import mark_points
from metricwidgets.widgets.liveplot._axes import to_dates

__all__ = ["DIAG_COLOUR", "ChartDiagnoses", "draw_nan_marks", "notes_html"]

DIAG_COLOUR = {"error": "#d62728", "warning": "#b35900", "info": "#555555"}


def _f32(a) -> np.ndarray:
    return np.ascontiguousarray(a, np.float32)


def _x(values, mode: str) -> np.ndarray:
    return to_dates(values) if mode == "wall" else _f32(values)


def step_fallback(snap: SeriesSnapshot):
    """A drop without a step takes the step of the last point at or before its line."""
    def step_of(line: int) -> float:
        if len(snap.line) == 0:
            return math.nan
        i = int(np.searchsorted(snap.line, line, side="right")) - 1
        return float(snap.step[max(i, 0)])
    return step_of


def draw_nan_marks(mark: Scatter, drawn, settings, y_bounds) -> None:
    """Crosses where NaN/Inf captures happened: at the top edge (the bottom for -inf)."""
    lo, hi = y_bounds if y_bounds is not None else (0.0, 1.0)
    xs, ys = [], []
    for series, _view, hidden in drawn:
        snap = series.snapshot
        if hidden or not snap.marks:
            continue
        marks = mark_points(snap.marks, settings.x_mode, settings.origin, step_fallback(snap))
        xs.append(marks.x)
        ys.append(np.array([lo if k == "-inf" else hi for k in marks.kind], np.float64))
    x = np.concatenate(xs) if xs else np.empty(0)
    y = np.concatenate(ys) if ys else np.empty(0)
    with mark.hold_sync():
        mark.x, mark.y = _x(x, settings.x_mode), _f32(y)


def notes_html(hidden_log: int) -> str:
    """The line under a chart: values a log scale cannot draw (the diagnoses are in the
    plot's one list of findings, :mod:`metricwidgets.widgets.liveplot._findings_list`)."""
    return f"{hidden_log} values &le; 0 are not drawn on the log scale" if hidden_log else ""


def _position(snap: SeriesSnapshot, diagnosis: Diagnosis, settings):
    """Where a diagnosis marker goes in the current x mode: at its step's point."""
    if snap is None:
        return None, None
    y = diagnosis.value
    if settings.x_mode == "step":
        return diagnosis.step, y
    hits = np.flatnonzero(snap.step >= diagnosis.step)
    if not len(hits):
        return None, None
    t = float(snap.timestamp[hits[0]])
    if not math.isfinite(t):
        return None, None
    return (t - settings.origin if settings.x_mode == "relative" else t), y


def _series_data(snap: SeriesSnapshot) -> SeriesData:
    fallback = step_fallback(snap)
    nonfinite = [(d.step if not math.isnan(d.step) else fallback(d.line), d.line,
                  "nan" if math.isnan(d.value) else ("+inf" if d.value > 0 else "-inf"))
                 for d in snap.marks]
    return SeriesData(snap.step, snap.value, nonfinite)


class ChartDiagnoses:
    """The diagnoses of one chart and their diamond marks.

    Attributes
    ----------
    found : list of Diagnosis
    owners : list of str
        The job (or job/host) of each diagnosis, in the same order.
    mark : bqplot.Scatter
    """

    def __init__(self):
        self.found: list[Diagnosis] = []
        self.owners: list[str] = []
        self.mark = None

    def build(self, scales: dict) -> None:
        """A new (empty) mark on ``scales``; the next :meth:`run` fills it."""
        self.mark = Scatter(x=[], y=[], scales=scales, marker="diamond",
                            colors=[DIAG_COLOUR["warning"]], default_size=120, stroke="black",
                            tooltip=Tooltip(fields=["x", "y"], labels=["began at", "value"]))

    def named(self) -> list[tuple[str, Diagnosis]]:
        several = len(set(self.owners)) > 1
        return [(owner if several else "", d) for owner, d in zip(self.owners, self.found)]

    def run(self, group, shown, settings, y_bounds) -> list[Diagnosis]:
        """Diagnose each job/host of ``shown`` (series with snapshots); mark the findings."""
        by_owner: dict[tuple, dict] = {}
        snaps = {}
        for series in shown:
            key = series.key
            by_owner.setdefault((key.source, key.host), {})[key.metric] = \
                _series_data(series.snapshot)
            snaps[key] = series.snapshot
        multi_host = len({host for _, host in by_owner}) > 1
        found, owners, placed = [], [], []
        for (source, host), data in by_owner.items():
            for diagnosis in diagnose_group(group, data, source, host):
                snap = next((s for k, s in snaps.items() if (k.source, k.host, k.metric) ==
                             (source, host, diagnosis.metric)), None)
                found.append(diagnosis)
                owners.append(f"{source}/{host}" if multi_host else source)
                placed.append((_position(snap, diagnosis, settings), diagnosis))
        self.found, self.owners = found, owners
        self._draw(placed, settings, y_bounds)
        return found

    def _draw(self, placed, settings, y_bounds) -> None:
        keep = [(x, y, d) for (x, y), d in placed if x is not None]
        lo = y_bounds[0] if y_bounds is not None else 0.0
        x = np.array([p[0] for p in keep], np.float64)
        y = np.array([p[1] if p[1] is not None and math.isfinite(p[1]) else lo for p in keep],
                     np.float64)
        with self.mark.hold_sync():
            self.mark.x, self.mark.y = _x(x, settings.x_mode), _f32(y)
            self.mark.colors = [DIAG_COLOUR.get(p[2].severity, "#333") for p in keep] \
                or [DIAG_COLOUR["warning"]]
