"""Exports: every series at full resolution as CSV (a download link), a chart as PNG.

The CSV is built only when asked (a click), from the store's full-resolution columns, and
handed to the browser as a ``data:`` URL inside an ``ipywidgets.HTML`` link, which works
where file links do not (VS Code, SageMaker Studio).
"""

from __future__ import annotations

import base64
import html
import re

import ipywidgets as widgets

__all__ = ["Export", "csv_data_url", "safe_filename"]


def safe_filename(name: str, suffix: str) -> str:
    """A file name made of ``name``'s safe characters plus ``suffix``."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "metrics"
    # Keep the end of a long name (a command line ends with what tells runs apart).
    return stem[-60:].lstrip("._-") + re.sub(r"[^A-Za-z0-9_.-]+", "_", suffix)


def csv_data_url(csv_text: str) -> str:
    """``data:text/csv;base64,...`` for ``csv_text``."""
    return "data:text/csv;base64," + base64.b64encode(csv_text.encode("utf-8")).decode("ascii")


class Export(widgets.HBox):
    """A CSV button that turns into a download link, and a PNG button per chart.

    Parameters
    ----------
    store : MetricStore
        Read at click time.
    name : str
        Base of the file names.
    charts : callable
        Returns the charts shown now (objects with ``figure`` and ``group.quantity``).
    """

    def __init__(self, store, name: str, charts):
        self._store = store
        self._name = name
        self._charts = charts
        self.csv_button = widgets.Button(description="CSV", icon="download",
                                         tooltip="every point at full resolution")
        self.png_button = widgets.Button(description="PNG", icon="image",
                                         tooltip="save each chart as a PNG")
        self.link = widgets.HTML("")
        self.csv_button.on_click(lambda _b: self.make_csv_link())
        self.png_button.on_click(lambda _b: self.save_pngs())
        super().__init__([self.csv_button, self.png_button, self.link])

    def make_csv_link(self) -> str:
        """Build the CSV of every point and show a download link; return the CSV text."""
        text = self._store.to_csv()
        filename = safe_filename(self._name, ".csv")
        rows = max(text.count("\n") - 1, 0)
        self.link.value = (f"<a download='{html.escape(filename, quote=True)}' "
                           f"href='{csv_data_url(text)}' target='_blank'>"
                           f"download {html.escape(filename)} ({rows} rows)</a>")
        return text

    def save_pngs(self) -> list[str]:
        """Ask the browser to save each shown chart as a PNG (bqplot's ``save_png``)."""
        names = []
        for chart in self._charts():
            filename = safe_filename(self._name, f"-{chart.group.quantity}.png")
            chart.figure.save_png(filename)
            names.append(filename)
        return names
