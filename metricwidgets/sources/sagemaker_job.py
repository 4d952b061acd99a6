"""A SageMaker training job's status, from ``DescribeTrainingJob``, at a bounded rate.

The status source delivers no log text or points: it tells the watcher where the job stands
(status, secondary status and its transitions, final metrics, the job's own metric
definitions, times, billable seconds, failure reason) so that the watcher knows which
definitions to parse with and when the job has ended.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from metricwidgets.core.parsing import definitions_from_job
from metricwidgets.errors import AWSError
from metricwidgets.sources.aws import AWSOptions, translate_error
from metricwidgets.sources.base import JobStatus, Source, SourceUpdate
from metricwidgets.sources.budget import LazyClient

__all__ = ["SageMakerJobSource", "StatusReader", "status_from_description", "epoch"]

#: Seconds between two ``DescribeTrainingJob`` calls while a job runs (the SDK uses 5-30 s).
DESCRIBE_INTERVAL = 10.0


def epoch(value: Any) -> float | None:
    """A boto3 datetime (or epoch number) as seconds since the epoch; None stays None."""
    if value is None:
        return None
    if hasattr(value, "timestamp"):
        return float(value.timestamp())
    return float(value)


def status_from_description(description: dict) -> JobStatus:
    """Turn a ``DescribeTrainingJob`` answer into a :class:`JobStatus`."""
    transitions = []
    for item in description.get("SecondaryStatusTransitions") or []:
        item = dict(item)
        for key in ("StartTime", "EndTime"):
            if key in item:
                item[key] = epoch(item[key])
        transitions.append(item)
    final = {m["MetricName"]: float(m["Value"])
             for m in description.get("FinalMetricDataList") or [] if "Value" in m}
    return JobStatus(
        name=description.get("TrainingJobName", ""),
        status=description.get("TrainingJobStatus", "Unknown"),
        secondary_status=description.get("SecondaryStatus", ""),
        message=transitions[-1].get("StatusMessage", "") if transitions else "",
        transitions=transitions,
        final_metrics=final,
        definitions=definitions_from_job(description),
        start_time=epoch(description.get("TrainingStartTime")),
        end_time=epoch(description.get("TrainingEndTime")),
        billable_seconds=description.get("BillableTimeInSeconds"),
        failure_reason=description.get("FailureReason"),
        extra={"instance_count": (description.get("ResourceConfig") or {}).get(
            "InstanceCount"), "creation_time": epoch(description.get("CreationTime")),
            "instance_type": (description.get("ResourceConfig") or {}).get("InstanceType")},
    )


class SageMakerJobSource(Source):
    """Polls ``DescribeTrainingJob`` no more often than every ``interval`` seconds.

    Parameters
    ----------
    name : str
        The training job's name.
    options : AWSOptions
    client : botocore client, optional
        A ``sagemaker`` client (made from ``options``, budgeted, when None).
    interval : float
        Least seconds between two describe calls while the job runs. Once the job is
        terminal no more calls are made.

    Two watches of one job (its metrics and its utilization) share one source: the second
    polls a :meth:`reader`, and both see every new status while ``DescribeTrainingJob`` is
    called once per ``interval`` whoever polls first.

    Raises (from :meth:`poll`)
    --------------------------
    AWSError
        ``not-found`` for an unknown job, and every other AWS failure, translated.
    """

    def __init__(self, name: str, options: AWSOptions, client=None,
                 interval: float = DESCRIBE_INTERVAL,
                 clock: Callable[[], float] = time.monotonic):
        self.name = name
        self.options = options
        if client is not None:
            self.client = client
        self.interval = interval
        self._clock = clock
        self._last_call: float | None = None
        self.status: JobStatus | None = None
        self.description: dict | None = None
        self.generation = 0  # describe answers so far (a reader delivers each new one once)
        self._seen = 0
        self._describe_lock = threading.Lock()

    client = LazyClient("sagemaker")

    def reader(self) -> StatusReader:
        """Another poller of this job's status, sharing this source's describe calls."""
        return StatusReader(self)

    @property
    def finished(self) -> bool:
        return self.status is not None and self.status.terminal

    def due(self) -> bool:
        """True when a describe call is allowed now."""
        if self.finished:
            return False
        return self._last_call is None or self._clock() - self._last_call >= self.interval

    def describe(self) -> JobStatus:
        """Call ``DescribeTrainingJob`` now, whatever the interval."""
        self._last_call = self._clock()
        try:
            description = self.client.describe_training_job(TrainingJobName=self.name)
        except Exception as exc:
            error = translate_error(exc, f"describing training job {self.name!r}")
            if _is_unknown_job(exc):
                error = AWSError(f"training job {self.name!r} was not found (check the name "
                                 "and the region).", "not-found", 404)
            raise error from None
        self.description = description
        self.status = status_from_description(description)
        self.generation += 1
        return self.status

    def poll(self) -> SourceUpdate:
        """Describe the job when due; return the status when it is one this poller (this
        source, not its readers) has not had yet, else an update without a status."""
        status, self._seen = self.latest(self._seen)
        return SourceUpdate(status=status)

    def latest(self, seen: int) -> tuple[JobStatus | None, int]:
        """Describe the job when due (once for every reader); return the status when it is
        newer than answer number ``seen`` (else None), and the answer number now."""
        with self._describe_lock:
            if self.due():
                self.describe()
            if self.generation == seen:
                return None, seen
            return self.status, self.generation


class StatusReader(Source):
    """A job's status read through a :class:`SageMakerJobSource` polled by someone else too:
    each new ``DescribeTrainingJob`` answer is delivered once, whichever poller made the
    call (a failed call raises in the poller that made it)."""

    def __init__(self, shared: SageMakerJobSource):
        self.shared = shared
        self.name = shared.name
        self._seen = 0

    @property
    def finished(self) -> bool:
        return self.shared.finished

    @property
    def status(self) -> JobStatus | None:
        return self.shared.status

    def poll(self) -> SourceUpdate:
        status, self._seen = self.shared.latest(self._seen)
        return SourceUpdate(status=status)


def _is_unknown_job(exc: BaseException) -> bool:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error", {})
    message = str(error.get("Message", "")).lower()
    return error.get("Code") in ("ValidationException", "ResourceNotFound") and (
        "not found" in message or "does not exist" in message or "could not find" in message
        or "requested resource not found" in message)
