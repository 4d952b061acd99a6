"""The LivePlot's toolbar: x-axis mode, smoothing, log y, outliers, chart and job filters,
pause/resume and reset zoom.

The controls only hold settings (:class:`ChartSettings`); the plot observes them and redraws.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ipywidgets as widgets

from metricwidgets.widgets.liveplot._view import DEFAULT_SMOOTHING, MAX_SMOOTHING

__all__ = ["MANY_CHARTS", "ChartSettings", "Controls"]

#: Above this many charts, only the first few are shown until the user picks others.
MANY_CHARTS = 4
_X_MODES = [("step", "step"), ("relative time", "relative"), ("wall time", "wall")]
_X_TOOLTIPS = {"step": "step recovered from the log", "relative": "seconds since the start",
               "wall": "time of day"}


@dataclass
class ChartSettings:
    """What every chart of a plot draws with.

    Attributes
    ----------
    x_mode : str
        ``step``, ``relative`` or ``wall``.
    smoothing : float
        EMA weight in [0, 1).
    log_y, ignore_outliers : bool
    origin : float
        Seconds since the epoch that relative time counts from.
    hidden_sources : set of str
        Jobs (tuning children) not drawn.
    best_source : str or None
        The job drawn highlighted (a tuning job's best child).
    width_px : int
        Nominal plot width used to size the downsampling.
    mouse : str
        ``read`` (the mouse reads values off the curves) or ``zoom`` (pan and zoom).
    zoom_y : bool
        Pan and zoom move y too; by default they move x only and y fits the visible data.
    steps : bool
        False when the points have no steps of their own (CloudWatch's published metrics):
        the readout then shows none.
    values_are : str or None
        What the values are when they were not parsed from logs (``"CloudWatch averages
        (1 min)"``): the readout's value column says so.
    x_span : tuple of float or None
        Seconds since the epoch a time axis shows, when it must match another chart's
        (the instances panel's, the metric charts' time); None: the data's own range.
    """

    x_mode: str = "step"
    smoothing: float = DEFAULT_SMOOTHING
    log_y: bool = False
    ignore_outliers: bool = True
    origin: float = 0.0
    hidden_sources: set = field(default_factory=set)
    best_source: str | None = None
    width_px: int = 700
    mouse: str = "read"
    zoom_y: bool = False
    steps: bool = True
    values_are: str | None = None
    x_span: tuple | None = None


class Controls(widgets.VBox):
    """The toolbar widgets. ``on_change(callback)`` is called with no argument after any
    setting changes; pause/resume and reset zoom call their own callbacks."""

    def __init__(self, on_change, on_pause, on_resume, on_reset_zoom):
        self._on_change = on_change
        self.x_mode = widgets.ToggleButtons(
            options=_X_MODES, value="step", description="x:",
            style={"button_width": "115px"},  # "relative time" whole
            tooltips=[_X_TOOLTIPS[v] for _, v in _X_MODES])
        self.smoothing = widgets.FloatSlider(
            value=DEFAULT_SMOOTHING, min=0.0, max=MAX_SMOOTHING, step=0.001,
            description="smoothing", readout_format=".3f", continuous_update=False,
            layout=widgets.Layout(width="320px"))
        self.log_y = widgets.Checkbox(value=False, description="log y", indent=False,
                                      layout=widgets.Layout(width="70px"))
        self.ignore_outliers = widgets.Checkbox(value=True, description="ignore outliers",
                                                indent=False,
                                                layout=widgets.Layout(width="130px"))
        self.pause = widgets.ToggleButton(value=False, description="pause", icon="pause",
                                          tooltip="stop polling; resume picks up where it left")
        self.mouse = widgets.ToggleButtons(
            options=[("read values", "read"), ("pan/zoom", "zoom")], value="read",
            description="mouse:", style={"button_width": "100px"},
            tooltips=["hover shows each series' value at the cursor",
                      "drag to pan, wheel to zoom x, Shift + wheel x and y"])
        self.zoom_y = widgets.Checkbox(value=False, description="zoom y", indent=False,
                                       tooltip="pan and wheel move y too (else y fits what is in view)",
                                       layout=widgets.Layout(width="80px"))
        self.reset_zoom = widgets.Button(description="reset zoom", icon="expand",
                                         tooltip="follow the data again")
        self.reset_zoom.add_class("metricwidgets-reset-zoom")  # the browser module's hook
        self.charts = widgets.SelectMultiple(options=[], value=[], description="charts",
                                             rows=4, layout=widgets.Layout(display="none"))
        self.sources = widgets.SelectMultiple(options=[], value=[], description="jobs",
                                              rows=5, layout=widgets.Layout(display="none"))
        for control in (self.x_mode, self.smoothing, self.log_y, self.ignore_outliers,
                        self.mouse, self.zoom_y, self.charts, self.sources):
            control.observe(lambda _change: self._on_change(), names="value")
        self.pause.observe(lambda change: on_pause() if change["new"] else on_resume(),
                           names="value")
        self.reset_zoom.on_click(lambda _button: on_reset_zoom())
        row = widgets.HBox([self.x_mode, self.smoothing, self.log_y, self.ignore_outliers,
                            self.mouse, self.zoom_y, self.pause, self.reset_zoom],
                           layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        super().__init__([row, widgets.HBox([self.charts, self.sources])])

    def settings(self, base: ChartSettings) -> ChartSettings:
        """``base`` with the values the user picked."""
        base.x_mode = self.x_mode.value
        base.smoothing = float(self.smoothing.value)
        base.log_y = bool(self.log_y.value)
        base.ignore_outliers = bool(self.ignore_outliers.value)
        base.mouse = self.mouse.value
        base.zoom_y = bool(self.zoom_y.value)
        shown = set(self.sources.value)
        base.hidden_sources = {s for s in self.sources.options if s not in shown}
        return base

    def offer_steps(self, steps: bool) -> None:
        """Offer the step axis only for points that have steps; without them (CloudWatch's
        published metrics) the x axis shows wall time, unless the user picked relative."""
        options = _X_MODES if steps else _X_MODES[1:]
        if list(self.x_mode.options) == options:
            return
        value = self.x_mode.value if self.x_mode.value != "step" or steps else "wall"
        with self.x_mode.hold_sync():
            self.x_mode.options = options
            self.x_mode.value = value
            self.x_mode.tooltips = [_X_TOOLTIPS[v] for _, v in options]

    def offer_charts(self, names: list[str]) -> None:
        """Show the chart selector once there are more than :data:`MANY_CHARTS` charts;
        new charts are selected while the user has not narrowed the selection."""
        old = list(self.charts.options)
        if names == old:
            return
        everything = set(self.charts.value) == set(old)
        value = [n for n in names if n in self.charts.value or n not in old]
        if everything and old:
            value = list(names)
        if not old:
            value = names[:MANY_CHARTS] if len(names) > MANY_CHARTS else list(names)
        _set_choices(self.charts, names, value)
        self.charts.layout.display = "" if len(names) > MANY_CHARTS else "none"

    def shown_charts(self) -> set:
        if self.charts.layout.display == "none":
            return set(self.charts.options)
        return set(self.charts.value)

    def offer_sources(self, names: list[str]) -> None:
        """Offer a job filter once there is more than one job (a tuning job's children)."""
        old = list(self.sources.options)
        if names == old:
            return
        value = [n for n in names if n in self.sources.value or n not in old]
        _set_choices(self.sources, names, value)
        self.sources.layout.display = "" if len(names) > 1 else "none"


def _set_choices(select: widgets.SelectMultiple, options: list, value: list) -> None:
    # Options and value are validated against each other: clear the value, swap the options,
    # then select, all without telling observers in between (they would redraw thrice).
    with select.hold_sync():
        select.value = ()
        select.options = list(options)
        select.value = tuple(value)
