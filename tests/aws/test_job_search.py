"""``list_jobs`` and ``metricwidgets jobs`` on the stand-in: 1,000 jobs in a few Search calls.

The jobs go into moto's backend directly (:func:`metricwidgets.testing.moto_search.add_jobs`);
every listing goes through boto3 and HTTP to the stand-in, whose ``Search`` pages, sorts and
filters as SageMaker does. The expected rows are computed here from the jobs' specification.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import metricwidgets
from metricwidgets.errors import InputError
from metricwidgets.testing.moto_search import add_jobs

pytestmark = pytest.mark.aws

COUNT = 1000
PREFIX = "runs-table"
_STATUSES = ("Completed", "Failed", "Stopped")
_BASE = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _spec(i: int) -> dict:
    status = _STATUSES[i % 3]
    final = {} if status == "Failed" else {
        "validation:loss": float(np.float32(1 / (i + 1))),
        "train:loss": float(np.float32(0.5 / (i + 1)))}
    return {"name": f"{PREFIX}-{i:04d}", "status": status,
            "created": _BASE + dt.timedelta(minutes=i), "duration_s": 100 + i,
            "billable_s": 90 + i,
            "hyperparameters": {"lr": str(0.001 * (i + 1)), "batch": str(32 * (1 + i % 4)),
                                "optimizer": '"adam"' if i % 2 else '"sgd"'},
            "final": final}


SPECS = [_spec(i) for i in range(COUNT)]


def _expected(specs) -> pd.DataFrame:
    """The frame list_jobs must return for ``specs``: newest first."""
    rows = []
    for spec in sorted(specs, key=lambda s: s["created"], reverse=True):
        hp = spec["hyperparameters"]
        rows.append({"name": spec["name"], "status": spec["status"],
                     "created": pd.Timestamp(spec["created"]),
                     "duration_s": float(spec["duration_s"]),
                     "billable_s": float(spec["billable_s"]),
                     "hp:batch": int(hp["batch"]), "hp:lr": float(hp["lr"]),
                     "hp:optimizer": hp["optimizer"].strip('"'),
                     "final:train:loss": spec["final"].get("train:loss", math.nan),
                     "final:validation:loss": spec["final"].get("validation:loss", math.nan)})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def jobs(standin):
    add_jobs(standin, SPECS)
    return SPECS


def _same(frame: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(frame.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), expected,
                                  check_dtype=False, check_exact=True)


def test_a_thousand_jobs_are_listed_exactly_in_ten_calls(jobs, calls):
    frame = metricwidgets.list_jobs(name_contains=PREFIX, **calls.aws)
    _same(frame, _expected(jobs))
    assert str(frame["created"].dt.tz) == "UTC"
    assert frame["hp:lr"].dtype == np.float64 and frame["hp:batch"].dtype == np.int64
    assert calls.count("Search") == 10
    assert calls.count("DescribeTrainingJob") == 0


def test_a_small_page_size_pages_through_every_job_once(jobs, calls):
    frame = metricwidgets.list_jobs(name_contains=PREFIX, page_size=7, **calls.aws)
    _same(frame, _expected(jobs))
    assert calls.count("Search") == math.ceil(COUNT / 7)


@pytest.mark.parametrize("limit", [1, 7, 150])
def test_limit_gives_the_newest_jobs_and_stops_paging(jobs, calls, limit):
    frame = metricwidgets.list_jobs(name_contains=PREFIX, limit=limit, page_size=50,
                                    **calls.aws)
    expected = _expected(jobs).head(limit)
    _same(frame[expected.columns], expected)
    assert calls.count("Search") == math.ceil(limit / 50)


def test_status_and_name_filters(jobs, calls):
    frame = metricwidgets.list_jobs(name_contains=f"{PREFIX}-00", status="failed",
                                    **calls.aws)
    specs = [s for s in jobs if s["name"].startswith(f"{PREFIX}-00") and s["status"] == "Failed"]
    expected = _expected(specs).drop(columns=["final:train:loss", "final:validation:loss"])
    _same(frame, expected)  # no failed job has final metrics: no final:* column
    assert set(frame["status"]) == {"Failed"}


def test_since_keeps_jobs_created_at_or_after_it(jobs, calls):
    since = _BASE + dt.timedelta(minutes=990)
    frame = metricwidgets.list_jobs(name_contains=PREFIX, since=since.isoformat(), **calls.aws)
    _same(frame, _expected([s for s in jobs if s["created"] >= since]))
    assert len(frame) == 10


def test_a_relative_since_counts_back_from_now(calls, standin):
    now = dt.datetime.now(dt.timezone.utc)
    add_jobs(standin, [{"name": f"since-relative-{age}h", "status": "Completed",
                        "created": now - dt.timedelta(hours=age), "duration_s": 5,
                        "billable_s": 5, "hyperparameters": {}, "final": {}}
                       for age in (2, 30, 240)])
    names = {since: metricwidgets.list_jobs(name_contains="since-relative", since=since,
                                            **calls.aws)["name"].tolist()
             for since in ("1h", "3h", "2d", "7d", "2w")}
    assert names == {"1h": [], "3h": ["since-relative-2h"],
                     "2d": ["since-relative-2h", "since-relative-30h"],
                     "7d": ["since-relative-2h", "since-relative-30h"],
                     "2w": ["since-relative-2h", "since-relative-30h", "since-relative-240h"]}


def test_no_match_is_an_empty_frame_with_the_base_columns(jobs, calls):
    frame = metricwidgets.list_jobs(name_contains="no-such-job-anywhere", **calls.aws)
    assert frame.empty
    assert list(frame.columns) == ["name", "status", "created", "duration_s", "billable_s"]


@pytest.mark.parametrize("kwargs, message", [
    ({"status": "Done"}, "status: expected one of"),
    ({"since": "last tuesday"}, "since: expected an ISO date"),
    ({"limit": 0}, "limit: expected a whole number"),
])
def test_bad_filters_are_one_line_input_errors(kwargs, message, standin):
    with pytest.raises(InputError, match=message) as caught:
        metricwidgets.list_jobs(**kwargs, **standin.aws_kwargs)
    assert "\n" not in str(caught.value)


def _cli(standin, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "metricwidgets", "jobs", *args],
                          capture_output=True, text=True, env={**os.environ, **standin.env},
                          timeout=120, check=False)


def test_the_cli_prints_the_same_rows_as_csv(jobs, standin):
    done = _cli(standin, "--name-contains", f"{PREFIX}-09", "--format", "csv")
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(io.StringIO(done.stdout))
    expected = _expected([s for s in jobs if s["name"].startswith(f"{PREFIX}-09")])
    assert list(frame.columns) == list(expected.columns)
    assert frame["name"].tolist() == expected["name"].tolist()
    assert frame["created"].iloc[0] == "2026-01-01T16:39:00Z"
    assert frame["hp:lr"].tolist() == expected["hp:lr"].tolist()


def test_the_cli_json_and_table_formats(jobs, standin):
    done = _cli(standin, "--name-contains", PREFIX, "--limit", "3", "--status", "Completed",
                "--format", "json", "--endpoint-url", standin.endpoint_url)
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert [r["name"] for r in records] == [f"{PREFIX}-0999", f"{PREFIX}-0996", f"{PREFIX}-0993"]
    assert records[0]["final:validation:loss"] == pytest.approx(1 / 1000, rel=1e-6)
    table = _cli(standin, "--name-contains", PREFIX, "--limit", "2")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:5] == ["name", "status", "created", "duration_s", "billable_s"]
    assert len(lines) == 3 and lines[1].split()[0] == f"{PREFIX}-0999"


def test_the_cli_refuses_a_bad_since_with_one_line(standin):
    done = _cli(standin, "--since", "yesterday-ish")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "since: expected" in done.stderr
