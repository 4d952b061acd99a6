"""Which sources watch a SageMaker training job: one status source and one data source.

A job's status always comes from ``DescribeTrainingJob``
(:class:`~metricwidgets.sources.sagemaker_job.SageMakerJobSource`); its data comes from the
*kind* of data source asked for:

- ``logs``: the job's CloudWatch Logs, parsed by the watch
  (:class:`~metricwidgets.sources.cloudwatch_logs.CloudWatchLogsSource`);
- ``metrics``: what SageMaker published to CloudWatch
  (:class:`~metricwidgets.sources.cloudwatch_metrics.CloudWatchMetricsSource`);
- ``system``: the instance utilization SageMaker published per host
  (:class:`~metricwidgets.sources.cloudwatch_utilization.CloudWatchUtilizationSource`).

Adding a kind
-------------
Write a :class:`~metricwidgets.sources.base.Source` (its ``poll`` returns a
:class:`~metricwidgets.sources.base.SourceUpdate` of log batches and/or point batches), and
a builder taking a :class:`DataSourceRequest`; register it once, at import of your module::

    from metricwidgets.sources.factory import register_data_source

    def _utilization(request):
        from mypackage.utilization import UtilizationSource
        return UtilizationSource(request.name, request.options)

    register_data_source("system", _utilization)

Every door (``%metrics --source``, ``metricwidgets fetch --source``, ``fetch_job_metrics``,
``LivePlot.for_job``, tuning children) then accepts the kind: they all build their sources
here, through :func:`job_sources`. A source may also override the hooks
:class:`~metricwidgets.sources.base.Source` declares as no-ops: ``on_status(status)`` (told
each new status), ``final_drain()`` (the job ended: read once more, then finish) and
``restarted()`` (the same data read again from its start).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from metricwidgets.errors import InputError
from metricwidgets.sources.aws import AWSOptions
from metricwidgets.sources.base import Source

__all__ = ["DataSourceRequest", "data_source_kinds", "job_sources", "register_data_source"]


@dataclass(frozen=True)
class DataSourceRequest:
    """What a data-source builder gets.

    Attributes
    ----------
    name : str
        The training job.
    options : AWSOptions
    clients : dict
        Clients by service name (``logs``, ``cloudwatch``, ``sagemaker``) to share (a tuning
        job's children share one pool); a builder makes its own for a missing service.
    cursor : dict or None
        Where a previous source stopped (CloudWatch Logs).
    directory : object or None
        A shared stream listing (a tuning job's children).
    """

    name: str
    options: AWSOptions
    clients: dict
    cursor: Any = None
    directory: Any = None


DataSourceBuilder = Callable[[DataSourceRequest], Source]


def _logs(request: DataSourceRequest) -> Source:
    from metricwidgets.sources.cloudwatch_logs import CloudWatchLogsSource

    return CloudWatchLogsSource(request.name, request.options, client=request.clients.get("logs"),
                                cursor=request.cursor, directory=request.directory)


def _metrics(request: DataSourceRequest) -> Source:
    from metricwidgets.sources.cloudwatch_metrics import CloudWatchMetricsSource

    return CloudWatchMetricsSource(request.name, request.options,
                                   client=request.clients.get("cloudwatch"))


def _system(request: DataSourceRequest) -> Source:
    from metricwidgets.sources.cloudwatch_utilization import CloudWatchUtilizationSource

    return CloudWatchUtilizationSource(request.name, request.options,
                                       client=request.clients.get("cloudwatch"))


_BUILDERS: dict[str, DataSourceBuilder] = {"logs": _logs, "metrics": _metrics,
                                           "system": _system}


def register_data_source(kind: str, builder: DataSourceBuilder) -> None:
    """Make ``kind`` a data source every door accepts (replacing a builder of that kind)."""
    _BUILDERS[kind] = builder


def data_source_kinds() -> tuple[str, ...]:
    """The kinds of data source known, in registration order."""
    return tuple(_BUILDERS)


def job_sources(name: str, options: AWSOptions, kind: str = "logs",
                describe_interval: float = 10.0, cursor=None, clients: dict | None = None,
                directory=None, status: Source | None = None) -> tuple[Source, Source]:
    """The (status source, data source) that watch training job ``name``; ``status``: a
    status source to use instead of a new one (a reader of another watch's, so that the two
    share their ``DescribeTrainingJob`` calls).

    Raises
    ------
    InputError
        For an unknown ``kind``.
    """
    from metricwidgets.sources.sagemaker_job import SageMakerJobSource

    builder = _BUILDERS.get(kind)
    if builder is None:
        kinds = " or ".join(repr(k) for k in _BUILDERS)
        raise InputError(f"source must be {kinds}, not {kind!r}")
    clients = clients if clients is not None else {}
    if status is None:
        status = SageMakerJobSource(name, options, client=clients.get("sagemaker"),
                                    interval=describe_interval)
    data = builder(DataSourceRequest(name, options, clients, cursor, directory))
    return status, data
