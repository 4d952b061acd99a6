"""A backfill over 100 jobs x 50,000 log lines: a full read versus the scan pushed down.

One stand-in holding 100 finished jobs, one stream each of 50,000 lines, one line in a
hundred carrying the metric (``eval_f1=0.xxxx``); the streams are made when read
(:mod:`metricwidgets.testing.bulk_logs`), every event still goes through moto's HTTP server.

(a) the baseline, today's read: every event of every stream, ``GetLogEvents`` page by page
    (:class:`~metricwidgets.polling.backfill.Backfill` with ``push_down=False``);
(b) ours: ``FilterLogEvents`` with the definition's prefilter as a regex pattern over each
    job's streams, answered by the stand-in as CloudWatch documents it; only candidate lines
    travel;
(c) ours for many jobs: Logs Insights queries over all the jobs at once (``filter
    @logStream like``, ``filter @message like`` the same prefilter), split in time where a
    query reaches the 10,000-row cap, answered by the stand-in
    (:mod:`metricwidgets.testing.moto_logs_insights`).

All are parsed by the same parser and must give identical points (checked). Measured: bytes
received and calls of each, side by side, with ratios; wall time with the call budget lifted,
and the least time the default budget would impose. Then what (c) costs on AWS: the bytes the
queries say they scanned (``statistics.bytesScanned``, every split's range scanned again)
times Logs Insights' price.

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
from metricwidgets.sources.budget import DEFAULT_RATES, budgeted_client
from metricwidgets.testing.bulk_logs import SyntheticEvents, add_synthetic_stream
from metricwidgets.testing.job_lines import LOG_GROUP
from metricwidgets.testing.standin import StandIn
from tests.benchmarks import lifted_budget

JOBS = int(os.environ.get("BENCH_BACKFILL_JOBS", 100))
LINES = int(os.environ.get("BENCH_BACKFILL_LINES", 50_000))
EVERY = 100  # one metric line in a hundred
TARGET_RATIO = 20
#: Logs Insights' price per GB scanned, us-east-1: "$0.005 per GB of data scanned", Amazon
#: CloudWatch pricing page (aws.amazon.com/cloudwatch/pricing, "Logs" tab), the list price in
#: copies of it quoted in May and June 2026 (checked 2026-12-06; not read live).
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


def _run(names, options, push_down: bool, scan: str = "filter"):
    # The stand-in answers from this process: on a loaded machine a 1 MB page can take
    # longer than the 5 s a client waits by default, and a job would be lost to a timeout.
    client = budgeted_client("logs", options.aws, read_timeout=300)
    backfill = Backfill(names, options.definitions, options, push_down=push_down, scan=scan,
                        client=client)
    started = time.perf_counter()
    backfill.run()
    for job, why in backfill.errors.items():
        print(f"  {job} not read: {why}")
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
        insights, insights_s = _run(names, options, push_down=True, scan="insights")
    same = full.frame().equals(pushed.frame()) and full.frame().equals(insights.frame())
    pd.testing.assert_frame_equal(full.frame(), pushed.frame(), check_exact=True)
    pd.testing.assert_frame_equal(full.frame(), insights.frame(), check_exact=True)
    points = len(pushed.store)
    print(f"{JOBS} jobs x {LINES:,} lines ({events:,} events, {log_bytes / 1e6:.0f} MB of logs), "
          f"1 line in {EVERY} holds the metric: {points:,} points, identical from all: {same}")
    print(f"pattern sent: {pushed.prefilter.filter_pattern()!r}")
    print(f"{'':30}{'MB received':>12}{'calls':>8}{'wall s':>9}{'budget s':>10}")
    print(_row("(a) full read (GetLogEvents)", full, full_s))
    print(_row("(b) pushed down (Filter...)", pushed, pushed_s))
    print(_row("(c) Logs Insights queries", insights, insights_s))
    for label, ours, seconds in (("a/b", pushed, pushed_s), ("a/c", insights, insights_s)):
        print(f"ratio {label}: bytes {full.meter.bytes / max(ours.meter.bytes, 1):.1f}x, calls "
              f"{full.meter.total_calls / max(ours.meter.total_calls, 1):.1f}x, wall "
              f"{full_s / seconds:.1f}x")
    ratio = full.meter.bytes / max(pushed.meter.bytes, 1)
    ratio_c = full.meter.bytes / max(insights.meter.bytes, 1)
    verdict = "OK" if min(ratio, ratio_c) >= TARGET_RATIO and same else "MISSED"
    print(f"target: (b) and (c) at least {TARGET_RATIO}x fewer bytes than (a), same points: "
          f"{verdict}")
    for note in insights.notes:
        print(f"(c) {note}")
    scanned = insights.bytes_scanned / 1e9
    print(f"(c) {insights.queries} queries scanned {scanned:.3f} GB "
          f"({scanned * 1e9 / max(log_bytes - EVENT_OVERHEAD * events, 1):.1f}x the messages' "
          f"bytes: a split range is scanned again)")
    print(f"cost on AWS: (c) {scanned:.3f} GB scanned x ${INSIGHTS_USD_PER_GB}/GB = "
          f"${scanned * INSIGHTS_USD_PER_GB:.4f} (Logs Insights, us-east-1; a busier log group "
          f"costs more: every stream in the queried time range is scanned); (a) and (b) run "
          f"no query; sent out of AWS: (a) {full.meter.bytes / 1e9:.3f} GB, "
          f"(b) {pushed.meter.bytes / 1e9:.4f} GB, (c) {insights.meter.bytes / 1e9:.4f} GB "
          f"(data transfer: see CloudWatch's pricing)")
