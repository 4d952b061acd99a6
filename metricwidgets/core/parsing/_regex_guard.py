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

3. **Every other definition is bounded too.** Polynomial backtracking (``.*.*.*=(x)``) is not
   triaged as risky: its cost grows with a power of the line length, harmless on ordinary
   log lines but a freeze on a 4,000-character one. :mod:`metricwidgets.core.parsing._chunk_search`
   gives ``re`` only lines short enough for the regex's backtracking degree, moves a
   definition to :class:`GuardedPattern` once ``re`` is slow on it, and gives every
   definition a time budget per chunk (:func:`budget_message` when it is spent).

Known limits, stated honestly: ``regex`` differs from ``re`` in a few Unicode details (which
characters count as ``\\w``/``\\s``, case folding of some scripts); only definitions on the
budgeted engine are affected, and only on such characters. A repeat over a narrow class
(``\\d+\\d+\\d+=``) is not counted in the backtracking degree; on an adversarial line (thousands
of digits in a row) ``re`` can then still take long before the definition moves.
"""

from __future__ import annotations

import re

import regex

from metricwidgets.core.parsing._regex_analysis import REPEATS, children, parse, sre

__all__ = [
    "DEFAULT_TIMEOUT",
    "GuardedPattern",
    "RegexTimeout",
    "budget_message",
    "disabled_message",
    "is_risky",
]

#: Seconds one line may take a risky regex before its definition is disabled.
DEFAULT_TIMEOUT = 1.0

_REPEATS = set(REPEATS)
if hasattr(sre, "POSSESSIVE_REPEAT"):
    _REPEATS.add(sre.POSSESSIVE_REPEAT)
#: Inside a multiply repeated body, these make the number of ways to match grow exponentially.
_AMBIGUOUS = _REPEATS | {sre.BRANCH, sre.GROUPREF, sre.GROUPREF_EXISTS}


class RegexTimeout(Exception):
    """A regex search ran past its time budget.

    Attributes
    ----------
    whole_chunk : bool
        True when the budget of a whole chunk ran out (no single line was too slow).
    """

    def __init__(self, message: str = "", whole_chunk: bool = False):
        super().__init__(message)
        self.whole_chunk = whole_chunk


def _contains(sub, ops) -> bool:
    for op, av in sub.data:
        if op in ops or any(_contains(child, ops) for child in children(op, av)):
            return True
    return False


def _risky(sub) -> bool:
    for op, av in sub.data:
        if op in _REPEATS and av[1] > 1 and _contains(av[2], _AMBIGUOUS):
            return True
        if any(_risky(child) for child in children(op, av)):
            return True
    return False


def is_risky(pattern: str) -> bool:
    """Whether ``pattern`` may backtrack exponentially (a repeat over an ambiguous body).

    Raises
    ------
    re.error
        When the pattern does not compile.
    """
    return _risky(parse(pattern))


def budget_message(name: str, seconds: float, lines: int) -> str:
    """The one-line message for a definition that spent its budget on one chunk."""
    return (f"metric definition {name!r} was disabled: its regex took more than {seconds:.3g} s "
            f"on {lines} lines (slower than the parser allows); rewrite it with fewer "
            f"repeats such as '.*' that can each run over the whole line")


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

    def search(self, line: str, timeout: float | None = None) -> regex.Match | None:
        """Search one line; raise :class:`RegexTimeout` past ``timeout`` (default: the budget)."""
        seconds = self.timeout if timeout is None else timeout
        try:
            return self.compiled.search(line, timeout=seconds, concurrent=True)
        except TimeoutError:
            raise RegexTimeout(f"search exceeded {seconds:g} s") from None
