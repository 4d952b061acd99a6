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
import threading
import time
from typing import Callable

from botocore.exceptions import PaginationError

from metricwidgets.sources.aws import AWSOptions, translate_error
from metricwidgets.sources.base import LogBatch, Source, SourceUpdate
from metricwidgets.sources.budget import LazyClient

__all__ = ["LOG_GROUP", "CloudWatchLogsSource", "StreamDirectory", "describe_streams",
           "host_from_stream"]

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
    options : AWSOptions
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
    directory : StreamDirectory, optional
        Lists the streams instead of this source (shared by a tuning job's children).

    Attributes
    ----------
    started : bool
        False while the log group or the job's streams do not exist yet.
    calls : dict
        API calls made, by operation name.
    """

    def __init__(self, job_name: str, options: AWSOptions, client=None,
                 cursor: dict | None = None, stream_refresh: float = 30.0,
                 max_pages: int = 50, group: str = LOG_GROUP,
                 directory: "StreamDirectory | None" = None,
                 clock: Callable[[], float] = time.monotonic):
        self.name = job_name
        self.job_name = job_name
        self.options = options
        if client is not None:
            self.client = client
        self.group = group
        self.stream_refresh = stream_refresh
        self.max_pages = max_pages
        self._clock = clock
        # stream name -> nextForwardToken (None: not read yet)
        self._tokens: dict[str, str | None] = dict((cursor or {}).get("streams", {}))
        self._listed_at: float | None = None
        self._final = False
        self._final_at = 0.0
        self._drained = False
        self.directory = directory
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

    def restarted(self) -> CloudWatchLogsSource:
        """A new source reading every stream again from its head (CloudWatch keeps the
        events), with this one's client, settings and stream listing."""
        return CloudWatchLogsSource(self.job_name, self.options, client=self.client,
                                    stream_refresh=self.stream_refresh,
                                    max_pages=self.max_pages, group=self.group,
                                    directory=self.directory, clock=self._clock)

    def final_drain(self) -> None:
        """The job has ended: the next poll lists the streams again, reads everything
        still there, and then the source is finished."""
        if not self._final:
            self._final = True
            self._final_at = self._clock()

    def _call(self, operation: str, method, **kwargs):
        return _counted(self.calls, operation, method, **kwargs)

    def list_streams(self) -> list[str]:
        """List the job's streams (every page); return the names that are new.

        A missing log group leaves the list empty (the job has not written yet).
        """
        now = self._clock()
        if self.directory is not None:
            # Shared with the other children of a tuning job: one listing serves them all.
            names = self.directory.streams(self.job_name,
                                           newer_than=self._final_at if self._final else None)
        else:
            names = describe_streams(self.client, self.group, self.job_name + "/",
                                     self.calls, f"listing the log streams of {self.job_name!r}")
        self._listed_at = now
        new = [name for name in names if name not in self._tokens]
        for name in new:
            self._tokens[name] = None
        if self._tokens:
            self.started = True
        return new

    def _read_stream(self, stream: str) -> tuple[LogBatch | None, bool]:
        """Read one stream from its cursor; return (new lines or None, reached the end)."""
        ended = False
        lines: list[str] = []
        stamps: list[float] = []
        token = self._tokens.get(stream)
        # Hand-paged, not boto3's paginator: botocore has none for GetLogEvents, and the end
        # of a stream is the token sent coming back, which botocore's PageIterator raises on
        # ("the same next token was received twice"). The cursor must also survive an error
        # mid-stream and a new source (``cursor``), page by page.
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



def _count(calls: dict, operation: str) -> None:
    calls[operation] = calls.get(operation, 0) + 1


def _counted(calls: dict, operation: str, method, **kwargs):
    _count(calls, operation)
    return method(**kwargs)


def describe_streams(client, group: str, prefix: str, calls: dict, what: str) -> list[str]:
    """Every stream of ``group`` whose name starts with ``prefix``, every page followed
    (the SDK does not, and hangs beyond 50 streams). [] when the group does not exist yet.

    Pages come from boto3's paginator: its calls go through the client's ``before-send``
    hook like any other, so the call budget applies to each page.

    Raises
    ------
    AWSError
        Any other failure, translated (``what`` says what was being done).
    """
    names: list[str] = []
    pages = client.get_paginator("describe_log_streams").paginate(
        logGroupName=group, logStreamNamePrefix=prefix,
        PaginationConfig={"PageSize": _STREAMS_PAGE})
    try:
        for page in pages:
            _count(calls, "DescribeLogStreams")
            names.extend(stream["logStreamName"] for stream in page.get("logStreams", []))
    except PaginationError:  # the same token twice: the listing is complete
        return names
    except Exception as exc:
        _count(calls, "DescribeLogStreams")  # the call that failed was made too
        if _missing_group(exc):
            return names
        raise translate_error(exc, what) from None
    return names


class StreamDirectory:
    """The log streams of many jobs whose names share a prefix, listed together.

    A tuning job's children are named ``<tuning job>-<NNN>-<hash>``: one paged
    ``DescribeLogStreams`` with the prefix ``<tuning job>-`` lists every child's streams,
    where each child listing its own would spend the whole 5 calls/s quota on 100 children.

    Parameters
    ----------
    client : botocore ``logs`` client
    prefix : str
    min_age : float
        Seconds a listing is reused by the children that ask.

    Thread-safe.
    """

    def __init__(self, client, prefix: str, group: str = LOG_GROUP, min_age: float = 5.0,
                 clock: Callable[[], float] = time.monotonic):
        self.client = client
        self.prefix = prefix
        self.group = group
        self.min_age = min_age
        self._clock = clock
        self._lock = threading.Lock()
        self._names: list[str] | None = None
        self._listed_at = -float("inf")
        self.calls: dict[str, int] = {}

    def streams(self, job_name: str, newer_than: float | None = None) -> list[str]:
        """The streams of ``job_name``, from a listing younger than ``min_age`` (and made
        after ``newer_than``, a clock time, when given)."""
        with self._lock:
            now = self._clock()
            stale = self._names is None or now - self._listed_at >= self.min_age or (
                newer_than is not None and self._listed_at < newer_than)
            if stale:
                self._names = describe_streams(self.client, self.group, self.prefix,
                                               self.calls, f"listing the log streams of "
                                               f"the jobs {self.prefix}*")
                self._listed_at = now
            return [n for n in self._names if n.startswith(job_name + "/")]
