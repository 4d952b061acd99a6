"""Waiting on a condition with a deadline: the one polling loop every test layer uses.

Tests never sleep for a fixed time to let something happen; they poll a condition until it
holds or a deadline passes, or they inject a :class:`FakeClock` where the code takes a clock.
"""

from __future__ import annotations

import asyncio
import time


class _Attempts:
    """Calls of ``predicate`` until it returns a truthy value or ``timeout`` s have passed."""

    def __init__(self, predicate, timeout: float):
        self.predicate = predicate
        self.deadline = time.monotonic() + timeout
        self.value = None

    def over(self) -> bool:
        """Call the predicate once; True when it held (see :attr:`value`) or time is up."""
        value = self.predicate()
        if value:
            self.value = value
            return True
        return time.monotonic() > self.deadline


def poll_until(predicate, timeout: float, interval: float = 0.02):
    """Call ``predicate`` until it returns a truthy value; return that value, or None once
    ``timeout`` seconds have passed (for ``assert poll_until(...)``)."""
    attempts = _Attempts(predicate, timeout)
    while not attempts.over():
        time.sleep(interval)
    return attempts.value


def wait_until(predicate, timeout: float, interval: float = 0.2, what: str = "condition"):
    """Like :func:`poll_until`, but raise TimeoutError naming ``what`` at the deadline."""
    value = poll_until(predicate, timeout, interval)
    if not value:
        raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
    return value


async def poll_until_async(predicate, timeout: float, interval: float = 0.05):
    """:func:`poll_until` for a test running on an event loop (a server's): it awaits
    between calls instead of blocking the loop the condition depends on."""
    attempts = _Attempts(predicate, timeout)
    while not attempts.over():
        await asyncio.sleep(interval)
    return attempts.value


class FakeClock:
    """Seconds that move only when a test sets :attr:`now` (for any ``clock=`` parameter)."""

    def __init__(self, now: float = 0.0):
        self.now = now

    def __call__(self) -> float:
        return self.now
