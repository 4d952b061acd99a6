"""``LivePlot``: live training/validation curves of a watched job, updating in place.

A :class:`LivePlot` wraps a :class:`~metricwidgets.polling.watch.Watch` (anything with its API) and
shows, top to bottom: a header (status, warnings, final metrics), the controls, one chart per
quantity (:mod:`metricwidgets.widgets.liveplot._chart`), the one list of findings (the metric
diagnoses and the instances' findings, :mod:`metricwidgets.widgets.liveplot._findings_list`), the
instances panel and the exports. The watch's poller thread calls the plot after each poll that
changed something; redraws are throttled (at most about three a second) and coalesced, and each
sends only what is visible (see :mod:`metricwidgets.widgets.liveplot._view`).

Lifecycle: :meth:`close` stops the watch (and any process it started) and every timer, and
closes the widgets; :meth:`stop` ends the watching only, the chart staying as drawn. Every
open plot is listed in :data:`LivePlot.instances` so a door (the magics) can close a plot a
re-run cell replaces, or stop all of them when the idle kernel is interrupted (Jupyter also
interrupts the kernel before each restart or shutdown: closing the widgets then would only
send the page closes for comms it has already dropped). Displaying the same plot twice shows
two views of the same widget models, so both stay live.
"""

from __future__ import annotations

import math
import re
import threading
import time
import weakref

import ipywidgets as widgets

from metricwidgets.core.diagnosis import merge_findings, snapshot_stalls
from metricwidgets.core.pairing import group_metrics
from metricwidgets.widgets.liveplot._palette import Palette
from metricwidgets.polling.finding_feed import running_jobs
from metricwidgets.errors import UserFacingError
from metricwidgets.widgets.liveplot._browser import FigureGuard, attach_link
from metricwidgets.widgets.liveplot._chart import Chart
from metricwidgets.widgets.liveplot._controls import ChartSettings, Controls
from metricwidgets.widgets.liveplot._export import Export
from metricwidgets.widgets.liveplot._findings_list import FindingsList
from metricwidgets.widgets.liveplot._header import Header
from metricwidgets.widgets.liveplot._instances_panel import InstancesPanel, time_span
from metricwidgets.widgets.liveplot._picture import StaticPicture, picture_of
from metricwidgets.widgets.liveplot._throttle import Throttle
from metricwidgets.widgets.liveplot._watched_values import (best_source, has_steps, time_origin,
                                                           values_are)

__all__ = ["LivePlot"]

#: Seconds between two redraws at most (coalescing what arrives in between).
REDRAW_INTERVAL = 0.3
#: Seconds between two redraws of a zoom or pan at most: a wheel sends a message per notch,
#: and the last one must be refined soon after the user stops (the 500 ms of issue 21).
VIEW_REDRAW_INTERVAL = 0.1
#: Seconds between two runs of the diagnoses (O(series) each) while data flows.
DIAGNOSE_INTERVAL = 2.0


def _chart_key(quantity: str) -> str:
    return re.sub(r"[:_\-/. ]+", "_", quantity).lower()


class LivePlot(widgets.VBox):
    """Live charts of one watched job, tuning job, command or log file.

    Build one with :meth:`for_job`, :meth:`for_tuning_job`, :meth:`for_command` or
    :meth:`for_file`, or wrap an existing watch: ``LivePlot(watch)``.

    Parameters
    ----------
    watch : metricwidgets.polling.watch.Watch
        Owned by the plot from now on: :meth:`close` closes it.
    directions : mapping of str to str, optional
        Overrides of "lower/higher is better" by metric name or quantity.
    redraw_interval : float
        Seconds between redraws at most.
    system : Watch, optional
        A watch of the job's or run's instance utilization, drawn in the instances panel
        (owned by the plot too).

    Attributes
    ----------
    watch : Watch
    header : Header
    controls : Controls
    charts : dict of str to Chart
        By quantity key, in the order the quantities appeared.
    export : Export
    findings : FindingsList
        Every finding in one list: the charts' diagnoses and the instances' findings.
    instances : InstancesPanel or None
        The utilization panel under the charts (None without a ``system`` watch).
    redraws : int
        Redraws done so far (tests wait on it).
    last_error : str or None
        The last redraw failure (also shown in the header); a redraw never raises.
    lock : threading.RLock
        Held by every redraw: hold it to read the plot as drawn (its picture does).

    Thread-safety: every public method may be called from any thread; redraws are serialised.
    """

    #: Every plot not yet closed (weakly held).
    instances: "weakref.WeakSet[LivePlot]" = weakref.WeakSet()

    def __init__(self, watch, directions=None, redraw_interval: float = REDRAW_INTERVAL,
                 system=None):
        self.watch = watch
        self.directions = dict(directions or {})
        self._settings = ChartSettings()
        self.lock = threading.RLock()
        self._closed = False
        self._stopped = False
        self._last_update: float | None = None
        self._last_version = -1
        self._last_diagnose = -math.inf
        self._diagnosed = None  # the data versions the findings were made of
        self._hidden_sources: frozenset = frozenset()  # jobs unticked or taken off
        self.redraws = 0
        self._redrawing = None
        self.last_error: str | None = None
        self.header = Header()
        self.controls = Controls(self._on_settings, self.pause, self.resume, self.reset_zoom)
        self.charts: dict[str, Chart] = {}
        self.palette = Palette()  # one colour per job across every chart
        self.charts_box = widgets.VBox([])
        self.findings = FindingsList()
        self.export = Export(watch.store, getattr(watch, "name", "") or "metrics",
                             lambda: picture_of(self))
        self._throttle = Throttle(self.refresh, redraw_interval)
        self.picture = StaticPicture(lambda: picture_of(self))
        self._view_throttle = Throttle(self.refresh, min(redraw_interval, VIEW_REDRAW_INTERVAL))
        self.instances = InstancesPanel(system, self._on_settings, self.lock) if system is not None \
            else None
        panel = [self.instances] if self.instances is not None else []
        super().__init__([FigureGuard(), self.header, self.controls, self.charts_box,  # _browser.py
                          self.findings, *panel, self.export])
        self.add_class("metricwidgets-liveplot")
        LivePlot.instances.add(self)
        for watched in (watch, system):
            if watched is not None:
                watched.add_listener(self._on_watch)
        self.refresh()

    # ------------------------------------------------------------------ constructors
    @classmethod
    def for_job(cls, name: str, metric_definitions=None, source: str | None = None, *,
                options=None, instances: bool = True, **aws) -> LivePlot:
        """Watch a SageMaker training job (``aws``: ``region``, ``profile``,
        ``endpoint_url``, ``session``; or everything at once as
        ``options=``:class:`~metricwidgets.options.MetricOptions`, which also carries
        the source, the step regex and the definitions); with ``instances``, its instance
        utilization too.

        Raises
        ------
        UserFacingError
            For an unknown job, missing credentials or a bad definition (checked by a
            first poll made before returning).
        """
        from metricwidgets.options import resolve_options
        from metricwidgets.polling.watch import Watch

        options = resolve_options(options, metric_definitions, source, **aws)
        watch = _first_poll(Watch.for_job(name, options, start=False))
        system = None
        if instances and options.source != "system":
            from metricwidgets.polling.utilization_watch import system_watch_for_job

            system = system_watch_for_job(name, options=options, beside=watch)
        return cls(watch, system=system)

    @classmethod
    def for_tuning_job(cls, name: str, metric_definitions=None, source: str | None = None, *,
                       options=None, **aws) -> LivePlot:
        """Watch a hyperparameter tuning job: its children overlaid, the best highlighted
        (options as for :meth:`for_job`; each child is read through the source given)."""
        from metricwidgets.options import resolve_options
        from metricwidgets.polling.watch import Watch

        options = resolve_options(options, metric_definitions, source, **aws)
        return cls(_first_poll(Watch.for_tuning_job(name, options, start=False)))

    @classmethod
    def for_jobs(cls, names, metric_definitions=None, source: str | None = None, *,
                 options=None, **aws) -> LivePlot:
        """Watch several training jobs overlaid (one colour and legend entry per job); more
        join with :meth:`add_job` and leave with :meth:`remove_job`, without a rebuild.
        Options as for :meth:`for_job` (each job is read through the source given).

        Raises
        ------
        UserFacingError
            For an unknown job, missing credentials or a bad definition (checked by a
            first poll made before returning).
        """
        from metricwidgets.options import resolve_options
        from metricwidgets.polling.watch import Watch

        options = resolve_options(options, metric_definitions, source, **aws)
        return cls(_first_poll(Watch.for_jobs(list(names), options, start=False)))

    @classmethod
    def for_command(cls, argv, metric_definitions=None, *, options=None, step_definition=None,
                    **settings) -> LivePlot:
        """Run a training command and watch its output (no definitions: they are suggested
        from what it prints) and its process tree's utilization. ``settings``: ``cwd``,
        ``env``, ``name`` and the polling settings of ``Watch.for_command``."""
        from metricwidgets.options import resolve_options
        from metricwidgets.polling.watch import Watch
        from metricwidgets.polling.utilization_watch import system_watch_for_run

        options = resolve_options(options, metric_definitions, None, step_definition)
        watch = Watch.for_command(argv, options, **settings)
        return cls(watch, system=system_watch_for_run(watch, cwd=settings.get("cwd"),
                                                        poller=settings.get("poller")))

    @classmethod
    def for_file(cls, path, metric_definitions=None, *, options=None, step_definition=None,
                 **settings) -> LivePlot:
        """Follow a log file as it grows (``settings``: the polling settings of
        ``Watch.for_file``)."""
        from metricwidgets.options import resolve_options
        from metricwidgets.polling.watch import Watch

        options = resolve_options(options, metric_definitions, None, step_definition)
        return cls(Watch.for_file(path, options, **settings))

    # ------------------------------------------------------------------ public methods
    def to_dataframe(self):
        """Every point at full resolution (see ``MetricStore.to_dataframe``)."""
        return self.watch.store.to_dataframe()

    def add_job(self, name: str) -> bool:
        """Overlay one more training job (a plot of :meth:`for_jobs`); one that was removed
        comes back with its curves. Return False when it is already shown."""
        added = self.watch.add_job(name)
        if added:
            self.refresh(force=True)
        return added

    def remove_job(self, name: str) -> bool:
        """Take training job ``name`` off the overlay (its polling stops, its curves and
        legend entries go); return False when it was not shown."""
        removed = self.watch.remove_job(name)
        if removed:
            self.refresh(force=True)
        return removed

    def on_finding(self, callback) -> None:
        """Call ``callback(finding)`` once per finding of this plot (curves, stall, instances),
        those already made included, **from the poller's thread**: see ``Watch.on_finding``."""
        for watch in [self.watch] + ([self.instances.watch] if self.instances else []):
            watch.on_finding(callback)

    #: The jobs overlaid now (a plot of :meth:`for_jobs`).
    job_names = property(lambda self: self.watch.job_names)

    def pause(self) -> None:
        """Stop polling (the chart keeps what it has)."""
        self.watch.pause()
        if self.instances is not None:
            self.instances.watch.pause()
        if not self.controls.pause.value:
            self.controls.pause.value = True

    def resume(self) -> None:
        """Poll again from where it stopped."""
        self.watch.resume()
        if self.instances is not None:
            self.instances.watch.resume()
        if self.controls.pause.value:
            self.controls.pause.value = False

    def reset_zoom(self) -> None:
        """Let every chart follow the data again."""
        with self.lock:
            for chart in self.charts.values():
                chart.reset_zoom()
        # Not forced: the data did not change, so the diagnoses (O(series)) need not rerun.
        self.refresh()

    closed = property(lambda self: self._closed)
    #: True once :meth:`stop` (or :meth:`close`) ended the watching.
    stopped = property(lambda self: self._stopped)

    def stop(self) -> None:
        """Stop the watches (killing a process one started) and the redraw timer, and keep
        the widgets: the chart stays as drawn and still answers its controls. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self._throttle.cancel()
        try:
            self.watch.remove_listener(self._on_watch)
        finally:
            self.watch.close()
            if self.instances is not None:
                self.instances.watch.remove_listener(self._on_watch)
                self.instances.watch.close()

    def close(self) -> None:
        """:meth:`stop`, then close the widgets. Idempotent; leaves no thread behind."""
        if self._closed:
            return
        self._closed = True
        self.stop()
        self.picture.update(None)  # the widget goes, its picture stays in the output
        self._view_throttle.cancel()
        if self.instances is not None:
            self.instances.close()
        LivePlot.instances.discard(self)
        with self.lock:
            for chart in self.charts.values():
                chart.close()
                chart.link.close()
        super().close()

    @classmethod
    def close_all(cls) -> int:
        """Close every open plot; return how many were closed."""
        plots = list(cls.instances)
        for plot in plots:
            plot.close()
        return len(plots)

    @classmethod
    def stop_all(cls) -> int:
        """Stop every open plot (kernel interrupt), keeping its widgets; return how many
        were still watching."""
        plots = [plot for plot in list(cls.instances) if not plot.stopped]
        for plot in plots:
            plot.stop()
        return len(plots)

    # ------------------------------------------------------------------ drawing
    def _on_watch(self, _watch) -> None:
        if not self._stopped:
            self._throttle()

    def _on_view(self) -> None:
        # A zoom or pan: redraw the new range from the store, a wheel's bursts coalesced by
        # a throttle of its own (shorter than the data's; it lives until close: a stopped
        # plot still answers its zoom).
        self._view_throttle()

    def _on_settings(self) -> None:
        # The redraw itself offers new chart/job choices: those changes are not the user's.
        if self._redrawing != threading.get_ident():
            self.refresh(force=True)

    def shown_keys(self) -> list[str]:
        """The keys of the charts shown now (the controls' choice)."""
        shown = self.controls.shown_charts()
        return [k for k, c in self.charts.items() if c.group.quantity in shown]

    def _compares_jobs(self) -> bool:
        """Jobs chosen to be compared (a job list, a tuning job): legends name the job."""
        return getattr(self.watch, "job_list", None) is not None or \
            getattr(self.watch, "tuning_job_name", None) is not None

    def _removed_sources(self, keys) -> set:
        """The jobs taken off a job list's overlay (their series stay in the store)."""
        if getattr(self.watch, "job_list", None) is None:
            return set()
        return {k.source for k in keys} - set(self.watch.job_names)

    def refresh(self, force: bool = False) -> None:
        """Redraw now (on the calling thread). Never raises: a failure is shown in the
        header and kept in :attr:`last_error`."""
        if self._closed:
            return
        with self.lock:
            self._redrawing = threading.get_ident()
            try:
                self._redraw(force)
                self.last_error = None
            except Exception as exc:  # a widget never shows a traceback
                self.last_error = f"chart update failed: {type(exc).__name__}: {exc}"
            finally:
                self._redrawing = None
                self.redraws += 1
            try:
                extra = [self.last_error] if self.last_error else None
                self.header.refresh(self.watch, self._last_update, extra,
                                    hidden_sources=self._hidden_sources)
            except Exception as exc:
                self.last_error = f"header update failed: {type(exc).__name__}: {exc}"
        comm = self.comm  # None once closed (maybe by another thread meanwhile)
        if comm is not None:  # outside the lock: the picture's own lock comes first
            self.export.refresh(now=self.watch.finished)
            self.picture.tick(comm.comm_id, self.watch.finished, self.watch.store.version)

    def _ipython_display_(self):
        """The widget with a picture of itself, for front ends that cannot show it."""
        self.picture.display(self.model_id)

    def _follow_values_kind(self) -> None:
        """Points without steps (CloudWatch's published metrics) are drawn against time and
        named for what they are; a tuning job's children are known only once it runs."""
        steps, said = has_steps(self.watch), values_are(self.watch)
        if (steps, said) != (self._settings.steps, self._settings.values_are):
            self._settings.steps, self._settings.values_are = steps, said
            self.controls.offer_steps(steps)

    def _redraw(self, force: bool) -> None:
        store = self.watch.store
        version = store.version
        if version != self._last_version:
            self._last_version = version
            if version:
                self._last_update = time.time()
        # One snapshot per redraw: the origin, the best child and every chart see the same moment.
        snapshots = store.snapshots()
        self._follow_values_kind()
        settings = self.controls.settings(self._settings)
        settings.origin = time_origin(self.watch, snapshots)
        settings.best_source = best_source(self.watch, snapshots)
        groups = group_metrics(store.metrics(), self.directions)
        for group in groups:
            key = _chart_key(group.quantity)
            chart = self.charts.get(key)
            if chart is None:
                self.charts[key] = Chart(group, settings, palette=self.palette,
                                         on_change=lambda: self.refresh(force=True),
                                         on_view=self._on_view,
                                         name_sources=self._compares_jobs(), lock=self.lock)
                attach_link(self.charts[key], self.controls)
            else:
                chart.group = group
        self.controls.offer_charts([c.group.quantity for c in self.charts.values()])
        removed = self._removed_sources(store.keys())
        self.controls.offer_sources([s for s in dict.fromkeys(k.source for k in store.keys())
                                     if s not in removed])
        settings = self.controls.settings(settings)
        settings.hidden_sources |= removed
        self._hidden_sources = frozenset(settings.hidden_sources)
        shown = self.shown_keys()
        children = tuple(self.charts[k] for k in shown)
        if self.charts_box.children != children:
            self.charts_box.children = children
        for key in shown:
            self.charts[key].update(snapshots, settings)
            self.charts[key].link.sync(self.charts[key], settings)
        if self.instances is not None:
            self.instances.update(settings, force, time_span(snapshots, settings.hidden_sources))
        if self._diagnose_due(force):
            self._list_findings(shown, settings, snapshots)

    def _data_versions(self) -> tuple:
        system = self.instances.watch if self.instances is not None else None
        return (self.watch.store.version, system.store.version if system else None,
                self.watch.finished)

    def _diagnose_due(self, force: bool) -> bool:
        """Diagnose now (forced, finished, or the interval passed since the last time);
        else, when the data changed since, once the interval has passed: the last data of
        a burst is diagnosed too, not only at the next change."""
        elapsed = time.monotonic() - self._last_diagnose
        if force or self.watch.finished or elapsed >= DIAGNOSE_INTERVAL:
            return True
        if self._data_versions() != self._diagnosed and math.isfinite(DIAGNOSE_INTERVAL):
            self._throttle.call_later(DIAGNOSE_INTERVAL - elapsed)
        return False

    def _list_findings(self, shown, settings, snapshots) -> None:
        """Every finding in the one list: the shown charts' diagnoses, then the instances'."""
        self._last_diagnose, self._diagnosed = time.monotonic(), self._data_versions()
        found = [f for key in shown for f in self.charts[key].diagnose(settings)]
        running = running_jobs(self.watch)
        found += snapshot_stalls(snapshots, settings.hidden_sources, time.time(), running)
        if self.instances is not None:
            found += self.instances.diagnose()
        keys = [s.key for s in snapshots if s.key.source not in settings.hidden_sources]
        self.findings.show(merge_findings(found), jobs={k.source for k in keys},
                           hosts={k.host for k in keys}, live=bool(running), looked=self.watch.polls > 0)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the watch is finished, then redraw; return whether it finished."""
        finished = self.watch.wait(timeout)
        self.refresh(force=True)
        return finished


def _first_poll(watch):
    """Poll once on the caller's thread so an unknown job or missing credentials is a clear
    error now, not a warning later; then start the background polling."""
    try:
        watch.poll_once()
    except Exception:
        watch.close()
        raise
    if watch.error is not None:
        watch.close()
        raise watch.error
    errors = [m for m in list(watch.messages) if m.level == "error"]
    if errors and not watch.statuses:
        watch.close()
        raise UserFacingError(errors[-1].text)
    watch.resume()
    return watch
