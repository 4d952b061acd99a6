"""A hyperparameter tuning job: its status, objective, best job, and its children.

Children are listed with ``ListTrainingJobsForHyperParameterTuningJob`` (every page); the
watcher turns each new one into a watched training job. The listing and
``DescribeHyperParameterTuningJob`` are rate-limited like a training job's describe.
"""

from __future__ import annotations

import time
from typing import Callable

from metricwidgets.sources.aws import AWSOptions, translate_error
from metricwidgets.sources.base import JobStatus, Source, SourceUpdate
from metricwidgets.sources.sagemaker_job import epoch

__all__ = ["TuningJobSource"]

_PAGE = 100


class TuningJobSource(Source):
    """Polls a tuning job no more often than every ``interval`` seconds.

    Parameters
    ----------
    name : str
    options : AWSOptions
    interval : float
        Least seconds between two rounds of calls while the tuning job runs.

    Attributes
    ----------
    children : list of str
        Every child job seen, in launch order.
    clients : dict
        ``sagemaker``, ``logs`` and ``cloudwatch`` clients shared with the children's
        sources (one connection pool for 100 children, not 100).
    child_source : str
        ``logs`` or ``metrics``: how the watcher watches each child.
    """

    def __init__(self, name: str, options: AWSOptions, interval: float = 10.0,
                 clock: Callable[[], float] = time.monotonic):
        self.name = name
        self.options = options
        self.interval = interval
        self.child_source = "logs"
        self._clock = clock
        self._last_call: float | None = None
        self._clients: dict = {}
        self._directory = None
        self.children: list[str] = []
        self._handed_out = 0
        self.status: JobStatus | None = None

    @property
    def clients(self) -> dict:
        if not self._clients:
            from metricwidgets.sources.budget import budgeted_client

            self._clients = {"sagemaker": budgeted_client("sagemaker", self.options),
                             "logs": budgeted_client("logs", self.options),
                             "cloudwatch": budgeted_client("cloudwatch", self.options)}
        return self._clients

    @property
    def directory(self):
        """One stream listing shared by every child (their names start ``<name>-``)."""
        if self._directory is None:
            from metricwidgets.sources.cloudwatch_logs import StreamDirectory

            self._directory = StreamDirectory(self.clients["logs"], self.name + "-")
        return self._directory

    @property
    def finished(self) -> bool:
        return self.status is not None and self.status.terminal

    def take_new_children(self) -> list[str]:
        """The children seen since the last call."""
        new = self.children[self._handed_out:]
        self._handed_out = len(self.children)
        return new

    def has_unseen_children(self) -> bool:
        return self._handed_out < len(self.children)

    def poll(self) -> SourceUpdate:
        """Describe the tuning job and list its children, when due."""
        if self.finished or (self._last_call is not None
                             and self._clock() - self._last_call < self.interval):
            return SourceUpdate()
        self._last_call = self._clock()
        client = self.clients["sagemaker"]
        try:
            description = client.describe_hyper_parameter_tuning_job(
                HyperParameterTuningJobName=self.name)
            # boto3's paginator: each page's call passes the budget's before-send hook.
            pages = client.get_paginator(
                "list_training_jobs_for_hyper_parameter_tuning_job").paginate(
                HyperParameterTuningJobName=self.name, PaginationConfig={"PageSize": _PAGE})
            names = [s["TrainingJobName"] for page in pages
                     for s in page.get("TrainingJobSummaries", [])]
        except Exception as exc:
            raise translate_error(exc, f"tuning job {self.name!r}") from None
        known = set(self.children)
        self.children.extend(n for n in dict.fromkeys(names) if n not in known)
        self.status = _status(description, self.children)
        return SourceUpdate(status=self.status)


def _status(description: dict, children: list[str]) -> JobStatus:
    config = description.get("HyperParameterTuningJobConfig") or {}
    best = description.get("BestTrainingJob") or {}
    objective = best.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
    return JobStatus(
        name=description.get("HyperParameterTuningJobName", ""),
        status=description.get("HyperParameterTuningJobStatus", "Unknown"),
        start_time=epoch(description.get("CreationTime")),
        end_time=epoch(description.get("HyperParameterTuningEndTime")),
        failure_reason=description.get("FailureReason"),
        extra={
            "objective": config.get("HyperParameterTuningJobObjective"),
            "best_job": best.get("TrainingJobName"),
            "best_objective_value": objective.get("Value"),
            "children": list(children),
            "status_counters": description.get("TrainingJobStatusCounters"),
        },
    )
