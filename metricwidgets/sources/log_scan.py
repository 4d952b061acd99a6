"""A finished (or running) job's log lines, read once: all of them, or only the candidates.

Two ways to read a job's CloudWatch Logs for a backfill:

* **full**: every event of every stream, ``GetLogEvents`` page by page (what a watch reads;
  :class:`~metricwidgets.sources.cloudwatch_logs.CloudWatchLogsSource` drained to its end);
* **filtered**: ``FilterLogEvents`` over the job's streams (``logStreamNamePrefix``
  ``<job>/``) with the definitions' :class:`~metricwidgets.core.parsing.Prefilter` as a regex
  filter pattern. CloudWatch scans the log where it lives and only the candidate lines
  travel; they are parsed here with SageMaker's rules as any line would be, so the points are
  those of the full read (the prefilter only widens the match). Real CloudWatch may answer a
  page with no events and a ``nextToken`` while it is still searching: paging goes on until
  the token is absent.

Every call goes through the process-wide call budget
(:mod:`~metricwidgets.sources.budget`: 10 ``GetLogEvents``, 5 ``FilterLogEvents`` and
``DescribeLogStreams`` a second); a :class:`ScanMeter` counts the calls and the bytes that
came back.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Callable

from metricwidgets.sources.aws import AWSOptions, translate_error
from metricwidgets.sources.cloudwatch_logs import LOG_GROUP, CloudWatchLogsSource, \
    host_from_stream

__all__ = ["HostLines", "ScanCancelled", "ScanMeter", "group_by_host", "read_job_lines"]

#: host -> (lines, timestamps in seconds), each host's lines in its log's order.
HostLines = dict


class ScanCancelled(Exception):
    """The scan was cancelled between two calls (what was read is dropped)."""


class ScanMeter:
    """Calls made (by operation) and response bytes received by the clients it is attached
    to. Thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self.calls: Counter = Counter()
        self.bytes = 0

    def attach(self, client) -> None:
        """Count every call of ``client`` from now on."""
        client.meta.events.register("before-send", self._sent)
        client.meta.events.register("after-call", self._received)

    def _sent(self, event_name: str = "", **_):
        with self._lock:
            self.calls[event_name.rsplit(".", 1)[-1]] += 1

    def _received(self, http_response=None, **_):
        size = len(getattr(http_response, "content", b"") or b"")
        with self._lock:
            self.bytes += size

    @property
    def total_calls(self) -> int:
        with self._lock:
            return sum(self.calls.values())


def group_by_host(job: str, per_stream: dict) -> HostLines:
    """``stream -> (lines, timestamps)`` of ``job`` as ``host -> (lines, timestamps)``: streams
    in name order (DescribeLogStreams' order), a host's restarts one after another."""
    hosts: HostLines = {}
    for stream in sorted(per_stream):
        lines, stamps = hosts.setdefault(host_from_stream(job, stream), ([], []))
        lines.extend(per_stream[stream][0])
        stamps.extend(per_stream[stream][1])
    return hosts


def _full(client, job: str, group: str, cancelled: Callable[[], bool]) -> HostLines:
    # The client is ready (metered by the scan): the options would only make one.
    source = CloudWatchLogsSource(job, AWSOptions(), client=client, group=group)
    source.final_drain()
    per_stream: dict = {}
    while not source.finished:
        if cancelled():
            raise ScanCancelled(job)
        update = source.poll()
        for batch in update.logs:
            # The source names hosts; streams of one host keep their order within a poll.
            lines, stamps = per_stream.setdefault(batch.host, ([], []))
            lines.extend(batch.lines)
            stamps.extend(batch.timestamps)
    return {host: per_stream[host] for host in sorted(per_stream)}


def _filtered(client, job: str, group: str, pattern: str,
              cancelled: Callable[[], bool]) -> HostLines:
    per_stream: dict = {}
    token = None
    while True:
        if cancelled():
            raise ScanCancelled(job)
        kwargs = dict(logGroupName=group, logStreamNamePrefix=job + "/", filterPattern=pattern)
        if token:
            kwargs["nextToken"] = token
        try:
            page = client.filter_log_events(**kwargs)
        except Exception as exc:
            code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
            if code == "ResourceNotFoundException":
                return {}  # no job of the account has written yet
            raise translate_error(exc, f"scanning the logs of {job!r}") from None
        for event in page.get("events", []):
            lines, stamps = per_stream.setdefault(event["logStreamName"], ([], []))
            lines.append(event.get("message", "").rstrip("\n"))
            stamps.append(event.get("timestamp", 0) / 1000.0)
        token = page.get("nextToken")
        if not token:
            return group_by_host(job, per_stream)


def read_job_lines(client, job: str, pattern: str = "", group: str = LOG_GROUP,
                   cancelled: Callable[[], bool] = lambda: False) -> HostLines:
    """The lines of every instance of ``job``: all of them (``pattern=""``), or only those
    passing the ``FilterLogEvents`` ``pattern``.

    Parameters
    ----------
    client : botocore ``logs`` client
        Budgeted (:func:`~metricwidgets.sources.budget.budgeted_client`), with a
        :class:`ScanMeter` attached when calls and bytes are to be counted.
    cancelled : callable
        Asked before every call; True stops the scan with :class:`ScanCancelled`.

    Returns
    -------
    dict
        ``host -> (lines, timestamps)``; {} for a job that wrote nothing.

    Raises
    ------
    AWSError
        Missing credentials, no permission, AWS unreachable, a pattern refused.
    ScanCancelled
    """
    if pattern:
        return _filtered(client, job, group, pattern, cancelled)
    return _full(client, job, group, cancelled)
