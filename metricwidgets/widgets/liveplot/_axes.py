"""A chart's scales and axes for one x mode and one y kind, with kernel-computed ticks.

A toggle (log y, another x mode) builds a new :class:`Axes` and new marks on it instead of
swapping scales under live marks: swapping left the browser's axes on the old scale (log
labels over linear curves, time labels on a step axis). Ticks come from
:mod:`metricwidgets.widgets.liveplot._ticks` and are sent as explicit ``tick_values`` and labels, and
recomputed whenever a scale's range changes (an update, a zoom, a pan).

The kernel does not see how wide the browser drew a figure, so the ticks are sized for the
smallest plot area the chart can have (its figure's minimum size less the margins): fewer
ticks when their labels would run together there, never smaller labels. The y-axis title is
placed beyond the widest y tick label, with the figure's left margin grown to hold both.
"""

from __future__ import annotations

import datetime as _dt
import math

import numpy as np
from bqplot import Axis, DateScale, LinearScale, LogScale

from metricwidgets.widgets.liveplot._ticks import Ticks, js_number_key, ticks_for

__all__ = ["LABEL_CHAR_PX", "TICK_TARGET", "X_LABEL", "Axes", "TickedAxis", "from_date",
           "to_dates"]

X_LABEL = {"step": "step", "relative": "time since start (m:ss)", "wall": "time (UTC)"}
#: About this many ticks per axis.
TICK_TARGET = {"x": 7, "y": 5}
#: Width of one character of a tick label: bqplot's axis text measured 5.7-7.0 px a character
#: in chromium ("0" 7.0, "5:00" 5.9, "06:10" 6.1), so the estimate never falls short.
LABEL_CHAR_PX = 7.0
#: Space kept between two tick labels (across x; between lines of y), and a label's height.
LABEL_GAP_PX = 10
LABEL_HEIGHT_PX = 14


class TickedAxis(Axis):
    """A bqplot ``Axis`` whose updates give the tick labels (or format) before the values.

    bqplot's axis view redraws on new ``tick_values`` through a d3 transition that keeps the
    labels of that moment and writes them when it starts, a frame later; new ``tick_labels``
    or ``tick_format`` redraw at once, so that transition then overwrote them with the old
    labels, and a value the old set had no label for came out in bqplot's own format
    (``0.1, 0.2, 0.3, 0.3, 0.3, 0.4`` for ticks 0.05 apart). The browser applies a message's
    attributes in its order, and ipywidgets sends a ``hold_sync`` block's changes in the order
    of a set of names, which follows the process's string hashes: half the kernels sent the
    values first. Values last, the transition starts with the new labels.
    """

    def send_state(self, key=None):
        if key is not None and not isinstance(key, str):
            key = sorted(key, key=lambda name: name == "tick_values")  # stable: the rest first
        super().send_state(key)


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

    def __init__(self, mode: str, log: bool, quantity: str,
                 plot_px: tuple[float, float] = (235.0, 215.0)):
        self.mode, self.log = mode, log
        self.plot_px = {"x": float(plot_px[0]), "y": float(plot_px[1])}
        self.x_scale = DateScale() if mode == "wall" else LinearScale()
        self.y_scale = LogScale() if log else LinearScale()
        self.x_axis = TickedAxis(scale=self.x_scale, side="bottom", label=X_LABEL[mode], grid_lines="dashed",
                           tick_values=self._empty("x"))
        self.y_axis = TickedAxis(scale=self.y_scale, side="left", label=quantity,
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
        """The most ticks (up to :data:`TICK_TARGET`) whose labels keep apart on the
        smallest plot area; the fewest asked for when none keep apart."""
        bounds = self.bounds(which)
        if bounds is None:
            return None
        ticks = None
        for target in range(TICK_TARGET[which], 0, -1):
            ticks = ticks_for(self.kinds[which], *bounds, target)
            if self._labels_apart(which, ticks, *bounds):
                break
        return ticks

    def _labels_apart(self, which: str, ticks: Ticks, lo: float, hi: float) -> bool:
        if len(ticks.values) < 2:
            return True
        to_px = (lambda v: math.log10(max(v, 1e-300))) if self.kinds[which] == "log" \
            else float
        span = to_px(hi) - to_px(lo)
        if not span > 0:
            return True
        px = [self.plot_px[which] * (to_px(v) - to_px(lo)) / span for v in ticks.values]
        room = min(b - a for a, b in zip(px, px[1:]))
        if which == "y":
            return room >= LABEL_HEIGHT_PX + LABEL_GAP_PX
        need = max(len(label) for label in ticks.labels) * LABEL_CHAR_PX + LABEL_GAP_PX
        return room >= need

    def y_labels_px(self) -> float:
        """The estimated width of the widest y tick label now sent (0 before any)."""
        ticks = self.ticks["y"]
        if ticks is None or not ticks.labels:
            return 0.0
        return max(len(label) for label in ticks.labels) * LABEL_CHAR_PX

    def apply_ticks(self) -> None:
        """Recompute both axes' ticks from the scales' ranges; send only what changed.
        The y-axis title moves out beyond the widest y label."""
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
                if which == "y":
                    axis.label_offset = f"{round(self.y_labels_px() + 12)}px"

    def widgets(self) -> list:
        return [self.x_axis, self.y_axis, self.x_scale, self.y_scale]
