"""Scale: a long job read incrementally, and many jobs kept within the API budget."""

from __future__ import annotations

import time

import pytest

from metricwidgets.sources.budget import default_budget
from metricwidgets.polling import Scheduler, Watch
from tests.waiting import poll_until
from metricwidgets.options import MetricOptions

pytestmark = pytest.mark.aws


@pytest.fixture
def poller():
    poller = Scheduler(name="scale-test-poller")
    yield poller
    for watch in poller.watches:
        watch.close()
    assert poller.join(30)


def test_a_100000_line_job_polled_100_times_while_growing_fetches_each_event_once(
        standin, job_name, calls, fast_budget):
    standin.create_job(job_name, [{"Name": "v", "Regex": r" v=(\d+)"}], instance_count=2)
    watch = Watch.for_job(job_name, MetricOptions.from_keywords(**calls.aws), start=False, describe_interval=0.0)
    start = time.time() - 3600
    per_round = 500  # per host: 2 hosts x 500 x 100 rounds = 100,000 lines
    try:
        for round_ in range(100):
            for host in ("algo-1", "algo-2"):
                first = round_ * per_round
                lines = [f"{host} v={i}" for i in range(first, first + per_round)]
                stamps = [start + i * 0.03 for i in range(first, first + per_round)]
                standin.write_logs(job_name, host, lines, stamps)
            watch.poll_once()
            assert watch.last_error is None, watch.last_error
    finally:
        watch.close()
    assert sum(calls.events.values()) == 100_000
    assert len(calls.events) == 100_000  # ... each of them exactly once
    frame = watch.store.to_dataframe()
    assert len(frame) == 100_000
    for host in ("algo-1", "algo-2"):
        values = frame[frame.host == host]["value"]
        assert values.tolist() == list(map(float, range(100 * per_round)))
    # Reading to the end costs one extra call per stream and poll (the same token back).
    assert calls.count("GetLogEvents") <= 100 * 2 * 3


def _max_in_window(times, window=1.0):
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


def test_100_tuning_children_watched_at_once_stay_within_the_call_budget(
        standin, job_name, calls, poller):
    tuning = job_name[:24]
    standin.create_tuning_job(tuning)
    for k in range(100):
        child = f"{tuning}-{k:03d}"
        standin.add_tuning_child(tuning, child)
        standin.write_logs(child, "algo-1", [f"Train_error=0.{k:03d};  Valid_error=0.5;"])
    budget = default_budget()
    watch = Watch.for_tuning_job(tuning, MetricOptions.from_keywords(**calls.aws), poller=poller, min_interval=0.05, max_interval=0.2, describe_interval=0.5)
    # Demand far beyond the budget: 100 jobs polled every 0.05 s. A first round over them
    # all takes 10 s at 10 DescribeTrainingJob a second; a few seconds of it prove the point.
    assert poll_until(lambda: len(watch.statuses) >= 25, 30), len(watch.statuses)
    watch.close()
    for operation, service in (("GetLogEvents", "logs"), ("DescribeLogStreams", "logs"),
                               ("DescribeTrainingJob", "sagemaker")):
        times = calls.times(operation)
        rate = budget.rates[(service, operation)]
        assert times, operation
        assert _max_in_window(times) <= rate, (operation, _max_in_window(times), rate)
    # The budget, not a lack of work, is what held the calls back.
    assert _max_in_window(calls.times("GetLogEvents")) == 10
    # One shared listing (2 pages of 50) serves every child, not one listing per child.
    assert calls.count("DescribeLogStreams") <= 2 * 4
    assert len(watch.store) > 0
    assert all(m.level != "error" for m in watch.messages), list(watch.messages)[-3:]


def test_20_running_jobs_overlaid_stay_within_the_logs_call_budget(standin, job_name, calls,
                                                                   poller):
    defs = [{"Name": "train:error", "Regex": r"Train_error=(.*?);"}]
    jobs = [f"{job_name}-{k:02d}" for k in range(20)]
    hosts = ("algo-1", "algo-2")
    for k, job in enumerate(jobs):
        standin.create_job(job, defs, instance_count=2)
        for host in hosts:
            standin.write_logs(job, host, [f"Train_error=0.{k:02d};"])
    budget = default_budget()
    # Demand far beyond the budget: 20 running jobs (40 streams) polled every 0.05 s.
    watch = Watch.for_jobs(jobs, MetricOptions.from_keywords(**calls.aws), poller=poller, min_interval=0.05, max_interval=0.1, describe_interval=0.5)
    assert poll_until(lambda: len(watch.store) >= 40, 60), len(watch.store)
    # The jobs are running: their logs grow while they are polled, and every stream's new
    # line must arrive (the budget delays the calls; it must not starve a job).
    for k, job in enumerate(jobs):
        for host in hosts:
            standin.write_logs(job, host, [f"Train_error=1.{k:02d};"])

    def points():
        return [len(s) for s in watch.store.snapshots()]

    assert poll_until(lambda: sum(points()) >= 80, 60), points()
    assert poll_until(lambda: calls.count("GetLogEvents") >= 60, 60)
    watch.close()
    assert calls.times("DescribeLogStreams")
    for (service, operation), rate in budget.rates.items():
        if service == "logs":
            times = calls.times(operation)
            assert _max_in_window(times) <= rate, (operation, _max_in_window(times), rate)
    # The budget, not a lack of work, is what held GetLogEvents back.
    assert _max_in_window(calls.times("GetLogEvents")) == budget.rates[("logs", "GetLogEvents")]
    # Every stream of every job: both its lines, once each, in order.
    assert sorted({k.source for k in watch.store.keys()}) == jobs
    for snap in watch.store.snapshots():
        k = jobs.index(snap.key.source)
        assert snap.value.tolist() == [float(f"0.{k:02d}"), float(f"1.{k:02d}")], snap.key
    assert len(watch.store.keys()) == 40
    assert all(m.level != "error" for m in watch.messages), list(watch.messages)[-3:]
