"""Forget a stand-in job's data in moto's process-wide state (so that a replay starts empty)."""

from __future__ import annotations

from metricwidgets.testing.job_lines import ACCOUNT, LOG_GROUP

__all__ = ["PLAYING", "forget_job", "forget_job_data", "forget_recorded"]

#: (region, job) -> the players playing it, from any stand-in of this process.
PLAYING: dict = {}


def forget_job(stand_in, name: str, player):
    """Forget what an earlier play of job ``name`` left: stop its player, delete its log
    streams, its published metrics and utilization. moto's state lives as long as the
    process, shared by every stand-in in it: re-running notebook 03 in the same kernel
    starts another stand-in that plays the same job, which must start from nothing rather
    than append a second run to the first (the job shown twice end to end). Returns
    ``player``, the new play, remembered for the next replay to stop."""
    for earlier in PLAYING.pop((stand_in.region, name), []):
        earlier.stop()
    forget_recorded(stand_in, name)
    PLAYING[(stand_in.region, name)] = [player]
    return player


def forget_recorded(stand_in, name: str) -> None:
    """Delete what job ``name`` wrote (log streams, metrics, utilization) and the stream
    names ``stand_in`` gave it: a job recorded again under the same name (a re-run cell)
    replaces the earlier recording instead of adding a second copy of every line."""
    forget_job_data(stand_in.client("logs"), LOG_GROUP, ACCOUNT, stand_in.region, name)
    with stand_in._lock:
        for key in [k for k in stand_in._streams if k[0] == name]:
            stand_in._created.discard(stand_in._streams.pop(key))


def forget_job_data(logs, log_group: str, account: str, region: str, name: str) -> None:
    """Delete job ``name``'s log streams (``<name>/...`` in ``log_group``, through the
    ``logs`` client) and every CloudWatch datum with a dimension naming the job or one of
    its hosts (``<name>/algo-1``), straight from moto's backend (CloudWatch has no call
    that deletes metric data)."""
    from moto.cloudwatch.models import cloudwatch_backends

    try:
        pages = logs.get_paginator("describe_log_streams").paginate(
            logGroupName=log_group, logStreamNamePrefix=f"{name}/")
        streams = [s["logStreamName"] for page in pages for s in page["logStreams"]]
    except logs.exceptions.ResourceNotFoundException:
        streams = []
    for stream in streams:
        logs.delete_log_stream(logGroupName=log_group, logStreamName=stream)

    def about(datum) -> bool:
        return any(str(d.value) == name or str(d.value).startswith(f"{name}/")
                   for d in datum.dimensions)

    backend = cloudwatch_backends[account][region]
    backend.metric_data[:] = [d for d in backend.metric_data if not about(d)]
