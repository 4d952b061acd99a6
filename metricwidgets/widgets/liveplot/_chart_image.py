"""A chart as a PNG or SVG image made in the kernel: what the chart shows, on white.

Drawn with matplotlib's object API (no pyplot, so the kernel's backend is untouched) from the
chart's last drawn views, its kernel-computed ticks, its legend entries (hidden series left
out) and its diagnoses, titled with the job. bqplot's own ``save_png`` copied the browser's
SVG, which lost the stylesheet: a black legend box and collapsed ticks.
"""

from __future__ import annotations

import io
import textwrap

__all__ = ["chart_image"]

_DASH = {"solid": "-", "dashed": "--", "dotted": ":"}


def _draw_series(ax, chart, smoothing: bool) -> None:
    for key, series in chart.series.items():
        view = series.view
        if view is None or key in chart.legend.hidden or not series.raw.visible:
            continue
        style = _DASH.get(series.dash, "-")
        marker = "o" if view.visible <= 40 else None
        ax.plot(view.x, view.y, color=series.colour, alpha=0.3 if smoothing else 0.9,
                linewidth=1, linestyle=style, marker=marker, markersize=3,
                label=None if smoothing else series.label)
        if smoothing:
            ax.plot(view.sx, view.sy, color=series.colour, linewidth=2, linestyle=style,
                    label=series.label)


def _apply_axes(ax, chart) -> None:
    axes = chart.axes
    if axes.log:
        ax.set_yscale("log")
    for which, set_lim, set_ticks in (("x", ax.set_xlim, ax.set_xticks),
                                      ("y", ax.set_ylim, ax.set_yticks)):
        bounds = axes.bounds(which)
        if bounds is not None:
            set_lim(*bounds)
        ticks = axes.ticks.get(which)
        if ticks is not None:
            set_ticks(list(ticks.values), list(ticks.labels))
    if axes.log:
        ax.minorticks_off()
    ax.set_xlabel(axes.x_axis.label)
    ax.set_ylabel(axes.y_axis.label)
    ax.grid(True, linestyle="--", alpha=0.4)


def chart_image(chart, title: str, fmt: str = "png", smoothing: bool = True) -> bytes:
    """``chart`` (a :class:`~metricwidgets.widgets.liveplot._chart.Chart` after an update) as ``png``
    or ``svg`` bytes: title, curves, ticks, legend beside the plot and the diagnoses under it.

    Raises
    ------
    ValueError
        For a format other than ``png`` or ``svg``.
    """
    if fmt not in ("png", "svg"):
        raise ValueError(f"image format must be png or svg, got {fmt!r}")
    from matplotlib.figure import Figure

    notes = [f"{owner + ': ' if owner else ''}{d.text}" for owner, d in chart.marks.named()]
    wrapped = [line for note in notes for line in textwrap.wrap("\u25c6 " + note, 110)]
    height = 4.2 + 0.22 * len(wrapped)
    fig = Figure(figsize=(10, height), facecolor="white", dpi=100)
    bottom = (0.55 + 0.22 * len(wrapped)) / height
    ax = fig.add_axes((0.08, bottom, 0.64, 1 - bottom - 0.5 / height), facecolor="white")
    _draw_series(ax, chart, smoothing)
    _apply_axes(ax, chart)
    ax.set_title(title)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    for i, line in enumerate(wrapped):
        fig.text(0.01, (0.1 + 0.22 * (len(wrapped) - 1 - i)) / height, line, fontsize=9,
                 color="#b35900")
    buffer = io.BytesIO()
    if fmt == "png":
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        FigureCanvasAgg(fig).print_png(buffer)
    else:
        from matplotlib import rc_context
        from matplotlib.backends.backend_svg import FigureCanvasSVG
        with rc_context({"svg.fonttype": "none"}):  # real text, searchable and selectable
            FigureCanvasSVG(fig).print_svg(buffer)
    return buffer.getvalue()
