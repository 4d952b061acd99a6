"""How often a watch polls, and what an error means for it.

:class:`BackoffPolicy` keeps a watch's next due time: the interval adapts (``min_interval``
while data flows, growing by half up to ``max_interval`` while idle) and, after failed rounds,
backs off exponentially with jitter up to ``max_backoff``. The clock and the jitter are
injectable, so tests step time instead of sleeping.

:func:`classify_error` turns whatever a source raised into a :class:`ErrorVerdict`: the
user-facing error, whether polling again can help, and how loud the message should be.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from metricwidgets.errors import AWSError, UserFacingError

__all__ = ["FATAL_CODES", "BackoffPolicy", "ErrorVerdict", "classify_error"]

#: Errors after which polling again cannot help.
FATAL_CODES = frozenset({"not-found"})


class BackoffPolicy:
    """The adaptive interval and the error backoff of one watch.

    Parameters
    ----------
    min_interval, max_interval : float
        Seconds between polls while data flows, and at most while idle.
    max_backoff : float
        Most seconds between polls after errors.
    clock : callable
        Monotonic seconds (default :func:`time.monotonic`).
    jitter : callable
        ``jitter(low, high)`` -> a factor in [low, high] (default :func:`random.uniform`).

    Attributes
    ----------
    interval : float
        The current idle-adapted interval.
    failures : int
        Failed rounds in a row.
    due : float
        Clock time of the next poll.
    """

    def __init__(self, min_interval: float = 2.0, max_interval: float = 10.0,
                 max_backoff: float = 60.0, clock: Callable[[], float] = time.monotonic,
                 jitter: Callable[[float, float], float] = random.uniform):
        self.min_interval = min_interval
        self.max_interval = max_interval
        self.max_backoff = max_backoff
        self.clock = clock
        self.jitter = jitter
        self.interval = min_interval
        self.failures = 0
        self.due = clock()

    def succeeded(self, flowed: bool) -> float:
        """A round went well: the delay before the next (short when data flowed)."""
        self.failures = 0
        self.interval = self.min_interval if flowed else min(self.max_interval,
                                                             self.interval * 1.5)
        return self.interval

    def failed(self) -> float:
        """A round failed: the next delay, doubling per failure in a row, jittered."""
        self.failures += 1
        base = min(self.max_backoff, self.min_interval * 2 ** self.failures)
        return base * self.jitter(0.5, 1.0)

    def schedule(self, delay: float) -> None:
        """Be due ``delay`` seconds from now."""
        self.due = self.clock() + delay

    def restart(self) -> None:
        """Poll at once, at the shortest interval (after a pause)."""
        self.interval = self.min_interval
        self.due = self.clock()


@dataclass(frozen=True)
class ErrorVerdict:
    """What an error of a poll round means.

    Attributes
    ----------
    error : UserFacingError
    fatal : bool
        Polling again cannot help (an unknown job): the watch stops.
    level : str
        ``warning`` for what passes by itself (throttling, 5xx, unreachable), else ``error``
        (credentials, permission: the user may fix them while the watch retries).
    """

    error: UserFacingError
    fatal: bool
    level: str


def _is_aws_exception(exc: BaseException) -> bool:
    return type(exc).__module__.startswith(("botocore", "boto3"))


def classify_error(name: str, exc: BaseException) -> ErrorVerdict:
    """The verdict on ``exc``, raised while polling the source called ``name``."""
    if isinstance(exc, UserFacingError):
        error = exc
    elif _is_aws_exception(exc):
        from metricwidgets.sources.aws import translate_error

        error = translate_error(exc, name)
    else:
        error = UserFacingError(f"{name}: {type(exc).__name__}: {exc}")
    if isinstance(error, AWSError) and error.code in FATAL_CODES:
        return ErrorVerdict(error, True, "error")
    retry = False
    if isinstance(error, AWSError):
        from metricwidgets.sources.aws import is_retryable

        retry = is_retryable(error)
    return ErrorVerdict(error, False, "warning" if retry else "error")
