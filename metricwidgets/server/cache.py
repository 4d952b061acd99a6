"""A short-lived cache of AWS answers shared by every request of the server.

Many browser tabs refresh the same sidebar every few seconds. Identical requests within
``ttl`` seconds get the same answer, and identical requests that arrive while one is in
flight wait for it instead of calling AWS again, so N tabs cost one call per ``ttl``.
Failures are shared by the waiters of that flight but never cached. A flight whose every
waiter went away (the clients left, or their deadline passed) is cancelled, so work still
queued for a worker thread is dropped instead of starving the requests behind it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

__all__ = ["AnswerCache"]


class AnswerCache:
    """Keyed answers kept for ``ttl`` seconds; concurrent misses of one key share one call.

    Parameters
    ----------
    ttl : float
        Seconds an answer stays fresh (0 disables caching; in-flight sharing remains).
    max_entries : int
        Oldest entries are dropped beyond this many.

    Notes
    -----
    Not thread-safe: use it from the server's event loop only.
    """

    def __init__(self, ttl: float, max_entries: int = 256,
                 clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._answers: dict[Hashable, tuple[float, Any]] = {}
        self._flights: dict[Hashable, asyncio.Future] = {}
        self._waiters: dict[Hashable, int] = {}

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[Any]]) -> Any:
        """The fresh answer for ``key``, computing it with ``compute()`` on a miss."""
        cached = self._answers.get(key)
        if cached is not None and self._clock() - cached[0] < self.ttl:
            return cached[1]
        flight = self._flights.get(key)
        if flight is None or flight.cancelled():  # a cancelled one lands soon; start anew
            flight = asyncio.ensure_future(compute())
            self._flights[key] = flight
            flight.add_done_callback(lambda done: self._land(key, done))
        self._waiters[key] = self._waiters.get(key, 0) + 1
        try:
            # shield: one cancelled request must not cancel the call the other tabs wait for
            return await asyncio.shield(flight)
        finally:
            self._waiters[key] -= 1
            if not self._waiters[key]:
                del self._waiters[key]
                if not flight.done():  # the last waiter left: nobody wants the answer
                    flight.cancel()

    def _land(self, key: Hashable, flight: asyncio.Future) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if flight.cancelled() or flight.exception() is not None or self.ttl <= 0:
            return
        self._answers[key] = (self._clock(), flight.result())
        while len(self._answers) > self.max_entries:
            self._answers.pop(next(iter(self._answers)))

    def clear(self) -> None:
        """Forget every answer (flights in progress still land)."""
        self._answers.clear()
