"""A job's utilization findings beside its metric diagnoses, on the moto stand-in: in
``metricwidgets diagnose --job`` (text and JSON) and in a live plot's one list of findings.

Each job ran 10 minutes (its Training phase) and published one utilization sample a minute
per instance, as SageMaker does, with the GPU busy at the level the test chooses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from metricwidgets.core.diagnosis import devices_of
from metricwidgets.testing.utilization_play import publish_utilization

pytestmark = pytest.mark.aws

SECONDS = 600


def finished_job(standin, name, instance_type, gpu_percent):
    """A completed one-instance job whose GPUs each ran at ``gpu_percent`` % while training
    (published summed over the GPUs, as SageMaker does); CPU, memory and disk healthy."""
    standin.write_finished_job(name, lines_per_host=20, instance_count=1, seconds=SECONDS,
                               instance_type=instance_type, publish_metrics=False)
    devices = devices_of(instance_type)
    gpus, vcpus = devices.gpus or 1, devices.vcpus or 4
    start = time.time() - SECONDS
    rows = [(start + 30 + 60 * k, {"CPUUtilization": 50.0 * vcpus, "MemoryUtilization": 45.0,
                                   "DiskUtilization": 30.0,
                                   "GPUUtilization": gpu_percent * gpus,
                                   "GPUMemoryUtilization": 40.0 * gpus})
            for k in range(9)]
    publish_utilization(standin.client("cloudwatch"), name, "algo-1", rows)


def diagnose(standin, name, *options):
    env = dict(os.environ, **standin.env)
    return subprocess.run([sys.executable, "-m", "metricwidgets", "diagnose", "--job", name,
                           *options], check=False, capture_output=True, text=True, env=env,
                          timeout=120)


def errors_exit(rows) -> int:
    return 1 if any(r["severity"] == "error" for r in rows) else 0


def test_an_idle_gpu_is_a_warning_of_diagnose_job_in_json_and_text(standin, job_name):
    finished_job(standin, job_name, "ml.g5.12xlarge", gpu_percent=10.0)
    result = diagnose(standin, job_name, "--format", "json")
    rows = json.loads(result.stdout)
    idle = [r for r in rows if r["kind"] == "idle-gpu"]
    assert [(r["metric"], r["host"], r["severity"]) for r in idle] == [
        ("GPUUtilization", "algo-1", "warning")]
    assert "median 10 % per GPU" in idle[0]["text"]
    # A warning does not fail the run: the exit status follows the errors only.
    assert result.returncode == errors_exit(rows), result.stderr
    text = diagnose(standin, job_name)
    assert any(line.startswith("warning [algo-1]: the GPU sat mostly idle")
               for line in text.stdout.splitlines()), text.stdout
    assert text.returncode == result.returncode


@pytest.mark.parametrize("instance_type, gpu_percent", [
    ("ml.g5.12xlarge", 85.0),  # busy GPUs
    ("ml.m5.xlarge", 10.0),    # no GPU at all: whatever is published, no GPU finding
])
def test_a_busy_gpu_or_a_cpu_instance_gives_no_gpu_finding(standin, job_name, instance_type,
                                                           gpu_percent):
    finished_job(standin, job_name, instance_type, gpu_percent)
    result = diagnose(standin, job_name, "--format", "json")
    rows = json.loads(result.stdout)
    assert result.returncode == errors_exit(rows), result.stderr
    assert [r for r in rows if r["metric"] in ("GPUUtilization", "GPUMemoryUtilization")] == []
    assert {r["kind"] for r in rows} & {"memory-full", "disk-full", "utilization-unread"} == set()


def test_the_plot_lists_the_idle_gpu_once_with_its_metric_findings(standin, job_name):
    import metricwidgets
    from metricwidgets.widgets.liveplot import LivePlot
    from tests.waiting import wait_until

    finished_job(standin, job_name, "ml.g5.12xlarge", gpu_percent=10.0)
    plot = LivePlot.for_job(job_name, **standin.aws_kwargs)
    try:
        wait_until(lambda: plot.watch.finished and plot.instances.watch.finished,
                   timeout=60, what="both watches")
        wait_until(lambda: any("GPU sat mostly idle" in line for line in plot.findings.lines),
                   timeout=30, what="the idle GPU in the plot's findings")
        for _ in range(3):  # redrawn again and again: still said once
            plot.refresh(force=True)
            idle = [line for line in plot.findings.lines if "GPU sat mostly idle" in line]
            assert len(idle) == 1 and idle[0].startswith("algo-1: the GPU sat mostly idle")
        identities = [(f.kind, f.job, f.host, f.metric) for f in plot.findings.findings]
        assert len(identities) == len(set(identities))
        assert "metricwidgets-idle-gpu metricwidgets-warning" in plot.findings.value
        # The same list from metricwidgets.diagnose(plot), metric findings included.
        found = metricwidgets.diagnose(plot)
        assert [(f.job, f.host, f.severity) for f in found if f.kind == "idle-gpu"] == [
            (job_name, "algo-1", "warning")]
        assert {f.kind for f in found} == {f.kind for f in plot.findings.findings}
    finally:
        plot.close()


def test_a_healthy_job_plot_lists_no_utilization_finding(standin, job_name):
    from metricwidgets.widgets.liveplot import LivePlot
    from tests.waiting import wait_until

    finished_job(standin, job_name, "ml.g5.12xlarge", gpu_percent=85.0)
    plot = LivePlot.for_job(job_name, **standin.aws_kwargs)
    try:
        wait_until(lambda: plot.watch.finished and plot.instances.watch.finished
                   and len(plot.instances.watch.store.keys()) == 5,
                   timeout=60, what="both watches and the five utilization series")
        plot.refresh(force=True)
        assert plot.instances.diagnose() == []
        assert not any(f.metric.endswith("Utilization") for f in plot.findings.findings)
    finally:
        plot.close()


def test_utilization_that_cannot_be_read_is_said_and_loses_no_metric_finding(standin,
                                                                          job_name, calls):
    from metricwidgets.api import fetch_job_findings

    finished_job(standin, job_name, "ml.g5.12xlarge", gpu_percent=10.0)
    standin.write_logs(job_name, "algo-1", ["Train_error=nan;  Valid_error=0.5;"])
    metric_kinds = {f.kind for f in fetch_job_findings(job_name, **calls.aws)} - {"idle-gpu"}
    assert metric_kinds == {"nonfinite"}
    calls.inject("ListMetrics", 100, "AccessDeniedException",
                 "User is not authorized to perform: cloudwatch:ListMetrics", 400)
    found = fetch_job_findings(job_name, **calls.aws)
    unread = [f for f in found if f.kind == "utilization-unread"]
    assert len(unread) == 1 and unread[0].severity == "info"
    assert "cloudwatch:ListMetrics" in unread[0].text
    assert {f.kind for f in found} - {"utilization-unread"} == metric_kinds
