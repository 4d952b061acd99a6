"""Findings as they appear: each callback of ``Watch.on_finding`` called once per finding.

A :class:`FindingFeed` belongs to one :class:`~metricwidgets.polling.watch.Watch`; the watch
calls :meth:`FindingFeed.check` after each poll round, on the poller's thread. The feed
diagnoses the watch's data (the metric diagnoses with the stall, or what the watch says its
findings are: a utilization watch gives idle GPU, memory or disk nearly full) when the data
changed, when the job ended, or every ``SILENT_CHECK`` seconds without news (a silence is a
finding too), and hands each callback every finding it has not had yet. A finding is the
same one while its ``kind``, ``job``, ``host`` and ``metric`` are (as in
:func:`~metricwidgets.core.diagnosis.merge_findings`): a divergence whose figures grow is
told once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["FindingFeed", "finding_identity", "metric_findings", "running_jobs"]

#: Seconds between two diagnoses while no data arrives (for a silence).
SILENT_CHECK = 10.0
#: Seconds between two diagnoses at most while data flows (each is O(series)).
BUSY_CHECK = 2.0


def finding_identity(finding) -> tuple:
    """What makes a finding the same one as it is said again on more data."""
    return (finding.kind, finding.job, finding.host, finding.metric)


def metric_findings(watch) -> list:
    """The findings of a metrics watch now: the curves' diagnoses and the stall (a silence
    only for the jobs still in progress)."""
    from metricwidgets.core.diagnosis import diagnose_store

    return diagnose_store(watch.store, now=time.time(), running=running_jobs(watch))


def running_jobs(watch) -> set:
    """The names of the watch's jobs (or runs) in progress now."""
    return {name for name, status in dict(watch.statuses).items()
            if status.status == "InProgress"}


class FindingFeed:
    """Every callback called once with each finding of the watch, from the poller's thread.

    Parameters
    ----------
    watch : Watch
    diagnose : callable
        ``diagnose(watch) -> list of Finding``, the findings of the data now.
    clock : callable
        Monotonic seconds.
    soon : callable, optional
        ``soon(action)`` runs ``action`` on the poller's thread before what is due
        (:meth:`Scheduler.call_soon`): a callback added hears what is known at once.
    tell : callable, optional
        ``tell(level, text)`` adds a watch message (a callback that failed).
    """

    def __init__(self, watch, diagnose: Callable = metric_findings,
                 clock: Callable[[], float] = time.monotonic, *,
                 soon: Callable | None = None, tell: Callable[[str, str], None] | None = None):
        self.watch = watch
        self.diagnose = diagnose
        self._soon = soon
        self._tell = tell or (lambda level, text: None)
        self._clock = clock
        self._lock = threading.Lock()
        self._delivering = threading.Lock()  # one check at a time: nothing told twice
        self._callbacks: list[tuple[Callable, set]] = []
        self._found: dict[tuple, object] = {}
        self._last_check = -float("inf")
        self._last_state = None

    @property
    def found(self) -> list:
        """Every finding made so far (each once, first said)."""
        with self._lock:
            return list(self._found.values())

    def add(self, callback: Callable) -> None:
        """Call ``callback(finding)`` once for every finding of the watch's data: each
        :class:`~metricwidgets.core.diagnosis.Finding` (overfitting, divergence, NaN/Inf,
        plateau, stall; a utilization watch's idle GPU, memory or disk nearly full) once,
        when it first appears, and those found before the callback was added.

        The callback runs **on the poller's thread** (never the caller's, nor the kernel's
        main thread), after the poll round that brought the data; it must be quick and
        thread-safe. It is not called again for the same finding (same kind, job, host and
        metric) as its figures change. An exception it raises becomes a watch message.
        """
        with self._lock:
            self._callbacks.append((callback, set()))
            self._last_state = None  # deliver what is known at the next check
        if self._soon is not None and not self.watch.closed:
            self._soon(lambda: self.check(force=True))

    def flush(self) -> None:
        """Diagnose now and call the callbacks with what they have not had, on the calling
        thread (after a check in progress on the poller's thread ends): a door that saw the
        watch finish hears its last findings before it says it ended."""
        self.check(force=True)

    def remove(self, callback: Callable) -> None:
        with self._lock:
            self._callbacks = [(c, d) for c, d in self._callbacks if c is not callback]

    def _due(self, force: bool) -> bool:
        state = (self.watch.store.version, self.watch.finished, len(self._callbacks))
        elapsed = self._clock() - self._last_check
        if force or (state != self._last_state and elapsed >= BUSY_CHECK) or \
                elapsed >= SILENT_CHECK or (self.watch.finished and state != self._last_state):
            self._last_state = state
            self._last_check = self._clock()
            return True
        return False

    def check(self, force: bool = False) -> None:
        """Diagnose if due, and call each callback with the findings it has not had.

        A callback that raises is told in the watch's messages; the others still run.
        """
        with self._delivering:
            self._check(force)

    def _check(self, force: bool) -> None:
        with self._lock:
            if not self._callbacks or not self._due(force):
                return
        found = self.diagnose(self.watch)
        with self._lock:
            for finding in found:
                self._found.setdefault(finding_identity(finding), finding)
            pending = [(callback, [f for key, f in self._found.items() if key not in done],
                        done) for callback, done in self._callbacks]
        for callback, findings, done in pending:
            for finding in findings:
                done.add(finding_identity(finding))
                try:
                    callback(finding)
                except Exception as exc:  # noqa: BLE001 a callback must not stop the watch
                    self._tell("error", f"on_finding callback failed: "
                                        f"{type(exc).__name__}: {exc}")
