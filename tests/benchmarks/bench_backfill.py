"""A backfill over 100 jobs x 50,000 log lines: a full read versus the scan pushed down.

One stand-in holding 100 finished jobs, one stream each of 50,000 lines, one line in a
hundred carrying the metric (``eval_f1=0.xxxx``); the streams are made when read
(:mod:`metricwidgets.testing.bulk_logs`), every event still goes through moto's HTTP server.

(a) the baseline, today's read: every event of every stream, ``GetLogEvents`` page by page
    (:class:`~metricwidgets.polling.backfill.Backfill` with ``push_down=False``);
(b) ours: ``FilterLogEvents`` with the definition's prefilter as a regex pattern over each
    job's streams, answered by the stand-in as CloudWatch documents it; only candidate lines
    travel.

Both are parsed by the same parser and must give identical points (checked). Measured: bytes
received and calls of each, side by side, with ratios; wall time with the call budget lifted,
and the least time the default budget would impose. Then what the same backfill would cost as
Logs Insights queries (every byte of the logs scanned, $0.005 per GB in us-east-1).

Run: ``python -m tests.benchmarks backfill`` (``BENCH_BACKFILL_JOBS`` and
``BENCH_BACKFILL_LINES`` make it smaller while developing).
"""

from __future__ import annotations

import math
import os
import time

import pandas as pd

from metricwidgets.options import MetricOptions
from metricwidgets.polling.backfill import Backfill
from metricwidgets.sources.budget import DEFAULT_RATES
from metricwidgets.testing.bulk_logs import SyntheticEvents, add_synthetic_stream
from metricwidgets.testing.job_lines import LOG_GROUP
from metricwidgets.testing.standin import StandIn
from tests.benchmarks import lifted_budget

JOBS = int(os.environ.get("BENCH_BACKFILL_JOBS", 100))
LINES = int(os.environ.get("BENCH_BACKFILL_LINES", 50_000))
EVERY = 100  # one metric line in a hundred
TARGET_RATIO = 20
#: Logs Insights' price per GB scanned, us-east-1 (CloudWatch pricing page).
INSIGHTS_USD_PER_GB = 0.005
#: CloudWatch Logs counts each event as its message plus 26 bytes.
EVENT_OVERHEAD = 26
DEFINITIONS = [{"Name": "eval:f1", "Regex": r"eval_f1=([0-9.]+)"}]


def _message(job: int):
    def message(i: int) -> str:
        if i % EVERY == EVERY - 1:
            return f"[{i}] epoch {i // 1000} eval_f1={((i * 7919 + job) % 10000) / 10000:.4f}"
        return (f"[{i}] train step {i}/{LINES} lr={1e-3 / (1 + i // 1000):.6f} "
                f"throughput={900 + (i * 31 + job) % 200}.5 samples/s#011gpu_mem=12.3G")
    return message


def _jobs(standin) -> tuple[list[str], int, int]:
    start_ms = int((time.time() - 3600) * 1000)
    names, size = [], 0
    for j in range(JOBS):
        name = f"bench-backfill-{j:03d}"
        events = SyntheticEvents(LINES, _message(j), lambda i: start_ms + i * 10,
                                 first_id=j * LINES)
        add_synthetic_stream(standin, LOG_GROUP, f"{name}/algo-1-1700000000", events)
        names.append(name)
        size += events.total_bytes() + EVENT_OVERHEAD * LINES
    return names, size, JOBS * LINES


def _budget_floor(calls: dict) -> float:
    return sum(n / DEFAULT_RATES.get(("logs", op), math.inf) for op, n in calls.items())


def _run(names, options, push_down: bool):
    backfill = Backfill(names, options.definitions, options, push_down=push_down)
    started = time.perf_counter()
    backfill.run()
    return backfill, time.perf_counter() - started


def _row(label, backfill, seconds) -> str:
    calls = dict(backfill.meter.calls)
    detail = " + ".join(f"{n} {op}" for op, n in sorted(calls.items()))
    return (f"{label:30}{backfill.meter.bytes / 1e6:>12.1f}{backfill.meter.total_calls:>8}"
            f"{seconds:>9.1f}{_budget_floor(calls):>10.1f}   {detail}")


def main() -> None:
    with lifted_budget(), StandIn() as standin:
        names, log_bytes, events = _jobs(standin)
        options = MetricOptions.build(metric_definitions=DEFINITIONS, **standin.aws_kwargs)
        full, full_s = _run(names, options, push_down=False)
        pushed, pushed_s = _run(names, options, push_down=True)
    same = full.frame().equals(pushed.frame())
    pd.testing.assert_frame_equal(full.frame(), pushed.frame(), check_exact=True)
    points = len(pushed.store)
    print(f"{JOBS} jobs x {LINES:,} lines ({events:,} events, {log_bytes / 1e6:.0f} MB of logs), "
          f"1 line in {EVERY} holds the metric: {points:,} points, identical from both: {same}")
    print(f"pattern sent: {pushed.prefilter.filter_pattern()!r}")
    print(f"{'':30}{'MB received':>12}{'calls':>8}{'wall s':>9}{'budget s':>10}")
    print(_row("(a) full read (GetLogEvents)", full, full_s))
    print(_row("(b) pushed down (Filter...)", pushed, pushed_s))
    ratio = full.meter.bytes / max(pushed.meter.bytes, 1)
    print(f"ratio a/b: bytes {ratio:.1f}x, calls "
          f"{full.meter.total_calls / max(pushed.meter.total_calls, 1):.1f}x, wall "
          f"{full_s / pushed_s:.1f}x")
    verdict = "OK" if ratio >= TARGET_RATIO and same else "MISSED"
    print(f"target: (b) at least {TARGET_RATIO}x fewer bytes than (a), same points: {verdict}")
    gb = log_bytes / 1e9
    print(f"cost on AWS: as Logs Insights queries this backfill scans {gb:.3f} GB x "
          f"${INSIGHTS_USD_PER_GB}/GB = ${gb * INSIGHTS_USD_PER_GB:.4f} (us-east-1); "
          f"sent out of AWS: (a) {full.meter.bytes / 1e9:.3f} GB, "
          f"(b) {pushed.meter.bytes / 1e9:.4f} GB (data transfer: see CloudWatch's pricing)")
