"""Instance utilization of a training job, read from CloudWatch on moto as SageMaker
publishes it (namespace /aws/sagemaker/TrainingJobs, dimension Host=<job>/algo-N)."""

from __future__ import annotations

import time

import numpy as np

from metricwidgets.core.diagnosis import UTILIZATION_METRICS
from metricwidgets.sources.base import JobStatus
from metricwidgets.sources.cloudwatch_utilization import CloudWatchUtilizationSource
from metricwidgets.testing.utilization_play import publish_utilization
from metricwidgets.sources.aws import AWSOptions


def publish(standin, job, host, values):
    """Publish ``{metric: [(t, value), ...]}`` for one instance, as SageMaker does."""
    rows = [(t, {metric: value}) for metric, points in values.items() for t, value in points]
    publish_utilization(standin.client("cloudwatch"), job, host, rows)


def source_for(standin, calls, job, **kwargs):
    return CloudWatchUtilizationSource(job, AWSOptions(), client=calls.session.client(
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


def _minutes(stamps):
    return len({int(t // 60) for t in stamps})


def test_cli_fetch_source_system_prints_every_published_point_once(standin, job_name):
    import csv
    import io
    import os
    import subprocess
    import sys

    standin.write_finished_job(job_name, lines_per_host=30, instance_count=2, seconds=600,
                               instance_type="ml.g5.12xlarge")
    env = dict(os.environ, **standin.env)
    result = subprocess.run([sys.executable, "-m", "metricwidgets", "fetch", job_name,
                             "--source", "system"], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    reader = csv.DictReader(io.StringIO(result.stdout))
    rows = list(reader)
    assert reader.fieldnames == ["timestamp", "host", "metric", "value"]
    keys = [(r["timestamp"], r["host"], r["metric"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert {r["host"] for r in rows} == {"algo-1", "algo-2"}
    assert {r["metric"] for r in rows} == set(UTILIZATION_METRICS)
    assert all(r["timestamp"].endswith("Z") and "T" in r["timestamp"] for r in rows)
    # One average a minute per (host, metric): every minute that holds samples, once.
    start = standin.training_job(job_name).training_start_time.timestamp() + 60
    stamps = [start + 600 * k / 30 for k in range(30)]
    per_series = len(rows) // (2 * len(UTILIZATION_METRICS))
    assert per_series == _minutes(stamps)


def test_fetch_job_metrics_system_and_the_plot_panel_of_a_two_instance_job(standin,
                                                                           job_name):
    from metricwidgets import fetch_job_metrics
    from metricwidgets.widgets.liveplot import LivePlot
    from tests.waiting import wait_until

    standin.write_finished_job(job_name, lines_per_host=30, instance_count=2, seconds=600,
                               instance_type="ml.g5.12xlarge")
    frame = fetch_job_metrics(job_name, source="system", **standin.aws_kwargs)
    assert list(frame.columns) == ["timestamp", "host", "metric", "value"]
    assert not frame.duplicated(["timestamp", "host", "metric"]).any()
    plot = LivePlot.for_job(job_name, **standin.aws_kwargs)
    try:
        panel = plot.instances
        wait_until(lambda: panel.watch.finished, timeout=60, what="the utilization watch")
        plot.refresh(force=True)
        assert list(panel.charts) == list(UTILIZATION_METRICS)
        for chart in panel.charts.values():
            assert sorted(k.host for k in chart.series) == ["algo-1", "algo-2"]
        gpu = panel.charts["GPUUtilization"]
        # Titled by its quantity; what 100 % means is in the caption under it (it wraps).
        assert gpu.figure.title == "GPU"
        assert "% per GPU (reported / 4)" in gpu.caption.value
        assert "ml.g5.12xlarge: 48 vCPUs, 4 GPUs" in panel.info.value
        # The stand-in's second instance leaves its GPUs waiting: the panel says so.
        assert [f.host for f in panel.diagnose() if f.kind == "idle-gpu"] == ["algo-2"]
        # Listed once, with the metric diagnoses, naming the host.
        idle_lines = [line for line in plot.findings.lines if "GPU sat mostly idle" in line]
        assert len(idle_lines) == 1 and idle_lines[0].startswith("algo-2: the GPU sat")
        # In the same list as the metric findings: metricwidgets.diagnose(plot).
        import metricwidgets

        idle = [f for f in metricwidgets.diagnose(plot) if f.kind == "idle-gpu"]
        assert [(f.job, f.host, f.metric) for f in idle] == [
            (job_name, "algo-2", "GPUUtilization")]
    finally:
        plot.close()
