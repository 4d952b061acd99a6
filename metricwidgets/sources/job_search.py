"""A summary of many training jobs in a few calls, through SageMaker's ``Search``.

``Search(Resource="TrainingJob")`` returns up to 100 whole training jobs per call (status,
times, hyperparameters, ``FinalMetricDataList``), where ``ListTrainingJobs`` gives only names
and statuses and needs one ``DescribeTrainingJob`` per job for the rest: 1,000 jobs take 10
calls instead of 1,010. Every call goes through the process-wide call budget
(:mod:`~metricwidgets.sources.budget`).

The filters are sent to SageMaker (``TrainingJobName Contains``, ``TrainingJobStatus
Equals``, ``CreationTime GreaterThanOrEqualTo``, newest first) and checked again on each job
returned, so an endpoint that ignores one (moto does) still gives the right rows; ``limit`` is
applied here too, and paging follows ``NextToken`` until it is absent.
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

__all__ = ["BASE_COLUMNS", "JOB_STATUSES", "JobSearch", "job_row", "jobs_frame", "list_jobs",
           "parse_since"]

#: The first columns of :func:`list_jobs`' frame; ``hp:<name>`` and ``final:<metric>`` follow.
BASE_COLUMNS = ["name", "status", "created", "duration_s", "billable_s"]
#: SageMaker's training job statuses.
JOB_STATUSES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped")
#: The most jobs one ``Search`` call returns.
MAX_PAGE = 100

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


def _status(value: str | None) -> str | None:
    if value is None:
        return None
    for status in JOB_STATUSES:
        if status.lower() == str(value).strip().lower():
            return status
    raise InputError(f"status: expected one of {', '.join(JOB_STATUSES)}, not {value!r}")


def _limit(value) -> int | None:
    if value is None:
        return None
    try:
        limit = int(value)
    except (TypeError, ValueError):
        limit = 0
    if limit < 1 or str(limit) != str(value).strip():
        raise InputError(f"limit: expected a whole number of jobs >= 1, not {value!r}")
    return limit


def _utc(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, dt.timezone.utc)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


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
    start, end = _utc(job.get("TrainingStartTime")), _utc(job.get("TrainingEndTime"))
    if start is not None and end is None and job.get("TrainingJobStatus") in (
            "InProgress", "Stopping"):
        end = now or dt.datetime.now(dt.timezone.utc)
    billable = job.get("BillableTimeInSeconds")
    row = {"name": job.get("TrainingJobName"), "status": job.get("TrainingJobStatus"),
           "created": _utc(job.get("CreationTime")),
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
    options : AWSOptions, optional
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

    def __init__(self, options: AWSOptions | None = None, page_size: int = MAX_PAGE,
                 client=None):
        if not 1 <= int(page_size) <= MAX_PAGE:
            raise InputError(f"page_size: expected 1 to {MAX_PAGE}, not {page_size!r}")
        self.options = options or AWSOptions.from_kwargs()
        self.page_size = int(page_size)
        self._client = client
        self.calls = 0

    def _call(self, params: dict) -> dict:
        import botocore.exceptions as bex

        self.calls += 1
        try:
            return self.client.search(**params)
        except (bex.BotoCoreError, bex.ClientError) as exc:
            raise translate_error(exc, "searching training jobs") from None

    def jobs(self, name_contains: str | None = None, status: str | None = None,
             since: dt.datetime | None = None, limit: int | None = None) -> list[dict]:
        """The matching training jobs, newest first, as ``Search`` returns them."""
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
        found: list[dict] = []
        seen: set[str] = set()
        while limit is None or len(found) < limit:
            want = self.page_size if limit is None else min(self.page_size, limit - len(found))
            page = self._call({**params, "MaxResults": want})
            for result in page.get("Results", []):
                job = result.get("TrainingJob") or {}
                name = job.get("TrainingJobName")
                if name in seen or not _wanted(job, name_contains, status, since):
                    continue
                seen.add(name)
                found.append(job)
            params["NextToken"] = page.get("NextToken")
            if not params["NextToken"]:
                break
        return found if limit is None else found[:limit]


def _wanted(job: dict, name_contains, status, since) -> bool:
    if name_contains and name_contains not in (job.get("TrainingJobName") or ""):
        return False
    if status and job.get("TrainingJobStatus") != status:
        return False
    created = _utc(job.get("CreationTime"))
    return since is None or (created is not None and created >= since)


def list_jobs(name_contains: str | None = None, status: str | None = None, since=None,
              limit: int | None = None, *, page_size: int = MAX_PAGE, options=None, **aws):
    """Summarise training jobs, one row each, through SageMaker's ``Search`` (up to 100 jobs
    per call; never one describe call per job).

    Parameters
    ----------
    name_contains : str, optional
        Only jobs whose name contains this text (case-sensitive, as SageMaker matches).
    status : str, optional
        ``InProgress``, ``Completed``, ``Failed``, ``Stopping`` or ``Stopped`` (any case).
    since : datetime, str, optional
        Only jobs created at or after this instant: a datetime, an ISO date or time (UTC
        unless it says otherwise) or an age such as ``"7d"`` or ``"12h"``.
    limit : int, optional
        At most this many jobs, the newest first.
    page_size : int
        Jobs asked for per call (1 to 100).
    options : MetricOptions, optional
        Where to reach AWS, as a door built it (:mod:`metricwidgets.options`); else
    **aws
        ``region``, ``profile``, ``endpoint_url``, ``session`` (made into options the same
        way).

    Returns
    -------
    pandas.DataFrame
        One row per job, newest first: ``name``, ``status``, ``created`` (UTC),
        ``duration_s`` (training time, so far for a running job), ``billable_s``, then one
        ``hp:<name>`` column per hyperparameter (numbers where they parse) and one
        ``final:<metric>`` column per final metric (NaN where a job has none).

    Raises
    ------
    InputError
        A status, ``since`` or ``limit`` that cannot be understood.
    AWSError
        Missing credentials, no permission, AWS unreachable.
    """
    status, limit = _status(status), _limit(limit)
    since = parse_since(since)
    from metricwidgets.options import resolve_options

    search = JobSearch(resolve_options(options, **aws).aws, page_size=page_size)
    now = dt.datetime.now(dt.timezone.utc)
    jobs = search.jobs(name_contains, status, since, limit)
    return jobs_frame([job_row(job, now) for job in jobs])
