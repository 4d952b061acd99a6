"""The metrics SageMaker itself published to CloudWatch for a job, fetched incrementally.

Namespace ``/aws/sagemaker/TrainingJobs``, dimension ``TrainingJobName``. The metric names
come from ``ListMetrics`` (and the job's definitions). Points come from ``GetMetricData``:
up to 500 queries a call, ``NextToken`` followed, over a window whose start is aligned to a
period boundary counted from the job's start (CloudWatch buckets by period; an unaligned
window splits buckets). After the first fetch only periods not yet delivered are asked for:
a period is delivered once it is complete (its end at least ``settle`` seconds ago), so a
bucket's average is never delivered half-filled; the final drain delivers the rest.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import Callable

import numpy as np

from metricwidgets.sources.aws import AWSOptions, translate_error
from metricwidgets.sources.base import JobStatus, PointBatch, Source, SourceUpdate
from metricwidgets.sources.budget import LazyClient

__all__ = ["NAMESPACE", "CloudWatchMetricsSource", "JOB_HOST"]

NAMESPACE = "/aws/sagemaker/TrainingJobs"
#: SageMaker publishes a job's metrics over all its instances: they are filed under this host.
JOB_HOST = "all"
#: Most queries one GetMetricData call takes.
MAX_QUERIES = 500
#: Most datapoints one GetMetricData call returns (more come in NextToken pages).
MAX_DATAPOINTS = 100_800


def _utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)


class CloudWatchMetricsSource(Source):
    """A job's published metrics (``Average`` per ``period``).

    Parameters
    ----------
    job_name : str
    options : AWSOptions
    client : botocore client, optional
        A ``cloudwatch`` client (a budgeted one is made when None).
    period : int
        Seconds per datapoint (60: what SageMaker's standard-resolution metrics give).
    stat : str
    settle : float
        Seconds after a period's end before it counts as complete.
    list_interval : float
        Seconds between two ``ListMetrics`` while the job runs (new metric names).
    max_datapoints : int
        Most datapoints asked of one ``GetMetricData`` call: a longer window (a long job
        read at once) is split into period-aligned windows of at most this many.

    Attributes
    ----------
    calls : dict
        API calls made, by operation name.
    """

    def __init__(self, job_name: str, options: AWSOptions, client=None,
                 period: int = 60, stat: str = "Average", settle: float = 0.0,
                 list_interval: float = 60.0, clock: Callable[[], float] = time.time,
                 max_datapoints: int = MAX_DATAPOINTS):
        self.name = job_name
        self.job_name = job_name
        self.options = options
        if client is not None:
            self.client = client
        self.period = int(period)
        self.stat = stat
        self.settle = settle
        self.list_interval = list_interval
        self.max_datapoints = max_datapoints
        self._clock = clock
        self.metric_names: list[str] = []
        self._listed_at: float | None = None
        self.start_time: float | None = None
        self._origin: float | None = None
        self._next_start: float | None = None  # first period not delivered yet
        self._final = False
        self._drained = False
        self.calls: dict[str, int] = {}

    client = LazyClient("cloudwatch")
    #: CloudWatch's datapoints are per period, with no step.
    has_steps = False

    @property
    def values_are(self) -> str:
        """``"CloudWatch averages (1 min)"`` for the default stat and period."""
        stat = {"Average": "averages", "Maximum": "maxima", "Minimum": "minima",
                "Sum": "sums"}.get(self.stat, f"{self.stat} values")
        period = f"{self.period // 60} min" if self.period % 60 == 0 else f"{self.period} s"
        return f"CloudWatch {stat} ({period})"

    @property
    def finished(self) -> bool:
        return self._drained

    @property
    def cursor(self) -> dict:
        return {"next_start": self._next_start, "origin": self._origin}

    def on_status(self, status: JobStatus) -> None:
        """Learn the job's start time and definitions from its status."""
        if status.start_time and self.start_time is None:
            self.start_time = status.start_time
        for d in status.definitions:
            if d.name not in self.metric_names:
                self.metric_names.append(d.name)

    def final_drain(self) -> None:
        self._final = True

    def _count(self, operation: str) -> None:
        self.calls[operation] = self.calls.get(operation, 0) + 1

    def list_metrics(self) -> None:
        """Add the names ``ListMetrics`` knows for the job (every page)."""
        self._listed_at = self._clock()
        for metric in self._list_pages([{"Name": "TrainingJobName", "Value": self.job_name}]):
            dims = {d["Name"] for d in metric.get("Dimensions", [])}
            if dims == {"TrainingJobName"} and metric["MetricName"] not in self.metric_names:
                self.metric_names.append(metric["MetricName"])

    def _list_pages(self, dimensions: list[dict]):
        """Every metric ``ListMetrics`` returns for ``dimensions`` (a filter), page by page
        (boto3's paginator: each page's call passes the budget's ``before-send`` hook)."""
        pages = self.client.get_paginator("list_metrics").paginate(Namespace=NAMESPACE,
                                                                    Dimensions=dimensions)
        for page in pages:
            self._count("ListMetrics")
            yield from page.get("Metrics", [])

    def series(self) -> list[tuple[str, list[dict], str]]:
        """What to fetch: ``(metric name, dimensions, host)`` per series."""
        dimensions = [{"Name": "TrainingJobName", "Value": self.job_name}]
        return [(name, dimensions, JOB_HOST) for name in self.metric_names]

    def _window(self, now: float) -> tuple[float, float, float]:
        """(start, end, delivered-until) of the next query, aligned to periods."""
        if self._origin is None:
            start = self.start_time if self.start_time is not None else now - 3 * 3600
            # CloudWatch buckets on period boundaries of the clock; align the job's start down.
            self._origin = math.floor(start / self.period) * self.period
            self._next_start = self._origin
        end = math.ceil((now + 1) / self.period) * self.period
        if self._final:
            complete = end
        else:
            complete = math.floor((now - self.settle) / self.period) * self.period
        return self._next_start, end, complete

    def poll(self) -> SourceUpdate:
        """Fetch the periods not delivered yet, for every known metric."""
        if self._drained:
            return SourceUpdate()
        final = self._final
        try:
            now = self._clock()
            if self._listed_at is None or final or now - self._listed_at >= self.list_interval:
                self.list_metrics()
            update = SourceUpdate()
            series = self.series()
            if not series:
                if final:
                    self._drained = True
                return update
            start, end, complete = self._window(now)
            if complete > start:
                update.points = self._fetch(series, start, min(end, complete))
                self._next_start = complete
        except Exception as exc:
            raise translate_error(exc, f"reading the CloudWatch metrics of {self.job_name!r}") \
                from None
        if final:
            self._drained = True
        return update

    def _fetch(self, series, start: float, end: float) -> list[PointBatch]:
        found: list[list] = [[] for _ in series]
        # At most max_datapoints per call: a long window is split into aligned chunks.
        span = max(1, self.max_datapoints // max(1, min(len(series), MAX_QUERIES)))
        step = span * self.period
        for first in range(0, len(series), MAX_QUERIES):
            batch = series[first:first + MAX_QUERIES]
            queries = [{"Id": f"m{first + i}", "Label": name, "ReturnData": True,
                        "MetricStat": {"Metric": {
                            "Namespace": NAMESPACE, "MetricName": name,
                            "Dimensions": dimensions},
                            "Period": self.period, "Stat": self.stat}}
                       for i, (name, dimensions, _) in enumerate(batch)]
            chunk = start
            while chunk < end:
                self._fetch_pages(queries, chunk, min(end, chunk + step), found)
                chunk += step
        batches = []
        for (name, _, host), points in zip(series, found):
            if not points:
                continue
            points.sort(key=lambda p: p[0])
            batches.append(PointBatch(
                metric=name, host=host,
                timestamps=np.array([p[0].timestamp() for p in points], np.float64),
                values=np.array([p[1] for p in points], np.float64)))
        return batches

    def _fetch_pages(self, queries: list[dict], start: float, end: float,
                     found: list[list]) -> None:
        """One GetMetricData window, every ``NextToken`` page followed (boto3's paginator:
        each page's call passes the budget's ``before-send`` hook)."""
        pages = self.client.get_paginator("get_metric_data").paginate(
            MetricDataQueries=queries, StartTime=_utc(start), EndTime=_utc(end),
            ScanBy="TimestampAscending")
        for page in pages:
            self._count("GetMetricData")
            for result in page.get("MetricDataResults", []):
                found[int(result["Id"][1:])].extend(zip(result.get("Timestamps", []),
                                                        result.get("Values", [])))
