"""A plot's output carries a picture of itself, so the chart outlives its kernel.

Displayed, a :class:`~metricwidgets.widgets.liveplot._live_plot.LivePlot` publishes one
``display_data`` whose bundle holds the widget view
(``application/vnd.jupyter.widget-view+json``), an SVG picture of the plot
(``image/svg+xml``, :func:`~metricwidgets.widgets.liveplot._chart_image.plot_svg`), a line of
``text/plain`` and :data:`PLOT_MIMETYPE`, which our JupyterLab extension renders: the live
widget while its model exists, else the picture (a saved notebook reopened without its
kernel shows the chart, not "model not found"). The others take the picture on their own:
``nbconvert --to html`` of a notebook saved without widget state (JupyterLab's default),
GitHub, nbviewer.

Each display gets a ``display_id`` and remembers the request it answered (its parent
message), so that the picture can be replaced in place later from any thread, the
poller's included. Front ends route an ``update_display_data`` by its display id, whatever
cell it is sent for; it is sent as part of the kernel's latest request (the cell running
now), because a headless client (nbclient: ``nbconvert --execute``, papermill) reads only
the messages of the cell it is running and would drop an update sent for a cell it has
finished. The picture is refreshed when the watch finishes, at most every
:data:`PICTURE_INTERVAL` seconds while it runs, and when the plot is closed (then without the
widget view: the widget is gone, the picture stays). Our extension keeps the live view
through an update; a front end without it renders the updated output afresh.

A display made for a request that allowed no input (``allow_stdin`` false: a headless run,
where no one can use the widget) loses its widget view once the watch finishes, as on
close: ``nbconvert --execute`` stores every widget's state by default, and its HTML would
then draw the widget from that state with JavaScript fetched from unpkg.com (nothing where
that cannot load: an e-mailed or offline file) instead of showing the picture. A live front
end (JupyterLab, Notebook 7, VS Code) sends ``allow_stdin`` true and keeps the widget.

Thread-safety: every method may be called from any thread.
"""

from __future__ import annotations

import contextvars
import threading
import time
import uuid
from collections.abc import Callable

__all__ = ["PICTURE_INTERVAL", "PLOT_MIMETYPE", "StaticPicture", "WIDGET_VIEW", "picture_of"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: What our JupyterLab extension renders: the widget while it lives, else the picture.
PLOT_MIMETYPE = "application/vnd.metricwidgets.plot+json"
#: Seconds between two refreshes of a running plot's picture at most.
PICTURE_INTERVAL = 30.0
_NEVER = object()  # no finished picture published yet


def _kernel():
    """The running ipykernel, or None (a terminal IPython, a script, a test)."""
    try:
        from ipykernel.kernelbase import Kernel
    except ImportError:  # pragma: no cover - ipywidgets brings ipykernel
        return None
    return Kernel.instance() if Kernel.initialized() else None


class StaticPicture:
    """The displays of one plot and their pictures.

    Parameters
    ----------
    draw : callable
        ``draw() -> (svg_text, plain_text)``: the picture and the words of the plot now
        (``svg_text`` None: no picture yet, the words alone).

    Attributes
    ----------
    displays : list of (str, dict or None)
        Each display's id and the parent message it answered.
    followers : list of (StaticPicture, callable)
        Pictures refreshed with this one (:meth:`follow_with`).
    published : int
        Pictures published so far (first displays and updates).
    """

    def __init__(self, draw):
        self._draw = draw
        self._lock = threading.Lock()
        self.displays: list[tuple[str, dict | None]] = []
        self.followers: list[tuple[StaticPicture, Callable[[], str | None]]] = []
        self.published = 0
        self._finished_version = _NEVER
        self._updated_at = time.monotonic()
        self._updates = 0  # update() calls begun: a display drawn meanwhile may be stale
        self._gone = False  # the widget was closed: later pictures carry no widget view

    def draw(self) -> tuple[str | None, str]:
        """``(svg or None, plain_text)``: the picture and the words now."""
        return self._draw()

    def follow_with(self, picture: StaticPicture, model_id: Callable[[], str | None]) -> None:
        """Refresh ``picture`` too whenever this one is refreshed: the picture of a widget
        that holds this plot (a RunsTable's overlay), shown as the widget ``model_id()``
        (None once that widget is gone). It is refreshed at once."""
        with self._lock:
            self.followers.append((picture, model_id))
        picture.update(model_id())

    def bundle(self, model_id: str | None) -> dict:
        """The mimebundle: the widget view (when ``model_id``), the SVG (when there is a
        picture), the plain text."""
        return _bundle(*self._draw(), model_id)

    def display(self, model_id: str) -> None:
        """Show the plot (the widget and its picture) where IPython displays things."""
        from IPython.display import display

        display_id = uuid.uuid4().hex
        kernel = _kernel()
        parent = kernel.get_parent() if kernel is not None else None
        with self._lock:
            updates = self._updates
        data = self.bundle(model_id)  # drawn outside the lock: drawing takes the plot's
        with self._lock:
            self.displays.append((display_id, parent))
            self.published += 1
            # A refresh (the job finished) begun while this was drawn did not know this
            # display: it would keep the older picture.
            stale = self._updates != updates
            finished = self._finished_version is not _NEVER
        display(data, raw=True, display_id=display_id)
        if stale:
            self.update(model_id, finished=finished)

    def tick(self, model_id: str, finished: bool, version=None) -> bool:
        """After a redraw: refresh the displays' picture once the watch ``finished`` (once
        for each data ``version``: a job that joined later and ended is drawn too), or when
        :data:`PICTURE_INTERVAL` passed since the last refresh; return whether it did."""
        with self._lock:
            if not (self.displays or self.followers):
                return False
            if finished and self._finished_version == version:
                return False
            due = time.monotonic() - self._updated_at >= PICTURE_INTERVAL
            if not (finished or due):
                return False
            self._finished_version = version if finished else _NEVER
            self._updated_at = time.monotonic()
        self.update(model_id, finished=finished)
        return True

    def update(self, model_id: str | None, finished: bool = False) -> None:
        """Replace every display of the plot with the picture now (``model_id`` None: the
        widget is gone, the picture alone stays; once ``finished``, a headless run's
        displays lose the widget view too). Never raises: a plot must not fail because a
        front end went away."""
        with self._lock:
            self._updates += 1
            self._gone = self._gone or model_id is None
            displays = list(self.displays)
            followers = list(self.followers)
        try:
            if displays:
                svg, plain = self._draw()
                with self._lock:
                    # A refresh drawn before the widget closed, published after: no view.
                    live = _bundle(svg, plain, None if self._gone else model_id)
                    still = _bundle(svg, plain, None)
                    for display_id, parent in displays:
                        data = still if finished and _headless(parent) else live
                        _publish_update(data, display_id, parent)
                    self.published += 1
        except Exception:  # noqa: BLE001 - the picture is a courtesy, the plot goes on
            pass
        for picture, follower_id in followers:
            picture.update(None if model_id is None else follower_id(), finished=finished)


def _bundle(svg: str | None, plain: str, model_id: str | None) -> dict:
    """The picture (None: none yet), its words and, while ``model_id`` lives, the widget
    view. Our mimetype is always there: our extension shows the picture as an image even in
    an untrusted notebook (JupyterLab renders no SVG output of a notebook it does not
    trust)."""
    data = {"text/plain": plain, PLOT_MIMETYPE: {}}
    if svg is not None:
        data["image/svg+xml"] = svg
    if model_id:
        data[WIDGET_VIEW] = {"version_major": 2, "version_minor": 0, "model_id": model_id}
        data[PLOT_MIMETYPE] = {"model_id": model_id}
    return data


def _headless(parent: dict | None) -> bool:
    """The request ``parent`` came from a client that takes no input (``allow_stdin``
    false, the protocol's default being true): nbclient, papermill, ``nbconvert --execute``."""
    content = (parent or {}).get("content") or {}
    return content.get("allow_stdin", True) is False


def _publish_update(data: dict, display_id: str, parent: dict | None) -> None:
    """``update_display_data`` for ``display_id``, sent on the kernel's IOPub socket from any
    thread as part of the kernel's latest request (else of ``parent``, the request of the
    cell that displayed it)."""
    kernel = _kernel()
    if kernel is None or parent is None:
        from IPython.display import update_display

        update_display(data, raw=True, display_id=display_id)
        return
    latest = _latest_request(kernel)
    publisher = kernel.shell.display_pub
    content = {"data": data, "metadata": {}, "transient": {"display_id": display_id}}
    message = kernel.session.msg("update_display_data", content,
                                 parent=latest if latest.get("header") else parent)
    kernel.session.send(publisher.pub_socket, message, ident=publisher.topic)


def _latest_request(kernel) -> dict:
    """The shell request the kernel received last, read from a fresh context: a thread
    asking in a context of its own (the poller's, maybe copied from the cell that started
    it) would get that context's request; an empty one falls back to the kernel's latest
    (ipykernel 7 keeps the parent in a context variable; ipykernel 6 in one dict)."""
    return contextvars.Context().run(kernel.get_parent, "shell") or {}


def picture_of(plot) -> tuple[str, str]:
    """``(svg, plain_text)`` of ``plot`` (a LivePlot) as drawn last: its name and status,
    the charts shown, the findings listed."""
    from metricwidgets.widgets.liveplot._chart_image import plot_svg

    with plot.lock:  # the plot as drawn last: no redraw meanwhile
        watch = plot.watch
        name = str(getattr(watch, "name", "") or "metrics")
        statuses = list(getattr(watch, "statuses", {}).values())
        said = ", ".join(dict.fromkeys(s.status for s in statuses))
        charts = [plot.charts[key] for key in plot.shown_keys()]
        findings = [(f.severity, line) for f, line in zip(plot.findings.findings,
                                                          plot.findings.lines)]
        smoothing = bool(plot.controls.smoothing.value)
        svg = plot_svg(name, charts, findings, subtitle=said, smoothing=smoothing)
    words = [f"LivePlot of {name}" + (f" ({said})" if said else "")]
    words += [f"- {line}" for _, line in findings]
    return svg, "\n".join(words)
