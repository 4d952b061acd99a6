"""One daemon thread that polls every scheduled item when it is due.

The scheduler knows nothing of watches: it schedules anything that satisfies the small
:class:`Schedulable` protocol (its next due time, poll once, close). A
:class:`~metricwidgets.polling.watch.Watch` is one; anything else that must be polled off the
kernel's main thread (a utilization sampler, say) can be another::

    class Sampler:
        def __init__(self):
            self.due = time.monotonic()
        def next_due(self):            # when to call poll_once next; None: not now
            return self.due
        def poll_once(self):           # do one round; report errors yourself
            ...
            self.due = time.monotonic() + 5.0
        def close(self):
            Scheduler.default().remove(self)

    Scheduler.default().add(Sampler())

The thread starts with the first item and ends when the last one is removed, so no thread is
left behind. Use :meth:`Scheduler.default` for the process-wide instance (one thread serves
every watch of the kernel).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = ["Schedulable", "Scheduler"]

_log = logging.getLogger(__name__)


@runtime_checkable
class Schedulable(Protocol):
    """What the scheduler polls.

    ``next_due`` is asked often, from the scheduler's thread, with its lock held: it must be
    cheap and must not block (read a number). ``poll_once`` runs on the scheduler's thread,
    one item at a time; it reports its own errors (an exception escaping it is logged and the
    item is retried after :attr:`Scheduler.error_delay`). ``close`` releases the item, which
    then removes itself with :meth:`Scheduler.remove`.
    """

    def next_due(self) -> float | None:
        """The scheduler-clock time of the next poll, or None while there is nothing to do
        (paused)."""

    def poll_once(self) -> object:
        """Poll once, now."""

    def close(self) -> None:
        """Stop for good."""


class Scheduler:
    """Polls every added :class:`Schedulable` on one daemon thread, each when it is due.

    Parameters
    ----------
    name : str
        The thread's name.
    clock : callable
        Monotonic seconds, the clock of the due times (injectable for tests).
    idle_wait : float
        Most real seconds the thread waits before looking at the due times again (an item
        may be due earlier than it said, after a resume: :meth:`wake` says so at once).
    error_delay : float
        Seconds an item whose ``poll_once`` raised waits before its next poll.
    """

    _default: Scheduler | None = None
    _default_lock = threading.Lock()

    def __init__(self, name: str = "metricwidgets-poller",
                 clock: Callable[[], float] = time.monotonic, idle_wait: float = 1.0,
                 error_delay: float = 60.0):
        self.name = name
        self.clock = clock
        self.idle_wait = idle_wait
        self.error_delay = error_delay
        self._cond = threading.Condition()
        self._items: dict[Schedulable, int] = {}  # item -> order of addition (ties)
        self._held_off: dict[Schedulable, float] = {}
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    @classmethod
    def default(cls) -> Scheduler:
        """The process-wide scheduler."""
        with cls._default_lock:
            if cls._default is None:
                cls._default = cls()
            return cls._default

    @property
    def thread(self) -> threading.Thread | None:
        """The polling thread while it runs, else None."""
        return self._thread

    @property
    def items(self) -> list[Schedulable]:
        """Everything scheduled, in the order it was added."""
        with self._cond:
            return list(self._items)

    #: The former name of :attr:`items`.
    watches = items

    def add(self, item: Schedulable) -> None:
        """Poll ``item`` whenever its ``next_due`` has come (adding it twice is harmless)."""
        with self._cond:
            self._items.setdefault(item, next(self._order))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def remove(self, item: Schedulable) -> None:
        """Poll ``item`` no more (harmless when it is not scheduled)."""
        with self._cond:
            self._items.pop(item, None)
            self._held_off.pop(item, None)
            self._cond.notify_all()

    def call_soon(self, action: Callable[[], object]) -> None:
        """Call ``action()`` once on the scheduler's thread, before anything else due (work
        that must not run on the caller's thread, such as parsing a job's text again)."""
        self.add(_Once(self, action))

    def wake(self) -> None:
        """Look at the due times now (an item became due earlier than it said)."""
        with self._cond:
            self._cond.notify_all()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end (it does once no item is left); True when it has."""
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def close(self, timeout: float | None = None) -> bool:
        """Close every item, then wait for the thread to end; True when it has."""
        for item in self.items:
            item.close()
            self.remove(item)
        return self.join(timeout)

    def _due(self, item: Schedulable) -> float | None:
        due = item.next_due()
        held_off = self._held_off.get(item)
        if due is None or held_off is None:
            return due
        return max(due, held_off)

    def _next(self) -> Schedulable | None:
        with self._cond:
            while True:
                if not self._items:
                    self._thread = None
                    return None
                now = self.clock()
                ready = [(due, order, item) for item, order in self._items.items()
                         if (due := self._due(item)) is not None]
                if ready:
                    due, _, item = min(ready, key=lambda entry: entry[:2])
                    if due <= now:
                        return item
                    self._cond.wait(min(due - now, self.idle_wait))
                else:
                    self._cond.wait(self.idle_wait)

    def _run(self) -> None:
        while True:
            item = self._next()
            if item is None:
                return
            try:
                item.poll_once()
            except BaseException:  # noqa: BLE001 the thread serves every item: it must live on
                _log.exception("polling %r failed; trying again in %.0f s", item,
                               self.error_delay)
                with self._cond:
                    if item in self._items:
                        self._held_off[item] = self.clock() + self.error_delay
            else:
                with self._cond:
                    self._held_off.pop(item, None)


class _Once:
    """The :class:`Schedulable` behind :meth:`Scheduler.call_soon`: due at once, polled once."""

    def __init__(self, scheduler: Scheduler, action: Callable[[], object]):
        self.scheduler = scheduler
        self.action = action

    def next_due(self) -> float:
        return float("-inf")

    def poll_once(self) -> None:
        self.scheduler.remove(self)  # first: an action that raises is not retried
        self.action()

    def close(self) -> None:
        self.scheduler.remove(self)
