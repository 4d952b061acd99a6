"""A training job's CloudWatch Logs, read incrementally from every instance's stream.

SageMaker writes one stream per instance in the group ``/aws/sagemaker/TrainingJobs``, named
``<job>/algo-<N>-<epoch seconds>``; a stream appears only once its container writes, and the
group itself may not exist before the first job of the account writes. This source:

- lists the job's streams with ``DescribeLogStreams`` (prefix ``<job>/``), following
  ``nextToken`` (the SDK does not, and hangs beyond 50 streams), again now and then to pick
  up instances that start later;
- reads each stream with ``GetLogEvents(startFromHead=True, nextToken=cursor)`` to the end of
  what exists: an empty page is *not* the end (CloudWatch returns them while more exists);
  the end is a ``nextForwardToken`` equal to the token sent;
- keeps a cursor per stream (the last ``nextForwardToken``), so no event is fetched twice
  and a new source built with :attr:`cursor` resumes where the old one stopped.
"""

from __future__ import annotations

import re
import time
from typing import Callable

from metricwidgets.sources.aws import AWSOptions, translate_error
from metricwidgets.sources.base import LogBatch, Source, SourceUpdate
from metricwidgets.sources.budget import LazyClient

__all__ = ["LOG_GROUP", "CloudWatchLogsSource", "host_from_stream"]

LOG_GROUP = "/aws/sagemaker/TrainingJobs"

#: The largest page DescribeLogStreams accepts.
_STREAMS_PAGE = 50


def host_from_stream(job_name: str, stream_name: str) -> str:
    """``<job>/algo-2-1700000000`` -> ``algo-2`` (the name after the job, without the epoch)."""
    rest = stream_name[len(job_name) + 1:] if stream_name.startswith(job_name + "/") \
        else stream_name
    return re.sub(r"-\d{9,}$", "", rest) or rest


class CloudWatchLogsSource(Source):
    """New log events of every instance of one training job.

    Parameters
    ----------
    job_name : str
    options : AWSOptions, optional
    client : botocore client, optional
        A ``logs`` client (a budgeted one is made from ``options`` when None).
    cursor : dict, optional
        A previous source's :attr:`cursor`: resume from there.
    stream_refresh : float
        Seconds between two listings of the streams while some are known (instances that
        start late appear within this time). With none known yet, every poll lists.
    max_pages : int
        Most ``GetLogEvents`` pages read from one stream in one poll, so one chatty stream
        cannot hold up every other watch; the rest comes at the next poll.
    group : str

    Attributes
    ----------
    started : bool
        False while the log group or the job's streams do not exist yet.
    calls : dict
        API calls made, by operation name.
    """

    def __init__(self, job_name: str, options: AWSOptions | None = None, client=None,
                 cursor: dict | None = None, stream_refresh: float = 30.0,
                 max_pages: int = 50, group: str = LOG_GROUP,
                 clock: Callable[[], float] = time.monotonic):
        self.name = job_name
        self.job_name = job_name
        self.options = options or AWSOptions.from_kwargs()
        self._client = client
        self.group = group
        self.stream_refresh = stream_refresh
        self.max_pages = max_pages
        self._clock = clock
        # stream name -> nextForwardToken (None: not read yet)
        self._tokens: dict[str, str | None] = dict((cursor or {}).get("streams", {}))
        self._listed_at: float | None = None
        self._final = False
        self._drained = False
        self.started = bool(self._tokens)
        self.calls: dict[str, int] = {}

    client = LazyClient("logs")

    @property
    def cursor(self) -> dict:
        """Where each stream was read up to: give it to a new source to resume."""
        return {"streams": dict(self._tokens)}

    @property
    def streams(self) -> list[str]:
        """The job's streams known so far."""
        return list(self._tokens)

    @property
    def finished(self) -> bool:
        return self._drained

    def final_drain(self) -> None:
        """The job has ended: the next poll lists the streams again, reads everything
        still there, and then the source is finished."""
        self._final = True

    def _call(self, operation: str, method, **kwargs):
        self.calls[operation] = self.calls.get(operation, 0) + 1
        return method(**kwargs)

    def list_streams(self) -> list[str]:
        """List the job's streams (every page); return the names that are new.

        A missing log group leaves the list empty (the job has not written yet).
        """
        self._listed_at = self._clock()
        new, token = [], None
        while True:
            kwargs = dict(logGroupName=self.group, logStreamNamePrefix=self.job_name + "/",
                          limit=_STREAMS_PAGE)
            if token:
                kwargs["nextToken"] = token
            try:
                page = self._call("DescribeLogStreams", self.client.describe_log_streams,
                                  **kwargs)
            except Exception as exc:
                if _missing_group(exc):
                    return new
                raise translate_error(exc, f"listing the log streams of {self.job_name!r}") \
                    from None
            for stream in page.get("logStreams", []):
                name = stream["logStreamName"]
                if name not in self._tokens:
                    self._tokens[name] = None
                    new.append(name)
            next_token = page.get("nextToken")
            if not next_token or next_token == token:
                break
            token = next_token
        if self._tokens:
            self.started = True
        return new

    def _read_stream(self, stream: str) -> tuple[LogBatch | None, bool]:
        """Read one stream from its cursor; return (new lines or None, reached the end)."""
        ended = False
        lines: list[str] = []
        stamps: list[float] = []
        token = self._tokens.get(stream)
        for _ in range(self.max_pages):
            kwargs = dict(logGroupName=self.group, logStreamName=stream, startFromHead=True)
            if token:
                kwargs["nextToken"] = token
            try:
                page = self._call("GetLogEvents", self.client.get_log_events, **kwargs)
            except Exception as exc:
                if lines:
                    # Keep what was read (and its cursor); the error resurfaces next poll.
                    return self._batch(stream, lines, stamps), False
                raise translate_error(exc, f"reading log stream {stream!r}") from None
            for event in page.get("events", []):
                lines.append(event.get("message", "").rstrip("\n"))
                stamps.append(event.get("timestamp", 0) / 1000.0)
            next_token = page.get("nextForwardToken")
            if not next_token:
                ended = True
                break
            ended = next_token == token
            token = next_token
            self._tokens[stream] = token
            if ended:
                break
        return self._batch(stream, lines, stamps), ended

    def _batch(self, stream, lines, stamps) -> LogBatch | None:
        if not lines:
            return None
        return LogBatch(host=host_from_stream(self.job_name, stream), lines=lines,
                        timestamps=stamps)

    def poll(self) -> SourceUpdate:
        """Read what is new in every stream (listing streams first when due)."""
        if self._drained:
            return SourceUpdate()
        final = self._final
        if final or self._listed_at is None or not self._tokens or \
                self._clock() - self._listed_at >= self.stream_refresh:
            self.list_streams()
        update = SourceUpdate()
        all_ended = True
        for stream in list(self._tokens):
            batch, ended = self._read_stream(stream)
            all_ended = all_ended and ended
            if batch is not None:
                update.logs.append(batch)
        if final and all_ended:
            self._drained = True
        return update


def _missing_group(exc: BaseException) -> bool:
    code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
    return code == "ResourceNotFoundException"

