"""The errors of one poll round of a watch, and the one line each kind becomes.

A round polls every job of a :class:`~metricwidgets.polling.watch.Watch`; several may fail.
Errors that pass by themselves or that the user may fix while the watch waits are reported
each on its line, with the retry delay. Errors that polling again cannot mend (an unknown
job: :data:`~metricwidgets.polling.backoff.FATAL_CODES`) stop the watch; they are gathered
over the whole round first, so ``%metrics --compare a b c`` with three unknown jobs says
so in one line naming all three, not only the first (or the last) one.
"""

from __future__ import annotations

from metricwidgets.errors import AWSError, UserFacingError
from metricwidgets.polling.backoff import classify_error

__all__ = ["RoundErrors", "one_error"]


def _listed(names: list[str]) -> str:
    quoted = [repr(name) for name in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def one_error(failures: list[tuple[str, UserFacingError]]) -> UserFacingError:
    """One error, one line, for the failures ``[(job name, error), ...]`` of several jobs
    (a poll round's stopping errors, a backfill's jobs).

    One failure is returned as it is. Several unknown jobs (code ``not-found``) become one
    ``not-found`` :class:`AWSError` naming all of them in the order given; the other
    errors follow on the same line.
    """
    if len(failures) == 1:
        return failures[0][1]
    missing = list(dict.fromkeys(name for name, error in failures
                                 if getattr(error, "code", None) == "not-found"))
    others = [str(error) for name, error in failures
              if getattr(error, "code", None) != "not-found"]
    parts = []
    if len(missing) > 1:
        parts.append(f"training jobs {_listed(missing)} were not found (check the names "
                     "and the region).")
    elif missing:
        parts.append(next(str(error) for name, error in failures if name == missing[0]))
    parts.extend(dict.fromkeys(others))
    first = failures[0][1]
    if missing:
        return AWSError(" ".join(parts), "not-found", 404)
    return AWSError(" ".join(parts), first.code, first.http_status) \
        if isinstance(first, AWSError) else UserFacingError(" ".join(parts))


class RoundErrors:
    """What went wrong in one poll round.

    Attributes
    ----------
    stopping : list of (str, UserFacingError)
        Errors polling again cannot mend, by job name, in the order polled.
    passing : list of (str, str)
        ``(level, text)`` of the others: the watch retries after a delay.
    last : UserFacingError or None
        The latest error of the round (the watch's ``last_error``).
    """

    def __init__(self):
        self.stopping: list[tuple[str, UserFacingError]] = []
        self.passing: list[tuple[str, str]] = []
        self.last: UserFacingError | None = None

    def add(self, name: str, exc: BaseException) -> None:
        """Record ``exc``, raised while polling the source called ``name``."""
        verdict = classify_error(name, exc)
        if verdict.fatal:
            self.stopping.append((name, verdict.error))
        else:
            # Throttling, 5xx and an unreachable endpoint pass by themselves (a warning);
            # other errors (credentials, permission) need the user, but may be fixed while
            # we wait.
            self.passing.append((verdict.level, str(verdict.error)))
        self.last = verdict.error

    def stopping_error(self) -> UserFacingError | None:
        """The one error that stops the watch (see :func:`one_error`), or None."""
        return one_error(self.stopping) if self.stopping else None

    def stopped_jobs(self) -> list[str]:
        """The names of the jobs whose errors stop the watch."""
        return [name for name, _ in self.stopping]
