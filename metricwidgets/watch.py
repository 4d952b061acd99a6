"""Watching a job: sources -> parsers -> store, polled off the kernel's main thread.

A :class:`Watch` owns the sources of one watched thing (a SageMaker job, a tuning job and its
children, a local command, a log file), one parser per (source, host) and a
:class:`~metricwidgets.core.store.MetricStore`. A single :class:`Poller` daemon thread serves
every watch of the process: each watch is polled at its own adaptive interval (fast while
data flows, slower while idle), backs off with jitter after errors, drains once more after
its job ended, and is dropped when finished or closed. The thread ends when no watch is left.

Every error becomes a :class:`WatchMessage` (and, when it stops the watch, :attr:`Watch.error`):
nothing dies silently and nothing is raised into the notebook from the background.
"""

from __future__ import annotations

import collections
import random
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from metricwidgets.core.definitions import MetricDefinition, load_definitions
from metricwidgets.core.parser import LogParser
from metricwidgets.core.results import DefinitionStats, ParseResult
from metricwidgets.core.store import MetricStore
from metricwidgets.errors import AWSError, UserFacingError
from metricwidgets.sources.base import JobStatus, Source, SourceUpdate

__all__ = ["Watch", "WatchMessage", "Poller"]

#: Errors after which polling again cannot help.
_FATAL_CODES = frozenset({"not-found"})
#: Bytes of log text kept per watch to re-parse when definitions change.
HOLD_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True)
class WatchMessage:
    """Something a user should know about a watch.

    Attributes
    ----------
    level : str
        ``info``, ``warning`` or ``error``.
    text : str
        One line: what happened and what the watch is doing about it.
    time : float
        Seconds since the epoch.
    """

    level: str
    text: str
    time: float


def merge_definitions(job: Iterable[MetricDefinition],
                      user: Iterable[MetricDefinition]) -> list[MetricDefinition]:
    """The job's definitions, then the user's; a user's definition replaces the job's of the
    same name (so a user can fix or add a regex after the job ran)."""
    merged = {d.name: d for d in job}
    for d in user:
        merged.pop(d.name, None)
        merged[d.name] = d
    return list(merged.values())


class _Unit:
    """One job or run inside a watch: a status source (or None) and a data source."""

    def __init__(self, name: str, data: Source, status: Source | None = None):
        self.name = name
        self.data = data
        self.status_source = status
        self.terminal_seen = False
        self.finished = False
        self.job_definitions: list[MetricDefinition] = []


class _HostParser:
    """A parser for one (source, host), with the text it parsed kept for re-parsing."""

    def __init__(self, definitions, step_definition, text_mode: bool):
        self.definitions = list(definitions)
        self.names = [d.name for d in self.definitions]
        self.parser = LogParser(self.definitions, escape=True,
                                      step_definition=step_definition)
        self.step_definition = step_definition
        self.text_mode = text_mode
        self.held: list[tuple] = []
        self.held_bytes = 0

    def feed(self, batch, hold: bool) -> ParseResult:
        if batch.lines is not None:
            item = ("lines", batch.lines, batch.timestamps)
            size = sum(len(line) for line in batch.lines)
        else:
            item = ("text", batch.text, batch.timestamp)
            size = len(batch.text)
        if hold:
            self.held.append(item)
            self.held_bytes += size
        return self._feed(item)

    def _feed(self, item) -> ParseResult:
        if item[0] == "lines":
            return self.parser.feed_lines(item[1], item[2])
        return self.parser.feed(item[1], item[2])

    def reparse(self, definitions) -> tuple["_HostParser", ParseResult]:
        fresh = _HostParser(definitions, self.step_definition, self.text_mode)
        fresh.held, fresh.held_bytes = self.held, self.held_bytes
        return fresh, ParseResult.concat([fresh._feed(item) for item in self.held])

    def text(self) -> str:
        parts = []
        for item in self.held:
            if item[0] == "lines":
                parts.append("\n".join(item[1]) + "\n")
            else:
                parts.append(item[1].decode("utf-8", "replace")
                             if isinstance(item[1], bytes) else item[1])
        return "".join(parts)


class Watch:
    """Watch one job (or tuning job, command, file) and keep its metrics in :attr:`store`.

    Build one with :meth:`for_job`, :meth:`for_tuning_job`, :meth:`for_command` or
    :meth:`for_file`. Unless ``start=False``, the shared :class:`Poller` starts polling it at
    once in the background.

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
    closed : bool

    Thread-safety: every public method may be called from any thread. Listeners are called
    from the poller's thread (or from the thread that calls :meth:`poll_once`).
    """

    def __init__(self, units: list[_Unit], metric_definitions=None, *, suggest: bool = False,
                 tuning=None, step_definition=None, min_interval: float = 2.0,
                 max_interval: float = 10.0, max_backoff: float = 60.0, start: bool = True,
                 poller: "Poller | None" = None, name: str | None = None):
        user = load_definitions(metric_definitions)
        for d in user:
            d.compile()  # a bad regex is the user's to fix now, with its position
        self.name = name or (units[0].name if units else (tuning.name if tuning else ""))
        self.store = MetricStore()
        self.statuses: dict[str, JobStatus] = {}
        self.messages: collections.deque[WatchMessage] = collections.deque(maxlen=200)
        self.error: UserFacingError | None = None
        self.last_error: UserFacingError | None = None
        self.min_interval = min_interval
        self.max_interval = max_interval
        self.max_backoff = max_backoff
        self._user_definitions = list(user)
        self._suggest = suggest
        self._suggested: list[MetricDefinition] = []
        self._suggested_at = 0.0
        self._step_definition = step_definition
        self._units = list(units)
        self._round_errors: list[tuple[str, str]] = []
        self._tuning = tuning
        self._parsers: dict[tuple[str, str], _HostParser] = {}
        self._listeners: list[Callable[["Watch"], None]] = []
        self._poll_lock = threading.Lock()
        self._state_lock = threading.RLock()
        self._finished = threading.Event()
        self._closed = False
        self._paused = False
        self._interval = min_interval
        self._failures = 0
        self._held_total = 0
        self._hold = True
        self._message_count = 0
        self._poller = poller or Poller.default()
        if start:
            self._poller.add(self)

    # ----------------------------------------------------------------- constructors
    @classmethod
    def for_job(cls, name: str, metric_definitions=None, source: str = "logs", *,
                start: bool = True, describe_interval: float = 10.0, cursor=None,
                min_interval: float = 2.0, max_interval: float = 10.0,
                max_backoff: float = 60.0, poller=None, step_definition=None,
                **aws) -> "Watch":
        """Watch a SageMaker training job through its logs (``source="logs"``, parsed here
        with the job's definitions plus ``metric_definitions``) or through the metrics
        SageMaker published to CloudWatch (``source="metrics"``).

        ``aws``: ``region``, ``profile``, ``endpoint_url``, ``session``.

        Raises
        ------
        DefinitionError
            For a definition whose regex does not compile.
        AWSError
            When no client can be made (a missing profile, no region).
        """
        from metricwidgets.sources.aws import AWSOptions

        options = AWSOptions.from_kwargs(**aws)
        unit = _job_unit(name, options, source, describe_interval, cursor=cursor)
        return cls([unit], metric_definitions, start=start, min_interval=min_interval,
                   max_interval=max_interval, max_backoff=max_backoff, poller=poller,
                   step_definition=step_definition)

    @classmethod
    def for_tuning_job(cls, name: str, metric_definitions=None, source: str = "logs", *,
                       start: bool = True, describe_interval: float = 10.0,
                       min_interval: float = 2.0, max_interval: float = 10.0,
                       max_backoff: float = 60.0, poller=None, step_definition=None,
                       **aws) -> "Watch":
        """Watch a hyperparameter tuning job: every child training job, as the tuner
        launches them. The tuning objective and the best job are in
        ``statuses[name].extra``."""
        from metricwidgets.sources.aws import AWSOptions
        from metricwidgets.sources.tuning_job import TuningJobSource

        options = AWSOptions.from_kwargs(**aws)
        tuning = TuningJobSource(name, options, interval=describe_interval)
        tuning.child_source = source
        return cls([], metric_definitions, tuning=tuning, start=start,
                   min_interval=min_interval, max_interval=max_interval,
                   max_backoff=max_backoff, poller=poller, step_definition=step_definition,
                   name=name)

    @classmethod
    def for_command(cls, argv, metric_definitions=None, *, cwd=None, env=None, name=None,
                    start: bool = True, min_interval: float = 0.2, max_interval: float = 1.0,
                    poller=None, step_definition=None) -> "Watch":
        """Run ``argv`` and watch its output. With ``metric_definitions=None`` the
        definitions are suggested from the output seen so far
        (:func:`metricwidgets.core.suggest.suggest_definitions`), and held text is parsed
        again when new suggestions appear. Closing the watch kills the process group."""
        from metricwidgets.sources.local_process import LocalProcessSource

        process = LocalProcessSource(argv, cwd=cwd, env=env, name=name)
        try:
            return cls([_Unit(process.name, process)], metric_definitions,
                       suggest=metric_definitions is None, start=start,
                       min_interval=min_interval, max_interval=max_interval, poller=poller,
                       step_definition=step_definition)
        except BaseException:
            process.close()
            raise

    @classmethod
    def for_file(cls, path, metric_definitions=None, *, start: bool = True,
                 min_interval: float = 0.5, max_interval: float = 2.0, poller=None,
                 step_definition=None) -> "Watch":
        """Follow a log file (``tail -F``: truncation and rotation included). A file watch
        never finishes by itself; close it."""
        from metricwidgets.sources.local_file import LocalFileSource

        source = LocalFileSource(path)
        return cls([_Unit(source.name, source)], metric_definitions,
                   suggest=metric_definitions is None, start=start,
                   min_interval=min_interval, max_interval=max_interval, poller=poller,
                   step_definition=step_definition)

    # ----------------------------------------------------------------- public state
    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def sources(self) -> list[Source]:
        """The data sources (one per job or run)."""
        with self._state_lock:
            return [u.data for u in self._units]

    def _definitions_for(self, unit: _Unit | None) -> list[MetricDefinition]:
        job = unit.job_definitions if unit is not None else []
        return merge_definitions(merge_definitions(self._suggested, job),
                                 self._user_definitions)

    @property
    def definitions(self) -> list[MetricDefinition]:
        """The definitions in use: the jobs' own, merged with the user's (which win by
        name); for a command or file without definitions, the suggested ones."""
        with self._state_lock:
            job = [d for u in self._units for d in u.job_definitions]
            return merge_definitions(merge_definitions(self._suggested, job),
                                     self._user_definitions)

    def set_definitions(self, metric_definitions) -> None:
        """Replace the user's definitions; the text held so far is parsed again (new
        metrics appear with their whole history, no point is stored twice)."""
        user = load_definitions(metric_definitions)
        for d in user:
            d.compile()
        with self._poll_lock, self._state_lock:
            self._user_definitions = list(user)
            self._reparse_all()
        self._notify()

    def definition_stats(self) -> dict[str, DefinitionStats]:
        """Statistics per definition name, summed over every source and host."""
        total: dict[str, DefinitionStats] = {}
        with self._state_lock:
            parsers = list(self._parsers.values())
        for hp in parsers:
            for name, stats in zip(hp.names, hp.parser.stats):
                acc = total.setdefault(name, DefinitionStats())
                acc.points += stats.points
                for reason, count in stats.dropped.items():
                    acc.dropped[reason] = acc.dropped.get(reason, 0) + count
                for reason, drop in stats.examples.items():
                    acc.examples.setdefault(reason, drop)
                acc.disabled = acc.disabled or stats.disabled
        for d in self.definitions:
            total.setdefault(d.name, DefinitionStats())
        return total

    # ----------------------------------------------------------------- control
    def add_listener(self, callback: Callable[["Watch"], None]) -> None:
        """Call ``callback(watch)`` after every poll that changed something."""
        with self._state_lock:
            self._listeners.append(callback)

    def remove_listener(self, callback) -> None:
        with self._state_lock:
            if callback in self._listeners:
                self._listeners.remove(callback)

    def pause(self) -> None:
        """Stop polling until :meth:`resume` (sources keep their cursors)."""
        self._paused = True

    def resume(self) -> None:
        self._paused = False
        self._interval = self.min_interval
        if not self._closed and not self.finished:
            self._poller.add(self)

    def close(self) -> None:
        """Stop polling and release every source (a local process is killed). Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._poller.remove(self)
        with self._state_lock:
            units = list(self._units)
        for unit in units:
            for source in (unit.data, unit.status_source):
                if source is not None:
                    try:
                        source.close()
                    except Exception as exc:  # closing must finish for every source
                        self._message("warning", f"closing {unit.name}: {exc}")
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

    def poll_once(self) -> float:
        """Poll every source once, now, on the calling thread; return the delay the watch
        asks for before its next poll (seconds)."""
        with self._poll_lock:
            return self._round()

    # ----------------------------------------------------------------- the poll round
    def _message(self, level: str, text: str) -> None:
        with self._state_lock:
            last = self.messages[-1] if self.messages else None
            if last is not None and last.text == text:
                self.messages.pop()  # the same news again: refresh its time, do not flood
            self.messages.append(WatchMessage(level, text, time.time()))
            self._message_count += 1

    def _notify(self) -> None:
        with self._state_lock:
            listeners = list(self._listeners)
        for callback in listeners:
            try:
                callback(self)
            except Exception as exc:  # a broken listener must not stop the watch
                self._message("error", f"listener {getattr(callback, '__name__', callback)} "
                                       f"failed: {type(exc).__name__}: {exc}")

    def _round(self) -> float:
        if self._closed or self.finished:
            return self.max_interval
        # Statuses compare by value: sources build a new one each poll, mostly unchanged,
        # and an idle poll must not make every chart redraw.
        before = (self.store.version, self._message_count, dict(self.statuses))
        flowed = False
        failed: UserFacingError | None = None
        self._round_errors: list[tuple[str, str]] = []
        if self._tuning is not None:
            try:
                self._poll_tuning()
            except Exception as exc:
                failed = self._handle_error(self._tuning.name, exc)
        for unit in list(self._units):
            if self._closed:
                break  # close() must not wait for a round over 100 budgeted jobs
            if unit.finished:
                continue
            try:
                flowed |= self._poll_unit(unit)
            except Exception as exc:
                failed = self._handle_error(unit.name, exc) or failed
        self._check_finished()
        self.last_error = failed
        if failed is not None:
            self._failures += 1
            base = min(self.max_backoff, self.min_interval * 2 ** self._failures)
            delay = base * random.uniform(0.5, 1.0)
            if not (self.error is not None or self._closed):
                for level, text in self._round_errors:
                    self._message(level, f"{text} Trying again in {delay:.1f} s.")
        else:
            if self._failures:
                self._message("info", "recovered; polling again")
            self._failures = 0
            self._interval = self.min_interval if flowed else min(
                self.max_interval, self._interval * 1.5)
            delay = self._interval
        after = (self.store.version, self._message_count, dict(self.statuses))
        if after != before or self.finished:
            self._notify()
        return delay

    def _handle_error(self, name: str, exc: BaseException) -> UserFacingError | None:
        from metricwidgets.sources.aws import is_retryable, translate_error

        if isinstance(exc, UserFacingError):
            error = exc
        elif _is_aws_exception(exc):
            error = translate_error(exc, name)
        else:
            error = UserFacingError(f"{name}: {type(exc).__name__}: {exc}")
        if isinstance(error, AWSError) and error.code in _FATAL_CODES:
            self.error = error
            self._message("error", f"{error} Stopped watching.")
            with self._state_lock:
                self.statuses.setdefault(name, JobStatus(name, status="NotFound"))
            self._poller.remove(self)
            return error
        # Throttling, 5xx and an unreachable endpoint pass by themselves (a warning); other
        # errors (credentials, permission) need the user, but may be fixed while we wait.
        retry = isinstance(error, AWSError) and is_retryable(error)
        self._round_errors.append(("warning" if retry else "error", str(error)))
        return error

    def _poll_tuning(self) -> None:
        update = self._tuning.poll()
        if update.status is not None:
            with self._state_lock:
                self.statuses[self._tuning.name] = update.status
        for child in self._tuning.take_new_children():
            shared = child.startswith(self._tuning.name + "-")
            unit = _job_unit(child, self._tuning.options, self._tuning.child_source,
                             self._tuning.interval, clients=self._tuning.clients,
                             directory=self._tuning.directory if shared else None)
            with self._state_lock:
                self._units.append(unit)
            self._message("info", f"tuning job {self._tuning.name}: child {child} launched")

    def _poll_unit(self, unit: _Unit) -> bool:
        flowed = False
        if unit.status_source is not None:
            self._apply_status(unit, unit.status_source.poll().status)
        update: SourceUpdate = unit.data.poll()
        self._apply_status(unit, update.status)
        flowed |= self._apply_logs(unit, update)
        flowed |= self._apply_points(unit, update)
        if unit.terminal_seen and unit.data.finished:
            self._finish_unit(unit)
        elif unit.terminal_seen and hasattr(unit.data, "final_drain"):
            # Read once more on the next round: SageMaker flushes late events.
            unit.data.final_drain()
        return flowed

    def _apply_status(self, unit: _Unit, status: JobStatus | None) -> None:
        if status is None:
            return
        with self._state_lock:
            previous = self.statuses.get(unit.name)
            self.statuses[unit.name] = status
            if status.definitions and status.definitions != unit.job_definitions:
                unit.job_definitions = list(status.definitions)
                self._reparse_source(unit)
        if hasattr(unit.data, "on_status"):
            unit.data.on_status(status)
        if status.terminal:
            unit.terminal_seen = True
        if previous is None or previous.status != status.status:
            level = "error" if status.status == "Failed" else "info"
            text = f"{unit.name}: {status.status}"
            if status.failure_reason:
                text += f" ({status.failure_reason})"
            self._message(level, text)

    def _apply_logs(self, unit: _Unit, update: SourceUpdate) -> bool:
        flowed = False
        for batch in update.logs:
            if not (batch.lines or batch.text):
                continue
            flowed = True
            key = (unit.name, batch.host)
            with self._state_lock:
                hp = self._parsers.get(key)
                if hp is None:
                    hp = self._parsers[key] = _HostParser(
                        self._definitions_for(unit), self._step_definition,
                        batch.lines is None)
                result = hp.feed(batch, self._hold)
                self._account_held(batch)
            self.store.add_result(unit.name, batch.host, hp.names, result)
        if flowed and self._suggest:
            self._update_suggestions()
        return flowed

    def _account_held(self, batch) -> None:
        size = sum(map(len, batch.lines)) if batch.lines is not None else len(batch.text)
        self._held_total += size
        if self._hold and self._held_total > HOLD_LIMIT:
            self._hold = False
            for hp in self._parsers.values():
                hp.held, hp.held_bytes = [], 0
            self._message("warning", "the log is too large to keep in memory; definitions "
                                     "changed from now on apply to new lines only")

    def _apply_points(self, unit: _Unit, update: SourceUpdate) -> bool:
        added = 0
        for batch in update.points:
            from metricwidgets.core.store import SeriesKey

            added += self.store.add_points(SeriesKey(unit.name, batch.host, batch.metric),
                                           [float("nan")] * len(batch.values),
                                           batch.timestamps, batch.values)
        return added > 0

    def _finish_unit(self, unit: _Unit) -> None:
        unit.finished = True
        with self._state_lock:
            parsers = [(k, hp) for k, hp in self._parsers.items() if k[0] == unit.name]
        for (source, host), hp in parsers:
            if hp.text_mode:
                self.store.add_result(source, host, hp.names, hp.parser.finish())

    def _check_finished(self) -> None:
        with self._state_lock:
            units = list(self._units)
        if self._tuning is not None:
            status = self.statuses.get(self._tuning.name)
            if status is None or not status.terminal or self._tuning.has_unseen_children():
                return
        elif not units:
            return
        if all(u.finished for u in units):
            self._finished.set()
            self._poller.remove(self)

    # ----------------------------------------------------------------- definitions
    def _reparse_source(self, unit: _Unit) -> None:
        definitions = self._definitions_for(unit)
        for key, hp in list(self._parsers.items()):
            if key[0] != unit.name or hp.definitions == definitions:
                continue
            old = set(hp.definitions)
            fresh, result = hp.reparse(definitions)
            self._parsers[key] = fresh
            # Points of unchanged definitions are dropped by the store (line order); their
            # NaN marks would not be, so keep only the marks of new definitions.
            result.drops = [d for d in result.drops if definitions[d.metric] not in old]
            self.store.add_result(key[0], key[1], fresh.names, result)

    def _reparse_all(self) -> None:
        for unit in self._units:
            self._reparse_source(unit)

    def _update_suggestions(self) -> None:
        now = time.monotonic()
        if now - self._suggested_at < 1.0 and self._suggested:
            return
        self._suggested_at = now
        try:
            from metricwidgets.core.suggest import suggest_definitions
        except ImportError:
            self._message("warning", "no metric definitions given and no suggestion engine "
                                     "available; pass metric_definitions=...")
            self._suggest = False
            return
        with self._state_lock:
            text = "".join(hp.text() for hp in self._parsers.values())
        lines = text.splitlines()
        # Metrics show from the first epochs on; a bounded sample keeps this O(1) per poll.
        sample = "\n".join(lines[:400] + lines[-200:] if len(lines) > 600 else lines)
        try:
            found = load_definitions(suggest_definitions(sample))  # it escapes itself
        except Exception as exc:  # a suggestion bug must not stop the watch
            self._message("warning", f"suggesting definitions failed: {exc}")
            return
        known = {d.name for d in self._suggested}
        new = [d for d in found if d.name not in known]
        if not new:
            return
        with self._state_lock:
            self._suggested = self._suggested + new
            self._reparse_all()
        self._message("info", "suggested definitions: " + ", ".join(d.name for d in new))


def _is_aws_exception(exc: BaseException) -> bool:
    return type(exc).__module__.startswith(("botocore", "boto3"))


def _job_unit(name: str, options, source: str, describe_interval: float, cursor=None,
              clients: dict | None = None, directory=None) -> _Unit:
    from metricwidgets.errors import InputError
    from metricwidgets.sources.sagemaker_job import SageMakerJobSource

    clients = clients if clients is not None else {}
    status = SageMakerJobSource(name, options, client=clients.get("sagemaker"),
                                interval=describe_interval)
    if source == "logs":
        from metricwidgets.sources.cloudwatch_logs import CloudWatchLogsSource

        data = CloudWatchLogsSource(name, options, client=clients.get("logs"), cursor=cursor,
                                    directory=directory)
    elif source == "metrics":
        from metricwidgets.sources.cloudwatch_metrics import CloudWatchMetricsSource

        data = CloudWatchMetricsSource(name, options, client=clients.get("cloudwatch"))
    else:
        raise InputError(f"source must be 'logs' or 'metrics', not {source!r}")
    return _Unit(name, data, status)


class Poller:
    """One daemon thread that polls every registered watch when it is due.

    Watches ask for their next poll time after each round (adaptive interval or backoff);
    paused watches are skipped. The thread starts with the first watch and ends when the
    last one is removed, so no thread is left behind. Use :meth:`default` for the
    process-wide instance.
    """

    _default: "Poller | None" = None
    _default_lock = threading.Lock()

    def __init__(self, name: str = "metricwidgets-poller"):
        self.name = name
        self._cond = threading.Condition()
        self._due: dict[Watch, float] = {}
        self._thread: threading.Thread | None = None

    @classmethod
    def default(cls) -> "Poller":
        with cls._default_lock:
            if cls._default is None:
                cls._default = cls()
            return cls._default

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    @property
    def watches(self) -> list[Watch]:
        with self._cond:
            return list(self._due)

    def add(self, watch: Watch, delay: float = 0.0) -> None:
        """Poll ``watch`` after ``delay`` seconds, and then as it asks."""
        with self._cond:
            self._due[watch] = time.monotonic() + delay
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def remove(self, watch: Watch) -> None:
        with self._cond:
            self._due.pop(watch, None)
            self._cond.notify_all()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end (it does once no watch is left); True when it has."""
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _next(self) -> Watch | None:
        with self._cond:
            while True:
                if not self._due:
                    self._thread = None
                    return None
                now = time.monotonic()
                ready = [(t, id(w), w) for w, t in self._due.items() if not w.paused]
                if ready:
                    t, _, watch = min(ready, key=lambda item: item[:2])
                    if t <= now:
                        return watch
                    self._cond.wait(min(t - now, 1.0))
                else:
                    self._cond.wait(1.0)

    def _run(self) -> None:
        while True:
            watch = self._next()
            if watch is None:
                return
            try:
                with watch._poll_lock:
                    delay = watch._round()
            except BaseException as exc:  # the thread serves every watch: it must live on
                watch._message("error", f"internal error while polling: "
                                        f"{type(exc).__name__}: {exc}")
                delay = watch.max_backoff
            with self._cond:
                if watch in self._due:
                    self._due[watch] = time.monotonic() + delay
