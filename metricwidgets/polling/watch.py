"""Watching a job: sources -> parsers -> store, polled off the kernel's main thread.

A :class:`Watch` owns the sources of one watched thing (a SageMaker job, a tuning job and its
children, a local command, a log file), a :class:`~metricwidgets.polling.session.ParsingSession`
(one parser per source and host) and a :class:`~metricwidgets.core.store.MetricStore`. It is
:class:`~metricwidgets.polling.scheduler.Schedulable`: a single
:class:`~metricwidgets.polling.scheduler.Scheduler` thread serves every watch of the process.
Each watch is polled at its own adaptive interval and backs off with jitter after errors
(:class:`~metricwidgets.polling.backoff.BackoffPolicy`), drains once more after its job ended,
and leaves the scheduler when finished or closed.

Every error becomes a :class:`~metricwidgets.polling.messages.WatchMessage` (and, when it
stops the watch, :attr:`Watch.error`): nothing dies silently and nothing is raised into the
notebook from the background.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from metricwidgets.core.parsing import MetricDefinition
from metricwidgets.core.parsing import DefinitionStats
from metricwidgets.core.store import MetricStore
from metricwidgets.errors import UserFacingError
from metricwidgets.polling.backoff import BackoffPolicy
from metricwidgets.polling.definition_layers import layered_definitions, load_user_definitions
from metricwidgets.polling.finding_feed import FindingFeed
from metricwidgets.polling.job_list import JobList, JobRoster
from metricwidgets.polling.messages import MessageLog, WatchMessage
from metricwidgets.polling.replay import PendingDefinitions, apply_definitions
from metricwidgets.polling.round_errors import RoundErrors
from metricwidgets.polling.scheduler import Scheduler
from metricwidgets.polling.session import HOLD_LIMIT, ParsingSession
from metricwidgets.polling.auto_definitions import DefinitionSuggester
from metricwidgets.polling.tuning import TuningJobExpansion
from metricwidgets.polling.watched_job import WatchedJob
from metricwidgets.sources.base import JobStatus, Source, SourceUpdate

__all__ = ["Watch", "WatchMessage"]


def _constructor(function: str, what: str):
    """A thin class method of :class:`Watch` over a function of
    :mod:`metricwidgets.polling.constructors` (imported late: that module imports Watch)."""

    def construct(cls, target, options=None, **settings) -> Watch:
        from metricwidgets.polling import constructors

        return getattr(constructors, function)(target, options, **settings)

    construct.__doc__ = (f"Watch {what}: :func:`~metricwidgets.polling.constructors."
                         f"{function}` (``options``: a MetricOptions).")
    construct.__name__ = name = function.replace("watch_", "for_")
    construct.__qualname__ = f"Watch.{name}"
    return classmethod(construct)


class Watch:
    """Watch one job (or tuning job, command, file) and keep its metrics in :attr:`store`.

    Build one with :meth:`for_job`, :meth:`for_tuning_job`, :meth:`for_jobs`,
    :meth:`for_command` or :meth:`for_file` (each takes a
    :class:`~metricwidgets.options.MetricOptions`). Unless ``start=False``, the shared
    :class:`Scheduler` starts polling it at once in the background.

    Parameters
    ----------
    jobs : list of WatchedJob
    metric_definitions : optional
        The user's definitions (anything :func:`~metricwidgets.core.parsing.load_definitions`
        reads); they win by name over the jobs' own.
    suggest : bool
        Suggest definitions from the output (a command or file watched without definitions).
    tuning : TuningJobExpansion, optional
        A tuning job whose children join :attr:`sources` as they are launched.
    step_definition : MetricDefinition, str or None
        Each point's step (default: its index in its series).
    min_interval, max_interval, max_backoff : float
        See :class:`~metricwidgets.polling.backoff.BackoffPolicy`.
    poller : Scheduler, optional
        Default: :meth:`Scheduler.default`.
    clock : callable
        Monotonic seconds for the due times and the suggestion rate (tests inject one).
    hold_limit : int
        Bytes of log text held for re-parsing.
    job_list : JobList, optional
        Builds the jobs :meth:`add_job` is given by name.

    Attributes
    ----------
    store : MetricStore
    statuses : dict of str to JobStatus
        By source name (the job, each child of a tuning job, the command).
    messages : collections.deque of WatchMessage
        The latest messages (throttling, retries, errors), newest last.
    error : UserFacingError or None
        The error that stopped the watch (an unknown job), else None.
    last_error : UserFacingError or None
        The error of the latest poll round (None when it went well): the poller retries.
    finished : bool
        True once every source delivered everything (after the final drain).
    polls : int
        Poll rounds completed (0: nothing is known of the jobs yet).
    closed : bool

    Thread-safety: every public method may be called from any thread. Listeners are called
    from the scheduler's thread (or from the thread that calls :meth:`poll_once`).
    """

    def __init__(self, jobs: list[WatchedJob], metric_definitions=None, *, suggest: bool = False,
                 tuning: TuningJobExpansion | None = None, step_definition=None,
                 min_interval: float = 2.0, max_interval: float = 10.0,
                 max_backoff: float = 60.0, start: bool = True, poller: Scheduler | None = None,
                 name: str | None = None, clock: Callable[[], float] = time.monotonic,
                 hold_limit: int = HOLD_LIMIT, job_list: JobList | None = None):
        user = load_user_definitions(metric_definitions)
        self.name = name or (jobs[0].name if jobs else (tuning.name if tuning else ""))
        self.store = MetricStore()
        self.statuses: dict[str, JobStatus] = {}
        self.polls = 0
        self._log = MessageLog()
        self.error: UserFacingError | None = None
        self.last_error: UserFacingError | None = None
        self.policy = BackoffPolicy(min_interval, max_interval, max_backoff, clock=clock)
        self.session = ParsingSession(self.store, step_definition, hold_limit)
        self.suggester = DefinitionSuggester(enabled=suggest, clock=clock)
        self._user_definitions = list(user)
        self._pending = PendingDefinitions()
        self.roster = JobRoster(jobs, job_list)
        self._tuning = tuning
        self._listeners: list[Callable[[Watch], None]] = []
        self._poll_lock = threading.Lock()
        # The roster's lock: the statuses and definitions change together with the jobs.
        self._state_lock = self.roster.lock
        self._finished = threading.Event()
        self._closed = False
        self._paused = False
        self._poller = poller or Scheduler.default()
        self.findings = FindingFeed(self, soon=self._poller.call_soon, tell=self._message)
        if start:
            self._poller.add(self)

    # ----------------------------------------------------------------- constructors
    for_job = _constructor("watch_job", "a SageMaker training job")
    for_tuning_job = _constructor("watch_tuning_job", "a hyperparameter tuning job")
    for_jobs = _constructor("watch_jobs", "chosen training jobs, joining and leaving")
    for_command = _constructor("watch_command", "a local command's output")
    for_file = _constructor("watch_file", "a growing log file")

    # ----------------------------------------------------------------- public state
    finished = property(lambda self: self._finished.is_set())
    closed = property(lambda self: self._closed)
    paused = property(lambda self: self._paused)

    #: The tuning job watched (its children are the jobs), or None.
    tuning_job_name = property(lambda self: None if self._tuning is None else self._tuning.name)
    #: The latest messages (a deque of WatchMessage), newest last.
    messages = property(lambda self: self._log.entries)

    #: The polling intervals (seconds), as given: see :class:`BackoffPolicy`.
    min_interval = property(lambda self: self.policy.min_interval)
    max_interval = property(lambda self: self.policy.max_interval)
    max_backoff = property(lambda self: self.policy.max_backoff)

    @property
    def sources(self) -> list[Source]:
        """The data sources (one per job or run)."""
        return [job.data for job in self.roster.polled()]

    def _definitions_for(self, job: WatchedJob, user=None) -> list[MetricDefinition]:
        return layered_definitions(self.suggester.suggested, job.job_definitions,
                                   self._user_definitions if user is None else user)

    @property
    def definitions(self) -> list[MetricDefinition]:
        """The definitions in use: the jobs' own, merged with the user's (which win by
        name); for a command or file without definitions, the suggested ones."""
        with self._state_lock:
            jobs = [d for job in self.roster.polled() for d in job.job_definitions]
            return layered_definitions(self.suggester.suggested, jobs, self._user_definitions)

    def set_definitions(self, metric_definitions) -> threading.Event:
        """Replace the user's definitions and return at once (a bad regex is refused here).

        The scheduler's thread parses the text again before the watch's next poll (new
        metrics appear with their whole history, no point is stored twice), then tells the
        listeners and sets the event returned; :attr:`definitions` changes with the data.
        """
        done = self._pending.put(load_user_definitions(metric_definitions))
        self._poller.call_soon(self._redefine_pending)
        return done

    def definition_stats(self) -> dict[str, DefinitionStats]:
        """Statistics per definition name, summed over every source and host."""
        total = self.session.definition_stats()
        for d in self.definitions:
            total.setdefault(d.name, DefinitionStats())
        return total

    # ----------------------------------------------------------------- control
    def add_listener(self, callback: Callable[[Watch], None]) -> None:
        """Call ``callback(watch)`` after every poll that changed something."""
        with self._state_lock:
            self._listeners.append(callback)

    def remove_listener(self, callback) -> None:
        with self._state_lock:
            if callback in self._listeners:
                self._listeners.remove(callback)

    on_finding = property(lambda self: self.findings.add)  # see FindingFeed.add: once each
    flush_findings = property(lambda self: self.findings.flush)  # now, on the calling thread
    remove_finding_callback = property(lambda self: self.findings.remove)

    def pause(self) -> None:
        """Stop polling until :meth:`resume` (sources keep their cursors)."""
        self._paused = True

    def resume(self) -> None:
        self._paused = False
        self.policy.restart()
        if not self._closed and not self.finished:
            self._poller.add(self)

    def close(self) -> None:
        """Stop polling and release every source (a local process is killed). Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._poller.remove(self)
        for job in self.roster.take_all():
            for source in job.sources():
                try:
                    source.close()
                except Exception as exc:  # noqa: BLE001 closing must finish for every source
                    self._message("warning", f"closing {job.name}: {exc}")
        if self._tuning is not None:
            self._tuning.close()
        self._notify()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the watch is finished (or closed, or stopped by an error); return
        :attr:`finished`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._finished.is_set():
            if self._closed or (self.error is not None):
                return False
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            self._finished.wait(0.1 if left is None else min(0.1, left))
        return True

    # ----------------------------------------------------------------- jobs joining
    @property
    def job_list(self) -> JobList | None:
        """What builds a job :meth:`add_job` is given by name (None: only WatchedJobs)."""
        return self.roster.job_list

    @property
    def job_names(self) -> list[str]:
        """The names of the jobs polled now, in the order they were added."""
        return self.roster.names()

    def watched_job(self, name: str) -> WatchedJob | None:
        """The job ``name`` polled now (its sources), None when it is not."""
        return self.roster.find(name)

    def add_job(self, job) -> bool:
        """Watch one more job from the next round on (:meth:`JobRoster.add`: a
        :class:`WatchedJob` or, with a :attr:`job_list`, a training job's name); a job
        removed before comes back with its series and cursors. False when already watched.
        """
        if not self.roster.add(job):
            return False
        self._finished.clear()  # a watch whose jobs had all ended is not finished any more
        if not (self._closed or self._paused):
            self._poller.add(self)
        self._notify()
        return True

    def remove_job(self, name: str) -> bool:
        """Stop polling job ``name`` and forget its status; its series stay in the store
        (a plot hides them) until it is added back. Return False for a job not watched."""
        with self._state_lock:
            if self.roster.remove(name) is None:
                return False
            self.statuses.pop(name, None)
        self._check_finished()
        self._notify()
        return True

    # ----------------------------------------------------------------- Schedulable
    def next_due(self) -> float | None:
        """When the scheduler should poll next (its clock); None while paused or done."""
        if self._paused or self._closed or self._finished.is_set():
            return None
        return self.policy.due

    def poll_once(self) -> float:
        """Poll every source once, now, on the calling thread; return the delay the watch
        asks for before its next poll (seconds).

        A bug of ours while polling becomes an error message and :attr:`last_error` (the
        watch backs off), never an exception into the caller's thread.
        """
        with self._poll_lock:
            redefined = self._pending.apply(self._use_definitions, self._message)
            try:
                delay = self._round()
            except Exception as exc:  # noqa: BLE001
                text = f"internal error while polling: {type(exc).__name__}: {exc}"
                self._message("error", text)
                self.last_error = UserFacingError(text)
                delay = self.max_backoff
            self.policy.schedule(delay)
            self.polls += 1
        if redefined:
            self._notify()
        if not self._closed:
            self.findings.check()
        return delay

    # ----------------------------------------------------------------- the poll round
    def _message(self, level: str, text: str) -> None:
        self._log.add(level, text)

    def _notify(self) -> None:
        with self._state_lock:
            listeners = list(self._listeners)
        for callback in listeners:
            try:
                callback(self)
            except Exception as exc:  # noqa: BLE001 a broken listener must not stop the watch
                self._message("error", f"listener {getattr(callback, '__name__', callback)} "
                                       f"failed: {type(exc).__name__}: {exc}")

    def _round(self) -> float:
        if self._closed or self.finished:
            return self.max_interval
        # Statuses compare by value: sources build a new one each poll, mostly unchanged,
        # and an idle poll must not make every chart redraw.
        before = (self.store.version, self._log.count, dict(self.statuses))
        flowed = False
        errors = RoundErrors()
        if self._tuning is not None:
            try:
                self._poll_tuning()
            except Exception as exc:  # noqa: BLE001
                errors.add(self._tuning.name, exc)
        for job in self.roster.polled():
            if self._closed:
                break  # close() must not wait for a round over 100 budgeted jobs
            if job.finished:
                continue
            try:
                flowed |= self._poll_job(job)
            except Exception as exc:  # noqa: BLE001
                errors.add(job.name, exc)
        self._stop_on(errors)
        self._check_finished()
        self.last_error = errors.stopping_error() or errors.last
        delay = self._after_round(flowed, errors)
        after = (self.store.version, self._log.count, dict(self.statuses))
        if after != before or self.finished:
            self._notify()
        return delay

    def _after_round(self, flowed: bool, errors: RoundErrors) -> float:
        if errors.last is not None:
            delay = self.policy.failed()
            if not (self.error is not None or self._closed):
                for level, text in errors.passing:
                    self._message(level, f"{text} Trying again in {delay:.1f} s.")
            return delay
        if self.policy.failures:
            self._message("info", "recovered; polling again")
        return self.policy.succeeded(flowed)

    def _stop_on(self, errors: RoundErrors) -> None:
        """Stop the watch on the round's errors that polling again cannot mend, all named
        in one message (every unknown job of a compare, not the first alone)."""
        error = errors.stopping_error()
        if error is None:
            return
        self.error = error
        self._message("error", f"{error} Stopped watching.")
        with self._state_lock:
            for name in errors.stopped_jobs():
                self.statuses.setdefault(name, JobStatus(name, status="NotFound"))
        self._poller.remove(self)

    def _poll_tuning(self) -> None:
        status, children = self._tuning.poll()
        if status is not None:
            with self._state_lock:
                self.statuses[self._tuning.name] = status
        for child in children:
            self.roster.append(child)
            self._message("info", f"tuning job {self._tuning.name}: child {child.name} launched")

    def _poll_job(self, job: WatchedJob) -> bool:
        flowed = False
        if job.status_source is not None:
            self._apply_status(job, job.status_source.poll().status)
        update: SourceUpdate = job.data.poll()
        self._apply_status(job, update.status)
        flowed |= self._apply_logs(job, update)
        flowed |= sum(self.session.add_points(job.name, batch) for batch in update.points) > 0
        if job.terminal_seen and job.data.finished:
            job.finished = True
            self.session.finish(job.name)
        elif job.terminal_seen:
            # Read once more on the next round: SageMaker flushes late events.
            job.data.final_drain()
        return flowed

    def _apply_status(self, job: WatchedJob, status: JobStatus | None) -> None:
        if status is None:
            return
        with self._state_lock:
            previous = self.statuses.get(job.name)
            self.statuses[job.name] = status
            if status.definitions and status.definitions != job.job_definitions:
                job.job_definitions = list(status.definitions)
                self._redefine(job)
        job.data.on_status(status)
        if status.terminal:
            job.terminal_seen = True
        if previous is None or previous.status != status.status:
            level = "error" if status.status == "Failed" else "info"
            text = f"{job.name}: {status.status}"
            if status.failure_reason:
                text += f" ({status.failure_reason})"
            self._message(level, text)

    def _apply_logs(self, job: WatchedJob, update: SourceUpdate) -> bool:
        flowed = False
        for batch in update.logs:
            if not (batch.lines or batch.text or batch.ends_stream):
                continue
            flowed = True
            self.suggester.observe(batch)
            with self._state_lock:
                definitions = self._definitions_for(job)
            if self.session.feed(job.name, batch, definitions):
                self._message("warning", "the log is too large to keep in memory; changed "
                                         "definitions will read it again from its source")
        if flowed and self.suggester.enabled:
            self._update_suggestions()
        return flowed

    def _check_finished(self) -> None:
        jobs = self.roster.polled()
        if self._tuning is not None:
            if not self._tuning.complete(self.statuses.get(self._tuning.name)):
                return
        elif not jobs:
            return
        if all(job.finished for job in jobs):
            self._finished.set()
            self._poller.remove(self)

    # ----------------------------------------------------------------- definitions
    def _redefine_pending(self) -> None:
        with self._poll_lock:
            redefined = self._pending.apply(self._use_definitions, self._message)
        if redefined:
            self._notify()

    def _use_definitions(self, user: list[MetricDefinition]) -> None:
        if not self._closed:
            self._reparse_all(user)
            with self._state_lock:  # the definitions change with the data
                self._user_definitions = user

    def _reparse_all(self, user=None) -> None:
        for job in self.roster.polled():  # no state lock while parsing: readers of the watch go on
            self._redefine(job, user)

    def _redefine(self, job: WatchedJob, user=None) -> None:
        with self._state_lock:
            definitions = self._definitions_for(job, user)
        warning = apply_definitions(self.session, job, definitions)
        if warning:
            self._message("warning", warning)

    def _update_suggestions(self) -> None:
        suggestion = self.suggester.suggest()
        if suggestion.warning:
            self._message("warning", suggestion.warning)
        if not suggestion.new:
            return
        self._reparse_all()
        self._message("info", "suggested definitions: " +
                      ", ".join(d.name for d in suggestion.new))
