"""Several chosen training jobs in one watch, joining and leaving it while it runs.

Jobs that no tuning job groups (yesterday's baseline and today's variants) are watched the
way a tuning job's children are (:class:`~metricwidgets.polling.tuning.TuningJobExpansion`):
each is a :class:`~metricwidgets.polling.watched_job.WatchedJob` built by
:func:`metricwidgets.sources.factory.job_sources` with clients shared by every job of the
list, all in one :class:`~metricwidgets.polling.watch.Watch` whose single store holds every
job's series under the job's name. A watch holds its jobs in a :class:`JobRoster`, through
which ``Watch.add_job`` and ``Watch.remove_job`` go: a removed job stops being polled and is
parked with its cursors and series, so adding it back continues where it stopped (no point is
read or stored twice).
"""

from __future__ import annotations

import threading

from metricwidgets.polling.watched_job import WatchedJob

__all__ = ["JobList", "JobRoster"]


class JobList:
    """Builds the watched jobs of a list of training jobs, sharing one pool of clients.

    Parameters
    ----------
    options : MetricOptions
        Where to reach AWS and the kind of source each job is watched through (``logs``,
        ``metrics``...).
    describe_interval : float
        Seconds between two ``DescribeTrainingJob`` calls of one job.
    """

    def __init__(self, options, describe_interval: float = 10.0):
        self.options = options
        self.describe_interval = describe_interval
        self._clients: dict = {}

    @property
    def source(self) -> str:
        return self.options.source

    @property
    def clients(self) -> dict:
        """``sagemaker``, ``logs`` and ``cloudwatch`` clients (budgeted), made on first use."""
        if not self._clients:
            from metricwidgets.sources.budget import budgeted_client

            aws = self.options.aws
            self._clients = {service: budgeted_client(service, aws)
                             for service in ("sagemaker", "logs", "cloudwatch")}
        return self._clients

    def watched(self, name: str) -> WatchedJob:
        """Training job ``name`` as a watched job.

        Raises
        ------
        InputError
            For an unknown kind of source.
        """
        from metricwidgets.sources.factory import job_sources

        status, data = job_sources(name, self.options.aws, self.options.source,
                                   self.describe_interval, clients=self.clients)
        return WatchedJob(name, data, status)


class JobRoster:
    """The jobs of one watch: those polled now (in the order they joined) and those removed,
    parked with their sources' cursors, and the lock that guards both.

    Parameters
    ----------
    jobs : list of WatchedJob
    job_list : JobList, optional
        Builds a job given by name (a watch of :func:`~metricwidgets.polling.constructors.
        watch_jobs`); without one, :meth:`add` takes only a :class:`WatchedJob`.

    Attributes
    ----------
    lock : threading.RLock
        Held for every change and read of the roster; the watch holds it too for its state
        that goes with the jobs (statuses, definitions), so the two change together.
    """

    def __init__(self, jobs, job_list: JobList | None = None):
        self.job_list = job_list
        self.lock = threading.RLock()
        self._jobs: list[WatchedJob] = list(jobs)
        self._parked: dict[str, WatchedJob] = {}

    def polled(self) -> list[WatchedJob]:
        """The jobs polled now (a copy)."""
        with self.lock:
            return list(self._jobs)

    def names(self) -> list[str]:
        """The names of the jobs polled now, in the order they were added."""
        with self.lock:
            return [job.name for job in self._jobs]

    def find(self, name: str) -> WatchedJob | None:
        """The job ``name`` polled now, None when it is not."""
        with self.lock:
            return next((job for job in self._jobs if job.name == name), None)

    def append(self, job: WatchedJob) -> None:
        """A job that joins by itself (a tuning job's child)."""
        with self.lock:
            self._jobs.append(job)

    def add(self, job) -> bool:
        """Poll one more job: a :class:`WatchedJob`, or a training job's name (built by
        :attr:`job_list`). A parked job comes back with its series and cursors. Return
        False when the job is already polled.

        Raises
        ------
        TypeError
            For a name given to a roster without a job list.
        """
        name = job if isinstance(job, str) else job.name
        with self.lock:
            if any(j.name == name for j in self._jobs):
                return False
            parked = self._parked.pop(name, None)
        if parked is None and isinstance(job, str):
            if self.job_list is None:
                raise TypeError("this watch has no job list: give add_job a WatchedJob")
            parked = self.job_list.watched(job)  # outside the lock: it makes sources
        with self.lock:
            self._jobs.append(parked if parked is not None else job)
        return True

    def remove(self, name: str) -> WatchedJob | None:
        """Stop polling job ``name`` and park it; return it (None for a job not polled)."""
        with self.lock:
            job = next((j for j in self._jobs if j.name == name), None)
            if job is not None:
                self._jobs.remove(job)
                self._parked[name] = job
            return job

    def take_all(self) -> list[WatchedJob]:
        """Every job, polled and parked; the parked ones are forgotten (the watch is
        closing: their sources are closed)."""
        with self.lock:
            jobs = list(self._jobs) + list(self._parked.values())
            self._parked.clear()
        return jobs
