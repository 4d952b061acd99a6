"""Errors a user can act on, shown as one clear line by every door (CLI, magic, widget).

Anything raised as a :class:`UserFacingError` is an expected condition (bad input, a missing
job, expired credentials, throttling) whose message alone tells the user what to do; the doors
print it without a traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import re

__all__ = ["AWSError", "InputError", "UserFacingError", "error_line", "one_line"]

_HTML = re.compile(r"<\s*(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def error_line(exc: BaseException) -> str:
    """An exception as one line for a widget's status: its message's first line, or its
    type's name when it has no message."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def one_line(text: str, limit: int = 200) -> str:
    """Make a message from elsewhere (a server's answer) fit one line of ours.

    An HTML page (a proxy's or a wrong endpoint's error page) becomes a short note with its
    title; other text has its whitespace collapsed and is cut at ``limit`` characters.
    """
    if _HTML.search(text):
        title = _TITLE.search(text)
        named = f" titled {' '.join(title.group(1).split())[:80]!r}" if title else ""
        return (f"the endpoint answered with an HTML page{named}, not an AWS API answer "
                f"(is the endpoint URL right?)")
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


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
        The status a REST door answers with (404, 424, 429, 502, ...).
    """

    def __init__(self, message: str, code: str = "aws", http_status: int = 502):
        super().__init__(message)
        self.code = code
        self.http_status = http_status
