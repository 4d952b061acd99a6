"""Several chosen training jobs in one watch, joining and leaving it while it runs.

Jobs that no tuning job groups (yesterday's baseline and today's variants) are watched the
way a tuning job's children are (:class:`~metricwidgets.polling.tuning.TuningJobExpansion`):
each is a :class:`~metricwidgets.polling.watched_job.WatchedJob` built by
:func:`metricwidgets.sources.factory.job_sources` with clients shared by every job of the
list, all in one :class:`~metricwidgets.polling.watch.Watch` whose single store holds every
job's series under the job's name. :class:`JobMembership` gives the watch
:meth:`~JobMembership.add_job` and :meth:`~JobMembership.remove_job`: a removed job stops
being polled and is parked with its cursors and series, so adding it back continues where
it stopped (no point is read or stored twice).
"""

from __future__ import annotations

from metricwidgets.polling.watched_job import WatchedJob

__all__ = ["JobList", "JobMembership", "watch_jobs"]


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


class JobMembership:
    """:class:`~metricwidgets.polling.watch.Watch`'s jobs added and removed while it runs.

    A watch made by :func:`watch_jobs` has a :class:`JobList` (``job_list``) to build the
    jobs it is given by name.
    """

    job_list: JobList | None = None

    @property
    def job_names(self) -> list[str]:
        """The names of the jobs polled now, in the order they were added."""
        with self._state_lock:
            return [job.name for job in self._jobs]

    def watched_job(self, name: str) -> WatchedJob | None:
        """The job ``name`` polled now (its sources), None when it is not."""
        with self._state_lock:
            return next((job for job in self._jobs if job.name == name), None)

    def add_job(self, job) -> bool:
        """Watch one more job from the next round on: a :class:`WatchedJob`, or a training
        job's name (built by :attr:`job_list`). A job removed before comes back with its
        series and cursors. Return False when the job is already watched.

        Raises
        ------
        TypeError
            For a name given to a watch without a job list.
        """
        name = job if isinstance(job, str) else job.name
        with self._state_lock:
            if any(j.name == name for j in self._jobs):
                return False
            parked = self._parked_jobs().pop(name, None)
        if parked is None and isinstance(job, str):
            if self.job_list is None:
                raise TypeError("this watch has no job list: give add_job a WatchedJob")
            parked = self.job_list.watched(job)
        with self._state_lock:
            self._jobs.append(parked if parked is not None else job)
            # A watch whose jobs had all ended is not finished any more.
            self._finished.clear()
        if not (self._closed or self._paused):
            self._poller.add(self)
        self._notify()
        return True

    def remove_job(self, name: str) -> bool:
        """Stop polling job ``name`` and forget its status; its series stay in the store
        (a plot hides them) until it is added back. Return False for a job not watched."""
        with self._state_lock:
            job = next((j for j in self._jobs if j.name == name), None)
            if job is None:
                return False
            self._jobs.remove(job)
            self._parked_jobs()[name] = job
            self.statuses.pop(name, None)
        self._check_finished()
        self._notify()
        return True

    def _parked_jobs(self) -> dict:
        # Made on first use: the watch's own constructor knows nothing of parked jobs.
        return self.__dict__.setdefault("_parked", {})

    def take_parked(self) -> list:
        """The removed jobs, forgotten (the watch is closing: their sources are closed)."""
        with self._state_lock:
            jobs = list(self._parked_jobs().values())
            self._parked_jobs().clear()
        return jobs


def watch_jobs(cls, names, options, *, describe_interval: float = 10.0, start: bool = True,
               **polling):
    """A ``cls`` (:class:`~metricwidgets.polling.watch.Watch`) of the training jobs
    ``names`` (possibly none yet), each read as ``options``
    (:class:`~metricwidgets.options.MetricOptions`) say; ``polling``: ``min_interval``,
    ``max_interval``, ``max_backoff``, ``poller``, ``clock``, ``hold_limit``."""
    job_list = JobList(options, describe_interval)
    jobs = [job_list.watched(name) for name in dict.fromkeys(names)]
    watch = cls(jobs, options.definitions, start=False,
                step_definition=options.step_definition,
                name=", ".join(dict.fromkeys(names)) or "jobs", **polling)
    watch.job_list = job_list
    if start:
        watch.resume()
    return watch
