"""``fetch_job_metrics``: every point of a job, once, as a DataFrame (no widget, no thread).

It runs a :class:`~metricwidgets.polling.watch.Watch` synchronously on the calling thread: poll
rounds until the job's logs (or published metrics) are read to their end, then the store's
points. For a job still running it returns what exists now.
"""

from __future__ import annotations

__all__ = ["fetch_job_metrics", "COLUMNS"]

#: The columns of the result, in order.
COLUMNS = ["timestamp", "host", "metric", "value", "step", "line"]
#: Most poll rounds one fetch makes (each reads every stream to its end).
_MAX_ROUNDS = 20


def fetch_job_metrics(name: str, source: str = "logs", metric_definitions=None, **aws):
    """Return every metric point of training job ``name``.

    Parameters
    ----------
    name : str
    source : {"logs", "metrics"}
        ``logs``: parse the job's CloudWatch Logs here with the job's definitions plus
        ``metric_definitions`` (the user's win by name); every logged value, per host.
        ``metrics``: what SageMaker published to CloudWatch (one average a minute, host
        ``all``).
    metric_definitions : optional
        Anything :func:`metricwidgets.core.definitions.load_definitions` reads.
    **aws
        ``region``, ``profile``, ``endpoint_url``, ``session``.

    Returns
    -------
    pandas.DataFrame
        Columns ``timestamp`` (UTC), ``host``, ``metric``, ``value``, ``step``, ``line``
        (1-based line of the host's log; -1 for published metrics).

    Raises
    ------
    AWSError
        Unknown job, missing credentials, no permission, AWS unreachable.
    DefinitionError
        A definition whose regex does not compile.
    """
    from metricwidgets.polling.watch import Watch

    watch = Watch.for_job(name, metric_definitions, source=source, start=False,
                          describe_interval=0.0, **aws)
    try:
        for _ in range(_MAX_ROUNDS):
            version = watch.store.version
            watch.poll_once()
            # A fetch has no later round to wait for: a failed round is the answer.
            if watch.last_error is not None:
                raise watch.last_error
            running = not any(s.terminal for s in watch.statuses.values())
            if watch.finished or (running and watch.store.version == version):
                break
        frame = watch.store.to_dataframe()
    finally:
        watch.close()
    return frame[COLUMNS].reset_index(drop=True)
