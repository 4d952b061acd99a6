"""Benchmark: one live update of a LivePlot chart against a livelossplot-style full redraw.

Scenario (issue #4, item 11): a series already holds 1,000,000 points; 1,000 more arrive; the
plot redraws. Measured, per update, over 30 updates:

(a) ours: the kernel-side time of ``LivePlot.refresh()`` (grouping, the view of every series
    — smoothing, visible range, min/max downsampling —, the header, the mark updates) and the
    bytes sent to the browser, counted by wrapping the ``comm.send`` of every widget of the
    plot (JSON of the message plus its binary buffers);
(b) the baseline: what livelossplot does on each update, a full matplotlib redraw — a new
    figure, the whole series plotted (100,000 points, ten times fewer), rendered to the PNG
    that Jupyter's inline backend sends to the browser.

Targets: (a) <= 10 ms and <= 32 KB per update per series at 1,000,000 points; (b)/(a) >= 50
in time. The diagnoses (O(series), run at most every 2 s while data flows) are timed apart.

(a) is measured twice: the metric chart alone, and with the instances panel on (a 2-instance
job's five utilization metrics, a day of one-second samples each, +1 sample per update).

Run with ``python -m tests.benchmarks live_plot``.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import time

import numpy as np

SERIES_POINTS = 1_000_000
APPEND = 1_000
UPDATES = 30
BASELINE_POINTS = 100_000
BASELINE_UPDATES = 5
TARGET_MS = 10.0
TARGET_BYTES = 32 * 1024
TARGET_RATIO = 50.0


class CommMeter:
    """Counts what the widgets' comms send (JSON text + binary buffers), per widget."""

    def __init__(self):
        self.bytes = 0
        self.messages = 0
        self._wrapped = set()

    def wrap(self, widgets) -> None:
        for widget in widgets:
            comm = getattr(widget, "comm", None)
            if comm is None or id(comm) in self._wrapped:
                continue
            self._wrapped.add(id(comm))
            original = comm.send

            def send(data=None, metadata=None, buffers=None, _original=original):
                self.messages += 1
                self.bytes += len(json.dumps(data, default=str).encode())
                self.bytes += sum(memoryview(b).nbytes for b in buffers or ())
                return _original(data=data, metadata=metadata, buffers=buffers)

            comm.send = send

    def reset(self) -> None:
        self.bytes = 0
        self.messages = 0


def _plot_widgets(plot):
    """Every widget a LivePlot update may touch."""
    found, stack = {}, [plot]
    from ipywidgets import Widget

    while stack:
        widget = stack.pop()
        if id(widget) in found:
            continue
        found[id(widget)] = widget
        for name in widget.keys:
            value = getattr(widget, name, None)
            values = value if isinstance(value, (list, tuple)) else \
                list(value.values()) if isinstance(value, dict) else [value]
            for item in values:
                if isinstance(item, (list, tuple)):
                    stack.extend(i for i in item if isinstance(i, Widget))
                elif isinstance(item, Widget):
                    stack.append(item)
    return list(found.values())


#: Samples per utilization series with the panel on (a day at one a second).
SYSTEM_POINTS = 86_400
SYSTEM_HOSTS = ("algo-1", "algo-2")


def _system_watch(rng):
    """A utilization watch (not polled) holding SYSTEM_POINTS samples per host and metric."""
    from metricwidgets.core.diagnosis import UTILIZATION_METRICS
    from metricwidgets.core.store import SeriesKey
    from metricwidgets.polling import Watch

    system = Watch([], start=False, name="bench")
    total = SYSTEM_POINTS + UPDATES + 1
    stamps = 1.7e9 + np.arange(total, dtype=np.float64)
    series = {SeriesKey("bench", host, metric): rng.uniform(0, 100, total)
              for host in SYSTEM_HOSTS for metric in UTILIZATION_METRICS}
    for key, values in series.items():
        system.store.add_points(key, np.full(SYSTEM_POINTS, np.nan), stamps[:SYSTEM_POINTS],
                                values[:SYSTEM_POINTS])

    def grow(i):
        at = slice(SYSTEM_POINTS + i, SYSTEM_POINTS + i + 1)
        for key, values in series.items():
            system.store.add_points(key, [np.nan], stamps[at], values[at])

    return system, grow, len(series)


def loss_watch(rng, updates: int = UPDATES, spikes: int = 0):
    """A watch (not polled) holding SERIES_POINTS points of a noisy loss (with ``spikes``
    spikes), and ``arrive(i)`` that appends update ``i``'s APPEND points (0 to ``updates``)."""
    from metricwidgets.core.store import SeriesKey
    from metricwidgets.polling.watch import Watch

    watch = Watch([], start=False, name="bench")
    key = SeriesKey("bench", "algo-1", "train:loss")
    total = SERIES_POINTS + APPEND * (updates + 1)
    steps = np.arange(total, dtype=np.float64)
    values = 1.0 / np.sqrt(steps + 1) + rng.normal(0, 0.01, total)
    if spikes:
        values[rng.integers(0, total, spikes)] += 1.0
    stamps = 1.7e9 + steps * 0.01
    watch.store.add_points(key, steps[:SERIES_POINTS], stamps[:SERIES_POINTS],
                           values[:SERIES_POINTS])

    def arrive(i):
        n = SERIES_POINTS + i * APPEND
        watch.store.add_points(key, steps[n:n + APPEND], stamps[n:n + APPEND],
                               values[n:n + APPEND])

    return watch, arrive


def measure_ours(panel: bool = False):
    from metricwidgets.widgets.liveplot import _live_plot as live_plot
    from metricwidgets.widgets.liveplot import LivePlot

    rng = np.random.default_rng(0)
    watch, add = loss_watch(rng)
    system, grow, system_series = _system_watch(rng) if panel else (None, None, 0)
    plot = LivePlot(watch, redraw_interval=0.0, system=system)

    def arrive(i):
        add(i)
        if grow is not None:
            grow(i)

    diagnose_interval = live_plot.DIAGNOSE_INTERVAL
    live_plot.DIAGNOSE_INTERVAL = float("inf")  # timed apart below
    try:
        times, sizes, messages = timed_updates(plot, arrive, UPDATES)
        if panel:
            assert len(plot.instances.charts) == 5, "the panel drew no charts"
        chart = next(iter(plot.charts.values()))
        diagnose = time_diagnoses(chart, plot.controls.settings(plot._settings))
        start = time.perf_counter()
        if panel:  # the instances' findings, listed with the chart's (every 2 s at most)
            plot.instances.diagnose()
        instances_diagnose = time.perf_counter() - start
    finally:
        live_plot.DIAGNOSE_INTERVAL = diagnose_interval
        plot.close()
    return times, sizes, messages, diagnose, 1 + system_series, instances_diagnose


def timed_updates(plot, arrive, updates: int):
    """``arrive(i)`` then ``plot.refresh()`` for update ``i`` (0 to ``updates``), each refresh
    timed with the bytes and messages the plot's comms send; returns ``(seconds, bytes,
    messages)`` per update, leaving out update 0 (which smooths every whole series once)."""
    meter = CommMeter()
    times, sizes, messages = [], [], []
    for i in range(updates + 1):
        arrive(i)
        meter.wrap(_plot_widgets(plot))  # marks created by a previous update too
        meter.reset()
        start = time.perf_counter()
        plot.refresh()
        elapsed = time.perf_counter() - start
        if i:
            times.append(elapsed)
            sizes.append(meter.bytes)
            messages.append(meter.messages)
    assert plot.last_error is None, plot.last_error
    return times, sizes, messages


def time_diagnoses(chart, settings, repeat: int = 3) -> tuple[float, float]:
    """Median seconds of ``chart.diagnose`` now and as computed before the comparator
    networks (:mod:`tests.benchmarks.diagnostics_before`); the findings must agree."""
    from tests.benchmarks.diagnostics_before import before

    timings = {}
    for name in ("now", "before"):
        with before() if name == "before" else contextlib.nullcontext():
            runs = []
            for _ in range(repeat):
                start = time.perf_counter()
                found = chart.diagnose(settings)
                runs.append(time.perf_counter() - start)
        timings[name] = (statistics.median(runs), [f.text for f in found])
    assert timings["now"][1] == timings["before"][1], "the findings changed"
    return timings["now"][0], timings["before"][0]


def diagnoses_line(what: str, diagnose: tuple[float, float]) -> str:
    now, old = diagnose
    return (f"  diagnoses {what} (run at most every 2 s): {now * 1000:.1f} ms; before the "
            f"comparator networks {old * 1000:.1f} ms ({old / now:.1f}x)")


def matplotlib_redraws(draw, updates: int):
    """livelossplot's ``MatplotlibPlot.send`` ``updates`` times: a new figure
    (``plt.subplots``, cell size 6x4), ``draw(ax)`` plotting every series whole,
    ``tight_layout``, and ``plt.show()``, which under Jupyter's inline backend renders the PNG
    with IPython's ``print_figure`` (``bbox_inches="tight"``) and sends it. Returns the
    seconds and PNG bytes of each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from IPython.core.pylabtools import print_figure

    times, sizes = [], []
    for _ in range(updates):
        start = time.perf_counter()
        fig, ax = plt.subplots(1, 1, figsize=(6, 4))
        draw(ax)
        plt.tight_layout()
        png = print_figure(fig, "png")
        plt.close(fig)
        times.append(time.perf_counter() - start)
        sizes.append(len(png))
    return times, sizes


def measure_baseline():
    """The whole series (BASELINE_POINTS) redrawn by matplotlib on each update."""
    rng = np.random.default_rng(0)
    steps = np.arange(BASELINE_POINTS, dtype=np.float64)
    values = 1.0 / np.sqrt(steps + 1) + rng.normal(0, 0.01, BASELINE_POINTS)

    def draw(ax):
        ax.plot(steps, values, label="training")
        ax.set_title("loss")
        ax.set_xlabel("epoch")
        ax.legend(loc="center right")

    return matplotlib_redraws(draw, BASELINE_UPDATES)


def main() -> None:
    times, sizes, messages, diagnose, _, _ = measure_ours()
    base_times, base_sizes = measure_baseline()
    ours_ms = statistics.median(times) * 1000
    ours_bytes = statistics.median(sizes)
    base_ms = statistics.median(base_times) * 1000
    ratio = base_ms / ours_ms
    print(f"ours: {SERIES_POINTS:,}+ point series, +{APPEND:,} points per update, "
          f"{len(times)} updates")
    print(f"  kernel time per update: median {ours_ms:.2f} ms, max {max(times) * 1000:.2f} ms "
          f"(target <= {TARGET_MS:.0f} ms) {'OK' if ours_ms <= TARGET_MS else 'MISSED'}")
    print(f"  bytes to the browser per update: median {ours_bytes / 1024:.1f} KB in "
          f"{statistics.median(messages):.0f} messages (target <= {TARGET_BYTES // 1024} KB) "
          f"{'OK' if ours_bytes <= TARGET_BYTES else 'MISSED'}")
    print(diagnoses_line("over the whole series", diagnose))
    print(f"baseline: livelossplot-style full matplotlib redraw of {BASELINE_POINTS:,} points")
    print(f"  time per update: median {base_ms:.1f} ms; PNG sent: "
          f"{statistics.median(base_sizes) / 1024:.1f} KB")
    print(f"ratio: ours is {ratio:.0f}x cheaper in kernel time at 10x the points "
          f"(target >= {TARGET_RATIO:.0f}x) {'OK' if ratio >= TARGET_RATIO else 'MISSED'}")
    times, sizes, messages, _, count, findings = measure_ours(panel=True)
    ms = statistics.median(times) * 1000 / count
    kb = statistics.median(sizes) / count
    print(f"with the instances panel on: {count} series ({count - 1} utilization series of "
          f"{SYSTEM_POINTS:,} samples, +1 each per update)")
    print(f"  per update: median {statistics.median(times) * 1000:.2f} ms, "
          f"{statistics.median(sizes) / 1024:.1f} KB in {statistics.median(messages):.0f} "
          f"messages")
    print(f"  per series per update: {ms:.2f} ms (target <= {TARGET_MS:.0f} ms) "
          f"{'OK' if ms <= TARGET_MS else 'MISSED'}, {kb / 1024:.1f} KB (target <= "
          f"{TARGET_BYTES // 1024} KB) {'OK' if kb <= TARGET_BYTES else 'MISSED'}")
    print(f"  utilization findings over every sample (with the diagnoses, at most every "
          f"2 s): {findings * 1000:.1f} ms")


if __name__ == "__main__":
    main()
