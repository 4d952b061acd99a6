"""Coalesce bursts of change notifications into at most one call per interval.

The poller notifies a plot after every poll that changed something, possibly many times a
second; redrawing each time would flood the browser. :class:`Throttle` runs the function at
once when it has been idle long enough, otherwise once at the end of the interval (one timer
at most), so the last change is always drawn.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

__all__ = ["Throttle"]


class Throttle:
    """Call ``function`` at most once per ``interval`` seconds, never dropping the last call.

    Thread-safe. :meth:`cancel` stops a pending timer (no thread is left behind).
    """

    def __init__(self, function: Callable[[], None], interval: float = 0.3):
        self._function = function
        self.interval = interval
        self._lock = threading.Lock()
        self._last = -float("inf")
        self._timer: threading.Timer | None = None
        self._cancelled = False

    def __call__(self) -> None:
        with self._lock:
            if self._cancelled or self._timer is not None:
                return  # a call is already pending: it will draw this change too
            wait = self._last + self.interval - time.monotonic()
            if wait > 0:
                self._timer = threading.Timer(wait, self._fire)
                self._timer.daemon = True
                self._timer.start()
                return
            self._last = time.monotonic()
        self._function()

    def call_later(self, delay: float) -> None:
        """Call ``function`` once ``delay`` seconds from now, unless a call is already
        pending (which will do)."""
        with self._lock:
            if self._cancelled or self._timer is not None:
                return
            self._timer = threading.Timer(max(0.0, delay), self._fire)
            self._timer.daemon = True
            self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            self._timer = None
            if self._cancelled:
                return
            self._last = time.monotonic()
        self._function()

    def cancel(self) -> None:
        """Drop any pending call and refuse new ones."""
        with self._lock:
            self._cancelled = True
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
            if timer is not threading.current_thread():
                timer.join(5)
