"""A plot as an SVG picture drawn in the kernel, with no plotting library: what it shows, on white.

The picture is written from what the charts last drew (their views: the same downsampled and
smoothed points the browser got, their kernel-computed ticks, the legend's entries with the
hidden ones left out) plus the title and the plot's findings, so it says what the live widget
says. It is what a front end without the widget shows (a saved notebook reopened without its
kernel, ``nbconvert --to html``, GitHub, nbviewer) and what the SVG export downloads.

Text is real ``<text>`` (searchable, selectable, readable by a screen reader); sizes are in
pixels of a 900-pixel-wide picture. matplotlib is not needed (it is only in the test extra).
"""

from __future__ import annotations

import html
import math
import textwrap

import numpy as np

__all__ = ["chart_image", "plot_svg"]

WIDTH = 900
CHART_HEIGHT = 300
_MARGIN = {"top": 34, "bottom": 46, "left": 70, "right": 250}
_LEGEND_CHARS = 30
_FINDING_CHARS = 125
_LINE = 16
_FONT = "font-family='Helvetica, Arial, sans-serif'"
_DASHARRAY = {"dashed": "6,3", "dotted": "2,2"}
_SEVERITY_COLOUR = {"error": "#d62728", "warning": "#b35900", "info": "#555555"}


def _e(text) -> str:
    return html.escape(str(text), quote=True)


class _Frame:
    """Data -> pixel maps of one chart's plot area (``log`` y in decades)."""

    def __init__(self, top: float, xb, yb, log: bool):
        self.left, self.top = _MARGIN["left"], top + _MARGIN["top"]
        self.width = WIDTH - _MARGIN["left"] - _MARGIN["right"]
        self.height = CHART_HEIGHT - _MARGIN["top"] - _MARGIN["bottom"]
        self.log = log
        self.xb = xb
        self.yb = tuple(self._ylog(np.asarray(yb, np.float64))) if log else yb

    def _ylog(self, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)

    def px(self, x) -> np.ndarray:
        lo, hi = self.xb
        return self.left + (np.asarray(x, np.float64) - lo) / ((hi - lo) or 1.0) * self.width

    def py(self, y) -> np.ndarray:
        y = np.asarray(y, np.float64)
        if self.log:
            y = self._ylog(y)
        lo, hi = self.yb
        return self.top + self.height - (y - lo) / ((hi - lo) or 1.0) * self.height


def _path(frame: _Frame, x, y) -> str:
    """An SVG path through the finite points, broken where a value is missing."""
    px, py = frame.px(x), frame.py(y)
    parts, pen = [], "M"
    for a, b in zip(px.tolist(), py.tolist()):
        if not (math.isfinite(a) and math.isfinite(b)):
            pen = "M"
            continue
        parts.append(f"{pen}{a:.1f},{b:.1f}")
        pen = "L"
    return " ".join(parts)


def _series(frame: _Frame, chart, smoothing: bool, clip: str) -> tuple[list[str], list]:
    marks, legend = [], []
    for key, series in chart.series.items():
        view = series.view
        if view is None or key in chart.legend.hidden or not series.raw.visible:
            continue
        dash = _DASHARRAY.get(series.dash, "")
        dashed = f" stroke-dasharray='{dash}'" if dash else ""
        colour = _e(series.colour)
        faded = smoothing and len(view.sx) > 1
        raw = _path(frame, view.x, view.y)
        if raw:
            marks.append(f"<path d='{raw}' fill='none' stroke='{colour}' stroke-width='1' "
                         f"opacity='{0.3 if faded else 0.9}'{dashed} clip-path='url(#{clip})'/>")
        if view.visible <= 40:  # few points: each one marked, as on the chart
            for a, b in zip(frame.px(view.x).tolist(), frame.py(view.y).tolist()):
                if math.isfinite(a) and math.isfinite(b):
                    marks.append(f"<circle cx='{a:.1f}' cy='{b:.1f}' r='2.5' fill='{colour}' "
                                 f"opacity='{0.5 if faded else 0.9}' clip-path='url(#{clip})'/>")
        if faded:
            smooth = _path(frame, view.sx, view.sy)
            marks.append(f"<path d='{smooth}' fill='none' stroke='{colour}' stroke-width='2'"
                         f"{dashed} clip-path='url(#{clip})'/>")
        legend.append((series.label, series.colour, dash))
    return marks, legend


def _axes(frame: _Frame, chart) -> list[str]:
    out = []
    bottom, right = frame.top + frame.height, frame.left + frame.width
    for which in ("x", "y"):
        ticks = chart.axes.ticks.get(which)
        if ticks is None:
            continue
        for value, label in zip(ticks.values, ticks.labels):
            if which == "x":
                at = float(frame.px(value))
                out.append(f"<line x1='{at:.1f}' y1='{frame.top}' x2='{at:.1f}' y2='{bottom}' "
                           "stroke='#ddd' stroke-dasharray='3,3'/>")
                out.append(f"<text x='{at:.1f}' y='{bottom + 16}' text-anchor='middle' "
                           f"font-size='11' fill='#333'>{_e(label)}</text>")
            else:
                at = float(frame.py(value))
                out.append(f"<line x1='{frame.left}' y1='{at:.1f}' x2='{right}' y2='{at:.1f}' "
                           "stroke='#ddd' stroke-dasharray='3,3'/>")
                out.append(f"<text x='{frame.left - 6}' y='{at + 4:.1f}' text-anchor='end' "
                           f"font-size='11' fill='#333'>{_e(label)}</text>")
    out.append(f"<rect x='{frame.left}' y='{frame.top}' width='{frame.width}' "
               f"height='{frame.height}' fill='none' stroke='#888'/>")
    out.append(f"<text x='{frame.left + frame.width / 2:.1f}' y='{bottom + 36}' "
               f"text-anchor='middle' font-size='12' fill='#333'>"
               f"{_e(chart.axes.x_axis.label)}</text>")
    middle = frame.top + frame.height / 2
    out.append(f"<text x='14' y='{middle:.1f}' text-anchor='middle' font-size='12' fill='#333' "
               f"transform='rotate(-90 14 {middle:.1f})'>{_e(chart.axes.y_axis.label)}</text>")
    return out


def _legend(frame: _Frame, entries) -> list[str]:
    out, y = [], frame.top + 6
    x = frame.left + frame.width + 16
    for label, colour, dash in entries:
        dashed = f" stroke-dasharray='{dash}'" if dash else ""
        out.append(f"<line x1='{x}' y1='{y:.1f}' x2='{x + 24}' y2='{y:.1f}' "
                   f"stroke='{_e(colour)}' stroke-width='3'{dashed}/>")
        lines = textwrap.wrap(label, _LEGEND_CHARS) or [""]
        for i, line in enumerate(lines):
            out.append(f"<text x='{x + 30}' y='{y + 4 + i * 14:.1f}' font-size='12' "
                       f"fill='#222'>{_e(line)}</text>")
        y += 20 + 14 * (len(lines) - 1)
    return out


def _chart(chart, top: float, index: int, smoothing: bool) -> list[str]:
    """One chart's SVG elements, its plot area ``top`` pixels down the picture."""
    xb, yb = chart.axes.bounds("x"), chart.axes.bounds("y")
    out = [f"<text x='{WIDTH / 2 - _MARGIN['right'] / 2:.1f}' y='{top + 22}' "
           f"text-anchor='middle' font-size='14' font-weight='bold' fill='#222'>"
           f"{_e(chart.group.quantity)}</text>"]
    if xb is None or yb is None:
        return out + [f"<text x='{_MARGIN['left']}' y='{top + 60}' font-size='12' "
                      "fill='#555'>no points yet</text>"]
    frame = _Frame(top, xb, yb, bool(chart.axes.log))
    clip = f"metricwidgets-plot-{index}"
    out.append(f"<clipPath id='{clip}'><rect x='{frame.left}' y='{frame.top}' "
               f"width='{frame.width}' height='{frame.height}'/></clipPath>")
    marks, legend = _series(frame, chart, smoothing, clip)
    return out + _axes(frame, chart) + marks + _legend(frame, legend)


def plot_svg(title: str, charts, findings=(), subtitle: str = "",
             smoothing: bool = True) -> str:
    """The picture of a plot: ``title`` (and ``subtitle``) on top, each chart of ``charts``
    (:class:`~metricwidgets.widgets.liveplot._chart.Chart` after an update) with its legend
    beside it, then ``findings`` (``(severity, text)`` pairs, one line each, wrapped)."""
    body = [f"<text x='12' y='24' font-size='16' font-weight='bold' fill='#222'>"
            f"{_e(title)}</text>"]
    top = 34.0
    if subtitle:
        body.append(f"<text x='12' y='44' font-size='12' fill='#444'>{_e(subtitle)}</text>")
        top = 52.0
    for index, chart in enumerate(charts):
        body += _chart(chart, top, index, smoothing)
        top += CHART_HEIGHT
    if not charts:
        body.append(f"<text x='12' y='{top + 20}' font-size='12' fill='#555'>no metric values "
                    "yet</text>")
        top += 34
    for severity, text in findings:
        colour = _SEVERITY_COLOUR.get(severity, "#333")
        for i, line in enumerate(textwrap.wrap(text, _FINDING_CHARS) or [""]):
            mark = "\u25c6 " if i == 0 else "   "
            body.append(f"<text x='12' y='{top + 14:.1f}' font-size='12' fill='{colour}' "
                        f"xml:space='preserve'>{_e(mark + line)}</text>")
            top += _LINE
    height = int(math.ceil(top + 10))
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height}' "
            f"viewBox='0 0 {WIDTH} {height}' {_FONT}>"
            f"<rect width='{WIDTH}' height='{height}' fill='white'/>" + "".join(body) + "</svg>")


def chart_image(chart, title: str, fmt: str = "svg", smoothing: bool = True) -> bytes:
    """One chart as SVG bytes: ``title``, curves, ticks, legend beside the plot and the
    chart's diagnoses under it.

    Raises
    ------
    ValueError
        For a format other than ``svg`` (PNG would need a rasteriser the package does not
        depend on).
    """
    if fmt != "svg":
        raise ValueError(f"image format must be svg, got {fmt!r}")
    notes = [(d.severity, f"{owner + ': ' if owner else ''}{d.text}")
             for owner, d in chart.marks.named()]
    return plot_svg(title, [chart], notes, smoothing=smoothing).encode("utf-8")
