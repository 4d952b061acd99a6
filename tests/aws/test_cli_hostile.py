"""``jobs`` and ``fetch`` on the stand-in given hostile values: one line and no traceback; the
numbers of a job come out as SageMaker stored them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import metricwidgets
from metricwidgets.testing.moto_search import add_jobs
from tests.cli.hostile import one_line_error

pytestmark = pytest.mark.aws

_NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
HOSTILE_HP = {"leading_zeros": "007", "underscores": "1_000", "spaces": " 5 ",
              "huge": "9" * 5000, "tiny": "0." + "0" * 400 + "1", "word": "inf",
              "plain_int": "42", "plain_float": "-0.25", "exponent": "1e-3",
              "quoted": '"adam"'}


@pytest.fixture(scope="module")
def odd_jobs(standin):
    add_jobs(standin, [
        {"name": "hostile-numbers-1", "status": "Completed", "created": _NOW,
         "duration_s": 10, "billable_s": 9, "hyperparameters": HOSTILE_HP,
         "final": {"loss": 0.5}},
        {"name": "hostile-numbers-2", "status": "Failed", "created": _NOW,
         "duration_s": 10, "billable_s": 9, "hyperparameters": {}, "final": {}},
    ])


def cli(standin, *args, timeout=90):
    env = {**os.environ, **standin.env}
    return subprocess.run([sys.executable, "-m", "metricwidgets", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=env)


def test_hyperparameters_keep_their_text_unless_a_plain_decimal_number(odd_jobs, standin):
    frame = metricwidgets.list_jobs(name_contains="hostile-numbers-1", **standin.aws_kwargs)
    row = frame.iloc[0]
    got = {name: row[f"hp:{name}"] for name in HOSTILE_HP}
    assert got == {**HOSTILE_HP, "plain_int": 42, "plain_float": -0.25, "exponent": 0.001,
                   "quoted": "adam"}
    assert isinstance(got["plain_int"], (int, np.integer)) and isinstance(got["huge"], str)


def test_jobs_json_keeps_a_missing_value_null_and_the_numbers_as_text(odd_jobs, standin):
    done = cli(standin, "jobs", "--name-contains", "hostile-numbers", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert rows["hostile-numbers-2"]["final:loss"] is None  # no final metric: missing
    assert rows["hostile-numbers-1"]["final:loss"] == 0.5
    assert rows["hostile-numbers-1"]["hp:huge"] == "9" * 5000  # was Infinity, then null


def test_since_year_one_lists_every_job_and_sends_no_malformed_filter(odd_jobs, calls):
    sent = []
    calls.session.events.register("provide-client-params.sagemaker.Search",
                                  lambda params, **_: sent.append(params))
    frame = metricwidgets.list_jobs(name_contains="hostile-numbers", since="0001-01-01",
                                    **calls.aws)
    assert sorted(frame["name"]) == ["hostile-numbers-1", "hostile-numbers-2"]
    values = [f["Value"] for p in sent for f in p.get("SearchExpression", {}).get("Filters", [])
              if f["Name"] == "CreationTime"]
    assert values == []  # before any job: no filter at all (was '1-01-01T00:00:00Z')


HOSTILE = [
    ("jobs", ["--since", "999999d"]),
    ("jobs", ["--since", "9" * 400 + "w"]),
    ("jobs", ["--since", "yesterday"]),
    ("jobs", ["--since", "10000-01-01"]),
    ("jobs", ["--limit", "0"]),
    ("jobs", ["--limit", "1e9"]),
    ("jobs", ["--limit", "-3"]),
    ("jobs", ["--status", "Running; rm -rf /"]),
    ("jobs", ["--format", "xml"]),
    ("jobs", ["--region", "../../etc/passwd"]),
    ("jobs", ["--profile", "no-such-profile-here"]),
    ("jobs", ["--endpoint-url", "not a url"]),
    ("fetch", ["hostile-numbers-1", "--definition", "loss=loss=(.*?;"]),
    ("fetch", ["hostile-numbers-1", "--definitions", "/dev/zero"]),
    ("fetch", ["hostile-numbers-1", "--source", "everywhere"]),
    ("fetch", ["hostile-numbers-1", "--format", "xml"]),
    ("fetch", ["no-such-job-anywhere"]),
    ("fetch", ["../../etc/passwd"]),
    ("fetch", ["x" * 10_000]),
    ("diagnose", ["--job", "hostile-numbers-1", "--definition", "a=(a"]),
    ("diagnose", ["--job", "no-such-job-anywhere"]),
]


@pytest.mark.parametrize("command, extra", HOSTILE,
                         ids=[f"{c} {' '.join(a)[:40]}" for c, a in HOSTILE])
def test_a_hostile_value_gives_one_line_and_no_traceback(odd_jobs, standin, command, extra):
    done = cli(standin, command, *extra)
    assert done.returncode == 2, (done.stdout[-300:], done.stderr)
    one_line_error(done, command)
