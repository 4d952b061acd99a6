"""Many jobs' candidate lines at once, through CloudWatch Logs Insights.

One query reads the lines of many jobs: ::

    fields @timestamp, @logStream, @message
    | filter @logStream like /^(job-1|job-2|...)\\//
    | filter @message like /eval_f1=|loss=/
    | sort @timestamp asc

(the second filter is the definitions' :class:`~metricwidgets.core.parsing.Prefilter`, which
only widens the match); every returned line is parsed by the caller with SageMaker's rules,
as any line is. The limits it works within, from CloudWatch Logs' documentation:

* a query returns at most **10,000 rows** ("If you omit limit, the query will return as many
  as 10,000 log events", query syntax, ``limit``; ``EventsLimit`` 1..10,000 in the API
  model). When a query says it matched more (``statistics.recordsMatched``) or returns the
  limit, the rows before its last row's second are kept (sorted ascending, they are all
  there is up to there) and the rest of its time range is split in parts and queried again,
  recursively, so nothing is lost; a range of one second that still matches too much gives
  its jobs back to the caller (read them with ``FilterLogEvents``);
* the **time range** is ``startTime``/``endTime`` in epoch seconds, "inclusive" (StartQuery
  API reference). How much of the end second counts is not said, so every query asks for
  one second more than it keeps, and rows are kept in half-open ranges: parts never overlap
  and never leave a gap, whichever reading CloudWatch makes;
* **30 concurrent queries** per account, dashboards included (StartQuery API reference):
  :data:`CONCURRENCY` (10) at once, leaving the rest to the account's other users; a
  ``LimitExceededException`` waits and tries again;
* the **query string** is at most 10,000 characters (``QueryString`` in the API model): jobs
  are batched so that none is longer;
* queries **time out after 60 minutes** (StartQuery API reference); ``GetQueryResults`` is
  polled with a growing delay until ``Complete``, ``Failed``, ``Cancelled``, ``Timeout`` or
  ``Unknown``; anything but ``Complete`` gives the batch's jobs back to the caller with one
  line saying why.

The time range of a job comes from its streams (``DescribeLogStreams``:
``firstEventTimestamp``, ``lastEventTimestamp``); the latter "updates on an eventual
consistency basis ... typically in less than an hour", so a stream written to within the
last hour is read up to now. Jobs are batched by time: a batch's range is the union of its
jobs' ranges, and Insights scans (and bills) every event of the log group in that range,
whatever the stream, so a job far from the others starts a batch of its own.

Insights sorts by ``@timestamp`` only: the order of a stream's lines sharing a millisecond is
not documented. Their order matters (steps are counted in line order), so such lines are read
again in ingestion order with ``FilterLogEvents`` (``logStreamNames``, that millisecond, the
same pattern), whose order is documented; a job with many such moments is given back whole.
"""

from __future__ import annotations

import calendar
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from metricwidgets.sources.cloudwatch_logs import LOG_GROUP
from metricwidgets.sources.log_scan import ScanCancelled, group_by_host

__all__ = ["CONCURRENCY", "MAX_QUERY_LENGTH", "ROW_LIMIT", "InsightsScan", "query_string"]

#: Rows one query returns at most.
ROW_LIMIT = 10_000
#: Characters of a query string.
MAX_QUERY_LENGTH = 10_000
#: Queries run at once (CloudWatch allows 30 per account).
CONCURRENCY = 10
#: Seconds a query may run before CloudWatch times it out (and we stop waiting).
QUERY_TIMEOUT_S = 3600
#: A stream written to this recently is read up to now (lastEventTimestamp lags).
RECENT_S = 3600
#: Moments of tied lines per job repaired one by one; more: the job is given back.
MAX_TIES = 50
_FIELDS = "fields @timestamp, @logStream, @message"
_ENDED = ("Complete", "Failed", "Cancelled", "Timeout", "Unknown")


class _GiveBack(Exception):
    """These jobs are to be read another way; the message is the one line why."""


def query_string(jobs, condition: str) -> str:
    """The query for ``jobs``' streams and the message ``condition`` (``@message like /.../``).
    Job names hold letters, digits and hyphens only (SageMaker's pattern), nothing a regex
    would read as an operator."""
    streams = "|".join(jobs)
    return (f"{_FIELDS} | filter @logStream like /^({streams})\\// | filter {condition} "
            f"| sort @timestamp asc")


def _millis(text: str) -> int:
    """``@timestamp`` as returned (``2026-05-01 12:00:00.123``, UTC) in epoch milliseconds."""
    if text.isdigit():
        return int(text)
    whole, _, fraction = text.partition(".")
    seconds = calendar.timegm(time.strptime(whole, "%Y-%m-%d %H:%M:%S"))
    return seconds * 1000 + int((fraction + "000")[:3])


@dataclass
class _Batch:
    jobs: list = field(default_factory=list)
    lo: int = 0  # seconds, kept: [lo, hi)
    hi: int = 0


class InsightsScan:
    """Read the candidate lines of ``jobs`` with Logs Insights queries.

    Parameters
    ----------
    client : botocore ``logs`` client
        Budgeted, with a meter attached when calls and bytes are to be counted.
    jobs : list of str
    prefilter : Prefilter
        Usable (it has terms): its Insights condition selects the lines, its filter pattern
        repairs ties.
    on_job : callable, optional
        ``on_job(job, hosts)`` once a job's lines are all read (``hosts`` as
        :func:`~metricwidgets.sources.log_scan.read_job_lines` returns them), from a worker
        thread.
    cancelled : callable
        Asked before every call.

    Attributes
    ----------
    given_back : dict
        job -> the one line why it was not read here (the caller reads it otherwise).
    bytes_scanned : float
        What CloudWatch says its queries scanned (``statistics.bytesScanned``), the billed
        quantity.
    queries : int
    """

    def __init__(self, client, jobs, prefilter, *, on_job: Callable | None = None,
                 cancelled: Callable[[], bool] = lambda: False, group: str = LOG_GROUP,
                 concurrency: int = CONCURRENCY, now: Callable[[], float] = time.time):
        self.client = client
        self.jobs = list(dict.fromkeys(jobs))
        self.prefilter = prefilter
        self.condition = prefilter.insights_condition()
        self.group = group
        self._on_job = on_job or (lambda job, hosts: None)
        self._cancelled = cancelled
        self._now = now
        self.concurrency = max(1, int(concurrency))
        self.given_back: dict[str, str] = {}
        self.bytes_scanned = 0.0
        self.queries = 0
        self._lock = threading.Lock()

    # -- the work ------------------------------------------------------------------------
    def run(self) -> None:
        """Read every job (or give it back); raises :class:`ScanCancelled` when cancelled."""
        spans = {}
        for job in self.jobs:
            try:
                span = self._span(job)
            except _GiveBack as why:
                self.given_back[job] = str(why)
                continue
            if span is None:
                self._on_job(job, {})  # no stream: the job wrote nothing
            else:
                spans[job] = span
        batches = self._batches(spans)
        with ThreadPoolExecutor(self.concurrency,
                                thread_name_prefix="metricwidgets-insights") as pool:
            for future in [pool.submit(self._batch, batch) for batch in batches]:
                future.result()

    def _check(self) -> None:
        if self._cancelled():
            raise ScanCancelled("insights")

    def _span(self, job: str):
        """``(first, last)`` event time of ``job``'s streams in ms, or None (no stream)."""
        self._check()
        first, last, token = math.inf, -math.inf, None
        while True:
            kwargs = {"nextToken": token} if token else {}
            try:
                page = self._call(self.client.describe_log_streams,
                                  f"listing {job}'s streams", logGroupName=self.group,
                                  logStreamNamePrefix=job + "/", **kwargs)
            except _Missing:
                return None  # no job of the account has written yet
            for stream in page.get("logStreams", []):
                now_ms = self._now() * 1000
                seen = max(stream.get("lastEventTimestamp") or 0,
                           stream.get("lastIngestionTime") or 0)
                first = min(first, stream.get("firstEventTimestamp") or
                            stream.get("creationTime") or now_ms)
                last = max(last, now_ms if now_ms - seen < RECENT_S * 1000 else seen)
            token = page.get("nextToken")
            if not token:
                return None if first == math.inf else (int(first), int(last))

    def _batches(self, spans) -> list[_Batch]:
        # In time order; a job joins the batch when the query stays short enough and the
        # batch's range at most doubles (or grows by an hour): the range is what is billed.
        batches: list[_Batch] = []
        for job in sorted(spans, key=lambda j: spans[j]):
            lo, hi = spans[job][0] // 1000, spans[job][1] // 1000 + 1
            current = batches[-1] if batches else None
            if current is not None:
                gap = lo - current.hi
                longer = query_string(current.jobs + [job], self.condition)
                if len(longer) <= MAX_QUERY_LENGTH and \
                        gap <= max(current.hi - current.lo, 3600):
                    current.jobs.append(job)
                    current.lo, current.hi = min(current.lo, lo), max(current.hi, hi)
                    continue
            batches.append(_Batch([job], lo, hi))
        return batches

    def _batch(self, batch: _Batch) -> None:
        rows: list = []
        try:
            self._window(batch.jobs, batch.lo, batch.hi, rows)
        except _GiveBack as why:
            for job in batch.jobs:
                self.given_back[job] = str(why)
            return
        per_job: dict[str, dict] = {job: {} for job in batch.jobs}
        for stamp, stream, message in rows:
            job = stream.partition("/")[0]
            if job in per_job:
                lines, stamps = per_job[job].setdefault(stream, ([], []))
                lines.append(message)
                stamps.append(stamp)
        for job, streams in per_job.items():
            try:
                self._repair_ties(job, streams)
            except _GiveBack as why:
                self.given_back[job] = str(why)
                continue
            self._on_job(job, group_by_host(
                job, {s: (lines, [t / 1000.0 for t in stamps])
                      for s, (lines, stamps) in streams.items()}))

    def _window(self, jobs, lo: int, hi: int, rows: list) -> None:
        """Append to ``rows`` every candidate line of ``jobs`` in ``[lo, hi)`` seconds."""
        answer = self._query(jobs, lo, hi)
        found = [(_millis(r["@timestamp"]), r["@logStream"], r.get("@message", ""))
                 for r in ({c["field"]: c["value"] for c in row}
                           for row in answer.get("results", []))]
        matched = answer.get("statistics", {}).get("recordsMatched", 0)
        if len(found) < ROW_LIMIT and matched <= len(found):
            rows.extend(r for r in found if lo * 1000 <= r[0] < hi * 1000)
            return
        # Cut short. The rows are the earliest (sorted ascending), so those before the last
        # row's second are every candidate there is before it: keep them, and query the rest
        # of the range again (the last second may have been cut within).
        rest = min(max(lo, found[-1][0] // 1000), hi) if found else lo
        kept = [r for r in found if lo * 1000 <= r[0] < rest * 1000]
        rows.extend(kept)
        if rest == hi:
            return  # cut within the second past the range: the range itself is whole
        if not kept and hi - lo <= 1:
            raise _GiveBack(f"more than {len(found):,} candidate lines within one second: "
                            f"read with FilterLogEvents")
        # The rest in parts expected to fit (4/5 of the limit each; at least two when
        # nothing was kept, so that the range shrinks): each query scans its range and is
        # billed for it, so a range is better cut once in enough parts than halved again
        # and again.
        left = max(matched - len(kept), len(found) - len(kept))
        parts = max(1 if kept else 2, math.ceil(left / (ROW_LIMIT * 0.8)))
        bounds = sorted({rest + (hi - rest) * k // parts for k in range(parts + 1)})
        for start, end in zip(bounds, bounds[1:]):
            self._window(jobs, start, end, rows)

    def _query(self, jobs, lo: int, hi: int) -> dict:
        """Run one query over ``[lo, hi]`` seconds; its last answer."""
        self._check()
        query = query_string(jobs, self.condition)
        delay = 1.0
        while True:
            try:
                query_id = self._call(self.client.start_query, "starting a Logs Insights query",
                                      logGroupName=self.group, startTime=lo, endTime=hi,
                                      queryString=query, limit=ROW_LIMIT)["queryId"]
                break
            except _Missing:
                raise _GiveBack("no log group to query: read with FilterLogEvents") from None
            except _Busy:
                time.sleep(delay)  # 30 queries run in the account: wait for one to end
                delay = min(delay * 2, 30.0)
                self._check()
        with self._lock:
            self.queries += 1
        answer = self._poll(query_id)
        with self._lock:
            self.bytes_scanned += float(answer.get("statistics", {}).get("bytesScanned", 0))
        if answer["status"] != "Complete":
            raise _GiveBack(f"a Logs Insights query ended {answer['status']}: "
                            f"read with FilterLogEvents")
        return answer

    def _poll(self, query_id: str) -> dict:
        deadline = time.monotonic() + QUERY_TIMEOUT_S + 60
        delay = 0.05
        while True:
            if self._cancelled():
                self._stop(query_id)
                raise ScanCancelled("insights")
            try:
                answer = self._call(self.client.get_query_results,
                                    "reading a Logs Insights query", queryId=query_id)
            except _Missing:
                answer = {"status": "Unknown"}
            if answer.get("status") in _ENDED:
                return answer
            if time.monotonic() > deadline:
                self._stop(query_id)
                return {**answer, "status": "Timeout"}
            time.sleep(delay)  # polled with a growing delay: a query takes seconds
            delay = min(delay * 1.5, 2.0)

    def _stop(self, query_id: str) -> None:
        try:
            self.client.stop_query(queryId=query_id)
        except Exception:  # noqa: BLE001 - already ended, or StopQuery not allowed
            pass

    def _repair_ties(self, job: str, streams: dict) -> None:
        """Put each stream's lines sharing a millisecond in ingestion order."""
        ties = [(stream, stamp) for stream, (lines, stamps) in streams.items()
                for stamp in sorted({s for i, s in enumerate(stamps) if i and stamps[i - 1] == s})]
        if len(ties) > MAX_TIES:
            raise _GiveBack(f"{len(ties)} moments with several lines: read with "
                            f"FilterLogEvents")
        for stream, stamp in ties:
            lines, stamps = streams[stream]
            ordered = self._ingestion_order(stream, stamp)
            first = stamps.index(stamp)
            count = stamps.count(stamp)
            if sorted(ordered) != sorted(lines[first:first + count]):
                raise _GiveBack("the lines of one moment changed while read: read with "
                                "FilterLogEvents")
            lines[first:first + count] = ordered

    def _ingestion_order(self, stream: str, stamp: int) -> list[str]:
        out, token = [], None
        while True:
            self._check()
            kwargs = {"nextToken": token} if token else {}
            page = self._call(self.client.filter_log_events, f"reading {stream}",
                              logGroupName=self.group, logStreamNames=[stream],
                              startTime=stamp, endTime=stamp,
                              filterPattern=self.prefilter.filter_pattern(), **kwargs)
            out.extend(e.get("message", "").rstrip("\n") for e in page.get("events", []))
            token = page.get("nextToken")
            if not token:
                return out

    def _call(self, method, what: str, **kwargs):
        try:
            return method(**kwargs)
        except Exception as exc:
            code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
            if code == "LimitExceededException":
                raise _Busy() from None
            if code == "ResourceNotFoundException":
                raise _Missing() from None
            from metricwidgets.sources.aws import translate_error

            raise _GiveBack(f"{str(translate_error(exc, what)).splitlines()[0]}: read with "
                            f"FilterLogEvents") from None


class _Busy(Exception):
    """StartQuery refused: the account runs as many queries as it may."""


class _Missing(Exception):
    """The log group (or the query) is not there."""
