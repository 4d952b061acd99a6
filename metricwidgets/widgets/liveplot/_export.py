"""Exports: every series at full resolution as CSV, each chart as PNG or SVG (download links).

The CSV is built only when asked (a click), from the store's full-resolution columns, and
handed to the browser as a ``data:`` URL inside an ``ipywidgets.HTML`` link, which works
where file links do not (VS Code, SageMaker Studio). The images are drawn in the kernel
(:mod:`~metricwidgets.widgets.liveplot._chart_image`): title (the job), legend, ticks and diagnoses,
on white.
"""

from __future__ import annotations

import base64
import html
import re

import ipywidgets as widgets

from metricwidgets.widgets.liveplot._chart_image import chart_image

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
    """CSV, PNG and SVG buttons that turn into download links.

    Parameters
    ----------
    store : MetricStore
        Read at click time.
    name : str
        Base of the file names.
    charts : callable
        Returns the charts shown now (:class:`~metricwidgets.widgets.liveplot._chart.Chart`).
    """

    def __init__(self, store, name: str, charts):
        self._store = store
        self._name = name
        self._charts = charts
        self.csv_button = widgets.Button(description="CSV", icon="download",
                                         tooltip="every point at full resolution")
        self.png_button = widgets.Button(description="PNG", icon="image",
                                         tooltip="each chart as a PNG, as shown")
        self.svg_button = widgets.Button(description="SVG", icon="image",
                                         tooltip="each chart as an SVG, as shown")
        self.link = widgets.HTML("")
        self.csv_button.on_click(lambda _b: self.make_csv_link())
        self.png_button.on_click(lambda _b: self.make_image_links("png"))
        self.svg_button.on_click(lambda _b: self.make_image_links("svg"))
        super().__init__([self.csv_button, self.png_button, self.svg_button, self.link])

    def make_csv_link(self) -> str:
        """Build the CSV of every point and show a download link; return the CSV text."""
        text = self._store.to_csv()
        filename = safe_filename(self._name, ".csv")
        rows = max(text.count("\n") - 1, 0)
        self.link.value = (f"<a download='{html.escape(filename, quote=True)}' "
                           f"href='{csv_data_url(text)}' target='_blank'>"
                           f"download {html.escape(filename)} ({rows} rows)</a>")
        return text

    def make_image_links(self, fmt: str = "png") -> dict[str, bytes]:
        """Draw each shown chart as ``fmt`` (png or svg) and show download links; return
        the images by file name."""
        images, links = {}, []
        mime = {"png": "image/png", "svg": "image/svg+xml"}[fmt]
        for chart in self._charts():
            filename = safe_filename(self._name, f"-{chart.group.quantity}.{fmt}")
            data = chart_image(chart, f"{self._name}: {chart.group.quantity}", fmt,
                               smoothing=bool(getattr(chart, "smoothing", True)))
            images[filename] = data
            url = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
            links.append(f"<a download='{html.escape(filename, quote=True)}' href='{url}' "
                         f"target='_blank'>download {html.escape(filename)}</a>")
        self.link.value = " &middot; ".join(links)
        return images
