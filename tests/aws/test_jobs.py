"""Watching and fetching SageMaker jobs on the moto stand-in, over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from metricwidgets.api import fetch_job_metrics
from metricwidgets.polling.watch import Watch
from metricwidgets.sources.cloudwatch_logs import CloudWatchLogsSource, host_from_stream
from metricwidgets.sources.log_sample import read_job_log_sample
from metricwidgets.sources.sagemaker_job import SageMakerJobSource
from metricwidgets.testing.job_lines import training_lines
from tests.waiting import FakeClock, poll_until
from metricwidgets.options import MetricOptions
from metricwidgets.sources.aws import AWSOptions

pytestmark = pytest.mark.aws

FAST = dict(min_interval=0.05, max_interval=0.2, describe_interval=0.1)


def _expected(kind, lines, instances):
    """What SageMaker's definitions capture from the lines the stand-in wrote, per host."""
    return {f"algo-{i + 1}": [values for _, values in training_lines(kind, lines, 0, i)]
            for i in range(instances)}


def test_a_played_job_is_watched_live_to_completion(standin, job_name, poller, calls):
    player = standin.play_job(job_name, lines_per_host=15, interval=0.05, kind="xgboost")
    watch = Watch.for_job(job_name, MetricOptions.from_keywords(**calls.aws), poller=poller, **FAST)
    assert watch.wait(60), list(watch.messages)
    assert player.wait(10) and player.error is None
    status = watch.statuses[job_name]
    assert status.status == "Completed" and status.terminal
    assert [t["Status"] for t in status.transitions] == [
        "Starting", "Downloading", "Training", "Uploading", "Completed"]
    expected = _expected("xgboost", 15, 2)
    frame = watch.store.to_dataframe()
    for host, rows in expected.items():
        got = frame[(frame.host == host) & (frame.metric == "validation:rmse")]
        assert got["value"].tolist() == [r["validation:rmse"] for r in rows]
    # FinalMetricDataList is float32-rounded, as SageMaker reports it.
    last = expected["algo-2"][-1]["validation:rmse"]
    assert status.final_metrics["validation:rmse"] == float(np.float32(last))
    assert calls.count("DescribeTrainingJob") >= 2


def test_a_job_that_has_not_written_yet_is_waiting_not_failing(standin, job_name, poller):
    standin.create_job(job_name, [{"Name": "loss", "Regex": "loss=(\\S+)"}])
    watch = Watch.for_job(job_name, MetricOptions.from_keywords(**standin.aws_kwargs), poller=poller, **FAST)
    source = watch.sources[0]
    assert poll_until(lambda: source.calls.get("DescribeLogStreams", 0) >= 3, 30)
    assert not source.started
    assert watch.last_error is None and watch.error is None
    assert all(m.level == "info" for m in watch.messages)
    standin.write_logs(job_name, "algo-1", ["loss=0.5"])
    assert poll_until(lambda: len(watch.store), 30)
    assert watch.store.to_dataframe()["value"].tolist() == [0.5]


def test_a_failed_job_reports_its_failure_reason(standin, job_name, poller):
    standin.play_job(job_name, lines_per_host=10, interval=0.02, instance_count=1,
                     fail_reason="CUDA out of memory")
    watch = Watch.for_job(job_name, MetricOptions.from_keywords(**standin.aws_kwargs), poller=poller, **FAST)
    assert watch.wait(60)
    status = watch.statuses[job_name]
    assert status.status == "Failed"
    assert status.failure_reason == "CUDA out of memory"
    assert any(m.level == "error" and "CUDA out of memory" in m.text for m in watch.messages)
    assert len(watch.store.to_dataframe().query("metric == 'train:error'")) == 5


def test_describe_is_called_at_most_once_per_interval(standin, job_name, poller, calls):
    standin.create_job(job_name)
    clock = FakeClock()
    source = SageMakerJobSource(job_name, AWSOptions(), interval=0.5, clock=clock, client=calls.session.client(
        "sagemaker", endpoint_url=standin.endpoint_url))
    assert SageMakerJobSource(job_name, AWSOptions()).interval == 10.0  # the default while a job runs
    for tick in range(13):  # a poll every 0.1 s for 1.2 s
        clock.now = tick / 10
        source.poll()
    assert calls.count("DescribeTrainingJob") == 3  # at 0, 0.5 and 1.0 s


def test_fetch_gives_every_point_of_every_host_with_its_timestamp(standin, job_name):
    standin.write_finished_job(job_name, lines_per_host=120, instance_count=3)
    frame = fetch_job_metrics(job_name, **standin.aws_kwargs)
    assert list(frame.columns) == ["timestamp", "host", "metric", "value", "step", "line"]
    assert str(frame["timestamp"].dt.tz) == "UTC"
    for host, rows in _expected("simple", 120, 3).items():
        got = frame[(frame.host == host) & (frame.metric == "train:error")]
        assert got["value"].tolist() == [r["train:error"] for r in rows]
        assert got["line"].tolist() == list(range(1, 121))
        assert got["timestamp"].is_monotonic_increasing
    logs = standin.client("logs")
    stream = standin.stream_name(job_name, "algo-2")
    first = logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs",
                                logStreamName=stream, startFromHead=True, limit=1)["events"][0]
    got = frame[(frame.host == "algo-2")]["timestamp"].iloc[0]
    # Seconds are kept as float64: exact to well under a microsecond.
    assert abs(got - pd.Timestamp(first["timestamp"], unit="ms", tz="UTC")) < pd.Timedelta("1us")


def test_a_definition_added_after_the_job_ran_finds_its_points(standin, job_name):
    standin.write_finished_job(job_name, lines_per_host=30, instance_count=1)
    epoch = {"Name": "epoch", "Regex": r"epoch=(\d+)"}
    frame = fetch_job_metrics(job_name, metric_definitions=[epoch], **standin.aws_kwargs)
    assert frame[frame.metric == "epoch"]["value"].tolist() == list(map(float, range(30)))
    assert set(frame.metric) == {"epoch", "train:error", "validation:error"}


def test_fetch_from_cloudwatch_gives_published_minute_averages(standin, job_name):
    standin.write_finished_job(job_name, lines_per_host=40, instance_count=2, seconds=600)
    frame = fetch_job_metrics(job_name, source="metrics", **standin.aws_kwargs)
    got = frame[frame.metric == "train:error"]
    assert set(got.host) == {"all"}
    assert (got["timestamp"].dt.second == 0).all()  # one point per aligned minute
    rows = _expected("simple", 40, 2)
    raw = [r["train:error"] for host in rows.values() for r in host]
    assert len(got) < len(raw)
    assert got["value"].mean() == pytest.approx(np.mean(raw), rel=0.2)


def test_cli_fetch_prints_csv_with_iso_utc_timestamps(standin, job_name):
    standin.write_finished_job(job_name, lines_per_host=10, instance_count=2)
    env = dict(os.environ, **standin.env)
    result = subprocess.run([sys.executable, "-m", "metricwidgets", "fetch", job_name],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("timestamp,host,metric,value")
    assert len(lines) == 1 + 2 * 2 * 10
    stamp = lines[1].split(",")[0]
    assert pd.Timestamp(stamp).tzinfo is not None and stamp.endswith("Z")


def test_sixty_streams_are_all_listed_and_read(standin, job_name, calls, fast_budget):
    standin.create_job(job_name, [{"Name": "v", "Regex": r"v=(\d+)"}], instance_count=60)
    for i in range(60):
        standin.write_logs(job_name, f"algo-{i + 1}", [f"v={i}"])
    source = CloudWatchLogsSource(job_name, AWSOptions(), client=calls.session.client(
        "logs", endpoint_url=standin.endpoint_url))
    update = source.poll()
    assert len(source.streams) == 60
    assert calls.count("DescribeLogStreams") == 2  # 50 + 10: nextToken followed
    assert sorted(b.host for b in update.logs) == sorted(f"algo-{i + 1}" for i in range(60))
    assert {b.host: b.lines for b in update.logs}["algo-60"] == ["v=59"]


def test_host_is_the_stream_name_without_job_and_epoch():
    assert host_from_stream("my-job", "my-job/algo-12-1700000000") == "algo-12"
    assert host_from_stream("a-b", "a-b/algo-1-1234567890") == "algo-1"


def test_a_new_source_resumes_from_the_cursor_without_refetching(standin, job_name, calls):
    standin.create_job(job_name)
    standin.write_logs(job_name, "algo-1", [f"line {i}" for i in range(5)])
    client = calls.session.client("logs", endpoint_url=standin.endpoint_url)
    first = CloudWatchLogsSource(job_name, AWSOptions(), client=client)
    assert [b.lines for b in first.poll().logs] == [[f"line {i}" for i in range(5)]]
    standin.write_logs(job_name, "algo-1", [f"line {i}" for i in range(5, 8)])
    resumed = CloudWatchLogsSource(job_name, AWSOptions(), client=client, cursor=first.cursor)
    assert [b.lines for b in resumed.poll().logs] == [[f"line {i}" for i in range(5, 8)]]
    assert all(count == 1 for count in calls.events.values()) and len(calls.events) == 8


def test_the_log_sample_holds_the_first_and_last_lines_of_each_host(standin, job_name):
    written = standin.write_finished_job(job_name, lines_per_host=50, instance_count=2)
    sample = read_job_log_sample(job_name, standin.options, first=5, last=3)
    assert sample["algo-1"] == written["algo-1"][:5] + written["algo-1"][-3:]
    whole = read_job_log_sample(job_name, standin.options, first=40, last=40)
    assert whole["algo-2"] == written["algo-2"]


def test_a_tuning_job_watches_children_as_they_launch(standin, job_name, poller):
    tuning = job_name[:28]
    standin.create_tuning_job(tuning)
    standin.add_tuning_child(tuning, f"{tuning}-001")
    watch = Watch.for_tuning_job(tuning, MetricOptions.from_keywords(**standin.aws_kwargs), poller=poller, **FAST)
    standin.write_logs(f"{tuning}-001", "algo-1", ["Train_error=0.5;  Valid_error=0.6;"])
    assert poll_until(lambda: len(watch.store) >= 2, 20), list(watch.messages)
    standin.add_tuning_child(tuning, f"{tuning}-002")
    standin.write_logs(f"{tuning}-002", "algo-1", ["Train_error=0.3;  Valid_error=0.4;"])
    for child in (f"{tuning}-001", f"{tuning}-002"):
        standin.finish_job(child, final_metrics={"validation:error": 0.4})
    standin.finish_tuning_job(tuning, f"{tuning}-002", 0.4)
    assert watch.wait(30), list(watch.messages)
    extra = watch.statuses[tuning].extra
    assert extra["best_job"] == f"{tuning}-002"
    assert extra["objective"] == {"Type": "Minimize", "MetricName": "validation:error"}
    assert extra["children"] == [f"{tuning}-001", f"{tuning}-002"]
    assert watch.tuning_job_name == tuning  # the header heads with it
    children = Watch.for_jobs(extra["children"], MetricOptions.from_keywords(**standin.aws_kwargs), poller=poller, **FAST)
    try:
        assert children.tuning_job_name is None  # compared jobs: peers
    finally:
        children.close()
    frame = watch.store.to_dataframe()
    assert sorted(frame[frame.metric == "validation:error"]["value"]) == [0.4, 0.6]
    assert set(frame.source) == {f"{tuning}-001", f"{tuning}-002"}


def test_published_metrics_are_read_incrementally_in_period_aligned_windows(
        standin, job_name, calls):
    from metricwidgets.sources.base import JobStatus
    from metricwidgets.sources.cloudwatch_metrics import CloudWatchMetricsSource

    now = time.time()
    job_start = now - 1000  # not on a minute boundary
    standin.create_job(job_name)
    stamps = [job_start + 15 * k for k in range(60)]  # every 15 s for 15 minutes
    standin.put_metrics(job_name, {"loss": [(t, float(k)) for k, t in enumerate(stamps)]})
    windows = []
    calls.session.events.register(
        "provide-client-params.cloudwatch.GetMetricData",
        lambda params, **_: windows.append((params["StartTime"].timestamp(),
                                            params["EndTime"].timestamp())))
    clock = [job_start + 500]
    source = CloudWatchMetricsSource(job_name, AWSOptions(), client=calls.session.client(
        "cloudwatch", endpoint_url=standin.endpoint_url), clock=lambda: clock[0])
    source.on_status(JobStatus(job_name, "InProgress", start_time=job_start))
    first = source.poll().points
    clock[0] = now + 120
    second = source.poll().points
    origin = job_start // 60 * 60
    assert windows[0][0] == origin  # aligned down to the period that holds the job's start
    assert all(start % 60 == 0 and end % 60 == 0 for start, end in windows)
    assert windows[1][0] == windows[0][1]  # the second call asks only for what is new
    got = np.concatenate([b.timestamps for b in first + second])
    assert len(got) == len(set(got.tolist())) == len({t // 60 for t in stamps})
    # Only complete minutes are delivered while the job runs.
    assert all(t + 60 <= job_start + 500 for b in first for t in b.timestamps)


def test_cli_fetch_takes_extra_definitions_and_prints_json(standin, job_name, tmp_path):
    import json

    standin.write_finished_job(job_name, lines_per_host=4, instance_count=1)
    defs = tmp_path / "defs.json"
    defs.write_text(json.dumps([{"Name": "epoch", "Regex": r"epoch=(\d+)"}]))
    env = dict(os.environ, **standin.env)
    result = subprocess.run([sys.executable, "-m", "metricwidgets", "fetch", job_name,
                             "--definitions", str(defs), "--format", "json"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["value"] for r in rows if r["metric"] == "epoch"] == [0.0, 1.0, 2.0, 3.0]
    assert rows[0]["timestamp"].endswith("Z")


def test_cli_fetch_of_an_unknown_job_is_one_line_on_stderr(standin):
    env = dict(os.environ, **standin.env)
    result = subprocess.run([sys.executable, "-m", "metricwidgets", "fetch", "no-such-job"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "metricwidgets fetch: error: training job 'no-such-job' was not found (check the name "
        "and the region)."]
