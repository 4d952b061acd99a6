"""``FilterLogEvents`` as CloudWatch Logs answers it, for the stand-in.

moto 5's ``FilterLogEvents`` ignores ``logStreamNamePrefix`` (events of every stream come
back) and answers a regex filter pattern (``%...%``) with every event, so a pushed-down scan
would download as much as a full read and no test could tell them apart. The stand-in answers
it here instead, the way CloudWatch Logs' API reference describes it:

* ``logStreamNames`` or ``logStreamNamePrefix`` (not both: ``InvalidParameterException``)
  choose the streams; neither means every stream of the group;
* ``startTime``/``endTime`` (milliseconds, inclusive) and the filter pattern
  (:mod:`metricwidgets.testing.cloudwatch_patterns`: ``""`` and regex patterns emulated,
  other patterns left to moto's own matcher) choose the events;
* events come in timestamp order across streams (ingestion order within a stream), each
  with ``logStreamName``, ``timestamp``, ``message``, ``ingestionTime`` and ``eventId``;
* a page holds at most ``limit`` (default and maximum 10,000) events and 1 MB of messages,
  and carries a ``nextToken`` while more remain.

Not emulated: ``unmask``, ``logGroupIdentifier``, field indexes, a pattern holding two regexes.
"""

from __future__ import annotations

import json

__all__ = ["PAGE_BYTES", "install_logs_scan"]

#: The most message bytes one page carries (CloudWatch: 1 MB).
PAGE_BYTES = 1_048_576
_MAX_EVENTS = 10_000


def _streams(group, names, prefix):
    from moto.logs.exceptions import InvalidParameterException

    if names and prefix:
        raise InvalidParameterException(
            msg="logStreamNames and logStreamNamePrefix cannot both be specified")
    return [stream for name, stream in group.streams.items()
            if (not names or name in names) and (not prefix or name.startswith(prefix))]


def _matcher(pattern):
    from moto.logs.exceptions import InvalidParameterException
    from moto.logs.utils import EventMessageFilter

    from metricwidgets.testing.cloudwatch_patterns import (
        UNSUPPORTED, PatternError, compile_filter_pattern)

    try:
        matches = compile_filter_pattern(pattern)
    except PatternError as exc:
        raise InvalidParameterException(msg=str(exc)) from None
    if matches is UNSUPPORTED:
        return EventMessageFilter(pattern).matches
    return matches


def filtered_events(backend, params: dict) -> dict:
    """The answer to one ``FilterLogEvents`` request (``params``: its JSON parameters)."""
    from moto.logs.exceptions import InvalidParameterException, ResourceNotFoundException

    group = backend.groups.get(params.get("logGroupName"))
    if group is None:
        raise ResourceNotFoundException()
    limit = int(params.get("limit") or _MAX_EVENTS)
    if not 1 <= limit <= _MAX_EVENTS:
        raise InvalidParameterException(constraint="Member must have value less than or "
                                        "equal to 10000", parameter="limit", value=limit)
    start, end = params.get("startTime"), params.get("endTime")
    matches = _matcher(params.get("filterPattern"))
    found = []
    for stream in _streams(group, params.get("logStreamNames"),
                           params.get("logStreamNamePrefix")):
        for order, event in enumerate(stream.events):
            if (start is not None and event.timestamp < start) or \
                    (end is not None and event.timestamp > end):
                continue
            if matches(event.message):
                found.append((event.timestamp, stream.log_stream_name, order, event))
    found.sort(key=lambda item: item[:3])
    offset = int(params.get("nextToken") or 0)
    page, size = [], 0
    for timestamp, stream_name, _, event in found[offset:offset + limit]:
        size += len(event.message.encode())
        if page and size > PAGE_BYTES:
            break
        page.append({"logStreamName": stream_name, "timestamp": timestamp,
                     "message": event.message, "ingestionTime": event.ingestion_time,
                     "eventId": str(event.event_id)})
    answer = {"events": page}
    if offset + len(page) < len(found):
        answer["nextToken"] = str(offset + len(page))
    return answer


_installed = False


def install_logs_scan() -> None:
    """Answer ``FilterLogEvents`` as CloudWatch Logs does (idempotent)."""
    global _installed
    from moto.logs.responses import LogsResponse

    if _installed:
        return

    def filter_log_events(self) -> str:
        params = {name: self._get_param(name) for name in (
            "logGroupName", "logStreamNames", "logStreamNamePrefix", "startTime", "endTime",
            "filterPattern", "limit", "nextToken")}
        return json.dumps(filtered_events(self.logs_backend, params))

    LogsResponse.filter_log_events = filter_log_events
    _installed = True
