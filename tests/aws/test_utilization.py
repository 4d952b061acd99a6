"""Instance utilization of a training job, read from CloudWatch on moto as SageMaker
publishes it (namespace /aws/sagemaker/TrainingJobs, dimension Host=<job>/algo-N)."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np

from metricwidgets.core.instance_types import UTILIZATION_METRICS
from metricwidgets.sources.base import JobStatus
from metricwidgets.sources.cloudwatch_utilization import CloudWatchUtilizationSource


def publish(standin, job, host, values):
    """PutMetricData as SageMaker does for one instance: {metric: [(t, value), ...]}."""
    data = [{"MetricName": metric, "Value": float(value),
             "Timestamp": dt.datetime.fromtimestamp(t, dt.timezone.utc),
             "Dimensions": [{"Name": "Host", "Value": f"{job}/{host}"}]}
            for metric, points in values.items() for t, value in points]
    for start in range(0, len(data), 1000):
        standin.client("cloudwatch").put_metric_data(
            Namespace="/aws/sagemaker/TrainingJobs", MetricData=data[start:start + 1000])


def source_for(standin, calls, job, **kwargs):
    return CloudWatchUtilizationSource(job, client=calls.session.client(
        "cloudwatch", endpoint_url=standin.endpoint_url), **kwargs)


def test_two_instances_every_metric_once_with_its_host(standin, job_name, calls):
    start = (time.time() // 60 - 30) * 60
    standin.create_job(job_name, instance_count=2)
    standin.create_job(job_name + "-other", instance_count=1)  # its hosts must not leak in
    expected = {}
    for n, host in enumerate(["algo-1", "algo-2"]):
        values = {m: [(start + 60 * k + 7, 10.0 * n + k + i) for k in range(20)]
                  for i, m in enumerate(UTILIZATION_METRICS)}
        publish(standin, job_name, host, values)
        expected.update({(m, host): [v for _, v in pts] for m, pts in values.items()})
    publish(standin, job_name + "-other", "algo-1", {"CPUUtilization": [(start + 7, 99.0)]})
    source = source_for(standin, calls, job_name)
    source.on_status(JobStatus(job_name, "InProgress", start_time=start,
                               extra={"instance_type": "ml.p3.8xlarge",
                                      "instance_count": 2}))
    got = {}
    for batch in source.poll().points:
        got.setdefault((batch.metric, batch.host), []).extend(batch.values.tolist())
    source.final_drain()
    for batch in source.poll().points:  # the drain adds nothing already delivered
        got.setdefault((batch.metric, batch.host), []).extend(batch.values.tolist())
    assert got == expected
    assert source.finished
    assert source.devices.gpus == 4 and source.devices.vcpus == 32
    # Discovery asked host by host once the instance count was known.
    assert calls.count("ListMetrics") == 4


def test_hosts_are_found_before_the_instance_count_is_known(standin, job_name, calls):
    start = (time.time() // 60 - 5) * 60
    standin.create_job(job_name)
    publish(standin, job_name, "algo-1", {"MemoryUtilization": [(start + 1, 40.0)]})
    source = source_for(standin, calls, job_name)
    source.on_status(JobStatus(job_name, "InProgress", start_time=start))
    (batch,) = source.poll().points
    assert (batch.metric, batch.host, batch.values.tolist()) == (
        "MemoryUtilization", "algo-1", [40.0])


def test_a_long_job_pages_past_1440_points_in_bounded_calls(standin, job_name, calls):
    count = 1500  # more than GetMetricStatistics' 1,440 points a call
    start = (time.time() // 60 - count - 2) * 60
    standin.create_job(job_name, instance_count=1)
    publish(standin, job_name, "algo-1",
            {"GPUUtilization": [(start + 60 * k, float(k % 400)) for k in range(count)]})
    source = source_for(standin, calls, job_name, max_datapoints=1000)
    source.on_status(JobStatus(job_name, "InProgress", start_time=start,
                               extra={"instance_count": 1}))
    stamps = np.concatenate([b.timestamps for b in source.poll().points])
    assert len(stamps) == count and len(set(stamps.tolist())) == count
    assert np.all(np.diff(stamps) > 0)
    assert calls.count("GetMetricData") == 2  # 1,000 datapoints a call at most
