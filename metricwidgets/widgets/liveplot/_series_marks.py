"""The marks of one series on a chart: its raw points, its smoothed line and the invisible
hover targets that read it, with what the last update drew of it (for the readout)."""

from __future__ import annotations

from bqplot import Lines, Scatter

from metricwidgets.core.store import SeriesKey, SeriesSnapshot
from metricwidgets.widgets.liveplot._view import SeriesCache

__all__ = ["SeriesMarks"]


class SeriesMarks:
    """The marks of one series and what the last update drew (for the readout)."""

    def __init__(self, key: SeriesKey, label: str, colour: str, dash: str, scales: dict):
        self.key, self.label, self.colour, self.dash = key, label, colour, dash
        self.cache = SeriesCache()
        self.snapshot: SeriesSnapshot | None = None
        self.view = None
        self.build(scales)

    def build(self, scales: dict) -> None:
        """New marks on ``scales`` (after a toggle), empty until the next update."""
        self.raw = Lines(x=[], y=[], scales=scales, colors=[self.colour], opacities=[0.25],
                         stroke_width=1, line_style=self.dash, marker_size=20)
        self.smooth = Lines(x=[], y=[], scales=scales, colors=[self.colour], stroke_width=2,
                            line_style=self.dash, labels=[self.label])
        # Invisible but hit-tested: the mouse over one reads every series at its x.
        self.hover = Scatter(x=[], y=[], scales=scales, colors=[self.colour], default_size=200,
                             opacities=[0.0], enable_hover=True)

    @property
    def marks(self):
        return [self.raw, self.smooth, self.hover]
