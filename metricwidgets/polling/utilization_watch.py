"""The watch of a job's or a local run's instance utilization, beside its metrics' watch.

A live plot keeps utilization in a watch of its own (its own store, its own adaptive
interval on the shared poller): the metric charts and exports read only the metrics, the
instances panel only the utilization, and the plot's one list of findings both
(:func:`utilization_findings_of` gives the instances' part, for the plot and the CLI).
"""

from __future__ import annotations

__all__ = ["system_watch_for_job", "system_watch_for_run", "utilization_findings_of",
           "watch_devices"]

#: Seconds between two DescribeTrainingJob calls of the utilization watch (the metrics
#: watch's pace: the job's end is seen as soon, and the final minutes drained).
DESCRIBE_INTERVAL = 10.0


def system_watch_for_job(name: str, start: bool = True, poller=None, *, options=None,
                         beside=None):
    """A watch of training job ``name``'s published utilization (``source="system"``).

    ``options`` (:class:`~metricwidgets.options.MetricOptions`, e.g. the metrics watch's;
    None: the defaults) say where the job is; its source is ``system`` whatever they say, and the
    definitions and step do not apply. Polling it often costs little: ``GetMetricData`` is
    called only once a new minute is complete, ``ListMetrics`` once a minute; the rest is
    ``DescribeTrainingJob``. With ``beside`` (the watch of the job's metrics), the two share
    that call: this watch reads the other's status source (:meth:`SageMakerJobSource.reader`),
    so the job is described once per interval, not once per watch."""
    from metricwidgets.options import MetricOptions
    from metricwidgets.polling import Watch, WatchedJob

    options = (options or MetricOptions.build()).replace(
        source="system", step_definition=None, metric_definitions=None)
    shared = _status_source(beside, name)
    if shared is None:
        return _utilization(Watch.for_job(name, options, start=start, poller=poller,
                                          describe_interval=DESCRIBE_INTERVAL, min_interval=2.0,
                                          max_interval=DESCRIBE_INTERVAL))
    from metricwidgets.sources.factory import job_sources

    status, data = job_sources(name, options.aws, "system", status=shared.reader())
    return _utilization(Watch([WatchedJob(name, data, status)], min_interval=2.0,
                              max_interval=DESCRIBE_INTERVAL, poller=poller, start=start))


def _utilization(watch):
    """``watch``, whose findings (``Watch.on_finding``) are its utilization findings."""
    watch.findings.diagnose = utilization_findings_of
    return watch


def _status_source(watch, name: str):
    """The status source of job ``name`` in ``watch`` (a :class:`Watch`, or None) when others
    can read it (a :class:`SageMakerJobSource`, not a reader of one), else None."""
    from metricwidgets.sources.sagemaker_job import SageMakerJobSource

    job = watch.watched_job(name) if watch is not None else None
    status = job.status_source if job is not None else None
    return status if isinstance(status, SageMakerJobSource) else None


def system_watch_for_run(watch, cwd=None, interval: float | None = None, start: bool = True,
                         poller=None):
    """A watch sampling the utilization of the process ``watch`` runs (a command watch);
    None when the watch runs no process or psutil is missing.

    ``interval``: seconds between samples (default: the command watch's longest poll
    interval, so both are polled at the same pace). ``poller``: the
    :class:`~metricwidgets.polling.scheduler.Scheduler` that polls it - pass the one
    ``watch`` was given, so both live and stop on the same thread (default:
    :meth:`Scheduler.default`, as for ``watch``).
    """
    from metricwidgets.polling import Watch, WatchedJob

    processes = [s for s in watch.sources if getattr(s, "process", None) is not None]
    if not processes:
        return None
    try:
        from metricwidgets.sources.local_utilization import LocalUtilizationSource
    except ImportError:  # psutil is a dependency; a broken install loses only the panel
        return None
    process = processes[0]
    every = watch.max_interval if interval is None else interval
    source = LocalUtilizationSource(process.process.pid, process.name,
                                    host=_host_of(process), cwd=cwd, interval=every)
    return _utilization(Watch([WatchedJob(process.name, source)], min_interval=every,
                              max_interval=every, poller=poller, name=process.name, start=start))


def _host_of(process) -> str:
    from metricwidgets.sources.local_process import LOCAL_HOST

    return getattr(process, "host", LOCAL_HOST)


def watch_devices(watch):
    """The device counts of the instances a utilization watch reads (those of the first
    source that knows any: a job's instance type from ``DescribeTrainingJob``, a local
    run's machine); unknown when none does."""
    from metricwidgets.core.diagnosis import devices_of

    for source in watch.sources:
        devices = getattr(source, "devices", None)
        if devices is not None:
            return devices
    return devices_of(None)


def utilization_findings_of(watch) -> list:
    """The findings of a utilization watch's data now (idle GPU, memory or disk nearly
    full; severity ``warning``), of the watch's job: see
    :func:`metricwidgets.core.diagnosis.store_findings`."""
    from metricwidgets.core.diagnosis import store_findings

    return store_findings(watch.store, watch_devices(watch), list(watch.statuses.values()),
                          job=watch.name)
