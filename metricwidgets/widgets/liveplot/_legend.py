"""A chart's legend: an HTML column beside the figure, one checkbox per series.

Beside the plot area, not inside it, so it never covers a curve (bqplot's own legend sat on
the data, could not toggle a series and vanished with the smoothed line at smoothing 0).
Each entry shows the series' colour and dash as a small SVG swatch; unticking it hides the
series, ticking shows it again.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

__all__ = ["LEGEND_WIDTH", "Legend", "swatch_svg"]

LEGEND_WIDTH = "230px"
_DASHARRAY = {"solid": "", "dashed": "6,3", "dotted": "2,2"}
# A long label wraps instead of ending in an ellipsis: two tuning children or two hosts often
# differ only at the end of their names. Carried in the swatch's HTML, so it applies wherever
# the widgets render (JupyterLab, Notebook, VS Code), with or without our labextension.
_WRAP_STYLE = ("<style>.metricwidgets-legend-entry .widget-checkbox,"
               ".metricwidgets-legend-entry .widget-checkbox label{height:auto;"
               "white-space:normal;overflow-wrap:anywhere;line-height:1.25}</style>")


def swatch_svg(colour: str, dash: str, width: int = 28, height: int = 10) -> str:
    """A short line in ``colour`` and ``dash`` (an inline SVG)."""
    dasharray = _DASHARRAY.get(dash, "")
    attr = f" stroke-dasharray='{dasharray}'" if dasharray else ""
    return (f"<svg width='{width}' height='{height}' style='vertical-align:middle'>"
            f"<line x1='1' y1='{height / 2}' x2='{width - 1}' y2='{height / 2}' "
            f"stroke='{html.escape(colour, quote=True)}' stroke-width='3'{attr}/></svg>")


class _Entry(widgets.HBox):
    def __init__(self, key, label: str, colour: str, dash: str, on_toggle):
        self.key = key
        self.swatch = widgets.HTML(_WRAP_STYLE + swatch_svg(colour, dash),
                                   layout=widgets.Layout(width="32px", min_width="32px"))
        self.checkbox = widgets.Checkbox(value=True, description=label, indent=False,
                                         tooltip=label,
                                         layout=widgets.Layout(width="190px"))
        self.checkbox.observe(lambda change: on_toggle(self.key, bool(change["new"])),
                              names="value")
        super().__init__([self.swatch, self.checkbox],
                         layout=widgets.Layout(align_items="center", min_height="24px"))
        self.add_class("metricwidgets-legend-entry")
        self.style_key = (label, colour, dash)

    def restyle(self, label: str, colour: str, dash: str) -> None:
        if self.style_key != (label, colour, dash):
            self.style_key = (label, colour, dash)
            self.swatch.value = _WRAP_STYLE + swatch_svg(colour, dash)
            self.checkbox.description = label
            self.checkbox.tooltip = label


class Legend(widgets.VBox):
    """Entries ``(key, label, colour, dash)``; ``on_toggle(key, shown)`` on each click.

    Attributes
    ----------
    hidden : set
        Keys of the series the user unticked.
    """

    def __init__(self, on_toggle=None):
        self._on_toggle = on_toggle
        self._entries: dict = {}
        self.hidden: set = set()
        super().__init__([], layout=widgets.Layout(width=LEGEND_WIDTH, min_width=LEGEND_WIDTH,
                                                   max_height="300px", overflow="auto",
                                                   padding="30px 0 0 4px"))
        self.add_class("metricwidgets-legend")

    def _toggled(self, key, shown: bool) -> None:
        (self.hidden.discard if shown else self.hidden.add)(key)
        if self._on_toggle is not None:
            self._on_toggle(key, shown)

    def set_entries(self, entries: list[tuple]) -> None:
        """Show exactly ``entries`` (in order); an entry keeps its tick across calls."""
        children = []
        for key, label, colour, dash in entries:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry(key, label, colour, dash, self._toggled)
            else:
                entry.restyle(label, colour, dash)
            children.append(entry)
        children = tuple(children)
        if self.children != children:
            self.children = children

    def entry(self, key) -> _Entry:
        return self._entries[key]

    def __contains__(self, key) -> bool:
        return key in self._entries

    def close(self) -> None:
        for entry in self._entries.values():
            entry.close()
        super().close()
