"""The stand-in's ``FilterLogEvents`` answers as CloudWatch Logs documents it (moto does not).

Each test writes streams through the stand-in (``PutLogEvents`` over HTTP) and asks with a
plain boto3 client, so what is checked is what any caller would get.
"""

from __future__ import annotations

import time

import botocore.exceptions
import pytest

from metricwidgets.testing.job_lines import LOG_GROUP

pytestmark = pytest.mark.aws


def _all_pages(logs, **kwargs) -> list[dict]:
    events, token = [], None
    while True:
        page = logs.filter_log_events(logGroupName=LOG_GROUP, **kwargs,
                                      **({"nextToken": token} if token else {}))
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            return events


def _write_two_jobs(standin, job_name):
    now = time.time() - 60
    lines = [f"step {i} loss={i / 10}" if i % 3 == 0 else f"step {i} LOSS={i}" for i in range(30)]
    for host in ("algo-1", "algo-2"):
        standin.write_logs(job_name, host, lines, [now + i for i in range(30)])
    standin.write_logs(job_name + "-other", "algo-1", lines, [now + i for i in range(30)])
    return lines


def test_a_stream_prefix_keeps_the_events_to_that_jobs_streams(standin, job_name):
    _write_two_jobs(standin, job_name)
    events = _all_pages(standin.client("logs"), logStreamNamePrefix=job_name + "/")
    assert len(events) == 60
    assert {e["logStreamName"].split("/")[0] for e in events} == {job_name}


def test_a_regex_pattern_returns_only_the_lines_it_finds_case_sensitively(standin, job_name):
    lines = _write_two_jobs(standin, job_name)
    events = _all_pages(standin.client("logs"), logStreamNamePrefix=job_name + "/",
                        filterPattern="%loss=%")
    wanted = [line for line in lines if "loss=" in line]
    assert sorted(e["message"] for e in events) == sorted(wanted * 2)
    # Timestamp order across streams; each stream's own lines in their order.
    assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)
    one = [e["message"] for e in events if e["logStreamName"].split("/")[1].startswith("algo-1")]
    assert one == wanted


def test_an_alternation_and_an_escaped_dot_mean_what_cloudwatch_says(standin, job_name):
    standin.write_logs(job_name, "algo-1", ["a val.loss=1", "a valXloss=2", "f1=0.5", "x"])
    events = _all_pages(standin.client("logs"), logStreamNamePrefix=job_name + "/",
                        filterPattern="%val\\.loss|f1=%")
    assert [e["message"] for e in events] == ["a val.loss=1", "f1=0.5"]


def test_pages_stop_at_the_event_limit_and_carry_a_token(standin, job_name):
    standin.write_logs(job_name, "algo-1", [f"loss={i}" for i in range(25)])
    logs = standin.client("logs")
    first = logs.filter_log_events(logGroupName=LOG_GROUP, logStreamNamePrefix=job_name + "/",
                                   filterPattern="%loss=%", limit=10)
    assert len(first["events"]) == 10 and first["nextToken"]
    assert len(_all_pages(logs, logStreamNamePrefix=job_name + "/", filterPattern="%loss=%",
                          limit=10)) == 25


def test_a_pattern_cloudwatch_rejects_is_an_invalid_parameter(standin, job_name):
    standin.write_logs(job_name, "algo-1", ["loss=1"])
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        standin.client("logs").filter_log_events(
            logGroupName=LOG_GROUP, logStreamNamePrefix=job_name + "/",
            filterPattern="%(loss)%")
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"


def test_stream_names_and_a_prefix_together_are_refused(standin, job_name):
    stream = standin.write_logs(job_name, "algo-1", ["loss=1"])
    with pytest.raises(botocore.exceptions.ClientError):
        standin.client("logs").filter_log_events(
            logGroupName=LOG_GROUP, logStreamNames=[stream], logStreamNamePrefix=job_name)
