"""Faults: the server going away, throttling, and the errors a user must understand."""

from __future__ import annotations


import pytest

from metricwidgets.errors import AWSError
from metricwidgets.api import fetch_job_metrics
from metricwidgets.polling.watch import Watch
from tests.waiting import poll_until
from metricwidgets.options import MetricOptions

pytestmark = pytest.mark.aws

FAST = dict(min_interval=0.05, max_interval=0.2, describe_interval=0.1)
DEFS = [{"Name": "v", "Regex": r"v=(\d+)"}]


def _lines(host, start, stop):
    return [f"{host} v={i}" for i in range(start, stop)]


def test_server_stopped_and_restarted_mid_job_loses_and_repeats_nothing(
        standin, job_name, poller, calls):
    standin.create_job(job_name, DEFS, instance_count=2)
    for host in ("algo-1", "algo-2"):
        standin.write_logs(job_name, host, _lines(host, 0, 50))
    watch = Watch.for_job(job_name, MetricOptions.from_keywords(**calls.aws), poller=poller, max_backoff=0.5, **FAST)
    assert poll_until(lambda: len(watch.store) == 100, 30)
    standin.stop(players=False)
    try:
        assert poll_until(lambda: watch.last_error is not None, 30)
        assert watch.last_error.code == "unreachable"
        assert any("could not be reached" in m.text for m in watch.messages)
    finally:
        standin.start()
    for host in ("algo-1", "algo-2"):
        standin.write_logs(job_name, host, _lines(host, 50, 120))
    standin.finish_job(job_name)
    assert watch.wait(60), list(watch.messages)
    frame = watch.store.to_dataframe()
    for host in ("algo-1", "algo-2"):
        assert frame[frame.host == host]["value"].tolist() == list(map(float, range(120)))
    # Every event was fetched exactly once, before and after the outage.
    assert len(calls.events) == 240 and set(calls.events.values()) == {1}
    assert any(m.text == "recovered; polling again" for m in watch.messages)


def test_throttling_is_retried_with_backoff_and_the_data_comes_complete(
        standin, job_name, poller, calls):
    standin.create_job(job_name, DEFS)
    standin.write_logs(job_name, "algo-1", _lines("algo-1", 0, 30))
    standin.finish_job(job_name)
    calls.inject("GetLogEvents", 4)
    watch = Watch.for_job(job_name, MetricOptions.from_keywords(**calls.aws), poller=poller, max_backoff=1.0, **FAST)
    assert watch.wait(60), list(watch.messages)
    assert watch.store.to_dataframe()["value"].tolist() == list(map(float, range(30)))
    throttled = [m for m in watch.messages if "AWS is throttling" in m.text]
    assert throttled and throttled[0].level == "warning"
    # 4 refused attempts + the ones that went through; botocore retried within a poll
    # (2 attempts), the poller backed off between polls.
    times = calls.times("GetLogEvents")
    assert len(times) >= 6
    gaps = [b - a for a, b in zip(times, times[1:5])]
    # The second failed poll backs off min_interval * 2**2 = 0.2 s, jittered down to at least
    # half of it (BackoffPolicy.failed); without a backoff the polls would come 0.05 s apart.
    assert max(gaps) >= 0.1
    assert set(calls.events.values()) == {1}


def test_unknown_job_is_a_clear_error(standin):
    with pytest.raises(AWSError) as info:
        fetch_job_metrics("no-such-job-anywhere", **standin.aws_kwargs)
    assert info.value.code == "not-found"
    assert str(info.value) == ("training job 'no-such-job-anywhere' was not found (check the "
                               "name and the region).")


def test_unknown_job_stops_the_watch_with_the_error(standin, poller):
    watch = Watch.for_job("no-such-job-either", MetricOptions.from_keywords(**standin.aws_kwargs), poller=poller, **FAST)
    assert not watch.wait(20)
    assert watch.error is not None and watch.error.code == "not-found"
    assert watch.messages[-1].level == "error"
    assert watch.statuses["no-such-job-either"].status == "NotFound"
    assert poller.join(10)


def test_missing_credentials_are_a_clear_error(standin, job_name, monkeypatch, tmp_path):
    standin.create_job(job_name)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(AWSError) as info:
        fetch_job_metrics(job_name, **standin.aws_kwargs)
    assert info.value.code == "credentials"
    assert "no AWS credentials found" in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_permission_is_a_clear_error(standin, job_name, calls):
    standin.create_job(job_name)
    calls.inject("DescribeTrainingJob", 100, "AccessDeniedException",
                 "User: arn:aws:iam::123456789012:user/x is not authorized to perform: "
                 "sagemaker:DescribeTrainingJob")
    with pytest.raises(AWSError) as info:
        fetch_job_metrics(job_name, **calls.aws)
    assert info.value.code == "permission"
    assert "permission denied" in str(info.value)
    assert "sagemaker:DescribeTrainingJob" in str(info.value)
    assert calls.count("DescribeTrainingJob") == 1  # not retried: waiting will not help
