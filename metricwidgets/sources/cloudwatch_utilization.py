"""The instance utilization SageMaker publishes for a training job, per host.

Same namespace as the job's metrics (``/aws/sagemaker/TrainingJobs``), but one series per
instance: dimension ``Host`` = ``<job>/algo-N``, metrics ``CPUUtilization``,
``MemoryUtilization``, ``DiskUtilization`` and, on GPU instances, ``GPUUtilization`` and
``GPUMemoryUtilization``. Which exist is learnt from ``ListMetrics``; the points come
through :class:`~metricwidgets.sources.cloudwatch_metrics.CloudWatchMetricsSource`'s
period-aligned, incremental, budgeted ``GetMetricData`` windows. Values are delivered as
SageMaker reports them (CPU and GPU summed over devices); :attr:`devices` says how many
devices there are, for the per-device view.
"""

from __future__ import annotations

from metricwidgets.core.diagnosis import UTILIZATION_METRICS, Devices, devices_of
from metricwidgets.sources.base import JobStatus
from metricwidgets.sources.cloudwatch_metrics import CloudWatchMetricsSource

__all__ = ["CloudWatchUtilizationSource", "host_of"]


def host_of(dimension_value: str, job_name: str) -> str | None:
    """``"<job>/algo-2"`` -> ``"algo-2"``; None for another job's host."""
    prefix = job_name + "/"
    if not dimension_value.startswith(prefix):
        return None
    return dimension_value[len(prefix):]


def _order(item: tuple[str, str]) -> tuple:
    metric, host = item
    known = UTILIZATION_METRICS.index(metric) if metric in UTILIZATION_METRICS else 99
    number = host.rsplit("-", 1)[-1]
    return (known, metric, int(number) if number.isdigit() else 0, host)


class CloudWatchUtilizationSource(CloudWatchMetricsSource):
    """A job's instance utilization (``Average`` per ``period``), one series per host.

    Parameters are those of :class:`CloudWatchMetricsSource`. Before the job's status is
    known, ``ListMetrics`` asks for every ``Host`` of the namespace and keeps this job's;
    once ``DescribeTrainingJob`` gave the instance count, it asks host by host (a busy
    account lists thousands of other hosts).

    Attributes
    ----------
    hosts : dict of str to str
        ``algo-N`` -> its ``Host`` dimension value, as discovered.
    instance_type : str or None
    """

    kind = "system"

    def __init__(self, job_name: str, *args, **kwargs):
        super().__init__(job_name, *args, **kwargs)
        self.instance_type: str | None = None
        self.instance_count: int | None = None
        self._found: set[tuple[str, str]] = set()
        self.hosts: dict[str, str] = {}

    @property
    def devices(self) -> Devices:
        """Device counts of the job's instances (all of one type)."""
        return devices_of(self.instance_type)

    def on_status(self, status: JobStatus) -> None:
        """Learn the start time, the instance type and count (no metric definitions: the
        algorithm's metrics are not this source's)."""
        if status.start_time and self.start_time is None:
            self.start_time = status.start_time
        self.instance_type = status.extra.get("instance_type") or self.instance_type
        self.instance_count = status.extra.get("instance_count") or self.instance_count

    def list_metrics(self) -> None:
        """Add the (metric, host) pairs ``ListMetrics`` knows for the job's instances."""
        self._listed_at = self._clock()
        if self.instance_count:
            filters = [[{"Name": "Host", "Value": f"{self.job_name}/algo-{n}"}]
                       for n in range(1, self.instance_count + 1)]
        else:
            filters = [[{"Name": "Host"}]]
        for dimensions in filters:
            for metric in self._list_pages(dimensions):
                dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
                host = host_of(dims.get("Host", ""), self.job_name) if len(dims) == 1 else None
                if host is not None:
                    self.hosts[host] = dims["Host"]
                    self._found.add((metric["MetricName"], host))

    def poll(self):
        if not self._found:
            # Until the first host shows, list on every poll (not once a minute): the panel
            # appears as soon as SageMaker publishes.
            self._listed_at = None
        return super().poll()

    def series(self) -> list[tuple[str, list[dict], str]]:
        return [(metric, [{"Name": "Host", "Value": self.hosts[host]}], host)
                for metric, host in sorted(self._found, key=_order)]
