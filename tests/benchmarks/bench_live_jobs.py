"""Benchmark: 20 training jobs overlaid in one live chart, against a full matplotlib redraw.

Scenario (issue #16, item 4): ``LivePlot.for_jobs`` on 20 running jobs of the moto stand-in,
each with 2 metrics (``train:loss``, ``validation:loss``, so one chart of 40 series); every
series grows by ``APPEND`` points per update until it holds 10,000. The plot is paused after
its first poll (no thread redraws behind the measurement) and the points go straight into
its watch's store, as a poll round would put them. Measured, per update, over ``UPDATES``
updates:

(a) ours: the kernel-side time of ``LivePlot.refresh()`` and the bytes sent to the browser
    (every widget's ``comm.send``: JSON plus binary buffers), in total and per series;
(b) the baseline: what a livelossplot-style tool does on each update, a full matplotlib
    redraw of all 40 series at full resolution, rendered to the PNG Jupyter sends.

Targets: those of the live-plot benchmark, per series per update: <= 10 ms and <= 32 KB.
The diagnoses (every job's pair, run at most every 2 s while data flows) are timed apart.

Run with ``python -m tests.benchmarks live_jobs``.
"""

from __future__ import annotations

import statistics

import numpy as np

from tests.benchmarks import lifted_budget
from tests.benchmarks.bench_live_plot import (
    TARGET_BYTES,
    TARGET_MS,
    diagnoses_line,
    matplotlib_redraws,
    time_diagnoses,
    timed_updates,
)

JOBS = 20
METRICS = ("train:loss", "validation:loss")
POINTS = 10_000
UPDATES = 30
APPEND = 32
#: Points each series holds before the first update (the last one brings it to POINTS).
PRELOADED = POINTS - (UPDATES + 1) * APPEND
BASELINE_UPDATES = 3
SERIES = JOBS * len(METRICS)


def _columns(rng, job: int):
    """steps, stamps and the values of each metric for job ``job`` (POINTS each)."""
    steps = np.arange(POINTS, dtype=np.float64)
    stamps = 1.7e9 + steps * 0.5
    scale = 1.0 + 0.05 * job
    train = scale / np.sqrt(steps + 1) + rng.normal(0, 0.01, POINTS)
    valid = scale / np.sqrt(steps + 1) + 0.1 + rng.normal(0, 0.02, POINTS)
    return steps, stamps, {METRICS[0]: train, METRICS[1]: valid}


def _jobs(standin) -> list[str]:
    names = [f"bench-overlay-{k:02d}" for k in range(JOBS)]
    for name in names:
        standin.create_job(name, [{"Name": m, "Regex": f"{m}=(\\S+)"} for m in METRICS])
    return names


def measure_ours(standin, names):
    from metricwidgets.core.store import SeriesKey
    from metricwidgets.widgets.liveplot import _live_plot as live_plot
    from metricwidgets.widgets.liveplot import LivePlot

    rng = np.random.default_rng(0)
    data = {name: _columns(rng, k) for k, name in enumerate(names)}
    plot = LivePlot.for_jobs(names, **standin.aws_kwargs)
    plot.pause()
    store = plot.watch.store

    def arrive(lo, hi):
        for name, (steps, stamps, values) in data.items():
            for metric, column in values.items():
                store.add_points(SeriesKey(name, "algo-1", metric), steps[lo:hi],
                                 stamps[lo:hi], column[lo:hi])

    arrive(0, PRELOADED)
    diagnose_interval = live_plot.DIAGNOSE_INTERVAL
    live_plot.DIAGNOSE_INTERVAL = float("inf")  # timed apart below
    try:
        plot.refresh(force=True)  # builds the chart and its 40 series once
        times, sizes, messages = timed_updates(
            plot, lambda i: arrive(PRELOADED + i * APPEND, PRELOADED + (i + 1) * APPEND),
            UPDATES)
        chart = next(iter(plot.charts.values()))
        assert len(chart.series) == SERIES, len(chart.series)
        assert all(len(s.snapshot) == POINTS for s in chart.series.values())
        diagnose = time_diagnoses(chart, plot.controls.settings(plot._settings))
    finally:
        live_plot.DIAGNOSE_INTERVAL = diagnose_interval
        plot.close()
    return times, sizes, messages, diagnose


def measure_baseline():
    """A full matplotlib redraw of every series per update (livelossplot-style)."""
    rng = np.random.default_rng(0)
    data = [_columns(rng, k) for k in range(JOBS)]

    def draw(ax):
        for k, (steps, _stamps, values) in enumerate(data):
            for metric, column in values.items():
                ax.plot(steps, column, label=f"{metric} (job {k})")
        ax.set_title("loss")
        ax.set_xlabel("step")
        ax.legend(loc="center right", fontsize=4, ncol=2)

    return matplotlib_redraws(draw, BASELINE_UPDATES)


def _verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def main() -> None:
    from metricwidgets.testing.standin import StandIn

    with lifted_budget(), StandIn() as standin:
        names = _jobs(standin)
        times, sizes, messages, diagnose = measure_ours(standin, names)
    base_times, base_sizes = measure_baseline()
    ms = statistics.median(times) * 1000
    size = statistics.median(sizes)
    per_ms, per_kb = ms / SERIES, size / SERIES / 1024
    base_ms = statistics.median(base_times) * 1000
    print(f"ours: LivePlot.for_jobs, {JOBS} jobs x {len(METRICS)} metrics = {SERIES} series "
          f"in one chart, +{APPEND} points each per update up to {POINTS:,}, "
          f"{len(times)} updates")
    print(f"  per update: median {ms:.1f} ms (max {max(times) * 1000:.1f} ms), "
          f"{size / 1024:.0f} KB in {statistics.median(messages):.0f} messages")
    print(f"  per series per update: {per_ms:.2f} ms (target <= {TARGET_MS:.0f} ms) "
          f"{_verdict(per_ms <= TARGET_MS)}, {per_kb:.1f} KB (target <= "
          f"{TARGET_BYTES // 1024} KB) {_verdict(per_kb * 1024 <= TARGET_BYTES)}")
    print(diagnoses_line(f"of the {JOBS} jobs", diagnose))
    print(f"baseline: full matplotlib redraw of the {SERIES} series ({POINTS:,} points each)")
    print(f"  per update: median {base_ms:.0f} ms, PNG {statistics.median(base_sizes) / 1024:.0f}"
          f" KB; per series {base_ms / SERIES:.1f} ms")
    print(f"ratio: ours is {base_ms / ms:.1f}x cheaper in kernel time per update; "
          f"{per_ms / TARGET_MS:.2f} of the time target and {per_kb * 1024 / TARGET_BYTES:.2f} "
          f"of the bytes target per series")


if __name__ == "__main__":
    main()
