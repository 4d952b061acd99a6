"""One job (or run) inside a watch: its status source, its data source and where it stands."""

from __future__ import annotations

from metricwidgets.core.parsing import MetricDefinition
from metricwidgets.sources.base import Source

__all__ = ["WatchedJob"]


class WatchedJob:
    """A job, tuning child, command or file watched by a :class:`~metricwidgets.polling.watch.Watch`.

    Parameters
    ----------
    name : str
        The key its series are filed under in the store.
    data : Source
        Where its log text or points come from.
    status : Source, optional
        A separate status source (a SageMaker job's ``DescribeTrainingJob``).

    Attributes
    ----------
    terminal_seen : bool
        Its status was terminal once (the data source then drains once more).
    finished : bool
        Everything it will ever deliver was delivered.
    job_definitions : list of MetricDefinition
        The job's own definitions, from its status.
    """

    def __init__(self, name: str, data: Source, status: Source | None = None):
        self.name = name
        self.data = data
        self.status_source = status
        self.terminal_seen = False
        self.finished = False
        self.job_definitions: list[MetricDefinition] = []

    def sources(self) -> list[Source]:
        """Its sources: the data source, then the status source if any."""
        return [s for s in (self.data, self.status_source) if s is not None]
