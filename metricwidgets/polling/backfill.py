"""A backfill: new definitions over many jobs' logs, the scan pushed down to CloudWatch.

:class:`Backfill` reads each job's lines (:func:`metricwidgets.sources.log_scan.read_job_lines`:
only the candidate lines when every definition has a sound prefilter, every line otherwise),
parses them here with SageMaker's exact rules (:class:`~metricwidgets.core.parsing.LogParser`,
on every CPU for a host's log of :data:`~metricwidgets.core.parsing.PARALLEL_MIN_BYTES` or
more; the store numbering steps as it does for a watch) and keeps one
:class:`~metricwidgets.core.store.MetricStore` whose series are named by job. It runs
synchronously (:meth:`Backfill.run`, what :func:`metricwidgets.fetch_jobs_metrics` does) or
on a thread of its own (:meth:`Backfill.start`, what the runs table does), reports
:class:`BackfillProgress` after every job, and stops between two calls when cancelled.

How the candidate lines are read (``scan``):

* ``"filter"``: ``FilterLogEvents`` over each job's streams, job by job (4 at once);
* ``"insights"``: Logs Insights queries over many jobs at once
  (:class:`~metricwidgets.sources.log_insights.InsightsScan`); a job a query could not read
  (a failed query, too many lines in one second, no ``logs:StartQuery`` permission) is read
  with ``FilterLogEvents`` instead, and :attr:`Backfill.notes` says why in one line;
* ``"auto"`` (the default): Insights from :data:`INSIGHTS_MIN_JOBS` jobs on, else filter.
  Why: ``FilterLogEvents`` is not billed as an Insights query is, but costs at least one
  call per job within 5 calls a second shared by the account, and pages through a big log a
  bounded slice at a time; an Insights query scans many jobs' logs in parallel where they live, but is
  billed per GB scanned, and scans every stream of the log group in its time range (other
  jobs' too), which for a few jobs costs more than it saves.

Either way, definitions without a sound prefilter read every line (``GetLogEvents``).

A job that cannot be read (gone, no permission) is one line in :attr:`Backfill.errors`; the
others go on.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from metricwidgets.core.parsing import Feed, LogParser, ParallelParse, feed_pieces
from metricwidgets.core.parsing import prefilter_union, validate_definitions
from metricwidgets.core.store import MetricStore
from metricwidgets.errors import AWSError, InputError, UserFacingError
from metricwidgets.sources.budget import budgeted_client
from metricwidgets.sources.log_insights import InsightsScan
from metricwidgets.sources.log_scan import ScanCancelled, ScanMeter, read_job_lines

__all__ = ["COLUMNS", "INSIGHTS_MIN_JOBS", "SCANS", "SUMMARIES", "Backfill",
           "BackfillProgress"]

#: The columns of a backfill's frame.
COLUMNS = ["job", "timestamp", "host", "metric", "value", "step"]
#: What :meth:`Backfill.summary` can make of a job's series.
SUMMARIES = ("last", "min", "max")
#: Jobs read at once (the call budget, not this, bounds the rate of calls).
WORKERS = 4
#: The ways to read candidate lines (see the module's notes).
SCANS = ("auto", "insights", "filter")
#: From this many jobs on, ``scan="auto"`` reads through Logs Insights.
INSIGHTS_MIN_JOBS = 20


@dataclass(frozen=True)
class BackfillProgress:
    """Where a backfill stands.

    Attributes
    ----------
    jobs_done, jobs_total : int
    calls : int
        AWS calls made so far.
    bytes : int
        Response bytes received so far.
    pushed_down : bool
        Whether only candidate lines are read (else every line, see ``why_full``).
    why_full : str
    finished, cancelled : bool
    scan : str
        ``"insights"`` or ``"filter"``: how candidate lines are read.
    bytes_scanned : float
        What Logs Insights says it scanned (the billed quantity; 0 for ``"filter"``).
    """

    jobs_done: int
    jobs_total: int
    calls: int
    bytes: int
    pushed_down: bool
    why_full: str = ""
    finished: bool = False
    cancelled: bool = False
    scan: str = "filter"
    bytes_scanned: float = 0.0

    def text(self) -> str:
        """One line for a progress label."""
        state = " (cancelled)" if self.cancelled else ""
        how = "filtered in CloudWatch" if self.pushed_down else \
            f"every line read: {self.why_full}"
        if self.pushed_down and self.scan == "insights":
            how = f"Logs Insights, {self.bytes_scanned / 1e9:.3f} GB scanned"
        size = f"{self.bytes / 1e6:.1f} MB" if self.bytes >= 1e6 else \
            f"{self.bytes / 1e3:.1f} KB"
        return f"{self.jobs_done}/{self.jobs_total} jobs, {size}, {self.calls} calls, {how}{state}"


class Backfill:
    """Parse ``definitions`` over the logs of ``jobs``.

    Parameters
    ----------
    jobs : list of str
    definitions : list of MetricDefinition
    options : MetricOptions
        Where AWS is; its ``step_definition`` gives the ``step`` column.
    on_progress : callable, optional
        ``on_progress(BackfillProgress)`` after every job (on the thread that read it).
    on_job : callable, optional
        ``on_job(job, store)`` once a job's points are in :attr:`store`.
    client : botocore ``logs`` client, optional
        Default: a budgeted one made from ``options``.
    push_down : bool
        False reads every line whatever the prefilter (the baseline the benchmark compares).
    workers : int
        Jobs read at once.
    scan : str
        One of :data:`SCANS` (see the module's notes).

    Attributes
    ----------
    store : MetricStore
        Series keyed ``(job, host, metric)``.
    errors : dict
        job -> the one-line reason it could not be read.
    missing : list of str
        The jobs SageMaker does not know (no log stream, and ``DescribeTrainingJob`` says
        not found), in the order found.
    prefilter : Prefilter
    meter : ScanMeter
    scan : str
        ``"insights"``, ``"filter"`` or ``"full"``: what :meth:`run` does.
    notes : list of str
        One line per way a read changed course (a Logs Insights query failed and its jobs
        were read with ``FilterLogEvents``).
    bytes_scanned : float
        What Logs Insights said it scanned.
    queries : int
        Logs Insights queries run.
    """

    def __init__(self, jobs, definitions, options, *, on_progress: Callable | None = None,
                 on_job: Callable | None = None, client=None, push_down: bool = True,
                 workers: int = WORKERS, scan: str = "auto"):
        self.jobs = list(dict.fromkeys(jobs))
        self.definitions = list(definitions)
        if not self.definitions:
            raise InputError("a backfill needs at least one metric definition "
                             "(--definition NAME=REGEX)")
        problems = validate_definitions(self.definitions)
        if problems:
            raise problems[0]
        self.options = options
        self.step_definition = options.step_definition
        regexes = [(d.name, d.regex) for d in self.definitions]
        if self.step_definition:
            regexes.append(("step", self.step_definition))
        try:
            self.prefilter = prefilter_union(regexes)
        except re.error as exc:
            raise InputError(f"the step regex does not compile: {exc}") from None
        if not push_down and self.prefilter.usable:
            self.prefilter = type(self.prefilter)(reason="asked for a full read")
        self.meter = ScanMeter()
        self.client = client if client is not None else budgeted_client("logs", options.aws)
        self.meter.attach(self.client)
        self.store = MetricStore()
        self.errors: dict[str, str] = {}
        self.missing: list[str] = []
        self._on_progress = on_progress
        self._on_job = on_job
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._done = 0
        self.thread: threading.Thread | None = None
        self.workers = max(1, int(workers))
        if scan not in SCANS:
            raise InputError(f"scan: expected one of {', '.join(SCANS)}, not {scan!r}")
        if not self.prefilter.usable:
            self.scan = "full"
        elif scan == "auto":
            self.scan = "insights" if len(self.jobs) >= INSIGHTS_MIN_JOBS else "filter"
        else:
            self.scan = scan
        self.notes: list[str] = []
        self.bytes_scanned = 0.0
        self.queries = 0
        self._insights: InsightsScan | None = None

    # -- control -------------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop before the next call (jobs already read keep their points)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def progress(self, finished: bool = False) -> BackfillProgress:
        with self._lock:
            done = self._done
        scanned = self._insights.bytes_scanned if self._insights else self.bytes_scanned
        return BackfillProgress(done, len(self.jobs), self.meter.total_calls, self.meter.bytes,
                                self.prefilter.usable, self.prefilter.reason,
                                finished=finished, cancelled=self.cancelled,
                                scan="insights" if self.scan == "insights" else "filter",
                                bytes_scanned=scanned)

    def start(self) -> threading.Thread:
        """Run on a daemon thread of its own; return it."""
        self.thread = threading.Thread(target=self.run, name="metricwidgets-backfill",
                                       daemon=True)
        self.thread.start()
        return self.thread

    # -- the work ------------------------------------------------------------------------
    def run(self) -> MetricStore:
        """Read and parse every job (``workers`` at once); return :attr:`store`."""
        rest = self._run_insights() if self.scan == "insights" else self.jobs
        with ThreadPoolExecutor(self.workers, thread_name_prefix="metricwidgets-backfill") as pool:
            list(pool.map(self._one, rest))
        self._report(finished=True)
        return self.store

    def _run_insights(self) -> list[str]:
        """Read what Logs Insights can; return the jobs left to ``FilterLogEvents``."""
        scan = self._insights = InsightsScan(self.client, self.jobs, self.prefilter,
                                             on_job=self._done_job,
                                             cancelled=self._cancel.is_set)
        try:
            scan.run()
        except ScanCancelled:
            return []
        finally:
            self.bytes_scanned, self.queries = scan.bytes_scanned, scan.queries
        reasons: dict[str, list[str]] = {}
        for job, why in scan.given_back.items():
            reasons.setdefault(why, []).append(job)
        for why, jobs in reasons.items():
            count = f"{len(jobs)} job{'s' if len(jobs) > 1 else ''}"
            self.notes.append(f"Logs Insights, {count} ({', '.join(jobs[:3])}"
                              f"{', ...' if len(jobs) > 3 else ''}): {why}")
        return [job for job in self.jobs if job in scan.given_back]

    def _one(self, job: str) -> None:
        try:
            hosts = read_job_lines(self.client, job, self.prefilter.filter_pattern(),
                                   cancelled=self._cancel.is_set)
        except ScanCancelled:
            return
        except UserFacingError as exc:
            self.errors[job] = str(exc).splitlines()[0]
            self._count_done()
        else:
            self._done_job(job, hosts)

    def _done_job(self, job: str, hosts) -> None:
        """``job``'s lines are read: parse them, tell the callbacks."""
        if not hosts:
            self._check_exists(job)
        self._parse(job, hosts)
        if self._on_job is not None:
            self._on_job(job, self.store)
        self._count_done()

    def _count_done(self) -> None:
        with self._lock:
            self._done += 1
        self._report()

    def _check_exists(self, job: str) -> None:
        """A job without a log stream may not exist at all: say so (in :attr:`errors` and
        :attr:`missing`) instead of giving it no points as if it had printed none."""
        from metricwidgets.sources.sagemaker_job import SageMakerJobSource

        try:
            SageMakerJobSource(job, self.options.aws).describe()
        except AWSError as exc:
            if exc.code == "not-found":
                self.missing.append(job)
            self.errors[job] = str(exc).splitlines()[0]

    def _parse(self, job: str, hosts) -> None:
        for host, (lines, stamps) in hosts.items():
            parser = LogParser(self.definitions, escape=False,
                               step_definition=self.step_definition)
            # A host's log of PARALLEL_MIN_BYTES or more is parsed on every CPU.
            pieces, _ = feed_pieces([Feed(lines=lines, timestamps=stamps)])
            result = ParallelParse(parser).parse(pieces)
            self.store.add_result(job, host, parser.names, result)

    def _report(self, finished: bool = False) -> None:
        if self._on_progress is not None:
            self._on_progress(self.progress(finished))

    def summary(self, job: str, metric: str, how: str = "last") -> float:
        """One number for ``metric`` of ``job`` over all its hosts: the ``last`` value (the
        latest timestamp; the first host on a tie), the ``min`` or the ``max``; NaN when
        there is none.

        Raises
        ------
        InputError
            ``how`` is none of the three.
        """
        import math

        if how not in SUMMARIES:
            raise InputError(f"how: expected one of {', '.join(SUMMARIES)}, not {how!r}")
        snaps = [s for s in self.store.snapshots()
                 if s.key.source == job and s.key.metric == metric and len(s)]
        if not snaps:
            return math.nan
        if how == "min":
            return float(min(s.value.min() for s in snaps))
        if how == "max":
            return float(max(s.value.max() for s in snaps))
        latest = max(snaps, key=lambda s: s.timestamp[-1])
        return float(latest.value[-1])

    def frame(self):
        """Every point as a DataFrame with :data:`COLUMNS`, job by job in the given order."""
        import pandas as pd

        frame = self.store.to_dataframe().rename(columns={"source": "job"})[COLUMNS]
        order = {job: i for i, job in enumerate(self.jobs)}
        frame["_order"] = frame["job"].map(order)
        frame = frame.sort_values("_order", kind="stable").drop(columns="_order")
        return pd.DataFrame(frame).reset_index(drop=True)
