"""How one definition's regex is searched over a chunk of lines, fast and within a budget.

Three engines, chosen per definition and per line (see :mod:`metricwidgets.core.parsing._parser` for
why the results equal a search per line):

* **the fast path**: the line-local twin (:mod:`metricwidgets.core.parsing._line_local`) run by
  ``re`` over slices of the chunk (:data:`SLICE_CHARS` each, cut at line ends), or over only
  the lines holding the regex's required literal when that literal is rare;
* **plain per-line search** with ``re`` when no twin exists, or when the regex can match
  the empty string (a ``finditer`` would then yield a match at every character);
* **the budgeted engine** (:class:`~metricwidgets.core.parsing._regex_guard.GuardedPattern`: the
  ``regex`` module with a timeout, the GIL released) line by line.

``re`` cannot be interrupted, so what it is given is kept small enough to finish quickly
whatever the regex: a line longer than the regex's :func:`line_limit` (from its
:func:`~metricwidgets.core.parsing._regex_analysis.backtracking_degree`: ``.*.*.*=(\\d)`` costs a
cube of the line's length) goes to the budgeted engine, and so does the rest of the chunk
once one slice (or 64 lines) took longer than :data:`SLOW_SECONDS`; from then on the
definition stays there. Every definition also has a budget per chunk (a clock given by the
parser); past it, or past the per-line timeout, :class:`RegexTimeout` is raised and the
parser disables that definition only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from metricwidgets.core.parsing._definitions import MetricDefinition
from metricwidgets.core.parsing._line_local import build_twin
from metricwidgets.core.parsing._regex_analysis import (
    backtracking_degree,
    parse,
    required_literal,
    sre,
)
from metricwidgets.core.parsing._regex_guard import GuardedPattern, RegexTimeout, is_risky

__all__ = [
    "LONG_LINE",
    "MAX_LINE",
    "SLICE_CHARS",
    "SLOW_SECONDS",
    "Chunk",
    "Clock",
    "DefinitionSearch",
    "Matches",
    "line_limit",
]

_NL = 10  # ord("\n")
#: Lines longer than this (characters) are set aside and searched by the budgeted engine.
LONG_LINE = 20_000
#: Longest line kept (characters); the rest of a longer line is cut and counted. CloudWatch
#: keeps at most 256 KB of one event (docs/sagemaker.md), so nothing past it is ever parsed.
MAX_LINE = 256 << 10
#: Characters of a chunk ``re`` searches at once on the fast path, between clock checks.
SLICE_CHARS = 64 << 10
#: A slice (or 64 lines) taking longer than this moves its definition to the budgeted engine.
SLOW_SECONDS = 0.05
#: Search steps one line may cost ``re`` (about 3 ms): sets :func:`line_limit`.
LINE_STEPS = 2e6
#: A literal found on fewer than one line in this many is "rare" (see DefinitionSearch).
_RARE = 4
#: Lines searched one by one between two clock checks.
_CHECK_EVERY = 64


def line_limit(degree: int, anchored: bool) -> int:
    """Longest line ``re`` may search for a regex of this backtracking degree.

    A search costs up to ``L ** (degree + 1)`` steps on a line of length L (``degree`` when
    the twin is anchored at line starts); the limit keeps that under :data:`LINE_STEPS`.
    """
    power = degree + (0 if anchored else 1)
    if degree == 0 or power <= 1:
        return LONG_LINE
    return max(1, min(LONG_LINE, int(LINE_STEPS ** (1.0 / power))))


def _now() -> float:
    # The CPU time of this thread: ``re`` holds the GIL and computes, so this is its cost;
    # another process taking the machine's cores does not make a regex look slow.
    return time.thread_time()


class Clock:
    """A deadline for one definition's work on one chunk (in this thread's CPU time)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline = _now() + seconds

    def left(self) -> float:
        return self.deadline - _now()


@dataclass
class Matches:
    """One definition's first matches in a chunk: 0-based line indexes and captures."""

    lines: np.ndarray
    captures: list

    @classmethod
    def none(cls) -> Matches:
        return cls(np.empty(0, np.int64), [])

    @classmethod
    def merged(cls, parts: list[tuple]) -> Matches:
        """From ``(line indexes, captures)`` pairs, in line order."""
        parts = [p for p in parts if len(p[0])]
        if not parts:
            return cls.none()
        if len(parts) == 1:
            return cls(np.asarray(parts[0][0], np.int64), list(parts[0][1]))
        lines = np.concatenate([np.asarray(p[0], np.int64) for p in parts])
        captures = [c for p in parts for c in p[1]]
        order = np.argsort(lines, kind="stable")
        return cls(lines[order], [captures[i] for i in order.tolist()])


def newlines_of(text: str) -> np.ndarray:
    """Offsets of every ``\\n`` in ``text`` (character offsets)."""
    if text.isascii():
        codes = np.frombuffer(text.encode("ascii"), np.uint8)
    else:
        # surrogatepass: text decoded with "surrogateescape" (a process's odd bytes) holds
        # lone surrogates, which must be counted, not refused.
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    return np.flatnonzero(codes == _NL)


class Chunk:
    """Complete lines to parse, with over-long lines set aside for the budgeted engine.

    A line longer than :data:`LONG_LINE` is replaced by an empty line in ``text`` (so line
    numbers stay) and kept in ``long``; one longer than :data:`MAX_LINE` is cut there first
    (``cut_lines``, ``cut_chars`` count what was cut).

    Parameters
    ----------
    text : str
        Lines joined by ``\\n`` (no trailing newline).
    joined_lines : list of str or None
        The lines themselves when one of them may hold a ``\\n`` (a CloudWatch event): each
        is then searched on its own, never by offsets into ``text``.
    """

    def __init__(self, text: str, joined_lines: list[str] | None = None):
        self.per_line = joined_lines is not None and "\n" in text
        self.chars = len(text)
        self.cut_lines = self.cut_chars = 0
        if joined_lines is not None:
            self._from_lines(joined_lines)
        else:
            self._from_text(text)
        self.count = len(self.starts)
        self._slices: dict[int, tuple] = {}

    def _cut(self, line: str) -> str:
        if len(line) <= MAX_LINE:
            return line
        self.cut_lines += 1
        self.cut_chars += len(line) - MAX_LINE
        return line[:MAX_LINE]

    def _from_lines(self, lines: list[str]) -> None:
        self.long = {k: self._cut(line) for k, line in enumerate(lines) if len(line) > LONG_LINE}
        if self.long:
            lines = ["" if k in self.long else line for k, line in enumerate(lines)]
        self.lines = lines
        self.text = "\n".join(lines)
        lengths = np.fromiter(map(len, lines), np.int64, count=len(lines))
        self.ends = np.cumsum(lengths + 1) - 1
        self.starts = self.ends - lengths
        self.newlines = self.ends[:-1]

    def _from_text(self, text: str) -> None:
        newlines = newlines_of(text)
        starts = np.concatenate(([0], newlines + 1))
        ends = np.concatenate((newlines, [len(text)]))
        longest = np.flatnonzero(ends - starts > LONG_LINE).tolist()
        self.long = {}
        if longest:
            self.long = {k: self._cut(text[starts[k]:ends[k]]) for k in longest}
            pieces, previous = [], 0
            for k in longest:
                pieces.append(text[previous:starts[k]])
                previous = ends[k]
            pieces.append(text[previous:])
            text = "".join(pieces)
            newlines = newlines_of(text)
            starts = np.concatenate(([0], newlines + 1))
            ends = np.concatenate((newlines, [len(text)]))
        self.text, self.newlines, self.starts, self.ends = text, newlines, starts, ends
        self.lines = None

    def slices(self, limit: int) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
        """The lines longer than ``limit`` (each its own slice, searched by line) and the
        slices of about :data:`SLICE_CHARS` the fast path searches: ``(first line, line
        after, start offset, end offset)``. Kept per limit: the definitions of a chunk
        share a few limits, and this is the same work for each."""
        cached = self._slices.get(limit)
        if cached is None:
            over = np.flatnonzero(self.ends - self.starts > limit) if limit < LONG_LINE \
                else np.empty(0, np.int64)
            cuts = np.searchsorted(self.starts, np.arange(0, len(self.text) + 1, SLICE_CHARS))
            bounds = np.unique(np.concatenate(([0, self.count], cuts, over, over + 1)))
            bounds = bounds[bounds <= self.count]
            cached = self._slices[limit] = (over, list(zip(
                bounds[:-1].tolist(), bounds[1:].tolist(), self.starts[bounds[:-1]].tolist(),
                self.ends[bounds[1:] - 1].tolist())))
        return cached

    def line(self, k: int) -> str:
        if self.lines is not None:
            return self.lines[k]
        return self.text[self.starts[k]:self.ends[k]]

    def holding(self, literal: str) -> np.ndarray:
        """Indexes of the lines holding ``literal`` (all lines when it is "")."""
        if not literal:
            return np.arange(self.count)
        text, positions = self.text, []
        at = text.find(literal)
        while at >= 0:
            positions.append(at)
            at = text.find(literal, at + len(literal))
        return np.unique(np.searchsorted(self.newlines, np.asarray(positions, np.int64)))


class DefinitionSearch:
    """How one definition's regex is searched over chunks (see the module docstring).

    Attributes
    ----------
    slow : bool
        The definition is searched by the budgeted engine only (a risky regex, or one that
        was slow on the fast path).
    limit : int
        Longest line ``re`` searches for it (:func:`line_limit`).
    """

    def __init__(self, definition: MetricDefinition, timeout: float):
        self.definition = definition
        self.pattern = definition.compile()  # raises DefinitionError with the position
        self.groups = self.pattern.groups
        parsed = parse(definition.regex)
        self.literal = required_literal(parsed)
        self.timeout = timeout
        self.slow = is_risky(definition.regex)
        twin = None if self.slow else build_twin(definition.regex)
        self.twin = twin.pattern if twin else None
        self.limit = line_limit(backtracking_degree(parsed), bool(twin and twin.anchored))
        # finditer would yield an empty match at every character: search line by line.
        self.nullable = parsed.getwidth()[0] == 0
        self._guard: GuardedPattern | None = None
        # sre skips quickly to a regex's leading literal by itself; a regex that starts with
        # something else (".*" in SageMaker's XGBoost regexes) is tried at every position,
        # so where its required literal is rare only the lines holding it are searched.
        first = parsed.data[0][0] if parsed.data else None
        self.by_literal = bool(self.literal) and first is not sre.LITERAL

    @property
    def guard(self) -> GuardedPattern:
        if self._guard is None:
            self._guard = GuardedPattern(self.definition.regex, self.timeout)
        return self._guard

    def _guarded(self, line: str, clock: Clock):
        """Search one line with the budgeted engine; RegexTimeout past either budget."""
        left = clock.left()
        if left <= 0:
            raise RegexTimeout("chunk budget spent", whole_chunk=True)
        try:
            return self.guard.search(line, timeout=min(self.timeout, left))
        except RegexTimeout:
            raise RegexTimeout("search ran out of time", whole_chunk=left < self.timeout) \
                from None

    # -- one chunk ------------------------------------------------------------------------

    def find(self, chunk: Chunk, clock: Clock) -> Matches:
        """First match per line of ``chunk``; raises RegexTimeout when out of time."""
        if self.groups < 1 or (self.literal and self.literal not in chunk.text):
            found = Matches.none()
        elif self.slow or self.twin is None or self.nullable or chunk.per_line:
            found = self._by_line(chunk, chunk.holding(self.literal), clock)
        else:
            found = self._fast(chunk, clock)
        if chunk.long and self.groups >= 1:
            found = self._with_long(found, chunk, clock)
        return found

    def _fast(self, chunk: Chunk, clock: Clock) -> Matches:
        if self.by_literal and chunk.text.count(self.literal) * _RARE <= chunk.count:
            return self._by_line(chunk, chunk.holding(self.literal), clock)
        over, slices = chunk.slices(self.limit)
        skip = set(over.tolist())
        found: list = []
        later: list[np.ndarray] = [over]
        finditer, text = self.twin.finditer, chunk.text
        started = _now()
        for a, b, start, end in slices:
            if a in skip:
                continue
            if self.slow:
                later.append(np.arange(a, b))
                continue
            found += [(m.start(), m.group(1)) for m in finditer(text, start, end)]
            now = _now()  # one clock reading a slice: the slow check and the budget share it
            if now - started > SLOW_SECONDS:
                self.slow = True
            if clock.deadline <= now:
                raise RegexTimeout("chunk budget spent", whole_chunk=True)
            started = now
        parts = [_first_per_line(found, chunk.newlines)]
        rest = np.concatenate(later)
        if len(rest):
            rest = rest[[self.literal in chunk.line(k) for k in rest.tolist()]] \
                if self.literal else rest
            part = self._by_line(chunk, np.sort(rest), clock)
            parts.append((part.lines, part.captures))
        return Matches.merged(parts)

    def _by_line(self, chunk: Chunk, index: np.ndarray, clock: Clock) -> Matches:
        """Search the lines ``index`` one by one (the twin within the line, or the line)."""
        twin = None if chunk.per_line else self.twin
        search, literal, limit = self.pattern.search, self.literal, self.limit
        text = chunk.text
        found_lines, captures = [], []
        checked, fast_since = _now(), 0
        for k, start, end in zip(index.tolist(), chunk.starts[index].tolist(),
                                 chunk.ends[index].tolist()):
            if self.slow or end - start > limit:
                line = chunk.line(k)
                m = self._guarded(line, clock) if not literal or literal in line else None
            else:
                fast_since += 1
                if twin is not None:
                    m = twin.search(text, start, end)
                else:
                    line = chunk.line(k)
                    m = search(line) if not literal or literal in line else None
                if fast_since >= _CHECK_EVERY:
                    checked, fast_since = self._check(checked, clock), 0
            if m is not None:
                found_lines.append(k)
                captures.append(m.group(1))
        return Matches(np.asarray(found_lines, np.int64), captures)

    def _check(self, since: float, clock: Clock) -> float:
        now = _now()
        if now - since > SLOW_SECONDS:
            self.slow = True
        if clock.left() <= 0:
            raise RegexTimeout("chunk budget spent", whole_chunk=True)
        return now

    def _with_long(self, found: Matches, chunk: Chunk, clock: Clock) -> Matches:
        """``found`` minus matches on the (blanked) long lines, plus theirs, in line order."""
        long_lines, long_captures = [], []
        for k in sorted(chunk.long):
            line = chunk.long[k]
            if self.literal and self.literal not in line:
                continue
            m = self._guarded(line, clock)
            if m is not None:
                long_lines.append(k)
                long_captures.append(m.group(1))
        keep = ~np.isin(found.lines, np.fromiter(chunk.long, np.int64, count=len(chunk.long)))
        kept = (found.lines[keep].tolist(),
                [c for c, k in zip(found.captures, keep.tolist()) if k])
        return Matches.merged([kept, (long_lines, long_captures)])


def _first_per_line(found: list, newlines: np.ndarray) -> tuple[list, list]:
    """(line indexes, captures) of the first match on each line, from (offset, capture)."""
    if not found:
        return [], []
    starts, captures = zip(*found)
    index = np.searchsorted(newlines, np.asarray(starts, np.int64))
    first = np.ones(len(index), bool)
    first[1:] = index[1:] != index[:-1]
    if first.all():
        return index, list(captures)
    return index[first], [c for c, keep in zip(captures, first.tolist()) if keep]
