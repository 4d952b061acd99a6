"""Errors a user can act on, shown as one clear line by every door (CLI, magic, widget).

Anything raised as a :class:`UserFacingError` is an expected condition (bad input, a missing
job, expired credentials, throttling) whose message alone tells the user what to do; the doors
print it without a traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["UserFacingError", "InputError", "AWSError"]


class UserFacingError(Exception):
    """An expected failure whose message is written for the user."""


class InputError(UserFacingError, ValueError):
    """Bad input from the user: a definition, a file, an argument."""


class AWSError(UserFacingError):
    """An AWS call failed in a way the user can act on.

    Attributes
    ----------
    code : str
        A short category: ``credentials``, ``permission``, ``not-found``, ``throttled``,
        ``unreachable`` or the AWS error code.
    http_status : int
        The status a REST door answers with (401, 403, 404, 429, 502, ...).
    """

    def __init__(self, message: str, code: str = "aws", http_status: int = 502):
        super().__init__(message)
        self.code = code
        self.http_status = http_status
