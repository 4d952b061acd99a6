"""A backfill through Logs Insights on the stand-in: the same points as a full read.

The jobs' lines are written through the stand-in; the stand-in answers the queries as
CloudWatch documents them (:mod:`metricwidgets.testing.moto_logs_insights`), including its
row cap, lowered here through its test hook to make a time split happen on small logs.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time

import pandas as pd
import pytest

import metricwidgets
from metricwidgets.options import MetricOptions
from metricwidgets.polling.backfill import INSIGHTS_MIN_JOBS, Backfill
from metricwidgets.testing.moto_logs_insights import fail_queries, row_cap

pytestmark = pytest.mark.aws

DEFINITIONS = [{"Name": "f1", "Regex": r"eval_f1=([0-9.]+)"},
               {"Name": "loss", "Regex": r"#011loss: ([0-9.]+)"}]
LINES = 200


def _lines(job: int, host: int) -> list[str]:
    out = []
    for i in range(LINES):
        if i % 40 == 7:
            out.append(f"[{i}] eval_f1={(job + host + i) / 1000}")
        elif i % 10 in (3, 4):
            out.append(f"[{i}]\tloss: {(i * (job + 1)) / 7:.4f}")  # escaped to #011
        else:
            out.append(f"[{i}] step {i} lr=0.001 throughput=123.4 imgs/s")
    return out


def _write(standin, names, start, spacing=0.5):
    for j, name in enumerate(names):
        for h in (1, 2):
            standin.write_logs(name, f"algo-{h}", _lines(j, h),
                               [start + j * 30 + k * spacing for k in range(LINES)])


@pytest.fixture(scope="module")
def many_jobs(standin):
    names = [f"insights-{int(time.time())}-{i}" for i in range(INSIGHTS_MIN_JOBS)]
    _write(standin, names, int(time.time()) - 3000)  # lines on whole seconds: at the splits
    return names


@pytest.fixture(scope="module")
def options(standin):
    return MetricOptions.build(metric_definitions=DEFINITIONS, **standin.aws_kwargs)


@pytest.fixture(scope="module")
def full_read(many_jobs, options):
    full = Backfill(many_jobs, options.definitions, options, push_down=False)
    full.run()
    assert len(full.frame()) > 0
    return full.frame()


def test_many_jobs_go_through_insights_and_give_the_points_of_a_full_read(
        many_jobs, full_read, calls):
    frame = metricwidgets.fetch_jobs_metrics(many_jobs, metric_definitions=DEFINITIONS,
                                             **calls.aws)
    pd.testing.assert_frame_equal(frame, full_read, check_exact=True)
    assert 1 <= calls.count("StartQuery") <= 3
    assert calls.count("GetLogEvents") == 0 and calls.count("FilterLogEvents") == 0


def test_fewer_jobs_are_filtered_job_by_job_unless_insights_is_asked_for(
        many_jobs, options, full_read):
    few = many_jobs[:3]
    auto = Backfill(few, options.definitions, options)
    assert auto.scan == "filter"
    insights = Backfill(few, options.definitions, options, scan="insights")
    insights.run()
    assert insights.meter.calls["StartQuery"] >= 1 and not insights.notes
    assert insights.progress().text().count("Logs Insights") == 1
    pd.testing.assert_frame_equal(insights.frame(),
                                  full_read[full_read["job"].isin(few)].reset_index(drop=True),
                                  check_exact=True)


def test_a_query_at_the_row_cap_is_split_in_time_until_nothing_is_lost(
        many_jobs, options, full_read):
    candidates = (full_read["job"] == many_jobs[0]).sum()
    with row_cap(60):  # the stand-in's cap, lowered: one job alone has more candidates
        assert candidates > 60
        backfill = Backfill(many_jobs, options.definitions, options, scan="insights")
        backfill.run()
    assert backfill.meter.calls["StartQuery"] > 10 and not backfill.notes
    assert backfill.meter.calls["FilterLogEvents"] == 0
    pd.testing.assert_frame_equal(backfill.frame(), full_read, check_exact=True)


def test_more_candidates_in_one_second_than_a_query_returns_fall_back_to_filter(
        standin, options):
    names = [f"insights-dense-{int(time.time())}"]
    _write(standin, names, int(time.time()) - 2000, spacing=0.001)  # 200 lines in 0.2 s
    full = Backfill(names, options.definitions, options, push_down=False)
    full.run()
    with row_cap(20):
        backfill = Backfill(names, options.definitions, options, scan="insights")
        backfill.run()
    assert len(backfill.notes) == 1 and "within one second" in backfill.notes[0]
    assert backfill.meter.calls["FilterLogEvents"] == 1
    pd.testing.assert_frame_equal(backfill.frame(), full.frame(), check_exact=True)


def test_a_failed_query_is_one_warning_and_its_jobs_are_read_with_filter(
        many_jobs, full_read, calls):
    fail_queries(1)
    with pytest.warns(UserWarning) as caught:
        frame = metricwidgets.fetch_jobs_metrics(many_jobs, metric_definitions=DEFINITIONS,
                                                 **calls.aws)
    lines = [str(w.message) for w in caught if "Insights" in str(w.message)]
    assert len(lines) == 1 and "ended Failed" in lines[0] and "\n" not in lines[0]
    assert calls.count("FilterLogEvents") == len(many_jobs)
    pd.testing.assert_frame_equal(frame, full_read, check_exact=True)


def test_no_permission_to_query_falls_back_to_filter(many_jobs, full_read, calls):
    calls.inject("StartQuery", 1, code="AccessDeniedException",
                 message="not authorized to perform: logs:StartQuery")
    with pytest.warns(UserWarning, match="logs:StartQuery"):
        frame = metricwidgets.fetch_jobs_metrics(many_jobs, metric_definitions=DEFINITIONS,
                                                 scan="insights", **calls.aws)
    pd.testing.assert_frame_equal(frame, full_read, check_exact=True)


def test_lines_sharing_a_millisecond_keep_their_order_in_the_log(standin, options):
    names = [f"insights-ties-{int(time.time())}"]
    start = int(time.time()) - 1500
    lines = [f"[{i}]\tloss: {i}" for i in range(6)] + ["[6] eval_f1=0.5"]
    stamps = [start, start, start, start + 1, start + 1, start + 2, start + 2]
    standin.write_logs(names[0], "algo-1", lines, stamps)
    backfill = Backfill(names, options.definitions, options, scan="insights")
    backfill.run()
    loss = backfill.frame().query("metric == 'loss'")
    assert list(loss["value"]) == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert list(loss["step"]) == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    # The stand-in gives tied rows newest first; two moments were read again in order.
    assert backfill.meter.calls["FilterLogEvents"] == 3


def test_cancel_stops_between_queries(many_jobs, options):
    backfill = Backfill(many_jobs, options.definitions, options, scan="insights")
    backfill.cancel()
    backfill.run()
    assert backfill.meter.total_calls == 0 and len(backfill.store) == 0


def test_the_cli_takes_the_scan_and_prints_the_same_points(many_jobs, full_read, standin):
    prefix = many_jobs[0].rsplit("-", 1)[0]
    from metricwidgets.testing.moto_search import add_jobs

    add_jobs(standin, [{"name": n, "status": "Completed",
                        "created": pd.Timestamp.now(tz="UTC").to_pydatetime(),
                        "duration_s": 60, "billable_s": 60, "hyperparameters": {},
                        "final": {}} for n in many_jobs])
    result = subprocess.run(
        [sys.executable, "-m", "metricwidgets", "fetch", "--name-contains", prefix,
         "--scan", "insights", "--format", "csv"]
        + [f"--definition={d['Name']}={d['Regex']}" for d in DEFINITIONS],
        capture_output=True, text=True, env={**os.environ, **standin.env}, timeout=180)
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert len(frame) == len(full_read)
    assert sorted(frame["value"]) == sorted(full_read["value"])
    bad = subprocess.run([sys.executable, "-m", "metricwidgets", "fetch", "some-job",
                          "--scan", "insights"], capture_output=True, text=True,
                         env={**os.environ, **standin.env}, timeout=120)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0
    assert "--scan" in bad.stderr
