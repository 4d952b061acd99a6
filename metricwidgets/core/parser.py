"""The fast incremental log parser: SageMaker's rules, one regex pass per chunk.

:class:`LogParser` gives exactly what :class:`metricwidgets.testing.reference.ReferenceParser`
gives (the oracle; property-tested against it) but searches each regex once over a whole
chunk instead of once per line.

Why one pass over the chunk equals a search per line
----------------------------------------------------
Each definition's regex is rewritten into a *line-local* twin that can never see past a line:
every construct that could match ``\\n`` is narrowed so it cannot (``.`` and ``[^;]`` become
"anything but ``\\n``"; ``\\s``, ``\\D`` and other sets that contain ``\\n`` are guarded with a
``(?!\\n)`` look-ahead), and ``^ $ \\A \\Z`` become line anchors. A line holds no ``\\n``, so
on a line the twin behaves exactly like the original; in the joined text, an attempt at a
position meets ``\\n`` where the line would end, and every consuming node fails there just as
it fails at the end of the line (``$`` and ``\\b`` agree too; a look-behind cannot see across
``\\n``). No match crosses a line, so ``finditer`` tries every position of every line, and
the first match that starts in a line is ``search(line)``. Line numbers come from
``numpy.searchsorted`` over the newline offsets; later matches on a line are dropped.

A twin that starts with ``.*`` or ``.*?`` (SageMaker's XGBoost regexes) is anchored at the
line start: if it matches at some position of a line it also matches at the line start (the
``.*`` absorbs the gap), and a search returns the leftmost match, so the result is the same
while the quadratic retry at every position disappears.

Every match must contain a regex's *required literal* (the longest run of plain characters
at its top level, e.g. ``#011validation-rmse:``). A chunk without it is skipped; and when the
regex does not start with it (sre then cannot jump ahead to it) and it is rare (on under a
quarter of the lines), only the lines holding it are searched, each with the twin bounded to
the line (``search(text, start, end)``, exact for the same reason as above).

What is not rewritten (a literal ``\\n`` in a regex, or a parse node this module does not
know) is searched line by line with ``re``, as the reference does. Definitions that
:mod:`metricwidgets.core.regex_guard` calls risky are searched line by line under a time
budget; one that runs out is disabled and the others continue. Lines longer than
:data:`LONG_LINE` characters (a progress bar redrawn with ``\r`` for an hour) are searched
under the same budget by every definition, because polynomial backtracking
(``.*.*.*=(x)``) grows with a power of the line length and would otherwise freeze the kernel.

SageMaker's escaping is applied to the whole chunk at once (an ANSI sequence never spans a
line break, so escaping the chunk equals escaping each line).
"""

from __future__ import annotations

import codecs
import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

from metricwidgets.core.definitions import DefinitionError, MetricDefinition, load_definitions
from metricwidgets.core.escaping import escape_line, escape_text
from metricwidgets.core.regex_guard import (DEFAULT_TIMEOUT, GuardedPattern, RegexTimeout,
                                            disabled_message, is_risky)
from metricwidgets.core.results import MARKED_REASONS, DefinitionStats, Drop, ParseResult
from metricwidgets.core.values import convert

try:  # Python >= 3.11
    from re import _compiler as _sre_compile
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile as _sre_compile  # type: ignore[no-redef]
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

__all__ = ["LogParser", "parse_log", "line_local"]

_NL = 10  # ord("\n")
_REPEATS = {_sre.MAX_REPEAT, _sre.MIN_REPEAT}
_POSSESSIVE = getattr(_sre, "POSSESSIVE_REPEAT", None)
_ATOMIC = getattr(_sre, "ATOMIC_GROUP", None)
_LINE_ANCHORS = {
    _sre.AT_BEGINNING: _sre.AT_BEGINNING_LINE,
    _sre.AT_BEGINNING_STRING: _sre.AT_BEGINNING_LINE,
    _sre.AT_END: _sre.AT_END_LINE,
    _sre.AT_END_STRING: _sre.AT_END_LINE,
}
#: Whether a character-class category holds "\n" (the categories the parser emits).
_CATEGORY_HAS_NL = {
    _sre.CATEGORY_DIGIT: False, _sre.CATEGORY_NOT_DIGIT: True,
    _sre.CATEGORY_SPACE: True, _sre.CATEGORY_NOT_SPACE: False,
    _sre.CATEGORY_WORD: False, _sre.CATEGORY_NOT_WORD: True,
}

#: A whole batch of captures that are plain numbers, joined by NUL (the fast conversion path).
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_ALL_NUMBERS = re.compile(rf"(?:{_NUMBER}\x00)*{_NUMBER}")
#: Lines longer than this (characters) are searched by the time-budgeted engine (_Chunk).
LONG_LINE = 20_000
#: A literal found on fewer than one line in this many is "rare" (see _Matcher._candidates).
_RARE = 4
_MAX = 2.0 ** 360
_MIN = 2.0 ** -360


class _NotLineLocal(Exception):
    """The regex has a construct the rewrite does not handle: search it line by line."""


def _set_has_newline(items) -> bool:
    hit = False
    for op, av in items:
        if op is _sre.NEGATE:
            continue
        if op is _sre.LITERAL:
            hit = hit or av == _NL
        elif op is _sre.RANGE:
            hit = hit or av[0] <= _NL <= av[1]
        elif op is _sre.CATEGORY and av in _CATEGORY_HAS_NL:
            hit = hit or _CATEGORY_HAS_NL[av]
        else:
            raise _NotLineLocal(op)
    negated = bool(items) and items[0][0] is _sre.NEGATE
    return hit != negated


def _not_newline(state):
    return (_sre.ASSERT_NOT, (1, _sre_parse.SubPattern(state, [(_sre.LITERAL, _NL)])))


def _rewrite(sub) -> None:
    """Make ``sub`` (a parsed pattern) line-local in place."""
    out = []
    for op, av in sub.data:
        if op is _sre.LITERAL:
            if av == _NL:
                raise _NotLineLocal("literal newline")
        elif op is _sre.NOT_LITERAL:
            if av != _NL:
                op, av = _sre.IN, [(_sre.NEGATE, None), (_sre.LITERAL, av), (_sre.LITERAL, _NL)]
        elif op is _sre.ANY:
            op, av = _sre.NOT_LITERAL, _NL
        elif op is _sre.IN:
            if _set_has_newline(av):
                if av and av[0][0] is _sre.NEGATE:
                    av = list(av) + [(_sre.LITERAL, _NL)]
                else:
                    out.append(_not_newline(sub.state))
        elif op is _sre.AT:
            av = _LINE_ANCHORS.get(av, av)
        elif op in _REPEATS or op is _POSSESSIVE:
            _rewrite(av[2])
        elif op is _sre.SUBPATTERN:
            _rewrite(av[-1])
        elif op is _sre.BRANCH:
            for branch in av[1]:
                _rewrite(branch)
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            _rewrite(av[1])
        elif op is _ATOMIC and op is not None:
            _rewrite(av)
        elif op is _sre.GROUPREF_EXISTS:
            for branch in av[1:]:
                if branch is not None:
                    _rewrite(branch)
        elif op is not _sre.GROUPREF:
            raise _NotLineLocal(op)
        out.append((op, av))
    sub.data[:] = out
    sub.width = None  # widths are cached; the look-ahead guards changed nothing, but be safe


def _starts_with_dot_star(sub) -> bool:
    if not sub.data:
        return False
    op, av = sub.data[0]
    return (op in _REPEATS and av[0] == 0 and av[1] == _sre.MAXREPEAT
            and list(av[2].data) == [(_sre.NOT_LITERAL, _NL)])


def line_local(regex: str) -> re.Pattern[str] | None:
    """Compile the line-local twin of ``regex`` (see the module docstring), or None.

    None means the twin cannot be built (a literal newline in the regex, or an unknown
    construct); such a regex must be searched line by line.
    """
    parsed = _sre_parse.parse(regex)
    try:
        _rewrite(parsed)
    except _NotLineLocal:
        return None
    if _starts_with_dot_star(parsed):
        parsed.data.insert(0, (_sre.AT, _sre.AT_BEGINNING_LINE))
    return _sre_compile.compile(parsed, 0)


def _required_literal(sub, flags: int) -> str:
    """The longest run of plain characters every match must contain ("" when unsure)."""
    if flags & re.IGNORECASE:
        return ""
    best, run = "", []
    for op, av in sub.data:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if len(run) > len(best):
            best = "".join(run)
        run = []
        if op is _sre.SUBPATTERN and not (av[1] & re.IGNORECASE):
            inner = _required_literal(av[-1], flags)
            if len(inner) > len(best):
                best = inner
    if len(run) > len(best):
        best = "".join(run)
    return best


def _newlines(text: str) -> np.ndarray:
    """Offsets of every ``\\n`` in ``text`` (character offsets)."""
    if text.isascii():
        codes = np.frombuffer(text.encode("ascii"), np.uint8)
    else:
        # surrogatepass: text decoded with "surrogateescape" (a process's odd bytes) holds
        # lone surrogates, which must be counted, not refused.
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    return np.flatnonzero(codes == _NL)


def _convert_many(captures: list) -> tuple[np.ndarray, list]:
    """Convert captures as :func:`convert` would: (values, reasons or None when all good)."""
    n = len(captures)
    if n and None not in captures:
        joined = "\x00".join(captures)
        if joined.count("\x00") == n - 1 and _ALL_NUMBERS.fullmatch(joined):
            values = np.fromiter(map(float, captures), np.float64, count=n)
            magnitude = np.abs(values)
            bad = (magnitude > _MAX) | ((magnitude > 0) & (magnitude < _MIN))
            if not bad.any():
                return values, None
            reasons: list = [None] * n
            for i in np.flatnonzero(bad).tolist():
                values[i], reasons[i] = convert(captures[i])
            return values, reasons
    pairs = [convert(c) for c in captures]
    return (np.fromiter((p[0] for p in pairs), np.float64, count=n), [p[1] for p in pairs])


@dataclass
class _Matches:
    """One definition's first matches in a chunk: 0-based line indexes and captures."""

    lines: np.ndarray
    captures: list


class _Matcher:
    """How one regex is searched over a chunk (fast twin, plain per-line, or guarded)."""

    def __init__(self, definition: MetricDefinition, timeout: float):
        self.definition = definition
        pattern = definition.compile()  # raises DefinitionError with the position
        self.groups = pattern.groups
        parsed = _sre_parse.parse(definition.regex)
        self.literal = _required_literal(parsed, parsed.state.flags)
        self.guarded = GuardedPattern(definition.regex, timeout) if is_risky(definition.regex) \
            else None
        self.twin = None if self.guarded else line_local(definition.regex)
        self.pattern = pattern
        self.timeout = timeout
        self.long_guard: GuardedPattern | None = None
        # sre skips quickly to a regex's leading literal by itself; a regex that starts with
        # something else (".*" in SageMaker's XGBoost regexes) is tried at every position,
        # so where its required literal is rare only the lines holding it are searched.
        first = parsed.data[0][0] if parsed.data else None
        self.by_literal = bool(self.literal) and first is not _sre.LITERAL

    def find_long(self, long: dict[int, str]) -> _Matches:
        """First match on each long line (index -> line), under the time budget.

        Raises RegexTimeout when one line takes longer than the budget.
        """
        if self.groups < 1:
            return _Matches(np.empty(0, np.int64), [])
        if self.long_guard is None:
            self.long_guard = self.guarded or GuardedPattern(self.definition.regex,
                                                             self.timeout)
        found_lines, captures = [], []
        for k in sorted(long):
            line = long[k]
            if self.literal and self.literal not in line:
                continue
            m = self.long_guard.search(line)
            if m is not None:
                found_lines.append(k)
                captures.append(m.group(1))
        return _Matches(np.asarray(found_lines, np.int64), captures)

    def _candidates(self, text: str, newlines: np.ndarray) -> _Matches | None:
        """Search only the lines holding the required literal; None when it is not rare.

        Exact: the twin is line-local, so its search between a line's start and end is the
        search of that line, and a line without the literal holds no match.
        """
        literal = self.literal
        if text.count(literal) * _RARE > len(newlines) + 1:
            return None
        positions, at = [], text.find(literal)
        while at >= 0:
            positions.append(at)
            at = text.find(literal, at + len(literal))
        index = np.unique(np.searchsorted(newlines, np.asarray(positions, np.int64)))
        starts = np.concatenate(([0], newlines + 1))[index].tolist()
        ends = np.concatenate((newlines, [len(text)]))[index].tolist()
        search = self.twin.search
        found_lines, captures = [], []
        for k, start, end in zip(index.tolist(), starts, ends):
            m = search(text, start, end)
            if m is not None:
                found_lines.append(k)
                captures.append(m.group(1))
        return _Matches(np.asarray(found_lines, np.int64), captures)

    def find(self, text: str, newlines: np.ndarray, lines: "_Lines",
             per_line: bool = False) -> _Matches:
        """First match per line; raises RegexTimeout for a guarded regex out of time.

        ``per_line`` forces the line-by-line search (a "line" holding a newline).
        """
        if self.groups < 1 or (self.literal and self.literal not in text):
            return _Matches(np.empty(0, np.int64), [])
        if self.twin is not None and not per_line:
            if self.by_literal:
                rare = self._candidates(text, newlines)
                if rare is not None:
                    return rare
            found = [(m.start(), m.group(1)) for m in self.twin.finditer(text)]
            if not found:
                return _Matches(np.empty(0, np.int64), [])
            starts, captures = zip(*found)
            index = np.searchsorted(newlines, np.asarray(starts, np.int64))
            first = np.ones(len(index), bool)
            first[1:] = index[1:] != index[:-1]
            if first.all():
                return _Matches(index, list(captures))
            return _Matches(index[first], [c for c, keep in zip(captures, first) if keep])
        search = self.guarded.search if self.guarded else self.pattern.search
        literal = self.literal
        found_lines, captures = [], []
        for k, line in enumerate(lines.get()):
            if literal and literal not in line:
                continue
            m = search(line)
            if m is not None:
                found_lines.append(k)
                captures.append(m.group(1))
        return _Matches(np.asarray(found_lines, np.int64), captures)


class _Lines:
    """The chunk split into lines, built only when a per-line matcher asks for it."""

    def __init__(self, text: str, count: int):
        self.text, self.count, self._lines = text, count, None

    def get(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")[:self.count]
        return self._lines


class _Chunk:
    """Complete lines to parse, with over-long lines set aside for the guarded engine.

    A line longer than :data:`LONG_LINE` is replaced by an empty line in ``text`` (so line
    numbers stay) and kept in ``long``: polynomial backtracking (``.*.*.*=(x)``) costs a
    power of the line's length, and only there can it freeze the kernel.
    """

    def __init__(self, text: str, joined_lines: list[str] | None = None):
        self.per_line = joined_lines is not None and "\n" in text
        self.long: dict[int, str] = {}
        if joined_lines is not None:
            self.long = {k: line for k, line in enumerate(joined_lines) if len(line) > LONG_LINE}
            if self.long:
                joined_lines = ["" if k in self.long else line
                                for k, line in enumerate(joined_lines)]
                text = "\n".join(joined_lines)
            self.newlines = np.empty(0, np.int64)
            self.count = len(joined_lines)
        else:
            newlines = _newlines(text)
            starts = np.concatenate(([0], newlines + 1))
            ends = np.concatenate((newlines, [len(text)]))
            longest = np.flatnonzero(ends - starts > LONG_LINE).tolist()
            if longest:
                self.long = {k: text[starts[k]:ends[k]] for k in longest}
                pieces, previous = [], 0
                for k in longest:
                    pieces.append(text[previous:starts[k]])
                    previous = ends[k]
                pieces.append(text[previous:])
                text = "".join(pieces)
                newlines = _newlines(text)
            self.newlines = newlines
            self.count = len(newlines) + 1
        self.text = text
        self.lines = _Lines(text, self.count)
        if joined_lines is not None:
            self.lines._lines = joined_lines


def _without(found: _Matches, long: dict[int, str], extra: _Matches) -> _Matches:
    """``found`` minus matches on the (blanked) long lines, plus ``extra``, in line order."""
    keep = ~np.isin(found.lines, np.fromiter(long, np.int64, count=len(long)))
    lines = np.concatenate((found.lines[keep], extra.lines))
    captures = [c for c, k in zip(found.captures, keep.tolist()) if k] + extra.captures
    order = np.argsort(lines, kind="stable")
    return _Matches(lines[order], [captures[i] for i in order.tolist()])


class LogParser:
    """Parse log text into metric points by SageMaker's rules, fast and incrementally.

    Same interface and results as :class:`~metricwidgets.testing.reference.ReferenceParser`.

    Parameters
    ----------
    definitions : sequence of MetricDefinition (or anything :func:`load_definitions` reads)
    escape : bool
        Apply SageMaker's escaping to text given to :meth:`feed` (True for local text,
        False for text read back from CloudWatch Logs).
    step_definition : MetricDefinition, str or None
        Each point's step is the latest value this regex captured on its line or before
        (a str is taken as the regex itself, e.g. ``r"epoch=(\\d+)"``).
    regex_timeout : float
        Seconds one line may take a risky regex (see :mod:`~metricwidgets.core.regex_guard`)
        before that definition is disabled.

    Attributes
    ----------
    definitions : list of MetricDefinition
    names : list of str
    stats : list of DefinitionStats
        One per definition; ``disabled`` holds a one-line message for a definition whose regex
        does not compile or ran out of time (it yields nothing more; the others go on).
    lines : int
        Complete lines parsed so far.

    Notes
    -----
    Not thread-safe: feed one parser from one thread at a time.
    """

    def __init__(self, definitions: Any, *, escape: bool = True,
                 step_definition: MetricDefinition | str | None = None,
                 regex_timeout: float = DEFAULT_TIMEOUT):
        definitions = list(definitions) if isinstance(definitions, (list, tuple)) else definitions
        if not (isinstance(definitions, list)
                and all(isinstance(d, MetricDefinition) for d in definitions)):
            definitions = load_definitions(definitions)
        self.definitions = definitions
        self.names = [d.name for d in self.definitions]
        self.escape = escape
        self.regex_timeout = float(regex_timeout)
        self.stats = [DefinitionStats() for _ in self.definitions]
        self.matchers: list[_Matcher | None] = []
        for d, stats in zip(self.definitions, self.stats):
            try:
                self.matchers.append(_Matcher(d, self.regex_timeout))
            except DefinitionError as exc:
                stats.disabled = str(exc).splitlines()[0]
                self.matchers.append(None)
        if isinstance(step_definition, str):
            step_definition = MetricDefinition("step", step_definition)
        self.step_definition = step_definition
        self.step_matcher = _Matcher(step_definition, self.regex_timeout) \
            if step_definition is not None else None
        self.step_disabled: str | None = None
        self.lines = 0
        self.step = math.nan
        self._tail = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    # -- feeding -------------------------------------------------------------------------

    def feed(self, data: str | bytes, timestamp: float | None = None) -> ParseResult:
        """Parse a chunk that may end mid-line (or, for bytes, mid-character).

        The unfinished last line is kept until a later chunk or :meth:`finish` ends it.
        ``timestamp`` (seconds since the epoch) is given to every line this call completes.
        """
        if isinstance(data, bytes):
            data = self._decoder.decode(data)
        cut = data.rfind("\n")
        if cut < 0:
            self._tail += data
            return ParseResult()
        text = self._tail + data[:cut + 1]
        self._tail = data[cut + 1:]
        if self.escape:
            # Escaped with its final newline, so that a "\r" ending the last line goes too.
            text = escape_text(text)
        return self._parse(text[:-1], timestamp)

    def feed_lines(self, lines: Iterable[str],
                   timestamps: Sequence[float] | None = None) -> ParseResult:
        """Parse complete lines as they are (CloudWatch Logs events: already escaped)."""
        lines = list(lines)
        if not lines:
            return ParseResult()
        if any("\n" in line for line in lines):
            # An event holding a newline is still one line to SageMaker: parse one by one.
            return ParseResult.concat(
                self._parse(line, None if timestamps is None else timestamps[k],
                            joined_lines=[line])
                for k, line in enumerate(lines))
        stamps = None if timestamps is None else np.asarray(
            [math.nan if t is None else t for t in timestamps], np.float64)
        return self._parse("\n".join(lines), None, stamps)

    def finish(self) -> ParseResult:
        """Parse the held unfinished line, if any (the end of the text)."""
        tail = self._tail + self._decoder.decode(b"", final=True)
        self._tail = ""
        if not tail:
            return ParseResult()
        line = escape_line(tail) if self.escape else tail
        return self._parse(line, None, joined_lines=[line])

    # -- the work ------------------------------------------------------------------------

    def _find(self, matcher: _Matcher, chunk: _Chunk) -> _Matches | None:
        """First match per line of ``chunk``; None when the regex ran out of time."""
        try:
            found = matcher.find(chunk.text, chunk.newlines, chunk.lines,
                                 per_line=chunk.per_line)
            if chunk.long:
                found = _without(found, chunk.long, matcher.find_long(chunk.long))
            return found
        except RegexTimeout:
            return None

    def _parse(self, text: str, timestamp, stamps=None, joined_lines=None) -> ParseResult:
        """Parse ``text``: complete lines joined by ``\\n`` (no trailing newline)."""
        chunk = _Chunk(text, joined_lines)
        count = chunk.count
        base = self.lines
        self.lines += count
        if stamps is None:
            stamps = np.full(count, math.nan if timestamp is None else float(timestamp))

        step_lines, step_values = self._steps(chunk)
        carried = self.step
        if len(step_values):
            self.step = float(step_values[-1])

        metric_parts, line_parts, value_parts, marks = [], [], [], []
        for index, matcher in enumerate(self.matchers):
            if matcher is None or self.stats[index].disabled:
                continue
            found = self._find(matcher, chunk)
            if found is None:
                self.stats[index].disabled = disabled_message(matcher.definition.name,
                                                              self.regex_timeout)
                continue
            if not len(found.lines):
                continue
            values, reasons = _convert_many(found.captures)
            if reasons is None:
                good = slice(None)
            else:
                good = np.fromiter((r is None for r in reasons), bool, count=len(reasons))
                self._record_drops(index, found, values, reasons, base, stamps,
                                   step_lines, step_values, carried, marks)
            good_lines = found.lines[good]
            self.stats[index].points += len(good_lines)
            metric_parts.append(np.full(len(good_lines), index, np.int32))
            line_parts.append(good_lines)
            value_parts.append(values[good])

        marks.sort(key=lambda d: (d.line, d.metric))
        if not metric_parts:
            return ParseResult(drops=marks)
        metric = np.concatenate(metric_parts)
        line = np.concatenate(line_parts)
        value = np.concatenate(value_parts)
        order = np.lexsort((metric, line))
        metric, line, value = metric[order], line[order], value[order]
        return ParseResult(metric, line + (base + 1), value,
                           self._step_at(line, step_lines, step_values, carried),
                           stamps[line], marks)

    def _steps(self, chunk: _Chunk):
        """Valid step captures of this chunk: (0-based line indexes, values)."""
        empty = (np.empty(0, np.int64), np.empty(0, np.float64))
        if self.step_matcher is None or self.step_disabled:
            return empty
        found = self._find(self.step_matcher, chunk)
        if found is None:
            self.step_disabled = disabled_message(self.step_definition.name, self.regex_timeout)
            return empty
        if not len(found.lines):
            return empty
        values, reasons = _convert_many(found.captures)
        if reasons is None:
            return found.lines, values
        good = np.fromiter((r is None for r in reasons), bool, count=len(reasons))
        return found.lines[good], values[good]

    @staticmethod
    def _step_at(line, step_lines, step_values, carried) -> np.ndarray:
        """The latest step on or before each 0-based line (``carried`` before the first)."""
        if not len(step_lines):
            return np.full(len(line), carried)
        at = np.searchsorted(step_lines, line, side="right") - 1
        steps = step_values[np.maximum(at, 0)]
        return np.where(at >= 0, steps, carried)

    def _record_drops(self, index, found, values, reasons, base, stamps,
                      step_lines, step_values, carried, marks) -> None:
        stats = self.stats[index]
        bad = [k for k, r in enumerate(reasons) if r is not None]
        bad_lines = found.lines[bad]
        steps = self._step_at(bad_lines, step_lines, step_values, carried)
        for k, line, step in zip(bad, bad_lines.tolist(), steps.tolist()):
            drop = Drop(index, base + line + 1, (found.captures[k] or "")[:200], reasons[k],
                        float(values[k]), step, float(stamps[line]))
            stats.add_drop(drop)
            if drop.reason in MARKED_REASONS:
                marks.append(drop)


def parse_log(text: str | bytes, metric_definitions: Any, *, escape: bool = True,
              step_definition: MetricDefinition | str | None = None):
    """Parse a whole log text; return its points as a pandas DataFrame.

    Parameters
    ----------
    text : str or bytes
        The log (bytes are decoded as UTF-8, invalid bytes replaced).
    metric_definitions : anything :func:`~metricwidgets.core.definitions.load_definitions` reads
    escape : bool
        Apply SageMaker's escaping (False for text read back from CloudWatch Logs).
    step_definition : MetricDefinition, str or None
        A regex whose latest capture is each point's step.

    Returns
    -------
    pandas.DataFrame
        Columns ``line`` (1-based), ``metric`` (the definition's name), ``value``, ``step``
        (the step definition's latest value, else the point's index in its series).
    """
    import pandas as pd

    parser = LogParser(load_definitions(metric_definitions), escape=escape,
                       step_definition=step_definition)
    result = ParseResult.concat([parser.feed(text), parser.finish()])
    names = np.asarray(parser.names, dtype=object)
    frame = pd.DataFrame({
        "line": result.line,
        "metric": names[result.metric] if len(result) else np.empty(0, object),
        "value": result.value,
        "step": result.step,
    })
    if step_definition is None and len(frame):
        frame["step"] = frame.groupby("metric", sort=False).cumcount().astype(np.float64)
    return frame
