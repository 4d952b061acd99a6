"""Exports, each one click: every series at full resolution as CSV, the plot's picture as
SVG or PNG, downloaded under the job's name.

:class:`Export` is an anywidget (its few lines of JavaScript below ship in this module, no
build step) drawing three buttons. Its ``svg`` is the plot's picture
(:func:`~metricwidgets.widgets.liveplot._picture.picture_of`: title, charts with their
legends and ticks, findings), redrawn when the watch finishes and at most every
:data:`PICTURE_INTERVAL` seconds while it runs: **SVG** saves it at once, **PNG** has the
browser rasterise it on a canvas first (twice its size, on white), so neither needs
matplotlib, nor the kernel to be free. The CSV is O(every point) and built only when asked:
**CSV** sends the kernel one message, and the answer (the CSV as a binary buffer) is saved
on arrival. A file is saved from a ``Blob`` through a ``download`` link the module clicks
itself: no second click on a link that appears, and it works where file links do not
(VS Code, SageMaker Studio).
"""

from __future__ import annotations

import os
import re
import shlex
import threading
import time

import anywidget
import traitlets

from metricwidgets.widgets.liveplot._picture import PICTURE_INTERVAL

__all__ = ["Export", "file_stem", "safe_filename"]


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


_ESM = r"""
function save(name, blob) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.style.display = "none";
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// The SVG drawn on a white canvas at `scale` times its size, as a PNG blob.
async function rasterise(svg, scale) {
  const image = new Image();
  image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(image.naturalWidth * scale));
  canvas.height = Math.max(1, Math.round(image.naturalHeight * scale));
  const context = canvas.getContext("2d");
  context.fillStyle = "white";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

function render({ model, el }) {
  const row = document.createElement("div");
  row.className = "metricwidgets-export";
  el.appendChild(row);
  const note = document.createElement("span");
  note.className = "metricwidgets-export-note";
  note.setAttribute("role", "status");

  function button(words, title, act) {
    const node = document.createElement("button");
    node.className = "metricwidgets-export-button";
    node.textContent = words;
    node.title = title;
    node.addEventListener("click", act);
    row.appendChild(node);
    return node;
  }

  const csv = button("CSV", "every point at full resolution", () => {
    csv.disabled = true;
    note.textContent = "building the CSV\u2026";
    model.send({ ask: "csv" });
  });
  const svg = button("SVG", "the plot's picture", () => {
    save(model.get("stem") + ".svg", new Blob([model.get("svg")], { type: "image/svg+xml" }));
  });
  const png = button("PNG", "the plot's picture, rasterised here", async () => {
    try {
      const blob = await rasterise(model.get("svg"), 2);
      save(model.get("stem") + ".png", blob);
      note.textContent = "";
    } catch (error) {
      note.textContent = "PNG failed: " + error;
    }
  });
  row.appendChild(note);

  function ready() {
    const none = !model.get("svg");
    svg.disabled = none;
    png.disabled = none;
  }
  model.on("change:svg", ready);
  ready();
  model.on("msg:custom", (message, buffers) => {
    if (message.kind !== "csv") return;
    csv.disabled = false;
    note.textContent = message.error || "";
    if (!message.error) {
      save(model.get("stem") + ".csv", new Blob([buffers[0]], { type: "text/csv" }));
    }
  });
}

export default { render };
"""

_CSS = r"""
.metricwidgets-export { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.metricwidgets-export-button {
  padding: 2px 10px; border: 1px solid #999; border-radius: 2px; background: #eee;
  color: #222; cursor: pointer; font: inherit;
}
.metricwidgets-export-button:disabled { color: #888; cursor: default; }
.metricwidgets-export-note { color: #555; }
"""


class Export(anywidget.AnyWidget):
    """Three one-click downloads: CSV (built by the kernel on the click), SVG and PNG (the
    picture the kernel last drew, saved or rasterised in the browser).

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
    stem : str
        The files' name without its suffix (:func:`safe_filename`).
    svg : str
        The picture SVG and PNG download (empty before the first :meth:`refresh`).

    Thread-safety: :meth:`refresh` may be called from any thread.
    """

    _esm = _ESM
    _css = _CSS
    stem = traitlets.Unicode("metrics").tag(sync=True)
    svg = traitlets.Unicode("").tag(sync=True)

    def __init__(self, store, name: str, picture):
        super().__init__(stem=safe_filename(name, ""))
        self._store = store
        self._picture = picture
        self._lock = threading.Lock()
        self._drawn_at = -float("inf")
        self.on_msg(self._on_message)

    def file_name(self, suffix: str) -> str:
        """The name a download of kind ``suffix`` (``.csv``, ``.svg``, ``.png``) is saved as."""
        return self.stem + suffix

    def csv(self) -> str:
        """Every point at full resolution, as CSV text."""
        return self._store.to_csv()

    def _on_message(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict) or content.get("ask") != "csv":
            return
        try:
            data = self.csv().encode("utf-8")
        except Exception as exc:  # noqa: BLE001 a widget shows one line, never a traceback
            self.send({"kind": "csv", "error": f"CSV failed: {type(exc).__name__}: {exc}"})
            return
        self.send({"kind": "csv"}, [data])

    def refresh(self, now: bool = False) -> bool:
        """Redraw the picture SVG and PNG download when ``now`` or when
        :data:`PICTURE_INTERVAL` passed since the last time; return whether it was redrawn."""
        with self._lock:
            if not now and time.monotonic() - self._drawn_at < PICTURE_INTERVAL:
                return False
            self._drawn_at = time.monotonic()
        svg, _words = self._picture()
        if self.svg != svg:
            self.svg = svg
        return True

    def svg_file(self) -> tuple[str, bytes]:
        """The plot's picture now (redrawn), with the file name SVG saves it under."""
        self.refresh(now=True)
        return self.file_name(".svg"), self.svg.encode("utf-8")
