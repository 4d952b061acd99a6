"""One bqplot chart per quantity: training and validation series of every job/host on it.

Per series: the raw points faded behind the smoothed line, and an invisible scatter on the
smoothed line whose hover fills the tooltip (step, raw, smoothed, time). Per chart: NaN/Inf
marks, diagnosis markers, a legend, and pan/zoom (bqplot's :class:`~bqplot.PanZoom`).

Updates never rebuild the figure: they change mark data (one message per mark, inside
``hold_sync``) and, while the user has not zoomed, the scales' ranges. A zoom or pan by the
user is recognised because the scale's range differs from the one this chart last set; from
then on that range is kept (and only the points inside it are sent) until :meth:`reset_zoom`.

Thread-safety: :meth:`update` runs on the poller's thread or the kernel's; the owner
(:class:`~metricwidgets.widgets.live_plot.LivePlot`) serialises calls with one lock.
"""

from __future__ import annotations

import datetime as _dt
import html
import math

import ipywidgets as widgets
import numpy as np
from bqplot import Axis, DateScale, Figure, Lines, LinearScale, LogScale, PanZoom, Scatter, Tooltip

from metricwidgets.core.diagnostics import Diagnosis, SeriesData, diagnose_group
from metricwidgets.core.pairing import ChartGroup, colour_for
from metricwidgets.core.store import SeriesKey, SeriesSnapshot
from metricwidgets.core.view import SeriesCache, mark_points, points_for_width, series_view, y_range
from metricwidgets.widgets.controls import ChartSettings

__all__ = ["Chart", "HOVER_POINTS_PER_PIXEL"]

#: Hover targets on the smoothed line, per pixel of width (tooltips need few).
HOVER_POINTS_PER_PIXEL = 0.25
_DASH = {"train": "solid", None: "solid", "validation": "dashed", "test": "dotted"}
_X_LABEL = {"step": "step", "relative": "time since start (s)", "wall": "time (UTC)"}
_NAN_COLOUR = "#d62728"
_DIAG_COLOUR = {"error": "#d62728", "warning": "#ff7f0e", "info": "#7f7f7f"}


def _f32(a: np.ndarray) -> np.ndarray:
    # Half the bytes of float64; steps stay exact up to 16 million.
    return np.ascontiguousarray(a, np.float32)


def _to_dates(seconds: np.ndarray) -> np.ndarray:
    return (np.asarray(seconds, np.float64) * 1000.0).astype("datetime64[ms]")


def _from_date(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, np.datetime64):
        return float(value.astype("datetime64[ms]").astype(np.int64)) / 1000.0
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.timestamp()
    return float(value)


class _SeriesMarks:
    """The marks of one series and what the last update drew (for tooltips)."""

    def __init__(self, key: SeriesKey, role, colour: str, scales: dict, label: str,
                 tooltip: widgets.HTML):
        dash = _DASH.get(role, "solid")
        self.key = key
        self.cache = SeriesCache()
        self.raw = Lines(x=[], y=[], scales=scales, colors=[colour], opacities=[0.25],
                         stroke_width=1, line_style=dash)
        self.smooth = Lines(x=[], y=[], scales=scales, colors=[colour], stroke_width=2,
                            line_style=dash, labels=[label], display_legend=True)
        self.hover = Scatter(x=[], y=[], scales=scales, colors=[colour], default_size=40,
                             opacities=[0.0], tooltip=tooltip,
                             enable_hover=True)
        self.snapshot: SeriesSnapshot | None = None
        self.view = None

    @property
    def marks(self):
        return [self.raw, self.smooth, self.hover]


class Chart(widgets.VBox):
    """A chart of one :class:`~metricwidgets.core.pairing.ChartGroup`.

    Attributes
    ----------
    group : ChartGroup
    figure : bqplot.Figure
    x_scale, y_scale : bqplot scales
        The scales in use (they change with the x mode and the log-y toggle).
    user_x, user_y : bool
        True while the user's zoom/pan of that axis is kept.
    diagnoses : list of Diagnosis
    series : dict of SeriesKey to _SeriesMarks
    """

    def __init__(self, group: ChartGroup, settings: ChartSettings, height: str = "300px"):
        self.group = group
        self._scales = {"linear": LinearScale(), "date": DateScale(),
                        "y": LinearScale(), "log": LogScale()}
        self.x_scale = self._scales["linear"]
        self.y_scale = self._scales["y"]
        self._mode = settings.x_mode
        self._log = settings.log_y
        self.x_scale = self._scales["date"] if self._mode == "wall" else self._scales["linear"]
        self.y_scale = self._scales["log"] if self._log else self._scales["y"]
        self.user_x = False
        self.user_y = False
        self._set_ranges: dict = {}
        for scale in self._scales.values():
            scale.observe(self._on_scale_range, names=["min", "max"])
        self.x_axis = Axis(scale=self.x_scale, label=_X_LABEL[self._mode], grid_lines="dashed",
                           num_ticks=6)
        self.y_axis = Axis(scale=self.y_scale, orientation="vertical", label=group.quantity,
                           grid_lines="dashed", tick_format=".3~g")  # ~: no trailing zeros
        scales = self._mark_scales()
        self.nan_marks = Scatter(x=[], y=[], scales=scales, marker="cross",
                                 colors=[_NAN_COLOUR], default_size=80,
                                 tooltip=Tooltip(fields=["x"], labels=["NaN/Inf at"]),
                                 labels=["NaN/Inf"], display_legend=False)
        self.diag_marks = Scatter(x=[], y=[], scales=scales, marker="diamond",
                                  colors=[_DIAG_COLOUR["warning"]], default_size=120,
                                  stroke="black", tooltip=Tooltip(fields=["x", "y"],
                                                                  labels=["began at", "value"]))
        self.hover_tooltip = widgets.HTML("")
        self.series: dict[SeriesKey, _SeriesMarks] = {}
        self.panzoom = PanZoom(scales={"x": [self.x_scale], "y": [self.y_scale]})
        self.figure = Figure(
            marks=[self.nan_marks, self.diag_marks], axes=[self.x_axis, self.y_axis],
            interaction=self.panzoom, title=group.quantity, legend_location="top-right",
            animation_duration=0, fig_margin={"top": 40, "bottom": 45, "left": 60, "right": 20},
            layout=widgets.Layout(width="100%", height=height))
        self.notes = widgets.HTML("")
        self.diagnoses: list[Diagnosis] = []
        self._colours: dict[str, str] = {}
        super().__init__([self.figure, self.notes])
        self.add_class("metricwidgets-chart")

    # ------------------------------------------------------------------ scales and zoom
    def _mark_scales(self) -> dict:
        return {"x": self.x_scale, "y": self.y_scale}

    def _on_scale_range(self, change) -> None:
        scale = change["owner"]
        expected = self._set_ranges.get((id(scale), change["name"]), "unset")
        if expected != "unset" and _same(expected, change["new"]):
            return  # the value this chart set itself
        if scale is self.x_scale:
            self.user_x = True
        elif scale is self.y_scale:
            self.user_y = True

    def _set_range(self, scale, lo, hi) -> None:
        self._set_ranges[(id(scale), "min")] = lo
        self._set_ranges[(id(scale), "max")] = hi
        with scale.hold_sync():
            scale.min, scale.max = lo, hi

    def reset_zoom(self) -> None:
        """Follow the data again on both axes (the next update sets the ranges)."""
        self.user_x = self.user_y = False

    def _apply_scales(self, settings: ChartSettings) -> None:
        """Swap scales when the x mode or log toggle changed (a toggle, not a data update)."""
        mode_changed = settings.x_mode != self._mode
        log_changed = settings.log_y != self._log
        if not (mode_changed or log_changed):
            return
        self._mode, self._log = settings.x_mode, settings.log_y
        if mode_changed:
            self.x_scale = self._scales["date"] if self._mode == "wall" else self._scales["linear"]
            self.user_x = False
        if log_changed:
            self.y_scale = self._scales["log"] if self._log else self._scales["y"]
        self.user_y = False
        scales = self._mark_scales()
        with self.figure.hold_sync():
            for mark in self._all_marks():
                with mark.hold_sync():
                    mark.x, mark.y = [], []
                    mark.scales = scales
            self.x_axis.scale = self.x_scale
            self.x_axis.label = _X_LABEL[self._mode]
            self.y_axis.scale = self.y_scale
            self.panzoom.scales = {"x": [self.x_scale], "y": [self.y_scale]}

    def _all_marks(self):
        yield self.nan_marks
        yield self.diag_marks
        for series in self.series.values():
            yield from series.marks

    # ------------------------------------------------------------------ series marks
    def _ensure_series(self, key: SeriesKey, multi_host: bool,
                       multi_source: bool) -> _SeriesMarks:
        owner = f"{key.source}/{key.host}" if multi_host else key.source
        label = self.series_label(key, multi_host, multi_source)
        series = self.series.get(key)
        if series is not None:
            if series.smooth.labels != [label]:
                series.smooth.labels = [label]
            return series
        colour = colour_for(owner, self._colours)
        self._colours[owner] = colour
        series = _SeriesMarks(key, self.group.role_of(key.metric), colour, self._mark_scales(),
                              label, self.hover_tooltip)
        series.hover.on_hover(lambda mark, event, s=series: self._on_hover(s, event))
        self.series[key] = series
        marks = list(self.figure.marks)
        # Series go under the NaN and diagnosis marks so those stay visible.
        self.figure.marks = marks[:-2] + series.marks + marks[-2:] if len(marks) >= 2 else \
            series.marks + marks
        return series

    def series_label(self, key: SeriesKey, multi_host: bool, multi_source: bool) -> str:
        """The legend's words for a series (a subclass may say less)."""
        owner = f"{key.source}/{key.host}" if multi_host else key.source
        return f"{key.metric} ({owner})" if multi_host or multi_source else key.metric

    # ------------------------------------------------------------------ update
    def update(self, snapshots: list[SeriesSnapshot], settings: ChartSettings) -> int:
        """Redraw from store snapshots (those of this chart's metrics). Returns how many
        points were sent (all marks)."""
        self._apply_scales(settings)
        mine = [s for s in snapshots if s.key.metric in self.group.metrics]
        hosts = {(s.key.source, s.key.host) for s in mine}
        multi_host = len({h for _, h in hosts}) > 1
        multi_source = len({s for s, _ in hosts}) > 1
        lo, hi = self._visible_x()
        n_raw = points_for_width(settings.width_px)
        n_hover = max(8, int(settings.width_px * HOVER_POINTS_PER_PIXEL))
        drawn = []
        for snap in mine:
            series = self._ensure_series(snap.key, multi_host, multi_source)
            hidden = snap.key.source in settings.hidden_sources
            smoothing = settings.smoothing
            view = series_view(snap.step, snap.timestamp, snap.value, series.cache,
                               settings.x_mode, (lo, hi), smoothing, n_raw, settings.origin,
                               settings.log_y)
            series.snapshot, series.view = snap, view
            drawn.append((series, view, hidden))
        if not self.user_y:
            arrays = [a for _, v, h in drawn if not h for a in (v.y, v.sy)]
            rng = y_range(arrays, settings.ignore_outliers, settings.log_y)
            if rng is not None:
                self._set_range(self.y_scale, *rng)
        if not self.user_x:
            xs = [v.x for _, v, h in drawn if not h and len(v.x)]
            if xs:
                x_lo = min(float(np.nanmin(x)) for x in xs)
                x_hi = max(float(np.nanmax(x)) for x in xs)
                if x_hi <= x_lo:
                    x_hi = x_lo + 1.0
                if settings.x_mode == "wall":
                    self._set_range(self.x_scale, _to_dates(np.array([x_lo]))[0],
                                    _to_dates(np.array([x_hi]))[0])
                else:
                    self._set_range(self.x_scale, x_lo, x_hi)
        sent = 0
        convert = _to_dates if settings.x_mode == "wall" else _f32
        for series, view, hidden in drawn:
            best = settings.best_source is not None and series.key.source == settings.best_source
            hover_pick = np.unique(np.linspace(0, max(len(view.sx) - 1, 0),
                                               min(n_hover, len(view.sx))).astype(np.int64))
            smooth_on = bool(settings.smoothing)
            with series.raw.hold_sync():
                series.raw.x, series.raw.y = convert(view.x), _f32(view.y)
                series.raw.opacities = [0.25 if smooth_on else 0.9]
                series.raw.visible = not hidden
            with series.smooth.hold_sync():
                if smooth_on:
                    series.smooth.x, series.smooth.y = convert(view.sx), _f32(view.sy)
                else:
                    series.smooth.x, series.smooth.y = convert(view.x[:0]), _f32(view.y[:0])
                series.smooth.stroke_width = 3.5 if best else 2
                series.smooth.visible = not hidden
            with series.hover.hold_sync():
                hx = view.sx if smooth_on else view.x
                hy = view.sy if smooth_on else view.y
                series.hover.x = convert(hx[hover_pick]) if len(hx) else convert(hx)
                series.hover.y = _f32(hy[hover_pick]) if len(hy) else _f32(hy)
                series.hover.visible = not hidden
            sent += len(view.x) + (len(view.sx) if smooth_on else 0) + len(hover_pick)
        self._draw_nan_marks(drawn, settings)
        self._draw_notes(drawn, settings)
        return sent

    def _visible_x(self):
        if not self.user_x:
            return None, None
        lo, hi = self.x_scale.min, self.x_scale.max
        if self._mode == "wall":
            return _from_date(lo), _from_date(hi)
        return (None if lo is None else float(lo)), (None if hi is None else float(hi))

    def _draw_nan_marks(self, drawn, settings: ChartSettings) -> None:
        xs, ys = [], []
        lo = self.y_scale.min if self.y_scale.min is not None else 0.0
        hi = self.y_scale.max if self.y_scale.max is not None else 1.0
        for series, _view, hidden in drawn:
            snap = series.snapshot
            if hidden or not snap.marks:
                continue
            step_of_line = _step_fallback(snap)
            marks = mark_points(snap.marks, settings.x_mode, settings.origin, step_of_line)
            xs.append(marks.x)
            ys.append(np.array([lo if k == "-inf" else hi for k in marks.kind], np.float64))
        x = np.concatenate(xs) if xs else np.empty(0)
        y = np.concatenate(ys) if ys else np.empty(0)
        with self.nan_marks.hold_sync():
            self.nan_marks.x = _to_dates(x) if settings.x_mode == "wall" else _f32(x)
            self.nan_marks.y = _f32(y)

    def _draw_notes(self, drawn, settings: ChartSettings) -> None:
        hidden_log = sum(v.hidden_nonpositive for _, v, h in drawn if not h)
        notes = []
        if hidden_log:
            notes.append(f"{hidden_log} values &le; 0 are not drawn on the log scale")
        for d in self.diagnoses:
            colour = _DIAG_COLOUR.get(d.severity, "#333")
            notes.append(f'<span class="metricwidgets-diagnosis metricwidgets-{d.kind}" '
                         f'style="color:{colour}">&#9670; {html.escape(d.text)}</span>')
        text = "<br>".join(notes)
        if self.notes.value != text:
            self.notes.value = text

    # ------------------------------------------------------------------ diagnoses
    def diagnose(self, settings: ChartSettings) -> list[Diagnosis]:
        """Run the diagnoses on the series drawn last, per job/host, and mark them."""
        by_owner: dict[tuple, dict] = {}
        for key, series in self.series.items():
            snap = series.snapshot
            if snap is None or key.source in settings.hidden_sources:
                continue
            nonfinite = [(d.step if not math.isnan(d.step) else _step_fallback(snap)(d.line),
                          d.line, "nan" if math.isnan(d.value) else
                          ("+inf" if d.value > 0 else "-inf")) for d in snap.marks]
            by_owner.setdefault((key.source, key.host), {})[key.metric] = SeriesData(
                snap.step, snap.value, nonfinite)
        found: list[Diagnosis] = []
        positions = []
        for (source, host), series in by_owner.items():
            for diagnosis in diagnose_group(self.group, series, source, host):
                found.append(diagnosis)
                snap = self.series[SeriesKey(source, host, diagnosis.metric)].snapshot
                positions.append(_position(snap, diagnosis, settings))
        self.diagnoses = found
        keep = [(x, y, d) for (x, y), d in zip(positions, found) if x is not None]
        x = np.array([p[0] for p in keep], np.float64)
        lo = self.y_scale.min if self.y_scale.min is not None else 0.0
        y = np.array([p[1] if p[1] is not None and math.isfinite(p[1]) else lo for p in keep],
                     np.float64)
        with self.diag_marks.hold_sync():
            self.diag_marks.x = _to_dates(x) if settings.x_mode == "wall" else _f32(x)
            self.diag_marks.y = _f32(y)
            self.diag_marks.colors = [_DIAG_COLOUR.get(p[2].severity, "#333") for p in keep] \
                or [_DIAG_COLOUR["warning"]]
        self._draw_notes([(s, s.view, s.key.source in settings.hidden_sources)
                          for s in self.series.values() if s.view is not None], settings)
        return found

    # ------------------------------------------------------------------ tooltip
    def _on_hover(self, series: _SeriesMarks, event) -> None:
        self.hover_tooltip.value = tooltip_html(series, event)


def tooltip_html(series: _SeriesMarks, event) -> str:
    """The tooltip of a hovered point: step, raw value, smoothed value, time (escaped)."""
    view, snap = series.view, series.snapshot
    if view is None or snap is None or len(view.sindex) == 0:
        return ""
    point = (event or {}).get("data") or (event or {}).get("point") or {}
    index = point.get("index")
    hover_count = len(series.hover.x) if series.hover.x is not None else 0
    if index is None and point.get("x") is not None and hover_count:
        # No index in the event: the nearest hover target by x.
        xs = np.asarray(series.hover.x)
        target = np.datetime64(point["x"]) if xs.dtype.kind == "M" else float(point["x"])
        index = int(np.argmin(np.abs(xs - target)))
    if index is None or not (0 <= int(index) < max(hover_count, 1)):
        return ""
    # Hover targets are an even pick of the drawn smoothed points; map back to the series.
    drawn = view.sindex if len(view.sindex) else view.index
    pick = np.unique(np.linspace(0, len(drawn) - 1, hover_count).astype(np.int64))
    full = int(drawn[pick[min(int(index), len(pick) - 1)]])
    smoothed = view.smoothed_full[full] if view.smoothed_full is not None else math.nan
    stamp = snap.timestamp[full]
    when = (_dt.datetime.fromtimestamp(stamp, _dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
            if math.isfinite(stamp) else "unknown")
    key = series.key
    rows = [("metric", key.metric), ("job", key.source), ("host", key.host),
            ("step", f"{snap.step[full]:g}"), ("raw", f"{snap.value[full]:.6g}"),
            ("smoothed", f"{smoothed:.6g}"), ("time", when)]
    if snap.line[full] > 0:
        rows.append(("log line", str(int(snap.line[full]))))
    body = "".join(f"<tr><th style='text-align:left;padding-right:8px'>{html.escape(k)}</th>"
                   f"<td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<table class='metricwidgets-tooltip'>{body}</table>"


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    try:
        return bool(np.isclose(float(a), float(b), rtol=1e-6, atol=0))
    except (TypeError, ValueError):
        return _from_date(a) == _from_date(b) or a == b


def _step_fallback(snap: SeriesSnapshot):
    """A drop without a step takes the step of the last point at or before its line."""
    def step_of(line: int) -> float:
        if len(snap.line) == 0:
            return math.nan
        i = int(np.searchsorted(snap.line, line, side="right")) - 1
        return float(snap.step[max(i, 0)])
    return step_of


def _position(snap: SeriesSnapshot, diagnosis: Diagnosis, settings: ChartSettings):
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
