"""A summary of many training jobs in a few calls, through SageMaker's ``Search``.

``Search(Resource="TrainingJob")`` returns up to 100 whole training jobs per call (status,
times, hyperparameters, ``FinalMetricDataList``), where ``ListTrainingJobs`` gives only names
and statuses and needs one ``DescribeTrainingJob`` per job for the rest: 1,000 jobs take 10
calls instead of 1,010. Every call goes through the process-wide call budget
(:mod:`~metricwidgets.sources.budget`).

The filters are sent to SageMaker (``TrainingJobName Contains``, ``TrainingJobStatus
Equals``, ``CreationTime GreaterThanOrEqualTo``, newest first) and checked again on each job
returned, so an endpoint that ignores one (moto does) still gives the right rows; ``limit`` is
applied here too. botocore's paginator follows ``NextToken``; paging stops as soon as the
limit is reached. The public :func:`metricwidgets.api.list_jobs` builds its frame from here.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

from metricwidgets.errors import InputError
from metricwidgets.sources.aws import AWSOptions, translate_error
from metricwidgets.sources.budget import LazyClient
from metricwidgets.sources import listing
from metricwidgets.sources.listing import MAX_PAGE_SIZE, TRAINING_STATUSES, utc

__all__ = ["BASE_COLUMNS", "JOB_STATUSES", "MAX_PAGE", "JobSearch", "job_row", "jobs_frame",
           "parse_since"]

#: The first columns of :func:`list_jobs`' frame; ``hp:<name>`` and ``final:<metric>`` follow.
BASE_COLUMNS = ["name", "status", "created", "duration_s", "billable_s"]
#: SageMaker's training job statuses.
JOB_STATUSES = TRAINING_STATUSES
#: The most jobs one ``Search`` call returns.
MAX_PAGE = MAX_PAGE_SIZE

#: Hyperparameter texts read as numbers (:func:`_number`); at most 30 digits before an int()
#: (Python refuses to convert 4,300 and more).
_PLAIN_INTEGER = re.compile(r"-?(?:0|[1-9]\d{0,29})\Z")
_PLAIN_DECIMAL = re.compile(r"-?(?:0|[1-9]\d{0,29})(?:\.\d{1,30})?(?:[eE][-+]?\d{1,4})?\Z")
_INT64 = 1 << 63
#: No training job was created before this; a ``since`` earlier filters nothing out.
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(value, now: dt.datetime | None = None) -> dt.datetime | None:
    """The UTC instant ``value`` names: a datetime, an ISO date or time (``2026-05-01``,
    ``2026-05-01T12:00``; UTC unless it says otherwise) or an age (``90s``, ``30m``, ``12h``,
    ``7d``, ``2w``: that long before ``now``). None stays None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        relative = _RELATIVE.match(text)
        if relative:
            now = now or dt.datetime.now(dt.timezone.utc)
            seconds = float(relative.group(1)) * _UNIT_SECONDS[relative.group(2).lower()]
            try:
                return now - dt.timedelta(seconds=seconds)
            except OverflowError:
                raise InputError(f"since: {text!r} goes back before the year 1; give an age "
                                 "or a date SageMaker's jobs can have") from None
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise InputError(f"since: expected an ISO date or time (2026-05-01, "
                             f"2026-05-01T12:00Z) or an age (12h, 7d), not {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def _number(text: str):
    """A hyperparameter as a number when its text is a plain decimal number, else the text.

    SageMaker stores hyperparameters as strings. Plain means what a person writes for a
    number and reads back unchanged: an optional ``-``, digits without leading zeros, an
    optional fraction and exponent (``3``, ``-0.5``, ``1e-3``); an integer beyond 64 bits, or
    a number beyond a float's range, stays text too. Python's literal forms (``"007"``,
    ``"1_000"``, ``" 5 "``, ``"inf"``, ``"0x10"``) are kept as the text they are. A value the
    SageMaker SDK JSON-quoted (``'"adam"'``) is unquoted.
    """
    if _PLAIN_INTEGER.match(text):
        value = int(text)
        return value if -_INT64 <= value < _INT64 else text
    if _PLAIN_DECIMAL.match(text):
        value = float(text)
        return value if math.isfinite(value) else text
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def job_row(job: dict, now: dt.datetime | None = None) -> dict[str, Any]:
    """One row of :func:`list_jobs` from a ``TrainingJob`` as ``Search`` returns it.

    ``duration_s`` is training time (``TrainingStartTime`` to ``TrainingEndTime``; so far,
    for a job still running); ``billable_s`` is ``BillableTimeInSeconds``. Both are NaN when
    SageMaker has not set them.
    """
    start, end = utc(job.get("TrainingStartTime")), utc(job.get("TrainingEndTime"))
    if start is not None and end is None and job.get("TrainingJobStatus") in (
            "InProgress", "Stopping"):
        end = now or dt.datetime.now(dt.timezone.utc)
    billable = job.get("BillableTimeInSeconds")
    row = {"name": job.get("TrainingJobName"), "status": job.get("TrainingJobStatus"),
           "created": utc(job.get("CreationTime")),
           "duration_s": (end - start).total_seconds() if start and end else math.nan,
           "billable_s": float(billable) if billable is not None else math.nan}
    for name, value in (job.get("HyperParameters") or {}).items():
        row[f"hp:{name}"] = _number(value)
    for metric in job.get("FinalMetricDataList") or []:
        row[f"final:{metric['MetricName']}"] = float(metric["Value"])
    return row


def jobs_frame(rows: list[dict]):
    """The DataFrame of rows: :data:`BASE_COLUMNS`, then ``hp:*`` and ``final:*`` sorted."""
    import pandas as pd

    extra = sorted({key for row in rows for key in row if key not in BASE_COLUMNS},
                   key=lambda key: (not key.startswith("hp:"), key))
    frame = pd.DataFrame(rows, columns=BASE_COLUMNS + extra)
    frame["created"] = pd.to_datetime(frame["created"], utc=True)
    for column in ("duration_s", "billable_s"):
        frame[column] = frame[column].astype("float64")
    return frame


class JobSearch:
    """Pages through ``Search`` for training jobs.

    Parameters
    ----------
    options : AWSOptions
    page_size : int
        Jobs asked for per call (at most :data:`MAX_PAGE`).
    client : optional
        A ready ``sagemaker`` client (default: a budgeted one from ``options``).

    Attributes
    ----------
    calls : int
        ``Search`` calls made so far.
    """

    client = LazyClient("sagemaker")

    def __init__(self, options: AWSOptions, page_size: int = MAX_PAGE, client=None):
        self.options = options
        self.page_size = listing.page_size(page_size, MAX_PAGE)
        if client is not None:
            self.client = client
        self.calls = 0

    def jobs(self, name_contains: str | None = None, status: str | None = None,
             since: dt.datetime | None = None, limit: int | None = None) -> list[dict]:
        """The matching training jobs, newest first, as ``Search`` returns them."""
        import botocore.exceptions as bex

        found: list[dict] = []
        seen: set[str] = set()
        size = self.page_size if limit is None else min(self.page_size, limit)
        pages = self.client.get_paginator("search").paginate(
            **_search_params(name_contains, status, since),
            PaginationConfig={"PageSize": size})
        try:
            for page in pages:
                self.calls += 1
                for result in page.get("Results", []):
                    job = result.get("TrainingJob") or {}
                    name = job.get("TrainingJobName")
                    if name not in seen and _wanted(job, name_contains, status, since):
                        seen.add(name)
                        found.append(job)
                if limit is not None and len(found) >= limit:
                    break  # the paginator makes no further call
        except (bex.BotoCoreError, bex.ClientError) as exc:
            raise translate_error(exc, "searching training jobs") from None
        return found if limit is None else found[:limit]


def _search_params(name_contains, status, since) -> dict[str, Any]:
    filters = []
    if name_contains:
        filters.append({"Name": "TrainingJobName", "Operator": "Contains",
                        "Value": name_contains})
    if status:
        filters.append({"Name": "TrainingJobStatus", "Operator": "Equals", "Value": status})
    if since is not None and since >= _EPOCH:
        # Earlier is every job (strftime would also write year 1 as '1-01-01'): no filter.
        filters.append({"Name": "CreationTime", "Operator": "GreaterThanOrEqualTo",
                        "Value": since.strftime("%Y-%m-%dT%H:%M:%SZ")})
    params: dict[str, Any] = {"Resource": "TrainingJob", "SortBy": "CreationTime",
                              "SortOrder": "Descending"}
    if filters:
        params["SearchExpression"] = {"Filters": filters}
    return params


def _wanted(job: dict, name_contains, status, since) -> bool:
    if name_contains and name_contains not in (job.get("TrainingJobName") or ""):
        return False
    if status and job.get("TrainingJobStatus") != status:
        return False
    created = utc(job.get("CreationTime"))
    return since is None or (created is not None and created >= since)
