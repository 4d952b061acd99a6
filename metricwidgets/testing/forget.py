"""Forget a stand-in job's data in moto's process-wide state (so that a replay starts empty)."""

from __future__ import annotations

__all__ = ["forget_job_data"]


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
