"""A tuning job inside a watch: its status, and its children turned into watched jobs.

:class:`TuningJobExpansion` polls a
:class:`~metricwidgets.sources.tuning_job.TuningJobSource` and builds, for each child the
tuner launched since, a :class:`~metricwidgets.polling.watched_job.WatchedJob` with the
sources of :func:`metricwidgets.sources.factory.job_sources` (the kind of data source asked
for, clients shared with every sibling, one stream listing for the children named
``<tuning job>-...``).
"""

from __future__ import annotations

from metricwidgets.polling.watched_job import WatchedJob
from metricwidgets.sources.base import JobStatus
from metricwidgets.sources.factory import job_sources
from metricwidgets.sources.tuning_job import TuningJobSource

__all__ = ["TuningJobExpansion"]


class TuningJobExpansion:
    """The children of one tuning job, as watched jobs.

    Parameters
    ----------
    source : TuningJobSource
    child_source : str
        The kind of data source each child is watched through (``logs``, ``metrics``...).
    """

    def __init__(self, source: TuningJobSource, child_source: str = "logs"):
        self.source = source
        self.child_source = child_source
        self.name = source.name

    def poll(self) -> tuple[JobStatus | None, list[WatchedJob]]:
        """The tuning job's status (None when not polled this time) and the new children."""
        tuning = self.source
        status = tuning.poll().status
        children = []
        for child in tuning.take_new_children():
            shared = child.startswith(tuning.name + "-")
            status_source, data = job_sources(
                child, tuning.options, self.child_source, tuning.interval,
                clients=tuning.clients, directory=tuning.directory if shared else None)
            children.append(WatchedJob(child, data, status_source))
        return status, children

    def complete(self, status: JobStatus | None) -> bool:
        """True once the tuning job ended and every child was handed out."""
        return (status is not None and status.terminal
                and not self.source.has_unseen_children())

    def close(self) -> None:
        self.source.close()
