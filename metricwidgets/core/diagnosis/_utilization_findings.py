"""Findings from instance utilization: an idle accelerator, memory or disk nearly full.

The metric diagnoses (:mod:`metricwidgets.core.diagnosis._detectors`) read the algorithm's metrics;
these rules read the instance metrics of each host, as SageMaker reports them (CPU and GPU
summed over devices, :mod:`metricwidgets.core.diagnosis._instance_types`), and say in plain words what
a user should look at. Pure functions over numpy arrays: thread-safe, O(n).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import numpy as np

from metricwidgets.core.diagnosis._findings import Finding
from metricwidgets.core.diagnosis._instance_types import Devices

__all__ = ["DISK_FULL", "IDLE_GPU", "MEMORY_FULL", "store_findings", "training_window",
           "utilization_findings"]

#: Per-GPU utilization (%) under which a GPU counts as idle.
IDLE_GPU = 30.0
#: Share of the samples an idle GPU must cover to be "idle most of the run".
IDLE_SHARE = 0.6
#: Samples a host needs before it can be called idle (one a minute on SageMaker).
IDLE_MIN_POINTS = 5
#: Memory (% of the instance) from which it is close to running out.
MEMORY_FULL = 95.0
#: Disk (% of the volume) from which it is nearly full.
DISK_FULL = 90.0


def _clock(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%H:%M:%S UTC")


def _idle_gpu(host: str, stamps, values, devices: Devices) -> Finding | None:
    if len(values) < IDLE_MIN_POINTS or devices.gpus == 0:
        return None  # too few samples to say "most of the run", or no GPU to be idle
    count = devices.count("GPUUtilization")
    # A sum under 30 % has every GPU under 30 %: with the count unknown, the sum judges.
    per_gpu = values / count if count else values
    idle = per_gpu < IDLE_GPU
    if idle.mean() < IDLE_SHARE:
        return None
    first = int(np.argmax(idle))
    unit = "per GPU" if count else "summed over its GPUs"
    text = (f"the GPU sat mostly idle - under {IDLE_GPU:.0f} % for "
            f"{100 * idle.mean():.0f} % of the samples (median {np.median(per_gpu):.0f} % "
            f"{unit}); the input pipeline or the CPU may be what holds training back.")
    return Finding("idle-gpu", "GPUUtilization", math.nan, float(values[first]), text,
                   "warning", host=host, details={"since": float(stamps[first]),
                                                  "idle_share": float(idle.mean())})


def _full(kind: str, metric: str, what: str, limit: float, host: str, stamps, values,
          advice: str) -> Finding | None:
    over = np.flatnonzero(values >= limit)
    if not len(over):
        return None
    first, peak = int(over[0]), float(values.max())
    text = (f"{what} reached {peak:.0f} % (from {_clock(stamps[first])} on); "
            f"{advice}")
    return Finding(kind, metric, math.nan, float(values[first]), text, "warning", host=host,
                   details={"since": float(stamps[first]), "peak": peak})


def utilization_findings(series: Mapping[tuple[str, str], tuple[np.ndarray, np.ndarray]],
                         devices: Devices, window: tuple[float, float] | None = None,
                         job: str = "") -> list[Finding]:
    """Every utilization finding of a job or run.

    Parameters
    ----------
    series : mapping
        ``(host, metric) -> (timestamps, values)``: seconds since the epoch and the values
        as reported (``CPUUtilization`` ... ``GPUMemoryUtilization``).
    devices : Devices
        The instances' device counts (GPU figures are judged per GPU when known; an
        instance type known to have no GPU gets no GPU finding).
    window : (start, end), optional
        Seconds since the epoch while training ran: the idle-GPU rule reads only these
        samples (downloading data is not idleness). Memory and disk are read throughout.

    Returns
    -------
    list of Finding
        ``kind`` ``idle-gpu``, ``memory-full`` or ``disk-full``, of ``job`` and its host
        (the text does not name them: a list names them, as for the metric diagnoses,
        :func:`~metricwidgets.core.diagnosis._findings.labelled`); severity ``warning``; ``step`` is NaN
        (utilization has no step): ``details["since"]`` is the time (seconds since the
        epoch) where it began.
    """
    found: list[Finding] = []
    for (host, metric), (stamps, values) in sorted(series.items()):
        stamps = np.asarray(stamps, np.float64)
        values = np.asarray(values, np.float64)
        keep = np.isfinite(values)
        stamps, values = stamps[keep], values[keep]
        if metric == "GPUUtilization":
            if window is not None:
                inside = (stamps >= window[0]) & (stamps <= window[1])
                stamps, values = stamps[inside], values[inside]
            check = _idle_gpu(host, stamps, values, devices)
        elif metric == "MemoryUtilization":
            check = _full("memory-full", metric, "memory", MEMORY_FULL, host, stamps, values,
                          "close to running out (the job may be killed): a smaller batch, "
                          "or an instance with more memory.")
        elif metric == "DiskUtilization":
            check = _full("disk-full", metric, "the disk", DISK_FULL, host, stamps, values,
                          "nearly full: checkpoints or data may fail to write.")
        else:
            check = None
        if check is not None:
            found.append(check.located(job, host))
    return found


def training_window(statuses) -> tuple[float, float] | None:
    """Start and end (seconds since the epoch) of the ``Training`` phase of the first of
    ``statuses`` (:class:`~metricwidgets.sources.base.JobStatus`) that has one; None when
    none says (a local run: then every sample counts)."""
    for status in statuses:
        for item in status.transitions or []:
            if item.get("Status") == "Training" and item.get("StartTime"):
                return float(item["StartTime"]), float(item.get("EndTime") or math.inf)
    return None


def store_findings(store, devices: Devices, statuses=(), job: str = "") -> list[Finding]:
    """:func:`utilization_findings` of a :class:`~metricwidgets.core.store.MetricStore`
    holding utilization series (host, metric), the idle-GPU rule read inside the training
    window of ``statuses``."""
    series = {(s.key.host, s.key.metric): (s.timestamp, s.value) for s in store.snapshots()}
    return utilization_findings(series, devices, training_window(list(statuses)), job=job)
