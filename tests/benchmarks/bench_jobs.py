"""Summarising 1,000 training jobs: one describe per job versus ``Search`` (``list_jobs``).

One moto stand-in holding 1,000 finished jobs with 3 hyperparameters and 2 final metrics each
(put into moto's backend directly; every listing below goes through boto3 and HTTP).

(a) the baseline: ``ListTrainingJobs`` pages (100 names a call), then one
    ``DescribeTrainingJob`` per job for its hyperparameters, times and final metrics;
(b) ours: :func:`metricwidgets.list_jobs`, ``Search`` pages of 100 whole jobs.

Both build the same rows (checked). Measured: API calls and wall time of each, side by side,
with ratios. The process-wide call budget is lifted for both so that wall time measures the
work; the time the default budget would impose (calls / rate) is printed beside it.

Run: ``python -m tests.benchmarks jobs``.
"""

from __future__ import annotations

import datetime as dt
import math
import time

import boto3
import numpy as np
import pandas as pd

import metricwidgets
from metricwidgets.sources.budget import DEFAULT_RATES
from metricwidgets.sources.job_search import job_row, jobs_frame
from metricwidgets.testing.moto_search import add_jobs
from metricwidgets.testing.standin import StandIn
from tests.benchmarks import lifted_budget

COUNT = 1000
PREFIX = "bench-jobs"
TARGET_CALLS = 15


class Meter:
    """Calls, per operation, of every client made from :attr:`session`."""

    def __init__(self, region: str):
        self.session = boto3.Session(aws_access_key_id="testing",
                                     aws_secret_access_key="testing", region_name=region)
        self.calls: dict[str, int] = {}
        self.session.events.register_last("before-send", self._sent)

    def _sent(self, event_name, **_):
        operation = event_name.rsplit(".", 1)[-1]
        self.calls[operation] = self.calls.get(operation, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.calls.values())


def _specs() -> list[dict]:
    base = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    return [{"name": f"{PREFIX}-{i:04d}", "status": "Completed",
             "created": base + dt.timedelta(minutes=i), "duration_s": 600 + i,
             "billable_s": 600 + i,
             "hyperparameters": {"lr": str(0.001 * (i + 1)), "batch": str(32 << (i % 3)),
                                 "optimizer": '"adam"'},
             "final": {"validation:loss": float(np.float32(1 / (i + 1))),
                       "train:loss": float(np.float32(0.5 / (i + 1)))}}
            for i in range(COUNT)]


def _describe_each(standin, meter) -> pd.DataFrame:
    client = meter.session.client("sagemaker", endpoint_url=standin.endpoint_url)
    names = []
    for page in client.get_paginator("list_training_jobs").paginate(
            NameContains=PREFIX, MaxResults=100):
        names += [s["TrainingJobName"] for s in page["TrainingJobSummaries"]]
    rows = [job_row(client.describe_training_job(TrainingJobName=name)) for name in names]
    rows.sort(key=lambda row: row["created"], reverse=True)
    return jobs_frame(rows)


def _timed(run):
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def _budget_floor(calls: dict[str, int]) -> float:
    """Least seconds the default call budget allows for ``calls``."""
    return sum(count / DEFAULT_RATES.get(("sagemaker", op), math.inf)
               for op, count in calls.items())


def main() -> None:
    with lifted_budget(), StandIn() as standin:
        add_jobs(standin, _specs())
        baseline_meter, ours_meter = Meter(standin.region), Meter(standin.region)
        baseline, baseline_s = _timed(lambda: _describe_each(standin, baseline_meter))
        ours, ours_s = _timed(lambda: metricwidgets.list_jobs(
            name_contains=PREFIX, session=ours_meter.session,
            endpoint_url=standin.endpoint_url, region=standin.region))
    pd.testing.assert_frame_equal(ours.drop(columns="duration_s"),
                                  baseline.drop(columns="duration_s"))
    calls_b, calls_o = baseline_meter.total, ours_meter.total
    floor_b, floor_o = _budget_floor(baseline_meter.calls), _budget_floor(ours_meter.calls)
    print(f"{COUNT} jobs, {len(ours.columns)} columns each (same rows from both)")
    print(f"{'':28}{'calls':>8}{'wall s':>10}{'budget floor s':>16}")
    detail_b = " + ".join(f"{n} {op}" for op, n in sorted(baseline_meter.calls.items()))
    detail_o = " + ".join(f"{n} {op}" for op, n in sorted(ours_meter.calls.items()))
    print(f"{'(a) list + describe each':28}{calls_b:>8}{baseline_s:>10.2f}{floor_b:>16.1f}"
          f"   {detail_b}")
    print(f"{'(b) list_jobs (Search)':28}{calls_o:>8}{ours_s:>10.2f}{floor_o:>16.1f}"
          f"   {detail_o}")
    print(f"ratio a/b: calls {calls_b / calls_o:.0f}x, wall {baseline_s / ours_s:.1f}x, "
          f"budget floor {floor_b / floor_o:.0f}x")
    verdict = "OK" if calls_o <= TARGET_CALLS and calls_b > COUNT else "MISSED"
    print(f"target: {COUNT} jobs in at most {TARGET_CALLS} calls (baseline {COUNT}+): {verdict}")
