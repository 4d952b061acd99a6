"""A backfill: new definitions over many jobs' logs, the scan pushed down to CloudWatch.

:class:`Backfill` reads each job's lines (:func:`metricwidgets.sources.log_scan.read_job_lines`:
only the candidate lines when every definition has a sound prefilter, every line otherwise),
parses them here with SageMaker's exact rules (:class:`~metricwidgets.core.parsing.LogParser`,
the store numbering steps as it does for a watch) and keeps one
:class:`~metricwidgets.core.store.MetricStore` whose series are named by job. It runs
synchronously (:meth:`Backfill.run`, what :func:`metricwidgets.fetch_jobs_metrics` does) or
on a thread of its own (:meth:`Backfill.start`, what the runs table does), reports
:class:`BackfillProgress` after every job, and stops between two calls when cancelled.

A job that cannot be read (gone, no permission) is one line in :attr:`Backfill.errors`; the
others go on.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from metricwidgets.core.parsing import LogParser, prefilter_union, validate_definitions
from metricwidgets.core.store import MetricStore
from metricwidgets.errors import AWSError, InputError, UserFacingError
from metricwidgets.sources.budget import budgeted_client
from metricwidgets.sources.log_scan import ScanCancelled, ScanMeter, read_job_lines

__all__ = ["COLUMNS", "SUMMARIES", "Backfill", "BackfillProgress"]

#: The columns of a backfill's frame.
COLUMNS = ["job", "timestamp", "host", "metric", "value", "step"]
#: What :meth:`Backfill.summary` can make of a job's series.
SUMMARIES = ("last", "min", "max")
#: Jobs read at once (the call budget, not this, bounds the rate of calls).
WORKERS = 4


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
    """

    jobs_done: int
    jobs_total: int
    calls: int
    bytes: int
    pushed_down: bool
    why_full: str = ""
    finished: bool = False
    cancelled: bool = False

    def text(self) -> str:
        """One line for a progress label."""
        state = " (cancelled)" if self.cancelled else ""
        how = "filtered in CloudWatch" if self.pushed_down else \
            f"every line read: {self.why_full}"
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
    """

    def __init__(self, jobs, definitions, options, *, on_progress: Callable | None = None,
                 on_job: Callable | None = None, client=None, push_down: bool = True,
                 workers: int = WORKERS):
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
        return BackfillProgress(done, len(self.jobs), self.meter.total_calls, self.meter.bytes,
                                self.prefilter.usable, self.prefilter.reason,
                                finished=finished, cancelled=self.cancelled)

    def start(self) -> threading.Thread:
        """Run on a daemon thread of its own; return it."""
        self.thread = threading.Thread(target=self.run, name="metricwidgets-backfill",
                                       daemon=True)
        self.thread.start()
        return self.thread

    # -- the work ------------------------------------------------------------------------
    def run(self) -> MetricStore:
        """Read and parse every job (``workers`` at once); return :attr:`store`."""
        with ThreadPoolExecutor(self.workers, thread_name_prefix="metricwidgets-backfill") as pool:
            list(pool.map(self._one, self.jobs))
        self._report(finished=True)
        return self.store

    def _one(self, job: str) -> None:
        try:
            hosts = read_job_lines(self.client, job, self.prefilter.filter_pattern(),
                                   cancelled=self._cancel.is_set)
        except ScanCancelled:
            return
        except UserFacingError as exc:
            self.errors[job] = str(exc).splitlines()[0]
        else:
            if not hosts:
                self._check_exists(job)
            self._parse(job, hosts)
            if self._on_job is not None:
                self._on_job(job, self.store)
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
            result = parser.feed_lines(lines, stamps)
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
