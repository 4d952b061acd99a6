"""The "instances" panel of a live plot: CPU, memory, disk, GPU and GPU memory per instance.

Under the metric charts, one small chart per utilization metric, one line per host, drawn by
the metric charts' own :class:`~metricwidgets.widgets.liveplot._chart.Chart` (so hover readout,
legend, smoothing and zoom behave the same). The x axis is time, in the metric charts' time
mode: relative time while they show steps (utilization has no step), else theirs; it spans
the time the metric charts' points span (:func:`time_span`), so a moment is at the same place
on both, and never starts before the job (CloudWatch's minute averages begin before it).

Each chart is small (a grid of at least 340 px columns): its title names the quantity alone,
its caption under it says what 100 % means (it wraps, a title cannot), its y-axis says "%".
One legend for the whole panel names each host once; unticking one hides it on every chart.
A flat series gets a y range of at least :data:`MIN_PERCENT_SPAN` percentage points.

CPU and GPU figures arrive as SageMaker reports them, summed over devices; the panel shows
them per device when the device counts are known (a toggle switches to the reported sums),
and each chart's title says which. Its findings (idle GPU, memory or disk nearly full) are
listed with the metric diagnoses, in the plot's one list
(:mod:`~metricwidgets.widgets.liveplot._findings_list`): :meth:`InstancesPanel.diagnose` gives them.

The panel stays hidden until the first utilization point arrives, then opens; its header
button collapses it (a collapsed panel draws nothing).
"""

from __future__ import annotations

import dataclasses
import html
import math

import ipywidgets as widgets

from metricwidgets.core.diagnosis import LABELS, UTILIZATION_METRICS, Devices
from metricwidgets.core.pairing import ChartGroup
from metricwidgets.widgets.liveplot._chart import Chart
from metricwidgets.widgets.liveplot._legend import Legend
from metricwidgets.widgets.liveplot._palette import Palette

__all__ = ["MIN_PERCENT_SPAN", "InstanceChart", "InstancesPanel", "time_span"]

#: The least y span of a utilization chart, in percentage points.
MIN_PERCENT_SPAN = 10.0


def _order(metric: str) -> tuple:
    return (UTILIZATION_METRICS.index(metric) if metric in UTILIZATION_METRICS else 99, metric)


def time_span(snapshots, hidden_sources=()) -> tuple[float, float] | None:
    """First and last time (seconds since the epoch) of the shown series' points, or None."""
    ends = [(float(s.timestamp[0]), float(s.timestamp[-1])) for s in snapshots
            if len(s) and s.key.source not in hidden_sources]
    ends = [(lo, hi) for lo, hi in ends if math.isfinite(lo) and math.isfinite(hi)]
    if not ends:
        return None
    return min(lo for lo, _ in ends), max(hi for _, hi in ends)


def _panel_settings(settings, span):
    """The metric charts' ``settings`` as the panel draws them: relative time while they
    show steps, linear y, every host, over ``span`` never before the job's start in
    relative time (CloudWatch's minute averages begin before it: no negative times)."""
    if span is not None and settings.x_mode != "wall":
        span = (max(span[0], settings.origin), max(span[1], settings.origin))
    return dataclasses.replace(settings, x_mode="relative" if settings.x_mode == "step"
                               else settings.x_mode, log_y=False, hidden_sources=set(),
                               x_span=span)


class InstanceChart(Chart):
    """A utilization chart: titled by its quantity, its unit in a caption that wraps, no
    legend of its own (the panel's names the hosts), hosts the panel hides not drawn."""

    own_legend = False
    y_min_span = MIN_PERCENT_SPAN

    def __init__(self, metric: str, unit: str, settings, hidden_hosts: set, palette: Palette,
                 lock=None):
        self.label, self.hidden_hosts = LABELS.get(metric, metric), hidden_hosts
        super().__init__(ChartGroup(f"{self.label}: {unit}", [(metric, None)]), settings,
                         height="220px", palette=palette, lock=lock)
        self.caption = widgets.HTML(
            f'<div class="metricwidgets-instance-caption" style="color:#555;'
            f'line-height:1.3;padding-left:8px">{html.escape(unit)}</div>')
        self.children = (self.body, self.caption, self.readout, self.notes)

    def title(self) -> str:
        return self.label

    def y_title(self) -> str:
        return "%"

    def series_label(self, key, multi_host: bool, multi_source: bool) -> str:
        return key.host

    def _label(self, key, multi_host: bool, multi_source: bool) -> tuple[str, str]:
        # A host has one colour on every chart of the panel, however many hosts a chart has.
        return key.host, key.host

    def _hidden(self, key, settings) -> bool:
        return key.host in self.hidden_hosts or super()._hidden(key, settings)


class InstancesPanel(widgets.VBox):
    """Utilization charts of the watch ``watch`` (a watch whose sources are utilization
    sources: :class:`~metricwidgets.sources.cloudwatch_utilization.CloudWatchUtilizationSource`
    or :class:`~metricwidgets.sources.local_utilization.LocalUtilizationSource`).

    ``on_change()`` is called after the user flips a toggle (the owner redraws). ``lock``: the
    lock the owner holds while it calls :meth:`update`, given to each chart (the browser's
    zoom and hover callbacks take it; None: each chart a lock of its own).

    Attributes
    ----------
    watch : Watch
    charts : dict of str to Chart
        By metric name.
    toggle : ipywidgets.ToggleButton
        Open (True) or collapsed.
    per_device : ipywidgets.ToggleButtons
        ``True``: CPU and GPU figures per device; ``False``: as reported (summed).
    findings : list of Finding
        Those :meth:`diagnose` found last.
    """

    def __init__(self, watch, on_change=None, lock=None):
        self.watch = watch
        self.lock = lock  # the owner's, held while it calls update; given to the charts
        self.charts: dict[str, Chart] = {}
        self.findings = []
        self._findings_of = None  # (store version, statuses) the findings were made of
        self._scale_key = None
        self._drawn = None  # what the last drawing was made from (skip identical redraws)
        self.toggle = widgets.ToggleButton(value=True, description="instances",
                                           icon="chevron-down",
                                           tooltip="instance utilization: show or hide")
        self.per_device = widgets.ToggleButtons(
            options=[("per device", True), ("as reported", False)], value=True,
            tooltips=["CPU per vCPU, GPU per GPU", "summed over devices, as SageMaker reports"],
            style={"button_width": "100px"})
        self.info = widgets.HTML("")
        self.palette = Palette()  # a host's colour, the same on every chart
        self.legend = Legend(lambda _host, _shown: on_change() if on_change else None)
        self.legend.layout = widgets.Layout(display="flex", flex_flow="row wrap",
                                            width="100%", padding="0 0 0 8px")
        self.grid = widgets.GridBox([], layout=widgets.Layout(
            grid_template_columns="repeat(auto-fill, minmax(340px, 1fr))", width="100%"))
        self.body = widgets.VBox([widgets.HBox([self.per_device, self.info]), self.legend,
                                  self.grid])
        self.toggle.observe(self._on_toggle, names="value")
        if on_change is not None:  # a toggle redraws at once, not at the next data
            for control in (self.toggle, self.per_device):
                control.observe(lambda _change: on_change(), names="value")
        super().__init__([self.toggle, self.body], layout=widgets.Layout(display="none"))
        self.add_class("metricwidgets-instances")

    # ------------------------------------------------------------------ state
    @property
    def devices(self) -> Devices:
        """The device counts the sources know (those of the first that knows any)."""
        from metricwidgets.polling.utilization_watch import watch_devices

        return watch_devices(self.watch)

    def _notes_of_sources(self) -> dict[str, list[str]]:
        """Each GPU note of the sources, with the hosts that gave it."""
        hosts: dict[str, list[str]] = {}
        for source in self.watch.sources:
            note = getattr(source, "gpu_note", "")
            if note:
                hosts.setdefault(note, []).append(str(getattr(source, "host", "")))
        return hosts

    def _on_toggle(self, change) -> None:
        self.body.layout.display = "" if change["new"] else "none"
        self.toggle.icon = "chevron-down" if change["new"] else "chevron-right"

    # ------------------------------------------------------------------ drawing
    def update(self, settings, force: bool = False, x_span=None) -> int:
        """Redraw from the watch's store with the metric charts' ``settings`` (their x mode,
        smoothing, origin), over ``x_span`` (seconds since the epoch: the metric charts'
        time, :func:`time_span`; None: the utilization's own). Returns the points sent."""
        store = self.watch.store
        snapshots = [s for s in store.snapshots() if len(s)]
        if not snapshots:
            self.info.value = self._info_html()
            return 0
        if self.layout.display == "none":
            self.layout.display = ""  # data exists: the panel appears, open
        if not self.toggle.value:
            return 0
        panel = _panel_settings(settings, x_span or time_span(snapshots))
        span = panel.x_span
        devices = self.devices
        per_device = bool(self.per_device.value)
        # The plot redraws on every metric update; utilization changes far less often.
        drawn = (store.version, panel.x_mode, panel.smoothing, panel.origin, panel.width_px,
                 panel.ignore_outliers, per_device, devices, span,
                 frozenset(self.legend.hidden), self._zoom_state())
        if drawn == self._drawn and not force:
            return 0
        scale_key = (per_device, devices)
        if scale_key != self._scale_key:  # smoothing caches hold the old scale: start over
            self._scale_key = scale_key
            for chart in self.charts.values():
                chart.close()
            self.charts = {}
        sent = self._draw_charts(snapshots, panel, devices, per_device)
        children = tuple(self.charts[m] for m in sorted(self.charts, key=_order))
        if self.grid.children != children:
            self.grid.children = children
        self._draw_legend()
        self.info.value = self._info_html()
        self._drawn = (*drawn[:-1], self._zoom_state())  # as this drawing left the scales
        return sent

    def _draw_charts(self, snapshots, panel, devices, per_device: bool) -> int:
        """One chart per metric (made at its first point); returns the points sent."""
        by_metric: dict[str, list] = {}
        for snap in snapshots:
            by_metric.setdefault(snap.key.metric, []).append(snap)
        sent = 0
        for metric in sorted(by_metric, key=_order):
            count = devices.count(metric) if per_device else 1
            chart = self.charts.get(metric)
            if chart is None:
                chart = self.charts[metric] = InstanceChart(
                    metric, devices.unit(metric, per_device), panel, self.legend.hidden,
                    self.palette, lock=self.lock)
            series = by_metric[metric]
            if count and count != 1:
                series = [dataclasses.replace(s, value=s.value / count) for s in series]
            sent += chart.update(series, panel)
        return sent

    def _draw_legend(self) -> None:
        """One entry per host, in its colour on every chart."""
        entries = {}
        for chart in self.charts.values():
            for key, series in chart.series.items():
                entries.setdefault(key.host, (key.host, key.host, series.colour, "solid"))
        self.legend.set_entries([entries[h] for h in sorted(entries)])

    def _zoom_state(self) -> tuple:
        """The charts' zoom and ranges: a user's pan or zoom asks for a redraw."""
        return tuple((c.user_x, c.user_y, c.x_scale.min, c.x_scale.max, c.y_scale.min,
                      c.y_scale.max) for c in self.charts.values())

    def _info_html(self) -> str:
        """The devices and each GPU note once: a note several hosts gave names them
        (``no GPU (...) on algo-1, algo-2``); one the device line says is not said again."""
        described, notes = self.devices.described, []
        for note, hosts in self._notes_of_sources().items():
            hosts = list(dict.fromkeys(hosts))
            said = f"{note} on {', '.join(hosts)}" if len(hosts) > 1 else note
            if note in described:
                described = described.replace(note, said)
            else:
                notes.append(said)
        parts = [described, *notes]
        return ('<span class="metricwidgets-instances-info" style="color:#555">'
                + html.escape("; ".join(dict.fromkeys(parts))) + "</span>")

    def diagnose(self) -> list:
        """The utilization findings of the data now (idle GPU, memory or disk nearly full,
        severity ``warning``), as :class:`~metricwidgets.core.diagnosis.Finding`: what the
        plot lists with its metric findings. Computed again only when the data or the job's
        status changed."""
        from metricwidgets.polling.utilization_watch import utilization_findings_of

        made_of = (self.watch.store.version, tuple(self.watch.statuses.values()))
        if made_of != self._findings_of:
            self.findings = utilization_findings_of(self.watch)
            self._findings_of = made_of
        return self.findings

    def close(self) -> None:
        """Close the charts and the utilization watch."""
        self.watch.close()
        for chart in self.charts.values():
            chart.close()
        self.legend.close()
        super().close()
