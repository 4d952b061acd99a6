"""Logs Insights' ``StartQuery`` / ``GetQueryResults`` as CloudWatch Logs answers them, for the
subset of the query language metricwidgets sends.

moto 5 runs a query at ``StartQuery`` and honours only ``fields``, ``sort`` and ``limit``: it
ignores ``filter`` (every event of the group comes back), returns ``@timestamp`` as epoch
milliseconds and never says how much it scanned, so a backfill through Insights could not
be told from a full read. The stand-in answers these queries here instead, from the
documented semantics (CloudWatch Logs' API reference for ``StartQuery`` and
``GetQueryResults``; the query syntax pages for ``fields``, ``filter``, ``sort``, ``limit``):

* the query: ``fields f1, f2, ...``, then any number of ``| filter @logStream like /re/``
  and ``| filter @message like /re/`` (an unanchored, case-sensitive regex search of the
  field; every filter must pass), an optional ``| sort @timestamp asc|desc`` and an optional
  ``| limit N``. Any other query goes to moto's own engine, unchanged;
* ``startTime``/``endTime`` are epoch **seconds**, both inclusive; an event is in range when
  ``startTime * 1000 <= timestamp <= endTime * 1000`` (the narrower reading of "inclusive":
  a client that counts on the rest of the end second loses lines here);
* at most :data:`ROW_CAP` rows (10,000: "If you omit limit, the query will return as many as
  10,000 log events"; ``limit`` above it is refused, as is a ``limit`` parameter outside
  1..10,000); :func:`row_cap` lowers the cap for a test;
* rows come in ``@timestamp`` order. The order of events sharing a millisecond is not
  documented: the stand-in gives them newest-ingested first, so a client that relied on
  ingestion order would be caught;
* each row lists the requested fields in order (``@timestamp`` as ``YYYY-MM-DD
  HH:MM:SS.mmm`` UTC, the form the console and the API return) and ``@ptr``;
* ``statistics``: ``recordsMatched`` (every event passing the filters, before the limit),
  ``recordsScanned`` and ``bytesScanned`` (every event of the group in the time range,
  whatever the stream: Insights reads the whole group and then filters, and bills that);
* a query runs on a thread of its own once ``StartQuery`` has answered; it is ``Running``
  (no rows) on its first ``GetQueryResults`` and until it has run, ``Complete`` after;
  :func:`fail_queries` makes the next queries end ``Failed``;
* at most :data:`MAX_CONCURRENT` (30) queries not yet seen complete: one more is
  ``LimitExceededException``; a query string over :data:`MAX_QUERY_LENGTH` (10,000
  characters, the API model's limit) or a start after the end is
  ``InvalidParameterException``; an unknown group, ``ResourceNotFoundException``.

Not emulated: other commands and functions, ``logGroupNames`` with several groups, field
indexes, query languages other than Logs Insights QL, partial results while running. ``StopQuery``
ends a running query ``Cancelled``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import uuid
from contextlib import contextmanager

__all__ = ["MAX_CONCURRENT", "MAX_QUERY_LENGTH", "ROW_CAP", "fail_queries",
           "install_logs_insights", "parse_insights_query", "row_cap"]

#: Rows a query returns at most.
ROW_CAP = 10_000
#: Queries running at once in an account.
MAX_CONCURRENT = 30
#: Characters of a query string.
MAX_QUERY_LENGTH = 10_000

_cap = [ROW_CAP]
_failures = [0]
_lock = threading.Lock()
#: query id -> its state (results made at StartQuery; status changes on polls).
_queries: dict[str, dict] = {}

_REGEX = r"/((?:\\.|[^/\\])*)/"
_QUERY = re.compile(
    r"^\s*fields\s+(?P<fields>@?\w+(?:\s*,\s*@?\w+)*)\s*"
    r"(?P<filters>(?:\|\s*filter\s+@(?:logStream|message)\s+like\s+" + _REGEX + r"\s*)*)"
    r"(?:\|\s*sort\s+@timestamp\s+(?P<order>asc|desc)\s*)?"
    r"(?:\|\s*limit\s+(?P<limit>\d+)\s*)?$")
_FILTER = re.compile(r"filter\s+@(logStream|message)\s+like\s+" + _REGEX)


@contextmanager
def row_cap(rows: int):
    """Within the block, a query returns at most ``rows`` rows (a test's hook: reaching
    10,000 candidate lines takes a big log)."""
    saved = _cap[0]
    _cap[0] = int(rows)
    try:
        yield
    finally:
        _cap[0] = saved


def fail_queries(count: int) -> None:
    """The next ``count`` queries end ``Failed`` (a fault a test injects)."""
    with _lock:
        _failures[0] = int(count)


def parse_insights_query(query: str):
    """``(fields, filters, order, limit)`` of a query in the emulated subset, or None.

    ``filters`` is a list of ``(field, compiled regex)``; ``order`` "asc", "desc" or None;
    ``limit`` an int or None.
    """
    match = _QUERY.match(query)
    if match is None:
        return None
    fields = [f.strip() for f in match.group("fields").split(",")]
    filters = []
    for field, body in _FILTER.findall(match.group("filters") or ""):
        try:
            filters.append(("@" + field, re.compile(body)))
        except re.error:
            return None
    limit = match.group("limit")
    return fields, filters, match.group("order"), int(limit) if limit else None


def _stamp(ms: int) -> str:
    moment = dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{ms % 1000:03d}"


def _run(group, parsed, start_s: int, end_s: int, limit: int | None) -> dict:
    fields, filters, order, query_limit = parsed
    lo, hi = start_s * 1000, end_s * 1000
    on_message = [regex for field, regex in filters if field == "@message"]
    found, scanned, size = [], 0, 0
    for stream_name, stream in list(group.streams.items()):  # streams made meanwhile: later
        # A stream's name passes or not for all its events; its events are scanned anyway.
        wanted = all(regex.search(stream_name) for field, regex in filters
                     if field == "@logStream")
        for position, event in enumerate(stream.events):
            if not lo <= event.timestamp <= hi:
                continue
            scanned += 1
            size += len(event.message.encode())
            if wanted and all(regex.search(event.message) for regex in on_message):
                found.append((event.timestamp, -position, stream_name, event))
    # Ties (one millisecond) newest-ingested first: an order CloudWatch does not promise.
    found.sort(key=lambda item: (item[0], item[1]), reverse=order == "desc")
    cap = min(x for x in (_cap[0], query_limit, limit) if x is not None)
    rows = []
    for timestamp, _, stream_name, event in found[:cap]:
        values = {"@timestamp": _stamp(timestamp), "@logStream": stream_name,
                  "@message": event.message, "@log": group.name,
                  "@ingestionTime": _stamp(event.ingestion_time)}
        row = [{"field": f, "value": values[f]} for f in fields if f in values]
        row.append({"field": "@ptr", "value": f"{stream_name}:{event.event_id}"})
        rows.append(row)
    return {"results": rows, "statistics": {
        "recordsMatched": float(len(found)), "recordsScanned": float(scanned),
        "bytesScanned": float(size)}}


def _refuse_params(params: dict) -> None:
    from moto.logs.exceptions import InvalidParameterException

    query, limit = params.get("queryString") or "", params.get("limit")
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidParameterException(
            constraint=f"Member must have length less than or equal to {MAX_QUERY_LENGTH}",
            parameter="queryString", value=query[:40] + "...")
    if limit is not None and not 1 <= int(limit) <= ROW_CAP:
        raise InvalidParameterException(
            constraint=f"Member must have value less than or equal to {ROW_CAP}",
            parameter="limit", value=limit)
    if int(params["startTime"]) > int(params["endTime"]):
        raise InvalidParameterException(msg="endTime must be greater than startTime")


def start_query(backend, params: dict):
    """The answer to one ``StartQuery`` (its JSON parameters), or None for a query outside
    the emulated subset (moto answers it)."""
    from moto.logs.exceptions import (InvalidParameterException, LimitExceededException,
                                      ResourceNotFoundException)

    parsed = parse_insights_query(params.get("queryString") or "")
    if parsed is None:
        return None
    _refuse_params(params)
    if parsed[3] is not None and parsed[3] > ROW_CAP:
        raise InvalidParameterException(msg=f"limit must be at most {ROW_CAP}")
    group = backend.groups.get(params.get("logGroupName"))
    if group is None:
        raise ResourceNotFoundException()
    with _lock:
        if sum(1 for q in _queries.values() if q["status"] == "Running") >= MAX_CONCURRENT:
            raise LimitExceededException()
        failed = _failures[0] > 0
        _failures[0] -= failed
    query_id = str(uuid.uuid4())
    query = {"status": "Running", "answer": None, "failed": failed}
    with _lock:
        _queries[query_id] = query

    def run():
        # As CloudWatch does, the query runs after StartQuery has answered.
        answer = _run(group, parsed, int(params["startTime"]), int(params["endTime"]),
                      params.get("limit"))
        with _lock:
            query["answer"] = answer

    threading.Thread(target=run, name="standin-insights-query", daemon=True).start()
    return {"queryId": query_id}


def stop_query(query_id: str):
    """The answer to ``StopQuery`` for a query the stand-in ran (``success``: it was
    running), or None."""
    with _lock:
        query = _queries.get(query_id)
        if query is None:
            return None
        running = query["status"] == "Running"
        if running:
            query["status"] = "Cancelled"
    return {"success": running}


def query_results(query_id: str):
    """The answer to ``GetQueryResults`` for a query the stand-in ran, or None."""
    with _lock:
        query = _queries.get(query_id)
        if query is None:
            return None
        if query["status"] == "Running" and query.get("polled") and \
                query["answer"] is not None:
            query["status"] = "Failed" if query["failed"] else "Complete"
        query["polled"] = True
        status = query["status"]
    if status == "Running":
        return {"results": [], "status": "Running", "statistics": {}}
    if status in ("Failed", "Cancelled"):
        return {"results": [], "status": status, "statistics": {}}
    return {**query["answer"], "status": status}


_installed = False


def install_logs_insights() -> None:
    """Answer the emulated subset of Logs Insights queries as CloudWatch does (idempotent)."""
    global _installed
    from moto.logs.responses import LogsResponse

    if _installed:
        return
    moto_start, moto_results = LogsResponse.start_query, LogsResponse.get_query_results

    def start(self) -> str:
        params = {name: self._get_param(name) for name in (
            "logGroupName", "startTime", "endTime", "queryString", "limit")}
        if params["logGroupName"] and params["queryString"]:
            answer = start_query(self.logs_backend, params)
            if answer is not None:
                return json.dumps(answer)
        return moto_start(self)

    def results(self) -> str:
        answer = query_results(self._get_param("queryId"))
        return json.dumps(answer) if answer is not None else moto_results(self)

    def stop(self) -> str:
        from moto.logs.exceptions import ResourceNotFoundException

        answer = stop_query(self._get_param("queryId"))
        if answer is None:
            raise ResourceNotFoundException("The specified query does not exist.")
        return json.dumps(answer)

    LogsResponse.start_query = start
    LogsResponse.get_query_results = results
    LogsResponse.stop_query = stop
    _installed = True
