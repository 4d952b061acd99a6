"""Instance utilization the stand-in publishes for its played jobs, as SageMaker does.

Per instance, one sample per log line: namespace ``/aws/sagemaker/TrainingJobs``, dimension
``Host`` = ``<job>/algo-N``; ``CPUUtilization`` summed over the vCPUs, ``MemoryUtilization``
and ``DiskUtilization`` of the whole instance, and on GPU instance types ``GPUUtilization``
and ``GPUMemoryUtilization`` summed over the GPUs. The figures are plausible, not measured:
busy CPUs while data loads, memory that grows and settles, and GPUs that the second
instance of a job leaves half idle, so that the demo's panel has something to find.
"""

from __future__ import annotations

import datetime as dt
import math

from metricwidgets.core.diagnosis import devices_of
from metricwidgets.testing.job_lines import NAMESPACE

__all__ = ["publish_utilization", "utilization_sample"]


def utilization_sample(instance_type: str, host_index: int, progress: float,
                       seed: int = 0) -> dict[str, float]:
    """The figures of instance ``host_index`` (0-based) at ``progress`` (0..1) of training,
    as SageMaker reports them (summed over devices)."""
    devices = devices_of(instance_type)
    vcpus, gpus = devices.vcpus or 4, devices.gpus or 0
    wobble = math.sin(17.0 * progress + 3.1 * host_index + seed)
    values = {
        "CPUUtilization": vcpus * (55.0 + 25.0 * wobble),
        "MemoryUtilization": 35.0 + 30.0 * min(1.0, 3.0 * progress) + 3.0 * wobble,
        "DiskUtilization": 22.0 + 4.0 * host_index + 6.0 * progress,
    }
    if gpus:
        # The first instance keeps its GPUs busy; the others wait on their input pipeline.
        busy = 88.0 if host_index == 0 else 18.0
        values["GPUUtilization"] = gpus * max(0.0, busy + 8.0 * wobble)
        values["GPUMemoryUtilization"] = gpus * (40.0 + 20.0 * min(1.0, 2.0 * progress)
                                                 - 12.0 * host_index)
    return values


def publish_utilization(client, name: str, host: str,
                        rows: list[tuple[float, dict[str, float]]]) -> None:
    """PutMetricData ``[(timestamp, {metric: value}), ...]`` of instance ``host``
    (``algo-N``) of job ``name`` through the cloudwatch ``client``, as SageMaker does."""
    dimensions = [{"Name": "Host", "Value": f"{name}/{host}"}]
    data = [{"MetricName": metric, "Value": float(value), "Dimensions": dimensions,
             "Timestamp": dt.datetime.fromtimestamp(stamp, dt.timezone.utc)}
            for stamp, values in rows for metric, value in values.items()]
    for start in range(0, len(data), 1000):
        client.put_metric_data(Namespace=NAMESPACE, MetricData=data[start:start + 1000])
