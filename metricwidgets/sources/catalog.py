"""The account's training jobs and tuning jobs, as plain JSON-able dicts.

This is the AWS side of the server extension's REST endpoints (and of anything else that
wants to browse jobs): ``ListTrainingJobs``, ``DescribeTrainingJob``,
``ListHyperParameterTuningJobs``, ``DescribeHyperParameterTuningJob`` and
``ListTrainingJobsForHyperParameterTuningJob``. Every answer is made of str, int, float,
bool, None, lists and dicts only; times are ISO-8601 UTC strings. Every failure is an
:class:`~metricwidgets.errors.AWSError` (from :func:`~metricwidgets.sources.aws.translate_error`)
or an :class:`~metricwidgets.errors.InputError` for a bad filter.

Calls go through :func:`~metricwidgets.sources.budget.budgeted_client`, so all the catalogs
of one process together stay within ``ListTrainingJobs``' ~2 calls per second.
"""

from __future__ import annotations

import threading

from metricwidgets.core.parsing import definitions_to_sagemaker
from metricwidgets.errors import AWSError
from metricwidgets.sources.aws import AWSOptions, translate_error
from metricwidgets.sources.listing import (
    MAX_PAGE_SIZE,
    TRAINING_STATUSES,
    iso_utc,
    known_status,
    page_size,
)
from metricwidgets.sources.sagemaker_job import status_from_description

__all__ = ["Catalog", "TRAINING_STATUSES", "TUNING_STATUSES", "MAX_PAGE_SIZE"]

#: ``StatusEquals`` values ``ListHyperParameterTuningJobs`` accepts.
TUNING_STATUSES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped",
                   "Deleting", "DeleteFailed")
#: Children of a tuning job listed at most (SageMaker allows 750 training jobs per tuning job).
MAX_CHILDREN = 750


def _newest_first(items: list[dict]) -> list[dict]:
    # SageMaker already sorts when asked; sorting the page again keeps the promise even
    # for an endpoint that ignores SortBy (moto does).
    return sorted(items, key=lambda item: item.get("creation_time") or "", reverse=True)


#: Output key <- (answer key, conversion) of each list item.
_JOB_FIELDS = {"name": ("TrainingJobName", None), "arn": ("TrainingJobArn", None),
               "status": ("TrainingJobStatus", None),
               "secondary_status": ("SecondaryStatus", None),
               "creation_time": ("CreationTime", iso_utc),
               "end_time": ("TrainingEndTime", iso_utc),
               "last_modified_time": ("LastModifiedTime", iso_utc)}
_TUNING_FIELDS = {"name": ("HyperParameterTuningJobName", None),
                  "arn": ("HyperParameterTuningJobArn", None),
                  "status": ("HyperParameterTuningJobStatus", None),
                  "strategy": ("Strategy", None), "creation_time": ("CreationTime", iso_utc),
                  "end_time": ("HyperParameterTuningEndTime", iso_utc),
                  "last_modified_time": ("LastModifiedTime", iso_utc),
                  "counts": ("TrainingJobStatusCounters", lambda value: dict(value or {}))}


def _pick(summary: dict, fields: dict) -> dict:
    out = {}
    for key, (source, convert) in fields.items():
        value = summary.get(source)
        out[key] = convert(value) if convert else value
    return out


def _child_summary(summary: dict) -> dict:
    objective = summary.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
    return {
        "name": summary["TrainingJobName"],
        "status": summary.get("TrainingJobStatus"),
        "creation_time": iso_utc(summary.get("CreationTime")),
        "start_time": iso_utc(summary.get("TrainingStartTime")),
        "end_time": iso_utc(summary.get("TrainingEndTime")),
        "hyperparameters": dict(summary.get("TunedHyperParameters") or {}),
        "objective": ({"name": objective.get("MetricName"), "value": objective.get("Value"),
                       "type": objective.get("Type")} if objective else None),
        "failure_reason": summary.get("FailureReason"),
    }


class Catalog:
    """Lists and describes the training and tuning jobs of one account and region.

    Parameters
    ----------
    options : AWSOptions
        Where and as whom to call.
    retries : int
        botocore retries per call (after the first attempt): a browsing user wants a quick
        answer, and the sidebar asks again on its next refresh anyway.
    client : botocore client, optional
        A ready ``sagemaker`` client (made lazily from ``options`` when None).
    **client_config
        botocore ``Config`` settings of the lazily made client (``connect_timeout``,
        ``read_timeout``).

    Notes
    -----
    Thread-safe: the methods block on HTTP and are meant to run in a worker thread; boto3
    clients may be shared between threads.
    """

    def __init__(self, options: AWSOptions, retries: int = 1, client=None,
                 **client_config):
        self.options = options
        self.retries = retries
        self.client_config = client_config
        self._client = client
        self._lock = threading.Lock()

    @property
    def client(self):
        """The ``sagemaker`` client, budgeted, made on first use."""
        with self._lock:
            if self._client is None:
                from metricwidgets.sources.budget import budgeted_client

                # make_client's max_attempts is botocore's legacy "retries" count
                self._client = budgeted_client("sagemaker", self.options,
                                               max_attempts=self.retries, **self.client_config)
            return self._client

    def _call(self, operation: str, what: str, **params):
        params = {key: value for key, value in params.items() if value is not None}
        try:
            return getattr(self.client, operation)(**params)
        except AWSError:
            raise
        except Exception as exc:  # botocore raises several unrelated types
            raise translate_error(exc, what) from None

    def _page(self, operation, what, statuses, answer_key, fields, out_key,
              name_contains, status, next_token, max_results) -> dict:
        answer = self._call(
            operation, what, NameContains=name_contains or None,
            StatusEquals=known_status(status, statuses),
            NextToken=next_token or None, MaxResults=page_size(max_results),
            SortBy="CreationTime", SortOrder="Descending")
        items = [_pick(item, fields) for item in answer.get(answer_key) or []]
        return {out_key: _newest_first(items), "next_token": answer.get("NextToken") or None}

    def list_training_jobs(self, name_contains: str | None = None, status: str | None = None,
                           next_token: str | None = None, max_results: int = 50) -> dict:
        """One page of training jobs, newest first.

        Parameters
        ----------
        name_contains : str, optional
            Only jobs whose name contains this text.
        status : str, optional
            One of :data:`TRAINING_STATUSES` (any case).
        next_token : str, optional
            The ``next_token`` of the previous page.
        max_results : int
            Page size, 1..100.

        Returns
        -------
        dict
            ``{"jobs": [{"name", "arn", "status", "secondary_status", "creation_time",
            "end_time", "last_modified_time"}], "next_token": str or None}``.
        """
        return self._page("list_training_jobs", "listing training jobs", TRAINING_STATUSES,
                          "TrainingJobSummaries", _JOB_FIELDS, "jobs",
                          name_contains, status, next_token, max_results)

    def describe_training_job(self, name: str) -> dict:
        """Where one training job stands.

        Returns
        -------
        dict
            ``name, status, secondary_status, message, failure_reason, creation_time,
            start_time, end_time, last_modified_time, billable_seconds, instance_type,
            instance_count, tuning_job_arn, transitions`` (each ``{status, start_time,
            end_time, message}``), ``final_metrics`` (``[{name, value, timestamp}]``) and
            ``definitions`` (SageMaker's ``[{"Name", "Regex"}]``).

        Raises
        ------
        AWSError
            ``not-found`` (404) for an unknown job, or any other AWS failure.
        """
        description = self._call("describe_training_job",
                                 f"describing training job {name!r}", TrainingJobName=name)
        status = status_from_description(description)
        resources = description.get("ResourceConfig") or {}
        return {
            "name": status.name or name,
            "arn": description.get("TrainingJobArn"),
            "status": status.status,
            "secondary_status": status.secondary_status,
            "message": status.message,
            "failure_reason": status.failure_reason,
            "creation_time": iso_utc(description.get("CreationTime")),
            "start_time": iso_utc(status.start_time),
            "end_time": iso_utc(status.end_time),
            "last_modified_time": iso_utc(description.get("LastModifiedTime")),
            "billable_seconds": status.billable_seconds,
            "instance_type": resources.get("InstanceType"),
            "instance_count": resources.get("InstanceCount"),
            "tuning_job_arn": description.get("TuningJobArn"),
            "transitions": [{"status": item.get("Status"),
                             "start_time": iso_utc(item.get("StartTime")),
                             "end_time": iso_utc(item.get("EndTime")),
                             "message": item.get("StatusMessage", "")}
                            for item in status.transitions],
            "final_metrics": [{"name": item.get("MetricName"), "value": item.get("Value"),
                               "timestamp": iso_utc(item.get("Timestamp"))}
                              for item in description.get("FinalMetricDataList") or []],
            "definitions": definitions_to_sagemaker(status.definitions),
        }

    def list_tuning_jobs(self, name_contains: str | None = None, status: str | None = None,
                         next_token: str | None = None, max_results: int = 50) -> dict:
        """One page of hyperparameter tuning jobs, newest first.

        Returns
        -------
        dict
            ``{"tuning_jobs": [{"name", "arn", "status", "strategy", "creation_time",
            "end_time", "last_modified_time", "counts"}], "next_token": str or None}``.
        """
        return self._page("list_hyper_parameter_tuning_jobs", "listing tuning jobs",
                          TUNING_STATUSES, "HyperParameterTuningJobSummaries", _TUNING_FIELDS,
                          "tuning_jobs", name_contains, status, next_token, max_results)

    def describe_tuning_job(self, name: str, max_children: int = MAX_CHILDREN) -> dict:
        """One tuning job with its child training jobs (newest first, at most ``max_children``).

        Returns
        -------
        dict
            The fields of a :meth:`list_tuning_jobs` item plus ``objective``
            (``{name, type}``), ``best_training_job`` (a child summary or None),
            ``failure_reason`` and ``children`` (``[{name, status, creation_time,
            start_time, end_time, hyperparameters, objective, failure_reason}]``).
        """
        what = f"describing tuning job {name!r}"
        description = self._call("describe_hyper_parameter_tuning_job", what,
                                 HyperParameterTuningJobName=name)
        # boto3's paginator, stopped after max_children: each page's call passes the
        # budget's before-send hook.
        pages = self.client.get_paginator(
            "list_training_jobs_for_hyper_parameter_tuning_job").paginate(
            HyperParameterTuningJobName=name, SortBy="CreationTime", SortOrder="Descending",
            PaginationConfig={"MaxItems": max_children,
                              "PageSize": min(MAX_PAGE_SIZE, max_children)})
        try:
            children = [_child_summary(item) for page in pages
                        for item in page.get("TrainingJobSummaries") or []]
        except Exception as exc:  # botocore raises several unrelated types
            raise translate_error(exc, f"listing the training jobs of tuning job {name!r}"
                                  ) from None
        config = description.get("HyperParameterTuningJobConfig") or {}
        objective = config.get("HyperParameterTuningJobObjective") or {}
        best = description.get("BestTrainingJob")
        summary = _pick(description, _TUNING_FIELDS)
        return {
            **summary,
            "objective": ({"name": objective.get("MetricName"), "type": objective.get("Type")}
                          if objective else None),
            "best_training_job": _child_summary(best) if best else None,
            "failure_reason": description.get("FailureReason"),
            "children": _newest_first(children),
        }
