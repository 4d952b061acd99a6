"""One bqplot chart per quantity: training and validation series of every job/host on it.

Per series: the raw points faded behind the smoothed line (markers when there are few
points, so a single CloudWatch average shows). Per chart: NaN/Inf marks, diagnosis markers,
a legend beside the figure (:mod:`~metricwidgets.widgets.liveplot._legend`), a hover readout under it
(:mod:`~metricwidgets.widgets.liveplot._readout`), and two mouse modes: read values (no interaction
layer, so invisible hover targets on each series answer the mouse) or pan/zoom
(:class:`~bqplot.PanZoom`, which covers the marks: bqplot issue 1352).

Data updates never rebuild the figure: they change mark data (one message per mark, inside
``hold_sync``) and, while the user has not zoomed, the scales' ranges. A toggle of log y or of
the x mode builds new scales, axes and marks together (:mod:`~metricwidgets.widgets.liveplot._axes`).
A zoom or pan by the user is recognised because the scale's range differs from the one this
chart last set; from then on that range is kept (and only the points inside it are sent)
until :meth:`reset_zoom`.

Zoom shows the data: the browser magnifies the current drawing at once (PanZoom, or a front
end that sets the x scale's ``min``/``max``), and the chart then asks the owner for a redraw
(``on_view``), which takes the new x-range from the store at full resolution (every point
when it holds fewer than the budget, else min/max buckets: :func:`series_view`). The wheel
zooms x only (PanZoom gets the x scale alone) and y fits the visible data, so a zoom over
empty space still shows the curve; "zoom y" gives PanZoom the y scale too, and Shift + wheel
zooms both (the browser module sets both scales; a y range set there is kept until a reset).

Thread-safety: :meth:`update` runs on the poller's thread or the kernel's; the owner
(:class:`~metricwidgets.widgets.liveplot._live_plot.LivePlot`) serialises calls with one lock,
which it gives the chart (``lock``). The browser's messages (a zoom's new range, a hover) run
on the kernel's main thread or, with comms over subshells (JupyterLab's default), on a
subshell's thread while a cell runs: their callbacks take that lock too, or a zoom's ticks
computed beside a redraw's could both be sent inside one ``hold_sync`` of an axis, and one
lost.
"""

from __future__ import annotations

import threading

import ipywidgets as widgets
import numpy as np
from bqplot import Figure, PanZoom, Scatter, Tooltip

from metricwidgets.core.pairing import ChartGroup
from metricwidgets.widgets.liveplot._palette import Palette
from metricwidgets.core.store import SeriesKey, SeriesSnapshot
from metricwidgets.widgets.liveplot._view import (even_pick, points_for_width,
                                                  series_view, y_range)
from metricwidgets.widgets.liveplot._axes import Axes, from_date, to_dates
from metricwidgets.widgets.liveplot._chart_marks import ChartDiagnoses, draw_nan_marks, notes_html
from metricwidgets.widgets.liveplot._controls import ChartSettings
from metricwidgets.widgets.liveplot._legend import Legend
from metricwidgets.widgets.liveplot._readout import nearest_rows, readout_html
from metricwidgets.widgets.liveplot._series_marks import SeriesMarks

__all__ = ["MARKERS_BELOW", "Chart"]

#: Series with at most this many visible points get a marker on each point.
MARKERS_BELOW = 40
#: Seconds shown each side of a lone point on a time axis (a CloudWatch minute average).
SINGLE_POINT_SECONDS = 30.0
#: Hover targets per pixel of width (each reads every series at its x).
HOVER_POINTS_PER_PIXEL = 0.25
_NAN_COLOUR = "#d62728"
_FIG_MARGIN = {"top": 40, "bottom": 45, "left": 65, "right": 20}
#: The figure's minimum width: the ticks are sized for it (the browser may draw it wider).
FIGURE_MIN_WIDTH = 320
#: Room for the rotated y-axis title, beyond its offset from the axis line.
_Y_TITLE_PX = 22


def _f32(a: np.ndarray) -> np.ndarray:
    # Half the bytes of float64; steps stay exact up to 16 million.
    return np.ascontiguousarray(a, np.float32)


class Chart(widgets.VBox):
    """A chart of one :class:`~metricwidgets.core.pairing.ChartGroup`.

    Its x range follows the shown data, or ``settings.x_span`` when given (seconds since
    the epoch: the time another chart shows, on a relative or wall-time axis).

    Parameters
    ----------
    group : ChartGroup
    settings : ChartSettings
        The initial x mode and log toggle.
    height : str
    palette : Palette, optional
        Shared by the charts of one plot so a job has one colour on all of them.
    on_change : callable, optional
        Called with no argument when the user toggles a legend entry (the owner redraws,
        so the y-range follows what is shown).
    on_view : callable, optional
        Called with no argument when the user zoomed or panned (the owner redraws the new
        range, throttled); without it the new range is drawn at the next update.
    name_sources : bool
        Name the job in every legend entry, even while one job has data (jobs compared:
        the user chose several, and a label without a job would tell them apart by colour
        only).
    lock : threading.RLock, optional
        The lock the owner holds while it calls :meth:`update` (a lock of its own when not
        given); the browser's callbacks take it.

    Attributes
    ----------
    group : ChartGroup
    figure : bqplot.Figure
    axes : Axes
        Scales and axes in force (replaced by a toggle); ``x_scale``, ``y_scale``,
        ``x_axis``, ``y_axis`` are shortcuts.
    user_x, user_y : bool
        True while the user's zoom/pan of that axis is kept.
    legend : Legend
    readout : ipywidgets.HTML
    diagnoses : list of Diagnosis
    series : dict of SeriesKey to SeriesMarks
    """

    #: False: the legend is drawn by the owner (one for several charts), not beside the figure.
    own_legend = True
    #: The least span of the y-axis, in data units (a flat series still gets round ticks).
    y_min_span = 0.0

    def __init__(self, group: ChartGroup, settings: ChartSettings, height: str = "300px",
                 palette: Palette | None = None, on_change=None, on_view=None,
                 name_sources: bool = False, lock=None):
        self.lock = lock if lock is not None else threading.RLock()
        self.group = group
        self.name_sources = name_sources
        self.palette = palette if palette is not None else Palette()
        self._on_change, self._on_view = on_change, on_view
        self._height = height
        self._mode, self._log, self._mouse = settings.x_mode, settings.log_y, settings.mouse
        self._zoom_y = settings.zoom_y
        self._origin, self.smoothing = settings.origin, settings.smoothing
        self._values = (settings.steps, settings.values_are)
        self.series: dict[SeriesKey, SeriesMarks] = {}
        self.user_x = self.user_y = False
        self._drawn_x = None  # the x-range the marks hold (None, None: all)
        self._set_ranges: dict = {}
        self._new_marks = False
        self._retired: list = []
        self.legend = Legend(self._on_legend)
        self.readout = widgets.HTML("", layout=widgets.Layout(min_height="20px"))
        self.readout.add_class("metricwidgets-readout-box")
        self.notes = widgets.HTML("")
        self.marks = ChartDiagnoses()
        self.figure = None
        self.body = widgets.HBox([], layout=widgets.Layout(width="100%"))
        self._build()
        self._show_figure()
        super().__init__([self.body, self.readout, self.notes])
        self.add_class("metricwidgets-chart")

    # ------------------------------------------------------------------ shortcuts
    x_scale = property(lambda self: self.axes.x_scale)
    y_scale = property(lambda self: self.axes.y_scale)
    x_axis = property(lambda self: self.axes.x_axis)
    y_axis = property(lambda self: self.axes.y_axis)
    diagnoses = property(lambda self: self.marks.found)
    nan_marks = property(lambda self: self._nan)
    diag_marks = property(lambda self: self.marks.mark)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        """Scales, axes, marks, interactions and figure for the current x mode and y kind."""
        old = [self.figure] if self.figure is not None else []
        if old:
            old += self.axes.widgets() + [self._nan, self.marks.mark, self.panzoom]
            old += [m for s in self.series.values() for m in s.marks]
        self.axes = Axes(self._mode, self._log, self.y_title(), self._plot_px())
        scales = self.axes.scales
        for scale in scales.values():
            scale.observe(self._on_scale_range, names=["min", "max"])
        self._nan = Scatter(x=[], y=[], scales=scales, marker="cross", colors=[_NAN_COLOUR],
                            default_size=80, tooltip=Tooltip(fields=["x"], labels=["NaN/Inf at"]))
        self.marks.build(scales)
        for series in self.series.values():
            self._build_series(series, scales)
        self.panzoom = PanZoom(scales=self._zoomed_scales())
        marks = [m for s in self.series.values() for m in s.marks]
        self.figure = Figure(
            marks=marks + [self._nan, self.marks.mark],
            axes=[self.axes.x_axis, self.axes.y_axis], interaction=self._interaction(),
            title=self.title(), animation_duration=0, fig_margin=dict(_FIG_MARGIN),
            background_style={"fill": "white"},
            layout=widgets.Layout(flex="1 1 auto", width="auto", height=self._height,
                                  min_width=f"{FIGURE_MIN_WIDTH}px"))
        self.user_x = self.user_y = False
        self._retired += old
        self._new_marks = False

    def title(self) -> str:
        """The figure's title (a subclass may say less)."""
        return self.group.quantity

    def y_title(self) -> str:
        """The y-axis title (a subclass may say less)."""
        return self.group.quantity

    def _plot_px(self) -> tuple[float, float]:
        """The smallest plot area (figure less margins) the ticks must fit."""
        margin, height = _FIG_MARGIN, float(str(self._height).removesuffix("px"))
        return (FIGURE_MIN_WIDTH - margin["left"] - margin["right"] - 15,
                height - margin["top"] - margin["bottom"])

    def _apply_ticks(self) -> None:
        """Ticks for the scales' ranges, and a left margin that holds the y labels and
        the y-axis title beside them."""
        self.axes.apply_ticks()
        left = max(_FIG_MARGIN["left"], round(self.axes.y_labels_px() + 12 + _Y_TITLE_PX))
        if self.figure.fig_margin.get("left") != left:
            self.figure.fig_margin = {**_FIG_MARGIN, "left": left}

    def _show_figure(self) -> None:
        """Put a newly built figure on the page once its marks, ranges and ticks are set:
        a view created while those updates were still arriving kept bqplot's default tick
        labels."""
        children = (self.figure, self.legend) if self.own_legend else (self.figure,)
        if self.body.children != children:
            self.body.children = children
        for widget in self._retired:
            widget.close()
        self._retired = []

    def _zoomed_scales(self) -> dict:
        # x only by default: y then fits the visible data after each zoom (bqplot's PanZoom
        # takes any subset of the scales).
        return {"x": [self.axes.x_scale], "y": [self.axes.y_scale] if self._zoom_y else []}

    def _interaction(self):
        return self.panzoom if self._mouse == "zoom" else None

    def _build_series(self, series: SeriesMarks, scales: dict) -> None:
        series.build(scales)
        series.hover.on_hover(lambda _mark, event: self._on_hover(event))

    def _apply_toggles(self, settings: ChartSettings) -> None:
        self._origin, self.smoothing = settings.origin, settings.smoothing
        self._values = (settings.steps, settings.values_are)
        if (settings.x_mode, settings.log_y) != (self._mode, self._log):
            self._mode, self._log, self._mouse = settings.x_mode, settings.log_y, settings.mouse
            self._build()
            self.readout.value = ""
        elif settings.mouse != self._mouse:
            self._mouse = settings.mouse
            self.figure.interaction = self._interaction()
            self.readout.value = ""
        if settings.zoom_y != self._zoom_y:
            self._zoom_y = settings.zoom_y
            self.panzoom.scales = self._zoomed_scales()
            self.user_y = self.user_y and self._zoom_y  # y follows the data again

    # ------------------------------------------------------------------ scales and zoom
    def _on_scale_range(self, change) -> None:
        with self.lock:
            scale = change["owner"]
            expected = self._set_ranges.get((id(scale), change["name"]), "unset")
            if expected != "unset" and _same(expected, change["new"]):
                return  # the value this chart set itself
            if scale is self.axes.x_scale:
                self.user_x = True
            elif scale is self.axes.y_scale:
                self.user_y = True
            else:
                return  # a retired scale's late message
            self._apply_ticks()  # a zoom or pan: ticks for the new range
            # The new x-range, from the store at full resolution (what is drawn does not
            # depend on y). A message sets min and max together: the second notice finds it
            # drawn.
            redraw = self._on_view is not None and scale is self.axes.x_scale and \
                self._visible_x() != self._drawn_x
        if redraw:
            self._on_view()

    def _set_range(self, scale, lo, hi) -> None:
        self._set_ranges[(id(scale), "min")] = lo
        self._set_ranges[(id(scale), "max")] = hi
        with scale.hold_sync():
            scale.min, scale.max = lo, hi

    def reset_zoom(self) -> None:
        """Follow the data again on both axes (the next update sets the ranges)."""
        self.user_x = self.user_y = False

    def _visible_x(self):
        if not self.user_x:
            return None, None
        bounds = self.axes.bounds("x")
        return bounds if bounds is not None else (None, None)

    def _follow_data(self, drawn, settings: ChartSettings) -> None:
        """Set the scales' ranges to the shown data (the axes the user did not zoom)."""
        if not self.user_y:
            arrays = [a for _, v, h in drawn if not h for a in (v.y, v.sy)]
            rng = y_range(arrays, settings.ignore_outliers, settings.log_y,
                          min_span=self.y_min_span)
            if rng is not None:
                self._set_range(self.axes.y_scale, *rng)
        if self.user_x:
            return
        x = _x_extent(drawn, settings)
        if x is None:
            return
        x_lo, x_hi = x
        if x_hi <= x_lo:  # one point: a range around it (a time axis: half a minute)
            pad = 0.5 if settings.x_mode == "step" else SINGLE_POINT_SECONDS
            low = x_lo - pad
            if settings.x_mode != "wall" and x_lo >= 0:
                low = max(low, 0.0)  # no negative step or time before a point at or past 0
            x_lo, x_hi = low, x_hi + pad
        if settings.x_mode == "wall":
            self._set_range(self.axes.x_scale, *to_dates(np.array([x_lo, x_hi])))
        else:
            self._set_range(self.axes.x_scale, x_lo, x_hi)

    # ------------------------------------------------------------------ series
    def series_label(self, key: SeriesKey, multi_host: bool, multi_source: bool) -> str:
        """The legend's words for a series (a subclass may say less)."""
        # Only what tells this series from the chart's others: one job's hosts are named by
        # host alone (the job is in the header), so the legend's width goes to what differs.
        if multi_host and multi_source:
            return f"{key.metric} ({key.source}/{key.host})"
        if multi_host or multi_source:
            return f"{key.metric} ({key.host if multi_host else key.source})"
        return key.metric

    def _label(self, key: SeriesKey, multi_host: bool, multi_source: bool) -> tuple[str, str]:
        owner = f"{key.source}/{key.host}" if multi_host else key.source
        return owner, self.series_label(key, multi_host, multi_source)

    def _ensure_series(self, key: SeriesKey, multi_host: bool,
                       multi_source: bool) -> SeriesMarks:
        owner, label = self._label(key, multi_host, multi_source)
        series = self.series.get(key)
        if series is not None:
            if series.label != label:
                series.label = label
                series.smooth.labels = [label]
            return series
        colour, dash = self.palette.style(owner, self.group.role_of(key.metric))
        series = SeriesMarks(key, label, colour, dash, self.axes.scales)
        series.hover.on_hover(lambda _mark, event: self._on_hover(event))
        self.series[key] = series
        self._new_marks = True
        return series

    def _attach_new_marks(self) -> None:
        """One change of the figure's marks for every series that appeared in this update
        (several changes in a row made the browser drop some mark views)."""
        if self._new_marks:
            self._new_marks = False
            # Series go under the NaN and diagnosis marks so those stay visible.
            self.figure.marks = [m for s in self.series.values() for m in s.marks] + \
                [self._nan, self.marks.mark]

    def _on_legend(self, _key, _shown) -> None:
        if self._on_change is not None:
            self._on_change()
        else:
            for key, series in self.series.items():
                for mark in series.marks:
                    mark.visible = key not in self.legend.hidden

    def _hidden(self, key: SeriesKey, settings: ChartSettings) -> bool:
        return key.source in settings.hidden_sources or key in self.legend.hidden

    def _views(self, snapshots, settings: ChartSettings) -> list:
        mine = [s for s in snapshots if s.key.metric in self.group.metrics]
        hosts = {(s.key.source, s.key.host) for s in mine}
        multi_host = len({h for _, h in hosts}) > 1
        multi_source = self.name_sources or len({s for s, _ in hosts}) > 1
        lo, hi = self._drawn_x = self._visible_x()
        n_raw = points_for_width(settings.width_px)
        drawn = []
        for snap in mine:
            series = self._ensure_series(snap.key, multi_host, multi_source)
            view = series_view(snap.step, snap.timestamp, snap.value, series.cache,
                               settings.x_mode, (lo, hi), settings.smoothing, n_raw,
                               settings.origin, settings.log_y, snap.x_sorted(settings.x_mode))
            series.snapshot, series.view = snap, view
            drawn.append((series, view, self._hidden(snap.key, settings)))
        self.legend.set_entries([(s.key, s.label, s.colour, s.dash) for s, _, _ in drawn
                                 if s.key.source not in settings.hidden_sources])
        return drawn

    def _draw_series(self, series: SeriesMarks, view, hidden: bool,
                     settings: ChartSettings) -> int:
        best = settings.best_source is not None and series.key.source == settings.best_source
        convert = to_dates if settings.x_mode == "wall" else _f32
        smooth_on = bool(settings.smoothing)
        with series.raw.hold_sync():
            series.raw.x, series.raw.y = convert(view.x), _f32(view.y)
            # Faded behind a smoothed line; a lone point (a CloudWatch average) has no line
            # to stand behind, so its marker is drawn full.
            faded = smooth_on and len(view.sx) > 1
            series.raw.opacities = [0.25 if faded else 0.9]
            marker = "circle" if view.visible <= MARKERS_BELOW else None
            if series.raw.marker != marker:
                series.raw.marker = marker
            series.raw.visible = not hidden
        with series.smooth.hold_sync():
            if smooth_on:
                series.smooth.x, series.smooth.y = convert(view.sx), _f32(view.sy)
            else:
                series.smooth.x, series.smooth.y = convert(view.x[:0]), _f32(view.y[:0])
            series.smooth.stroke_width = 3.5 if best else 2
            series.smooth.visible = not hidden
        hx, hy = view.x, view.y  # on the raw points: hovering a point reads its value
        pick = even_pick(len(hx), max(8, int(settings.width_px * HOVER_POINTS_PER_PIXEL)))
        with series.hover.hold_sync():
            series.hover.x, series.hover.y = convert(hx[pick]), _f32(hy[pick])
            series.hover.visible = not hidden
        return len(view.x) + (len(view.sx) if smooth_on else 0) + len(pick)

    # ------------------------------------------------------------------ update
    def update(self, snapshots: list[SeriesSnapshot], settings: ChartSettings) -> int:
        """Redraw from store snapshots (those of this chart's metrics). Returns how many
        points were sent (all marks)."""
        self._apply_toggles(settings)
        drawn = self._views(snapshots, settings)
        self._follow_data(drawn, settings)
        sent = sum(self._draw_series(s, v, h, settings) for s, v, h in drawn)
        self._attach_new_marks()
        draw_nan_marks(self._nan, drawn, settings, self.axes.bounds("y"))
        self._apply_ticks()
        self._draw_notes(drawn)
        self._show_figure()
        return sent

    def _draw_notes(self, drawn) -> None:
        hidden_log = sum(v.hidden_nonpositive for _, v, h in drawn if not h)
        text = notes_html(hidden_log)
        if self.notes.value != text:
            self.notes.value = text

    def diagnose(self, settings: ChartSettings):
        """Run the diagnoses on the series drawn last, per job/host, and mark them; return
        them (the plot lists them, :mod:`~metricwidgets.widgets.liveplot._findings_list`)."""
        shown = [s for s in self.series.values()
                 if s.snapshot is not None and s.key.source not in settings.hidden_sources]
        return self.marks.run(self.group, shown, settings, self.axes.bounds("y"))

    # ------------------------------------------------------------------ readout
    def _on_hover(self, event) -> None:
        point = (event or {}).get("point") or (event or {}).get("data") or {}
        if point.get("x") is None:
            return
        with self.lock:  # the series as one redraw left them
            target = _event_x(point["x"], self._mode)
            rows = nearest_rows([(s.label, s.colour, s) for s in list(self.series.values())
                                 if s.key not in self.legend.hidden and s.raw.visible],
                                target, self._mode, self._origin)
            self.readout.value = readout_html(rows, *self._values)

    def close(self) -> None:
        for widget in [self.figure, self._nan, self.marks.mark, self.panzoom,
                       self.legend, self.readout, self.notes, *self.axes.widgets(),
                       *(m for s in self.series.values() for m in s.marks)]:
            widget.close()
        super().close()


def _x_extent(drawn, settings: ChartSettings) -> tuple[float, float] | None:
    """The x range to show in data units: ``settings.x_span`` on a time axis when given,
    else the shown series' first to last x; None when there is neither."""
    span = settings.x_span if settings.x_mode != "step" else None
    if span is not None:
        shift = settings.origin if settings.x_mode == "relative" else 0.0
        return span[0] - shift, span[1] - shift
    xs = [v.x for _, v, h in drawn if not h and len(v.x)]
    if not xs:
        return None
    return min(float(np.nanmin(x)) for x in xs), max(float(np.nanmax(x)) for x in xs)


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    try:
        return bool(np.isclose(float(a), float(b), rtol=1e-6, atol=0))
    except (TypeError, ValueError):
        return from_date(a) == from_date(b) or a == b


def _event_x(x, mode: str) -> float:
    """A hover event's x in data units: dates arrive as ISO strings or milliseconds."""
    if mode != "wall":
        return float(x)
    if isinstance(x, str):
        return from_date(np.datetime64(x.rstrip("Z"), "ms"))
    return float(x) / 1000.0
