"""A chart's scales and axes for one x mode and one y kind, with kernel-computed ticks.

A toggle (log y, another x mode) builds a new :class:`Axes` and new marks on it instead of
swapping scales under live marks: swapping left the browser's axes on the old scale (log
labels over linear curves, time labels on a step axis). Ticks come from
:mod:`metricwidgets.widgets.liveplot._ticks` and are sent as explicit ``tick_values`` and labels, and
recomputed whenever a scale's range changes (an update, a zoom, a pan).
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
from bqplot import Axis, DateScale, LinearScale, LogScale

from metricwidgets.widgets.liveplot._ticks import Ticks, js_number_key, ticks_for

__all__ = ["TICK_TARGET", "X_LABEL", "Axes", "from_date", "to_dates"]

X_LABEL = {"step": "step", "relative": "time since start (m:ss)", "wall": "time (UTC)"}
#: About this many ticks per axis.
TICK_TARGET = {"x": 7, "y": 5}


def to_dates(seconds: np.ndarray) -> np.ndarray:
    """Seconds since the epoch as ``datetime64[ms]`` (what a DateScale takes)."""
    return (np.asarray(seconds, np.float64) * 1000.0).astype("datetime64[ms]")


def from_date(value) -> float | None:
    """A scale bound (number, ``datetime64`` or ``datetime``) as seconds since the epoch."""
    if value is None:
        return None
    if isinstance(value, np.datetime64):
        return float(value.astype("datetime64[ms]").astype(np.int64)) / 1000.0
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.timestamp()
    return float(value)


class Axes:
    """Scales and axes of a chart in x ``mode`` (step / relative / wall) and ``log`` y.

    Attributes
    ----------
    x_scale, y_scale : bqplot scales
    x_axis, y_axis : bqplot.Axis
    ticks : dict
        ``{"x": Ticks, "y": Ticks}`` as last sent.
    """

    def __init__(self, mode: str, log: bool, quantity: str):
        self.mode, self.log = mode, log
        self.x_scale = DateScale() if mode == "wall" else LinearScale()
        self.y_scale = LogScale() if log else LinearScale()
        self.x_axis = Axis(scale=self.x_scale, side="bottom", label=X_LABEL[mode], grid_lines="dashed",
                           tick_values=self._empty("x"))
        self.y_axis = Axis(scale=self.y_scale, side="left", label=quantity,
                           grid_lines="dashed", tick_values=np.empty(0))
        self.ticks: dict = {"x": None, "y": None}

    def _empty(self, which: str):
        return to_dates(np.empty(0)) if which == "x" and self.mode == "wall" else np.empty(0)

    @property
    def scales(self) -> dict:
        return {"x": self.x_scale, "y": self.y_scale}

    @property
    def kinds(self) -> dict:
        return {"x": self.mode, "y": "log" if self.log else "linear"}

    def bounds(self, which: str):
        """The scale's range in data units (seconds for wall time), or None."""
        scale = self.x_scale if which == "x" else self.y_scale
        lo, hi = from_date(scale.min), from_date(scale.max)
        if lo is None or hi is None:
            return None
        return lo, hi

    def compute(self, which: str) -> Ticks | None:
        bounds = self.bounds(which)
        if bounds is None:
            return None
        return ticks_for(self.kinds[which], *bounds, TICK_TARGET[which])

    def apply_ticks(self) -> None:
        """Recompute both axes' ticks from the scales' ranges; send only what changed."""
        for which, axis in (("x", self.x_axis), ("y", self.y_axis)):
            ticks = self.compute(which)
            if ticks is None or ticks == self.ticks[which]:
                continue
            self.ticks[which] = ticks
            values = np.asarray(ticks.values, np.float64)
            with axis.hold_sync():
                if ticks.time_format is not None:
                    axis.tick_format = ticks.time_format
                    axis.tick_values = to_dates(values)
                else:
                    axis.tick_labels = {js_number_key(v): label
                                        for v, label in zip(ticks.values, ticks.labels)}
                    axis.tick_values = values

    def widgets(self) -> list:
        return [self.x_axis, self.y_axis, self.x_scale, self.y_scale]
