"""Protection against catastrophic regexes: no metric definition may freeze the kernel.

A backtracking regex such as ``(a+)+$``, ``(a|aa)+$`` or ``(x+x+)+y`` takes exponential time
on a long line that almost matches. Python's ``re`` cannot be interrupted: it holds the GIL
for the whole search, so a poller thread running it freezes the kernel, and a timer thread
cannot even run to notice.

Mechanism chosen
----------------
1. **Static triage.** :func:`is_risky` inspects the parsed regex. Exponential backtracking
   needs a repeat (``+``, ``*``, ``{m,n}`` with n > 1) whose body can itself match in
   several ways: a nested repeat, an alternation or a back-reference. Every SageMaker
   built-in regex and every regex in SageMaker's examples is free of this shape (the
   exponent group ``(?:[eE][-+]?[0-9]+)?`` repeats at most once), so they keep running on
   ``re``, at full speed and with ``re``'s exact semantics.
2. **A time budget for the rest.** A risky definition is searched line by line with the
   ``regex`` module (``VERSION0``, its ``re``-compatible mode), with ``timeout=`` seconds per
   line and ``concurrent=True`` (the GIL is released while it searches, so the kernel stays
   responsive even during that second). When a search times out, :class:`RegexTimeout` is
   raised; the parser disables that definition with :func:`disabled_message` and every other
   definition goes on producing every point.

Why not the alternatives: a killable worker process per definition costs a process start and
an IPC round trip per chunk for *every* definition, and fork-ing a kernel that runs threads
is unsafe; google-re2 refuses back-references and lookarounds, which SageMaker's flavour
(Python ``re``) allows; a timer thread cannot interrupt ``re`` at all.

Known limits, stated honestly: ``regex`` differs from ``re`` in a few Unicode details (which
characters count as ``\\w``/``\\s``, case folding of some scripts); only risky definitions
are affected, and only on such characters. Polynomial backtracking (``.*.*.*x``) is not
triaged as risky: its cost grows with a power of the line length, harmless on ordinary log
lines; the parser sends every line longer than ``metricwidgets.core.parser.LONG_LINE``
characters through :class:`GuardedPattern` for every definition, so that a very long line
cannot freeze the kernel either.
"""

from __future__ import annotations

import re
from typing import Optional

import regex

try:  # Python >= 3.11
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

__all__ = ["RegexTimeout", "GuardedPattern", "is_risky", "disabled_message", "DEFAULT_TIMEOUT"]

#: Seconds one line may take a risky regex before its definition is disabled.
DEFAULT_TIMEOUT = 1.0

_REPEATS = {_sre.MAX_REPEAT, _sre.MIN_REPEAT}
if hasattr(_sre, "POSSESSIVE_REPEAT"):
    _REPEATS.add(_sre.POSSESSIVE_REPEAT)
#: Inside a multiply repeated body, these make the number of ways to match grow exponentially.
_AMBIGUOUS = _REPEATS | {_sre.BRANCH, _sre.GROUPREF, _sre.GROUPREF_EXISTS}


class RegexTimeout(Exception):
    """A regex search ran past its time budget."""


def _children(op, av):
    """The sub-patterns directly inside one parsed node."""
    if op in _REPEATS:
        return [av[2]]
    if op is _sre.SUBPATTERN:
        return [av[-1]]
    if op is _sre.BRANCH:
        return list(av[1])
    if op in (_sre.ASSERT, _sre.ASSERT_NOT):
        return [av[1]]
    if op is _sre.GROUPREF_EXISTS:
        return [p for p in av[1:] if p is not None]
    if getattr(_sre, "ATOMIC_GROUP", None) is op:
        return [av]
    return []


def _contains(sub, ops) -> bool:
    for op, av in sub.data:
        if op in ops or any(_contains(child, ops) for child in _children(op, av)):
            return True
    return False


def _risky(sub) -> bool:
    for op, av in sub.data:
        if op in _REPEATS and av[1] > 1 and _contains(av[2], _AMBIGUOUS):
            return True
        if any(_risky(child) for child in _children(op, av)):
            return True
    return False


def is_risky(pattern: str) -> bool:
    """Whether ``pattern`` may backtrack exponentially (a repeat over an ambiguous body).

    Raises
    ------
    re.error
        When the pattern does not compile.
    """
    return _risky(_sre_parse.parse(pattern))


def disabled_message(name: str, timeout: float) -> str:
    """The one-line message shown for a definition switched off by its time budget."""
    return (f"metric definition {name!r} was disabled: its regex took more than {timeout:g} s "
            f"on one line (catastrophic backtracking); rewrite it without nested repeats "
            f"such as (a+)+ or (a|aa)+")


class GuardedPattern:
    """A regex searched line by line under a time budget.

    Parameters
    ----------
    pattern : str
        A Python ``re`` pattern (already validated with ``re``).
    timeout : float
        Seconds a single search may take.

    Notes
    -----
    Thread-safe: the compiled pattern holds no state between calls.
    """

    def __init__(self, pattern: str, timeout: float = DEFAULT_TIMEOUT):
        self.timeout = float(timeout)
        flags = regex.VERSION0
        self.compiled = regex.compile(pattern, flags)
        self.groups = re.compile(pattern).groups

    def search(self, line: str) -> Optional["regex.Match"]:
        """Search one line; raise :class:`RegexTimeout` past the budget."""
        try:
            return self.compiled.search(line, timeout=self.timeout, concurrent=True)
        except TimeoutError:
            raise RegexTimeout(f"search exceeded {self.timeout:g} s") from None
