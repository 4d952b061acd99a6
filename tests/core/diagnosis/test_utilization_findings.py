"""Utilization findings: idle GPU, memory nearly out, disk nearly full, in plain words."""

from __future__ import annotations

import numpy as np

from metricwidgets.core.diagnosis import devices_of
from metricwidgets.core.diagnosis import utilization_findings

T0 = 1_800_000_000.0
STAMPS = T0 + 60 * np.arange(20)
P3_8X = devices_of("ml.p3.8xlarge")  # 4 GPUs


def test_four_gpus_summing_to_80_percent_are_idle_most_of_the_run():
    # 80 % summed over 4 GPUs is 20 % each: idle, though the reported figure looks busy.
    values = np.full(20, 80.0)
    (finding,) = utilization_findings({("algo-1", "GPUUtilization"): (STAMPS, values)}, P3_8X,
                                      job="job-1")
    assert finding.kind == "idle-gpu" and finding.severity == "warning"
    assert (finding.job, finding.host) == ("job-1", "algo-1")
    assert finding.to_dict()["step"] is None  # utilization has no step
    assert finding.text.startswith("the GPU sat mostly idle")
    assert "median 20 % per GPU" in finding.text


def test_busy_gpus_and_short_runs_are_not_called_idle():
    busy = np.full(20, 360.0)  # 90 % on each of 4 GPUs
    assert utilization_findings({("algo-1", "GPUUtilization"): (STAMPS, busy)}, P3_8X) == []
    short = np.full(3, 5.0)
    assert utilization_findings({("algo-1", "GPUUtilization"): (STAMPS[:3], short)},
                                P3_8X) == []


def test_idle_before_training_does_not_count_when_the_window_is_known():
    values = np.where(np.arange(20) < 12, 0.0, 380.0)  # downloading, then busy
    series = {("algo-1", "GPUUtilization"): (STAMPS, values)}
    assert utilization_findings(series, P3_8X)  # over the whole run: mostly idle
    assert utilization_findings(series, P3_8X, window=(STAMPS[12], STAMPS[-1])) == []


def test_memory_and_disk_nearly_full_say_which_host_and_when():
    memory = np.linspace(50, 99, 20)
    disk = np.full(20, 93.0)
    found = utilization_findings({("algo-2", "MemoryUtilization"): (STAMPS, memory),
                                  ("algo-1", "DiskUtilization"): (STAMPS, disk),
                                  ("algo-1", "MemoryUtilization"): (STAMPS, memory / 2)},
                                 devices_of(None))
    assert [(f.kind, f.host) for f in found] == [
        ("disk-full", "algo-1"), ("memory-full", "algo-2")]
    memory_finding = found[1]
    assert memory_finding.details["since"] == STAMPS[np.argmax(memory >= 95)]
    assert (memory_finding.host, memory_finding.metric) == ("algo-2", "MemoryUtilization")
    assert "memory reached 99 %" in memory_finding.text
    assert "running out" in memory_finding.text


def test_nan_samples_are_ignored():
    values = np.full(20, np.nan)
    values[:2] = 96.0
    (finding,) = utilization_findings({("algo-1", "MemoryUtilization"): (STAMPS, values)},
                                      devices_of(None))
    assert finding.value == 96.0


def test_an_instance_without_gpus_gets_no_gpu_finding():
    idle = np.full(20, 10.0)
    series = {("algo-1", "GPUUtilization"): (STAMPS, idle)}
    assert utilization_findings(series, devices_of("ml.m5.xlarge")) == []
    # An unknown type is judged on the sum: 10 % summed is idle on any number of GPUs.
    assert [f.kind for f in utilization_findings(series, devices_of(None))] == ["idle-gpu"]


def test_a_store_is_judged_inside_the_training_phase_of_its_status():
    from types import SimpleNamespace

    from metricwidgets.core.store import MetricStore, SeriesKey
    from metricwidgets.core.diagnosis import store_findings, training_window

    values = np.where(np.arange(20) < 12, 0.0, 380.0)  # downloading, then busy
    store = MetricStore()
    store.add_points(SeriesKey("job-1", "algo-1", "GPUUtilization"),
                     np.full(20, np.nan), STAMPS, values)
    training = SimpleNamespace(transitions=[
        {"Status": "Downloading", "StartTime": STAMPS[0], "EndTime": STAMPS[12]},
        {"Status": "Training", "StartTime": STAMPS[12]}])
    assert training_window([training]) == (STAMPS[12], float("inf"))
    assert store_findings(store, P3_8X, [training], job="job-1") == []
    (idle,) = store_findings(store, P3_8X, [], job="job-1")  # no window: every sample
    assert (idle.kind, idle.job, idle.host) == ("idle-gpu", "job-1", "algo-1")
