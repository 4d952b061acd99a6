"""The public functions: a job's points, its findings, and a summary of many jobs, once.

They take the arguments every door shares, in the order of ``LivePlot.for_job``: the job,
``metric_definitions``, ``source``, then keywords only (``step_definition``; ``options=``, a
:class:`~metricwidgets.options.MetricOptions` as a door built it, or the loose ``region``,
``profile``, ``endpoint_url``, ``session``, made into one by
:func:`~metricwidgets.options.resolve_options`). Options are resolved here, once; everything
below takes the object.

:func:`fetch_job_metrics` runs a :class:`~metricwidgets.polling.watch.Watch` synchronously on
the calling thread: poll rounds until the job's logs (or published metrics) are read to their
end, then the store's points; for a job still running, what exists now.
:func:`fetch_job_findings` fetches a job's metrics and its instances' utilization side by side
(one ``DescribeTrainingJob`` a round for both) and diagnoses them, for ``metricwidgets
diagnose --job``. :func:`list_jobs` summarises many jobs through ``Search``
(:mod:`metricwidgets.sources.job_search`).
"""

from __future__ import annotations

import datetime as dt

from metricwidgets.errors import InputError
from metricwidgets.options import resolve_options

__all__ = ["COLUMNS", "SYSTEM_COLUMNS", "fetch_job_findings", "fetch_job_metrics",
           "fetch_job_store", "fetch_jobs_metrics", "list_jobs"]

#: The columns of the result, in order.
COLUMNS = ["timestamp", "host", "metric", "value", "step", "line"]
#: The columns of instance utilization (no step, no log line).
SYSTEM_COLUMNS = COLUMNS[:4]
#: Most poll rounds one fetch makes (each reads every stream to its end).
_MAX_ROUNDS = 20


def fetch_job_metrics(name: str, metric_definitions=None, source: str | None = None, *,
                      step_definition=None, options=None, **aws):
    """Return every metric point of training job ``name``.

    Parameters
    ----------
    name : str
    metric_definitions : optional
        Anything :func:`metricwidgets.core.parsing.load_definitions` reads.
    source : {"logs", "metrics", "system"}, optional
        ``logs``: parse the job's CloudWatch Logs here with the job's definitions plus
        ``metric_definitions`` (the user's win by name); every logged value, per host.
        ``metrics``: what SageMaker published to CloudWatch (one average a minute, host
        ``all``). ``system``: the instance utilization SageMaker published per host
        (``CPUUtilization`` ... ``GPUMemoryUtilization``, CPU and GPU summed over devices
        as SageMaker reports them; host ``algo-N``). Default ``logs``.
    step_definition : str, optional
        A regex whose group 1 is each point's step (the ``step`` column).
    options : MetricOptions, optional
        Everything above at once (as the CLI passes it); then give none of the others.
    **aws
        ``region``, ``profile``, ``endpoint_url``, ``session``.

    Returns
    -------
    pandas.DataFrame
        Columns ``timestamp`` (UTC), ``host``, ``metric``, ``value``, ``step``, ``line``
        (1-based line of the host's log; -1 for published metrics); for ``system`` only
        the first four (:data:`SYSTEM_COLUMNS`).

    Raises
    ------
    AWSError
        Unknown job, missing credentials, no permission, AWS unreachable.
    DefinitionError
        A definition whose regex does not compile.
    """
    options = resolve_options(options, metric_definitions, source, step_definition, **aws)
    frame = fetch_job_store(name, options=options).to_dataframe()
    columns = SYSTEM_COLUMNS if options.source == "system" else COLUMNS
    return frame[columns].reset_index(drop=True)


def fetch_job_store(name: str, metric_definitions=None, source: str | None = None, *,
                    step_definition=None, options=None, **aws):
    """Like :func:`fetch_job_metrics`, but the :class:`~metricwidgets.core.store.MetricStore`
    itself, which also keeps the NaN/Inf captures (for ``metricwidgets diagnose --job``)."""
    from metricwidgets.polling.watch import Watch

    options = resolve_options(options, metric_definitions, source, step_definition, **aws)
    watch = Watch.for_job(name, options, start=False, describe_interval=0.0)
    return _drained(watch).store


def _drained(watch):
    """``watch`` polled on this thread until its job is read to its end (or, while the job
    runs, until a round adds nothing), then closed.

    Raises
    ------
    UserFacingError
        The error of a failed round (a fetch has no later round to wait for).
    """
    try:
        for _ in range(_MAX_ROUNDS):
            version = watch.store.version
            watch.poll_once()
            if watch.last_error is not None:
                raise watch.last_error
            running = not any(s.terminal for s in watch.statuses.values())
            if watch.finished or (running and watch.store.version == version):
                break
    finally:
        watch.close()
    return watch


def fetch_job_findings(name: str, metric_definitions=None, source: str | None = None, *,
                       step_definition=None, options=None, **aws) -> list:
    """Every finding of training job ``name``: the diagnoses of its metrics (read as
    :func:`fetch_job_store` reads them) and its instances' utilization findings (idle GPU
    on a GPU instance type, memory or disk nearly full; severity ``warning``), in one list
    (:func:`metricwidgets.core.diagnosis.merge_findings`). With ``source="system"``, only
    the utilization findings.

    Failing to read the utilization alone loses nothing else: it becomes one finding of
    kind ``utilization-unread`` (severity ``info``) that says why.

    Raises
    ------
    AWSError
        Unknown job, missing credentials, no permission, AWS unreachable (for the metrics).
    DefinitionError
        A definition whose regex does not compile.
    """
    from metricwidgets.core import diagnosis
    from metricwidgets.polling.watch import Watch
    from metricwidgets.polling.utilization_watch import (
        system_watch_for_job,
        utilization_findings_of,
    )

    options = resolve_options(options, metric_definitions, source, step_definition, **aws)
    if options.source == "system":
        return utilization_findings_of(_drained(system_watch_for_job(
            name, start=False, options=options)))
    watch = Watch.for_job(name, options, start=False, describe_interval=0.0)
    system = system_watch_for_job(name, start=False, options=options, beside=watch)
    try:
        found = diagnosis.diagnose_store(_drained(watch).store)
    except BaseException:
        system.close()
        raise
    return diagnosis.merge_findings(found, _utilization_or_why(system))


def _utilization_or_why(system) -> list:
    import math

    from metricwidgets.core.diagnosis import Finding
    from metricwidgets.errors import UserFacingError
    from metricwidgets.polling.utilization_watch import utilization_findings_of

    try:
        return utilization_findings_of(_drained(system))
    except UserFacingError as exc:
        return [Finding("utilization-unread", "", math.nan, math.nan,
                        f"the instances' utilization could not be read: {exc}", "info",
                        job=system.name)]


def fetch_jobs_metrics(jobs=None, name_contains=None, since=None, status=None,
                       metric_definitions=None, options=None, scan="auto", **aws):
    """Every point of ``metric_definitions`` in the logs of many jobs, as one DataFrame.

    The jobs are ``jobs``, or those :func:`~metricwidgets.list_jobs` finds with
    ``name_contains``, ``since`` and ``status``. When every definition (and the step
    definition) has a sound prefilter (:func:`metricwidgets.core.parsing.prefilter_union`),
    CloudWatch Logs scans the logs where they live (``FilterLogEvents`` with a regex filter
    pattern over each job's streams) and only candidate lines travel; otherwise every line
    is read (a warning says which definition forced it). Either way each line is parsed here
    with SageMaker's rules, so the points are the same.

    The candidate lines come through ``FilterLogEvents``, job by job, or through Logs
    Insights queries over many jobs at once (billed per GB scanned: $0.005 a GB in
    us-east-1); ``scan="auto"`` uses Insights from 20 jobs on
    (:mod:`metricwidgets.polling.backfill` says why). A job an Insights query could not read
    is read with ``FilterLogEvents``, with a warning saying why.

    Parameters
    ----------
    jobs : list of str, optional
    name_contains, since, status : optional
        As for :func:`~metricwidgets.list_jobs`, when ``jobs`` is None.
    metric_definitions
        Anything :func:`~metricwidgets.core.parsing.load_definitions` reads (required,
        unless ``options`` carries them).
    options : MetricOptions, optional
        Where AWS is, the definitions and the step definition (as the CLI passes them).
    scan : str
        ``"auto"``, ``"insights"`` or ``"filter"``.
    **aws
        ``region``, ``profile``, ``endpoint_url``, ``session``.

    Returns
    -------
    pandas.DataFrame
        Columns ``job``, ``timestamp`` (UTC), ``host``, ``metric``, ``value``, ``step``.

    Raises
    ------
    InputError
        No definitions, a regex that does not compile, a bad ``since``, ``status`` or
        ``scan``.
    AWSError
        Listing the jobs failed, or every job failed to be read: one line naming every
        unknown job, then the other reasons. When only some failed, the same line is a
        warning and the others' points are returned.
    """
    import warnings

    from metricwidgets.polling.backfill import Backfill

    options = resolve_options(options, metric_definitions, None, None, **aws)
    names = _job_names(jobs, name_contains, since, status, options)
    backfill = Backfill(names, options.definitions or [], options, scan=scan)
    if not backfill.prefilter.usable:
        warnings.warn(f"reading every log line: {backfill.prefilter.reason}", stacklevel=2)
    backfill.run()
    for note in backfill.notes:
        warnings.warn(note, stacklevel=2)
    if backfill.errors:
        error = _jobs_error(names, backfill)
        if len(backfill.errors) == len(names):
            raise error
        warnings.warn(str(error), stacklevel=2)
    return backfill.frame()


def _jobs_error(names, backfill):
    """The backfill's failed jobs in one line: every unknown job named together."""
    from metricwidgets.errors import AWSError
    from metricwidgets.polling.round_errors import one_error

    why = backfill.errors
    failures = [(job, AWSError(why[job], "not-found", 404) if job in backfill.missing
                 else AWSError(f"{job}: {why[job]}")) for job in names if job in why]
    return one_error(failures)


def _job_names(jobs, name_contains, since, status, options) -> list[str]:
    if jobs is not None:
        names = [jobs] if isinstance(jobs, str) else list(jobs)
        return [n for n in names if not name_contains or name_contains in n]
    rows = list_jobs(name_contains=name_contains, status=status, since=since, options=options)
    return list(rows["name"]) if len(rows) else []


def list_jobs(name_contains: str | None = None, status: str | None = None, since=None,
              limit: int | None = None, *, page_size: int = 100, options=None, **aws):
    """Summarise training jobs, one row each, through SageMaker's ``Search`` (up to 100 jobs
    per call; never one describe call per job).

    Parameters
    ----------
    name_contains : str, optional
        Only jobs whose name contains this text (case-sensitive, as SageMaker matches).
    status : str, optional
        ``InProgress``, ``Completed``, ``Failed``, ``Stopping`` or ``Stopped`` (any case).
    since : datetime, str, optional
        Only jobs created at or after this instant: a datetime, an ISO date or time (UTC
        unless it says otherwise) or an age such as ``"7d"`` or ``"12h"``.
    limit : int, optional
        At most this many jobs, the newest first.
    page_size : int
        Jobs asked for per call (1 to 100).
    options : MetricOptions, optional
        Where to reach AWS, as a door built it (:mod:`metricwidgets.options`); then give
        none of ``aws``.
    **aws
        ``region``, ``profile``, ``endpoint_url``, ``session``.

    Returns
    -------
    pandas.DataFrame
        One row per job, newest first: ``name``, ``status``, ``created`` (UTC),
        ``duration_s`` (training time, so far for a running job), ``billable_s``, then one
        ``hp:<name>`` column per hyperparameter (numbers where they parse) and one
        ``final:<metric>`` column per final metric (NaN where a job has none).

    Raises
    ------
    InputError
        A status, ``since``, ``limit`` or ``page_size`` that cannot be understood.
    AWSError
        Missing credentials, no permission, AWS unreachable.
    """
    from metricwidgets.sources.job_search import JobSearch, job_row, jobs_frame, parse_since
    from metricwidgets.sources.listing import known_status

    status, limit, since = known_status(status), _limit(limit), parse_since(since)
    search = JobSearch(resolve_options(options, **aws).aws, page_size=page_size)
    now = dt.datetime.now(dt.timezone.utc)
    jobs = search.jobs(name_contains, status, since, limit)
    return jobs_frame([job_row(job, now) for job in jobs])


def _limit(value) -> int | None:
    if value is None:
        return None
    try:
        limit = int(value)
    except (TypeError, ValueError):
        limit = 0
    if limit < 1 or str(limit) != str(value).strip():
        raise InputError(f"limit: expected a whole number of jobs >= 1, not {value!r}")
    return limit
