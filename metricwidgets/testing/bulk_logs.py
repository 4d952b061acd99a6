"""Very large logs in the stand-in without holding them in memory (benchmarks of backfills).

A stream of 50,000 events, 100 of them, is 5 million moto ``LogEvent`` objects (gigabytes)
and minutes of ``PutLogEvents`` over HTTP. :func:`add_synthetic_stream` puts a stream into
moto's backend whose events are *made when read* from a function of their index: moto's
``GetLogEvents`` and the stand-in's ``FilterLogEvents`` read it like any stream (through
HTTP, paged, serialised), and nothing but the function is kept. Events are immutable: do not
``PutLogEvents`` to such a stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Callable

__all__ = ["SyntheticEvents", "add_synthetic_stream"]


class _Event:
    """What moto reads of a ``LogEvent``."""

    __slots__ = ("timestamp", "message", "event_id", "ingestion_time")

    def __init__(self, timestamp: int, message: str, event_id: int):
        self.timestamp = timestamp
        self.message = message
        self.event_id = event_id
        self.ingestion_time = timestamp

    def to_response_dict(self) -> dict:
        return {"ingestionTime": self.ingestion_time, "message": self.message,
                "timestamp": self.timestamp}

    def to_filter_dict(self) -> dict:
        return {"eventId": str(self.event_id), "ingestionTime": self.ingestion_time,
                "message": self.message, "timestamp": self.timestamp}


class SyntheticEvents(Sequence):
    """``count`` events; event ``i`` is ``(timestamp_ms(i), message(i))``, timestamps
    non-decreasing in ``i``."""

    def __init__(self, count: int, message: Callable[[int], str],
                 timestamp_ms: Callable[[int], int], first_id: int = 0):
        self.count = count
        self.message = message
        self.timestamp_ms = timestamp_ms
        self.first_id = first_id

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count))]
        if index < 0:
            index += self.count
        if not 0 <= index < self.count:
            raise IndexError(index)
        return _Event(self.timestamp_ms(index), self.message(index), self.first_id + index)

    def __iter__(self):
        message, stamp, first = self.message, self.timestamp_ms, self.first_id
        for i in range(self.count):
            yield _Event(stamp(i), message(i), first + i)

    def total_bytes(self) -> int:
        """The messages' UTF-8 bytes (made once, not kept)."""
        return sum(len(self.message(i).encode()) for i in range(self.count))


def add_synthetic_stream(standin, group: str, stream: str, events: SyntheticEvents) -> None:
    """Put ``events`` into moto's backend as stream ``stream`` of ``group`` (both created
    when missing)."""
    from moto.logs.models import logs_backends

    from metricwidgets.testing.job_lines import ACCOUNT

    backend = logs_backends[ACCOUNT][standin.region]
    if group not in backend.groups:
        backend.create_log_group(group, {})
    log_group = backend.groups[group]
    if stream not in log_group.streams:
        log_group.create_log_stream(stream)
    target = log_group.streams[stream]
    target.events = events
    # What DescribeLogStreams reports (moto sets these on PutLogEvents only).
    if len(events):
        import datetime as dt

        target.first_event_timestamp = events.timestamp_ms(0)
        target.last_event_timestamp = events.timestamp_ms(len(events) - 1)
        target.last_ingestion_time = dt.datetime.fromtimestamp(
            target.last_event_timestamp / 1000, dt.timezone.utc).replace(tzinfo=None)
