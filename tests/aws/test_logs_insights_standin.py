"""The stand-in's Logs Insights queries answer as CloudWatch Logs documents them (moto ignores
``filter``).

Each test writes streams through the stand-in (``PutLogEvents`` over HTTP) in a time window
of its own, days back, and asks with a plain boto3 client.
"""

from __future__ import annotations

import datetime as dt
import random
import time

import botocore.exceptions
import pytest

from metricwidgets.testing.job_lines import LOG_GROUP
from metricwidgets.testing.moto_logs_insights import fail_queries, row_cap
from tests.waiting import wait_until

pytestmark = pytest.mark.aws

FIELDS = "fields @timestamp, @logStream, @message"


def _window() -> int:
    """A start second no other test writes near (2 to 10 days back)."""
    return int(time.time()) - 2 * 86400 - random.randrange(0, 7 * 86400)


def _query(logs, query: str, start: int, end: int, **kwargs) -> dict:
    query_id = logs.start_query(logGroupName=LOG_GROUP, startTime=start, endTime=end,
                                queryString=query, **kwargs)["queryId"]
    answers = []

    def done():
        answers.append(logs.get_query_results(queryId=query_id))
        return answers[-1]["status"] not in ("Scheduled", "Running")

    wait_until(done, 10, what="the query")
    return answers[-1]


def _rows(answer) -> list[dict]:
    return [{cell["field"]: cell["value"] for cell in row} for row in answer["results"]]


def _write(standin, job, host, lines, start):
    return standin.write_logs(job, host, lines, [start + i for i in range(len(lines))])


def test_filters_on_stream_and_message_keep_only_those_lines_in_time_order(standin, job_name):
    start = _window()
    lines = [f"step {i} loss={i}" if i % 4 == 0 else f"step {i} lr=0.1" for i in range(20)]
    stream1 = _write(standin, job_name, "algo-1", lines, start)
    stream2 = _write(standin, job_name, "algo-2", lines, start)
    _write(standin, job_name + "-other", "algo-1", lines, start)
    answer = _query(standin.client("logs"),
                    f"{FIELDS} | filter @logStream like /^({job_name})\\// "
                    f"| filter @message like /loss=/ | sort @timestamp asc",
                    start, start + 100)
    assert answer["status"] == "Complete"
    rows = _rows(answer)
    assert [list(row) for row in rows[:1]] == [["@timestamp", "@logStream", "@message", "@ptr"]]
    assert {row["@logStream"] for row in rows} == {stream1, stream2}
    assert sorted(row["@message"] for row in rows) == sorted(
        [line for line in lines if "loss=" in line] * 2)
    stamps = [row["@timestamp"] for row in rows]
    assert stamps == sorted(stamps)
    first = dt.datetime.fromtimestamp(start, dt.timezone.utc)
    assert stamps[0] == first.strftime("%Y-%m-%d %H:%M:%S.000")
    assert answer["statistics"]["recordsMatched"] == 10


def test_the_message_filter_is_a_case_sensitive_regex_search(standin, job_name):
    start = _window()
    _write(standin, job_name, "algo-1", ["a val.loss=1", "a valXloss=2", "VAL.LOSS=3", "f1/x=4"],
           start)
    answer = _query(standin.client("logs"),
                    f"{FIELDS} | filter @logStream like /^{job_name}\\// "
                    f"| filter @message like /val\\.loss|f1\\/x/ | sort @timestamp asc",
                    start, start + 10)
    assert [row["@message"] for row in _rows(answer)] == ["a val.loss=1", "f1/x=4"]


def test_the_time_range_is_in_seconds_and_inclusive(standin, job_name):
    start = _window()
    _write(standin, job_name, "algo-1", [f"loss={i}" for i in range(10)], start)
    answer = _query(standin.client("logs"),
                    f"{FIELDS} | filter @logStream like /^{job_name}\\//",
                    start + 2, start + 5)
    assert sorted(row["@message"] for row in _rows(answer)) == [
        "loss=2", "loss=3", "loss=4", "loss=5"]


def test_bytes_scanned_count_every_stream_in_the_range_not_only_those_filtered(
        standin, job_name):
    start = _window()
    lines = ["x" * 10 + f"{i:02d}" for i in range(30)]  # 12 bytes each
    _write(standin, job_name, "algo-1", lines, start)
    _write(standin, job_name + "-b", "algo-1", lines, start)
    answer = _query(standin.client("logs"),
                    f"{FIELDS} | filter @logStream like /^{job_name}\\// "
                    f"| filter @message like /x00/", start, start + 29)
    assert len(answer["results"]) == 1
    assert answer["statistics"]["recordsScanned"] == 60
    assert answer["statistics"]["bytesScanned"] == 60 * 12


def test_rows_stop_at_the_cap_and_records_matched_says_how_many_there_were(
        standin, job_name):
    start = _window()
    _write(standin, job_name, "algo-1", [f"loss={i}" for i in range(40)], start)
    logs = standin.client("logs")
    query = f"{FIELDS} | filter @logStream like /^{job_name}\\// | sort @timestamp asc"
    with row_cap(15):
        capped = _query(logs, query, start, start + 100)
    assert len(capped["results"]) == 15 and capped["statistics"]["recordsMatched"] == 40
    assert [row["@message"] for row in _rows(capped)] == [f"loss={i}" for i in range(15)]
    limited = _query(logs, query + " | limit 5", start, start + 100)
    assert len(limited["results"]) == 5
    assert len(_query(logs, query, start, start + 100, limit=7)["results"]) == 7


def test_a_query_runs_before_it_completes(standin, job_name):
    start = _window()
    _write(standin, job_name, "algo-1", ["loss=1"], start)
    logs = standin.client("logs")
    query_id = logs.start_query(logGroupName=LOG_GROUP, startTime=start, endTime=start + 1,
                                queryString=f"{FIELDS} | filter @message like /loss=/")["queryId"]
    first = logs.get_query_results(queryId=query_id)
    assert first["status"] == "Running" and first["results"] == []
    wait_until(lambda: logs.get_query_results(queryId=query_id)["status"] == "Complete", 10,
               what="the query to complete")


def test_an_injected_failure_ends_the_query_failed(standin, job_name):
    start = _window()
    _write(standin, job_name, "algo-1", ["loss=1"], start)
    fail_queries(1)
    logs = standin.client("logs")
    answer = _query(logs, f"{FIELDS} | filter @message like /loss=/", start, start + 1)
    assert answer["status"] == "Failed" and answer["results"] == []
    assert _query(logs, f"{FIELDS} | filter @message like /loss=/", start,
                  start + 1)["status"] == "Complete"


@pytest.mark.parametrize("change", [
    {"queryString": FIELDS + " | filter @message like /" + "a" * 10_000 + "/"},
    {"limit": 10_001},
    {"startTime": 200, "endTime": 100},
])
def test_what_cloudwatch_refuses_is_an_invalid_parameter(standin, change):
    params = {"logGroupName": LOG_GROUP, "startTime": 100, "endTime": 200,
              "queryString": FIELDS + " | filter @message like /x/", **change}
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        standin.client("logs").start_query(**params)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"


def test_more_than_thirty_running_queries_are_refused(standin, job_name):
    start = _window()
    _write(standin, job_name, "algo-1", ["loss=1"], start)
    logs = standin.client("logs")
    ids = []
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        for _ in range(31):
            ids.append(logs.start_query(logGroupName=LOG_GROUP, startTime=start,
                                        endTime=start + 1,
                                        queryString=FIELDS)["queryId"])
    assert caught.value.response["Error"]["Code"] == "LimitExceededException"
    assert len(ids) == 30
    for query_id in ids:  # seen complete: no longer counted
        wait_until(lambda query_id=query_id: logs.get_query_results(
            queryId=query_id)["status"] == "Complete", 10, interval=0.02,
            what="the query to complete")
    last = logs.start_query(logGroupName=LOG_GROUP, startTime=start, endTime=start + 1,
                            queryString=FIELDS)["queryId"]
    logs.stop_query(queryId=last)
    assert logs.get_query_results(queryId=last)["status"] == "Cancelled"
