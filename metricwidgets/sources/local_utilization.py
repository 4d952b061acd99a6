"""Instance utilization of a local run: what SageMaker publishes per host, measured here.

The run's process tree gives ``CPUUtilization`` (summed over cores, as SageMaker reports
it: 200 % is two busy cores) and ``MemoryUtilization`` (its resident memory, % of the
machine's); ``DiskUtilization`` is the disk of the run's working directory. GPUs are read
through NVML (``nvidia-ml-py``) when a driver answers: ``GPUUtilization`` and
``GPUMemoryUtilization`` summed over the GPUs, as SageMaker does. Without a GPU or driver
the source says why in :attr:`LocalUtilizationSource.gpu_note` and delivers no GPU series.

It is a :class:`~metricwidgets.sources.base.Source` like the others: the poller's thread
samples it on each poll (at most once per ``interval``), so no thread of its own runs, and
it is finished once the process has exited.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable

import numpy as np

from metricwidgets.core.diagnosis import Devices
from metricwidgets.sources.base import JobStatus, PointBatch, Source, SourceUpdate

__all__ = ["GpuReader", "LocalUtilizationSource"]


class GpuReader:
    """Device-wide GPU utilization and memory through NVML, or the reason there is none.

    Attributes
    ----------
    count : int
        GPUs found (0 when none or no driver).
    note : str
        ``""`` when GPUs are read; else ``"no GPU (...)"`` with NVML's reason.
    """

    def __init__(self):
        self.count = 0
        self.note = ""
        self._handles = []
        try:
            import pynvml
        except ImportError:
            self.note = "no GPU (nvidia-ml-py is not installed)"
            return
        self._nvml = pynvml
        try:
            pynvml.nvmlInit()
            self.count = pynvml.nvmlDeviceGetCount()
            self._handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(self.count)]
        except pynvml.NVMLError as exc:  # no library, no driver, no permission
            self.note = f"no GPU ({exc})"
        else:
            if not self.count:
                self.note = "no GPU (the NVIDIA driver sees none)"

    def sample(self) -> dict[str, float]:
        """``{"GPUUtilization": ..., "GPUMemoryUtilization": ...}`` summed over GPUs
        (empty without GPUs, or once NVML fails: :attr:`note` says why)."""
        if not self._handles:
            return {}
        try:
            busy = memory = 0.0
            for handle in self._handles:
                busy += self._nvml.nvmlDeviceGetUtilizationRates(handle).gpu
                info = self._nvml.nvmlDeviceGetMemoryInfo(handle)
                memory += 100.0 * info.used / info.total if info.total else 0.0
        except self._nvml.NVMLError as exc:  # a driver reset mid-run: stop asking, say so
            self._handles = []
            self.note = f"no GPU (NVML stopped answering: {exc})"
            return {}
        return {"GPUUtilization": busy, "GPUMemoryUtilization": memory}

    def close(self) -> None:
        if self._handles:
            with contextlib.suppress(self._nvml.NVMLError):  # already shut down
                self._nvml.nvmlShutdown()
        self._handles = []


class LocalUtilizationSource(Source):
    """Samples the utilization of process ``pid`` and its descendants.

    Parameters
    ----------
    pid : int
        The run's root process.
    name : str
        The store key (the run's name, as its log source files it).
    host : str
        The host its series are filed under (the local run's host).
    cwd : str, optional
        Whose disk ``DiskUtilization`` measures (default: the current directory).
    interval : float
        Least seconds between two samples.
    gpus : GpuReader, optional
        Made on first use when None.
    """

    kind = "system"

    def __init__(self, pid: int, name: str, host: str = "local", cwd=None,
                 interval: float = 1.0, gpus: GpuReader | None = None,
                 clock: Callable[[], float] = time.time):
        import psutil

        self._psutil = psutil
        self.name = name
        self.host = host
        self.cwd = os.fspath(cwd) if cwd is not None else os.getcwd()
        self.interval = interval
        self._clock = clock
        self._gpus = gpus
        self._processes: dict[int, object] = {}
        self._last_sample: float | None = None
        self._done = False
        try:
            self._root = psutil.Process(pid)
        except psutil.Error:
            self._root = None
            self._done = True
        self.samples = 0

    @property
    def gpus(self) -> GpuReader:
        if self._gpus is None:
            self._gpus = GpuReader()
        return self._gpus

    @property
    def gpu_note(self) -> str:
        """``""`` while GPUs are read, else why not (``"no GPU (...)"``)."""
        return self.gpus.note

    @property
    def devices(self) -> Devices:
        """This machine's cores and GPUs, to read the summed figures per device."""
        cores = self._psutil.cpu_count() or None
        gpus = self.gpus.count
        words = f"{gpus} GPU" + "s" * (gpus > 1) if gpus else self.gpu_note
        return Devices(cores, gpus, f"this machine: {cores} vCPUs, {words}")

    @property
    def finished(self) -> bool:
        return self._done

    def _alive(self) -> bool:
        psutil = self._psutil
        try:
            return (self._root is not None and self._root.is_running()
                    and self._root.status() != psutil.STATUS_ZOMBIE)
        except psutil.Error:
            return False

    def _tree(self) -> list:
        """The root and its descendants, as cached Process objects (cpu_percent measures
        since the same object's previous call)."""
        psutil = self._psutil
        try:
            found = [self._root, *self._root.children(recursive=True)]
        except psutil.Error:
            return []
        tree = []
        for process in found:
            tree.append(self._processes.setdefault(process.pid, process))
        self._processes = {p.pid: p for p in tree}
        return tree

    def sample(self) -> dict[str, float] | None:
        """One sample of every metric now (None once the process has ended)."""
        psutil = self._psutil
        if not self._alive():
            return None
        cpu = rss = 0.0
        for process in self._tree():
            try:
                with process.oneshot():
                    cpu += process.cpu_percent(None)
                    rss += process.memory_info().rss
            except psutil.Error:  # it ended between the listing and now
                continue
        values = {"CPUUtilization": cpu,
                  "MemoryUtilization": 100.0 * rss / psutil.virtual_memory().total}
        try:
            values["DiskUtilization"] = psutil.disk_usage(self.cwd).percent
        except OSError:  # the directory went away: no disk figure, the rest stands
            pass
        values.update(self.gpus.sample())
        return values

    def poll(self) -> SourceUpdate:
        if self._done:
            return SourceUpdate()
        now = self._clock()
        if self._last_sample is not None and now - self._last_sample < self.interval:
            return SourceUpdate()
        values = self.sample()
        if values is None:
            # Ended: a terminal status lets the watch finish (and its poller thread end).
            self.close()
            return SourceUpdate(status=JobStatus(self.name, "Completed", end_time=now))
        self._last_sample = now
        self.samples += 1
        stamp = np.array([now], np.float64)
        return SourceUpdate(points=[
            PointBatch(metric, self.host, stamp, np.array([value], np.float64))
            for metric, value in values.items()])

    def close(self) -> None:
        """Stop sampling (the process itself is its log source's to stop). Idempotent."""
        self._done = True
        self._processes = {}
        if self._gpus is not None:
            self._gpus.close()
