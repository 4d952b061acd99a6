"""The chart's controls answered in the browser, also while another cell holds the kernel.

Why in the browser. A kernel runs a comm message only when the shell that owns it is free,
so a Python callback (log y, x mode, smoothing, outliers, legend, hover, reset) can wait for a
running cell (``estimator.fit()``, ``time.sleep(60)``) to end. Comms over kernel subshells
(JEP 91; JupyterLab 4.4+ ``commsOverSubshells``, one subshell per comm target by default;
ipykernel 7) change that only in part, read in ipykernel 7.4's source and measured in chromium
(``python -m tests.benchmarks controls``): the kernel routes a comm's incoming message to the
subshell of the last message that comm *published with a parent*
(``ipykernel.comm.comm.BaseComm._reply_subshell_for``, fed by ``publish_msg``). ipywidgets
answers each update from the browser with an ``echo_update`` whose parent is that update, sent
with the subshell's id; so once a control has been used, its later messages run on the
subshell's thread while a cell runs (the plot's methods are thread-safe: redraws hold its
lock). But the first use of a control during a cell, and any use after the kernel last sent
that widget something on the main shell's behalf, waits for the cell; and a front end that
sends no subshell ids (Lab with ``commsOverSubshells`` disabled) or a kernel without subshells
(ipykernel 6) waits every time. Pinning comms to a subshell needs private attributes
(``_reply_subshell_id``) on every comm after every update. So the chart does the
interactions itself, from what the browser already holds, whatever the front end and kernel.

How. :class:`ChartLink` is an anywidget (its ES module, ``_browser.js``, ships in this
package, so it runs wherever the widget front end runs: JupyterLab, Notebook 7, VS Code; the
labextension is not needed). One per chart, hidden inside it. After each redraw
:meth:`ChartLink.sync` sends the browser

- ``refs``: the chart's bqplot marks, scales and axes, its legend checkboxes, its readout
  and the plot's controls (widget references, sent again only when the chart rebuilt);
- ``applied``: the settings the kernel drew with;
- ``tables``: per series, one float32 column over the raw points drawn (their relative time
  on a step axis, else their step), so that with the raw mark's own x and y the browser has
  every x mode: 4 bytes a drawn point.

When a control's value in the browser differs from ``applied`` (the kernel has not answered
yet), the module redraws the chart from ``tables`` at once: x arrays per mode, log y (drawn
on the scale in force with log-spaced ticks), the debiased EMA (the same maths as
:func:`~metricwidgets.widgets.liveplot._view.ema`, each drawn point weighing as the store
points it stands for), the y range with or without outliers
(:func:`~metricwidgets.widgets.liveplot._view.y_range`), legend visibility, and the ticks
(:mod:`~metricwidgets.widgets.liveplot._ticks` ported). It always answers the hover readout
(the drawn point nearest the mouse; the kernel replaces it with the full-resolution point
when free), the reset, and ticks and y after a pan or zoom in the browser. These changes are
display only (never saved to the kernel): the kernel learns the user's intent from the
controls' own values, redraws exactly when it is free, and its drawing then stands. So the
kernel's state (``to_dataframe()``, export, header) never depends on what the browser drew.
The module's hidden element says whether the kernel's last drawing has every control's value
(``data-kernel-drawn``): the browser tests and the controls benchmark wait on it.

The same module makes the figure of each of our charts draw only once its element has a size
(issue 22: in a notebook that is a background JupyterLab tab, bqplot drew at 0 px and chromium
logged negative ``<rect>`` widths). It does so as it initializes with a model carrying
``figure_view``: every :class:`FigureGuard`, so :class:`ChartLink` too, and the one each
:class:`~metricwidgets.widgets.liveplot.LivePlot` holds from the start, before its first chart
(a job with no metrics yet gets its chart later, maybe while its tab is hidden). Why in the
browser module and why only the figures: see ``_browser.js``.
"""

from __future__ import annotations

import pathlib
import uuid

import anywidget
import numpy as np
import traitlets
from bqplot import Figure
from ipywidgets import widget_serialization

from metricwidgets.widgets.liveplot._axes import X_LABEL

__all__ = ["ChartLink", "FIGURE_VIEW", "FigureGuard", "attach_link", "series_table"]


def series_table(series, origin: float, mode: str) -> bytes:
    """What the browser needs beside a series' raw mark to draw it in another x mode: one
    float32 column over the raw points drawn last, their relative time (seconds since
    ``origin``) when ``mode`` is ``step``, else their step. Empty before the first draw.

    One column (4 bytes a point) keeps a live update within its byte budget; the values
    and the x in ``mode`` are the raw mark's own."""
    snap, view = series.snapshot, series.view
    if snap is None or view is None or not len(view.index):
        return b""
    index = np.asarray(view.index, np.int64)
    column = snap.timestamp[index] - origin if mode == "step" else snap.step[index]
    return np.ascontiguousarray(column, np.float32).tobytes()


#: bqplot's Figure view, as the widget manager loads it: the browser module makes it wait for a
#: size before it draws one of our charts.
FIGURE_VIEW = {name: Figure.class_traits()[f"_view_{name}"].default_value
               for name in ("name", "module", "module_version")}


class FigureGuard(anywidget.AnyWidget):
    """A hidden widget whose browser module makes our charts' figures draw only at a size.

    Attributes
    ----------
    figure_view : dict
        :data:`FIGURE_VIEW`: ``name``, ``module`` and ``module_version`` of bqplot's Figure
        view, the class the module wraps (once a page) as it initializes.
    """

    _esm = pathlib.Path(__file__).with_name("_browser.js")
    figure_view = traitlets.Dict(FIGURE_VIEW).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.layout.display = "none"


class ChartLink(FigureGuard):
    """The browser side of one chart (see the module docstring).

    Attributes
    ----------
    refs : dict
        Widget references: ``figure``, ``panzoom``, ``x_scale``, ``y_scale``, ``x_axis``, ``y_axis``,
        ``readout``, ``extra`` (NaN and diagnosis marks), ``controls`` (``x_mode``,
        ``log_y``, ``smoothing``, ``outliers``, ``mouse``, optionally ``zoom_y``) and
        ``series`` (per series: ``raw``, ``smooth``, ``hover``, ``legend`` checkbox,
        ``label``, ``host``, ``colour``); ``x_label`` per x mode.
    applied : dict
        The settings of the kernel's last drawing: ``x_mode``, ``log_y``, ``smoothing``,
        ``outliers``, ``mouse``, ``origin``, ``steps``, ``values_are``, ``legend_hidden`` and
        ``other_hidden`` (per series: unticked in the legend / hidden by the job filter),
        ``choices`` (the values of the toggle buttons' options: they sync an index), and
        ``user_x`` and ``user_y`` (the kernel drew the user's zoomed range, not the whole
        run; the user's y range, not one fitted to the data).
    tables : list of bytes
        Per series (same order), :func:`series_table` in the x mode drawn.

    Thread-safety: :meth:`sync` is called by the chart's update, which its owner serialises.
    """

    refs = traitlets.Dict().tag(sync=True, **widget_serialization)
    applied = traitlets.Dict().tag(sync=True)
    tables = traitlets.List().tag(sync=True)
    #: False leaves every control to the kernel (the benchmark's baseline: Python callbacks).
    active = traitlets.Bool(True).tag(sync=True)
    #: One browser-side link per model, whatever wrappers anywidget hands the module.
    link_id = traitlets.Unicode().tag(sync=True)

    def __init__(self, controls=None, **kwargs):
        # in the state the comm opens with: the browser keys its link on it at once
        super().__init__(link_id=uuid.uuid4().hex, **kwargs)
        self._controls = controls
        self._tables: list = []

    def _control_refs(self) -> dict:
        c = self._controls
        if c is None:
            return {}
        refs = {"x_mode": c.x_mode, "log_y": c.log_y, "smoothing": c.smoothing,
                "outliers": c.ignore_outliers, "mouse": c.mouse}
        if getattr(c, "zoom_y", None) is not None:
            refs["zoom_y"] = c.zoom_y
        return refs

    def _choices(self) -> dict:
        """The values of the toggle buttons' options, in order (they sync an index)."""
        c = self._controls
        if c is None:
            return {}
        return {"x_mode": [v for _, v in c.x_mode.options], "mouse": [v for _, v in c.mouse.options]}

    def sync(self, chart, settings) -> None:
        """Tell the browser what ``chart`` drew with ``settings`` (one message at most per
        trait, only what changed)."""
        order = list(chart.series.values())
        refs = {
            "figure": chart.figure, "panzoom": chart.panzoom, "x_scale": chart.x_scale,
            "y_scale": chart.y_scale, "x_axis": chart.x_axis, "y_axis": chart.y_axis,
            "readout": chart.readout,
            "extra": [chart.nan_marks, chart.diag_marks], "controls": self._control_refs(),
            "x_label": dict(X_LABEL),
            "series": [{"raw": s.raw, "smooth": s.smooth, "hover": s.hover,
                        "legend": chart.legend.entry(s.key).checkbox
                        if s.key in chart.legend else None,
                        "label": s.label, "host": s.key.host, "colour": s.colour}
                       for s in order],
        }
        applied = {
            "x_mode": settings.x_mode, "log_y": bool(settings.log_y),
            "smoothing": float(settings.smoothing), "outliers": bool(settings.ignore_outliers),
            "mouse": settings.mouse, "origin": float(settings.origin),
            "steps": bool(settings.steps), "values_are": settings.values_are,
            "legend_hidden": [s.key in chart.legend.hidden for s in order],
            "other_hidden": [s.key.source in settings.hidden_sources for s in order],
            "choices": self._choices(), "user_x": bool(chart.user_x),
            "user_y": bool(chart.user_y),
        }
        tables = [series_table(s, settings.origin, settings.x_mode) for s in order]
        with self.hold_sync():
            if not _same_refs(self.refs, refs):
                self.refs = refs
            if self.applied != applied:
                self.applied = applied
            if tables != self._tables:
                self._tables = tables
                self.tables = tables


def attach_link(chart, controls) -> ChartLink:
    """Give ``chart`` its browser side as ``chart.link``, a hidden child of the chart (the
    module finds the chart's elements from its own); its owner calls ``chart.link.sync``
    after each ``chart.update`` and closes it with the chart."""
    chart.link = ChartLink(controls)
    chart.children = (*chart.children, chart.link)
    return chart.link


def _same_refs(old, new) -> bool:
    """Equal widget references (by identity) and values."""
    if type(old) is not type(new):
        return False
    if isinstance(new, dict):
        return old.keys() == new.keys() and all(_same_refs(old[k], new[k]) for k in new)
    if isinstance(new, list):
        return len(old) == len(new) and all(_same_refs(a, b) for a, b in zip(old, new))
    if hasattr(new, "model_id"):
        return old is new
    return old == new
