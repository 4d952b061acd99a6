"""Waiting on a condition with a deadline: the one polling loop every test layer uses.

Tests never sleep for a fixed time to let something happen; they poll a condition until it
holds or a deadline passes.
"""

from __future__ import annotations

import time


def poll_until(predicate, timeout: float, interval: float = 0.02):
    """Call ``predicate`` until it returns a truthy value; return that value, or None once
    ``timeout`` seconds have passed (for ``assert poll_until(...)``)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


def wait_until(predicate, timeout: float, interval: float = 0.2, what: str = "condition"):
    """Like :func:`poll_until`, but raise TimeoutError naming ``what`` at the deadline."""
    value = poll_until(predicate, timeout, interval)
    if not value:
        raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
    return value
