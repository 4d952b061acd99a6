"""Exports: every series at full resolution as CSV, the plot's picture as SVG (download links).

The SVG link is always there, its ``data:`` URL the plot's picture
(:func:`~metricwidgets.widgets.liveplot._picture.picture_of`: title, charts with their
legends and ticks, findings), redrawn when the watch finishes and at most every
:data:`PICTURE_INTERVAL` seconds while it runs: one click downloads it, under the job's
name. The CSV is built only when asked (it is O(every point)), then offered as a link. Both
are ``data:`` URLs inside ``ipywidgets.HTML``, which work where file links do not (VS Code,
SageMaker Studio). Nothing here needs matplotlib.
"""

from __future__ import annotations

import base64
import html
import os
import re
import shlex
import threading
import time

import ipywidgets as widgets

from metricwidgets.widgets.liveplot._picture import PICTURE_INTERVAL

__all__ = ["Export", "csv_data_url", "file_stem", "safe_filename"]

_BUTTON = ("display:inline-block;padding:2px 10px;margin:2px 4px;border:1px solid #999;"
           "border-radius:2px;background:#eee;color:#222;text-decoration:none")


def file_stem(name: str) -> str:
    """What a file of a plot named ``name`` is called: a job's name as it is; a command
    line (``python -m metricwidgets.examples.train_digits --epochs 30``) by its program
    (``train_digits``), not by a cut-off tail of its words."""
    try:
        words = shlex.split(name)
    except ValueError:
        words = name.split()
    if len(words) > 1:
        program = words[1:]
        if words[1:2] == ["-m"] and len(words) > 2:
            return words[2].rsplit(".", 1)[-1]
        scripts = [w for w in program if not w.startswith("-")]
        first = scripts[0] if scripts and os.path.basename(words[0]).startswith("python") \
            else words[0]
        return os.path.splitext(os.path.basename(first))[0] or "metrics"
    return name


def safe_filename(name: str, suffix: str) -> str:
    """A file name made of ``name``'s safe characters plus ``suffix`` (at most 60 of them,
    cut at a word's end)."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", file_stem(name)).strip("._-") or "metrics"
    if len(stem) > 60:
        stem = stem[:60].rsplit("_", 1)[0].rstrip("._-") or stem[:60]
    return stem + re.sub(r"[^A-Za-z0-9_.-]+", "_", suffix)


def csv_data_url(csv_text: str) -> str:
    """``data:text/csv;base64,...`` for ``csv_text``."""
    return "data:text/csv;base64," + base64.b64encode(csv_text.encode("utf-8")).decode("ascii")


def _anchor(filename: str, url: str, words: str) -> str:
    return (f"<a download='{html.escape(filename, quote=True)}' href='{url}' "
            f"class='metricwidgets-download' style='{_BUTTON}'>{html.escape(words)}</a>")


class Export(widgets.HBox):
    """A CSV button (the CSV is built on the click) and a one-click SVG download link.

    Parameters
    ----------
    store : MetricStore
        Read at click time.
    name : str
        Base of the file names (a job's name, or a command line).
    picture : callable
        ``picture() -> (svg_text, plain_text)``, the plot's picture now.

    Attributes
    ----------
    svg : ipywidgets.HTML
        The SVG link.
    svg_text : str
        The picture the link downloads.
    """

    def __init__(self, store, name: str, picture):
        self._store = store
        self._name = name
        self._picture = picture
        self._lock = threading.Lock()
        self._drawn_at = -float("inf")
        self.svg_text = ""
        self.csv_button = widgets.Button(description="CSV", icon="download",
                                         tooltip="every point at full resolution")
        self.svg = widgets.HTML("")
        self.link = widgets.HTML("")
        self.csv_button.on_click(lambda _b: self.make_csv_link())
        super().__init__([self.csv_button, self.svg, self.link],
                         layout=widgets.Layout(align_items="center"))

    def make_csv_link(self) -> str:
        """Build the CSV of every point and show a download link; return the CSV text."""
        text = self._store.to_csv()
        filename = safe_filename(self._name, ".csv")
        rows = max(text.count("\n") - 1, 0)
        self.link.value = _anchor(filename, csv_data_url(text), f"{filename} ({rows} rows)")
        return text

    def refresh(self, now: bool = False) -> bool:
        """Redraw the SVG link's picture when ``now`` or when :data:`PICTURE_INTERVAL`
        passed since the last time; return whether it was redrawn."""
        with self._lock:
            if not now and time.monotonic() - self._drawn_at < PICTURE_INTERVAL:
                return False
            self._drawn_at = time.monotonic()
        svg, _words = self._picture()
        url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
        self.svg_text = svg
        value = _anchor(safe_filename(self._name, ".svg"), url, "SVG")
        if self.svg.value != value:
            self.svg.value = value
        return True

    def make_image_links(self, fmt: str = "svg") -> dict[str, bytes]:
        """The plot's picture now, by file name (and the link redrawn).

        Raises
        ------
        ValueError
            For a format other than ``svg``.
        """
        if fmt != "svg":
            raise ValueError(f"image format must be svg, got {fmt!r}")
        self.refresh(now=True)
        return {safe_filename(self._name, ".svg"): self.svg_text.encode("utf-8")}
