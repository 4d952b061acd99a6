"""CloudWatch Logs' filter-pattern semantics for the subset metricwidgets sends, in Python.

Emulated (from CloudWatch Logs' "Filter pattern syntax" and "Supported regular expressions
(regex) syntax" pages):

* ``""``: every event.
* a regex pattern ``%...%``: an unanchored, case-sensitive search of the message. Only ASCII
  letters and digits, the symbols ``: _ # = @ / ; , -`` and the operators
  ``^ $ ? [ ] { } | \\ * + .`` are accepted; parentheses and multi-byte characters are
  rejected (CloudWatch answers ``InvalidParameterException``), as is a pattern holding more
  than two regexes. Within that alphabet the operators mean what they mean to Python's
  ``re``, which evaluates it here.
* anything else (term patterns, JSON and space-delimited patterns): :data:`UNSUPPORTED`; the
  caller keeps moto's own behaviour for those.

Logs Insights' ``like /regex/`` conditions are evaluated with the same regex subset.
"""

from __future__ import annotations

import re

__all__ = ["PatternError", "UNSUPPORTED", "compile_filter_pattern", "compile_insights_regex"]

#: Returned for a pattern this module does not emulate.
UNSUPPORTED = object()

_REGEX_ALPHABET = re.compile(r"[A-Za-z0-9:_#=@/;,\-\^$?\[\]{}|\\*+.]*")


class PatternError(ValueError):
    """A pattern CloudWatch Logs rejects (the message says why)."""


def _checked(body: str) -> re.Pattern[str]:
    if not _REGEX_ALPHABET.fullmatch(body):
        bad = sorted(set(_REGEX_ALPHABET.sub("", body)))
        raise PatternError(f"Invalid character(s) in regex filter pattern: {''.join(bad)!r}")
    try:
        return re.compile(body)
    except re.error as exc:
        raise PatternError(f"Invalid regex filter pattern: {exc}") from None


def compile_filter_pattern(pattern: str | None):
    """A predicate ``message -> bool`` for a ``FilterLogEvents`` pattern, or
    :data:`UNSUPPORTED`.

    Raises
    ------
    PatternError
        A regex pattern CloudWatch would reject.
    """
    pattern = (pattern or "").strip()
    if not pattern:
        return lambda message: True
    if len(pattern) >= 2 and pattern[0] == "%" and pattern[-1] == "%":
        body = pattern[1:-1]
        if "%" in body:
            raise PatternError("Only one regex per filter pattern is emulated")
        compiled = _checked(body)
        return lambda message: compiled.search(message) is not None
    return UNSUPPORTED


def compile_insights_regex(body: str) -> re.Pattern[str]:
    """The regex of a Logs Insights ``like /body/`` condition (same alphabet, case-sensitive).

    Raises
    ------
    PatternError
    """
    return _checked(body)
