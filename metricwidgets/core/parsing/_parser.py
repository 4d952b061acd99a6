"""The fast incremental log parser: SageMaker's rules, one regex pass per chunk.

:class:`LogParser` gives exactly what :class:`metricwidgets.testing.reference.ReferenceParser`
gives (the oracle; property-tested against it) but searches each regex once over a whole
chunk instead of once per line.

Why one pass over the chunk equals a search per line
----------------------------------------------------
Each definition's regex is rewritten into a *line-local* twin that can never see past a line
(:mod:`metricwidgets.core.parsing._line_local`). No match of the twin crosses a line, so ``finditer``
over the joined lines tries every position of every line, and the first match that starts in
a line is ``search(line)``; the same holds for a search between a line's start and end, and
for slices of the chunk cut at line ends. Line numbers come from ``numpy.searchsorted`` over
the newline offsets; later matches on a line are dropped.

Every match must contain a regex's *required literal*
(:func:`~metricwidgets.core.parsing._regex_analysis.required_literal`, e.g. ``#011validation-rmse:``).
A chunk without it is skipped; and when the regex does not start with it (sre then cannot
jump ahead to it) and it is rare (on under a quarter of the lines), only the lines holding it
are searched.

What is not rewritten (a literal ``\\n`` in a regex, or a parse node the rewrite does not
know) is searched line by line with ``re``, as the reference does.

Nothing freezes the kernel
--------------------------
Every definition's work on a chunk is bounded (:mod:`metricwidgets.core.parsing._chunk_search`):
risky regexes (:mod:`metricwidgets.core.parsing._regex_guard`) and lines too long for a regex's
backtracking degree go to the time-budgeted engine; a definition that is slow on ``re``
moves there too; and each definition has a budget per chunk (:func:`chunk_budget`). One that
runs out is disabled (its ``stats.disabled`` says why) and the others continue.

Bounded memory
--------------
A line longer than :data:`~metricwidgets.core.parsing._chunk_search.MAX_LINE` characters (CloudWatch
keeps at most 256 KB of one event) is cut there; :attr:`LogParser.cut_lines` and
:attr:`LogParser.cut_chars` count what was cut. A regex that can match the empty string is
searched line by line (one match per line is kept, never one per character).

SageMaker's escaping is applied to the whole chunk at once (an ANSI sequence never spans a
line break, so escaping the chunk equals escaping each line).
"""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from metricwidgets.core.parsing._chunk_search import (
    MAX_LINE,
    Chunk,
    Clock,
    DefinitionSearch,
    Matches,
)
from metricwidgets.core.parsing._definitions import (
    DefinitionError,
    MetricDefinition,
    load_definitions,
    validate_definitions,
)
from metricwidgets.core.parsing._escaping import escape_line, escape_text
from metricwidgets.core.parsing._line_local import line_local
from metricwidgets.core.parsing._regex_analysis import NUMBER
from metricwidgets.core.parsing._regex_guard import (
    DEFAULT_TIMEOUT,
    RegexTimeout,
    budget_message,
    disabled_message,
)
from metricwidgets.core.parsing._results import (
    MARKED_REASONS,
    DefinitionStats,
    Drop,
    ParseResult,
)
from metricwidgets.core.parsing._values import convert
from metricwidgets.errors import InputError

__all__ = ["LogParser", "chunk_budget", "cut_message", "line_local", "log_text_error",
           "parser_warnings", "refuse_invalid", "split_problems"]

#: A whole batch of captures that are plain numbers, joined by NUL (the fast conversion path).
_ALL_NUMBERS = re.compile(rf"(?:{NUMBER}\x00)*{NUMBER}")
#: A definition may spend ``regex_timeout`` seconds, plus as much per this many characters
#: of a chunk, before it is disabled (it must keep up with at least 1 MB/s).
BUDGET_CHARS = 1 << 20
_MAX = 2.0 ** 360
_MIN = 2.0 ** -360


def chunk_budget(timeout: float, chars: int) -> float:
    """Seconds one definition may spend on a chunk of ``chars`` characters."""
    return timeout * (1.0 + chars / BUDGET_CHARS)


def log_text_error(data: Any) -> InputError:
    """The one-line error for log text that is neither str nor bytes."""
    return InputError(f"the log text must be str or bytes, got {type(data).__name__}")


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
        Seconds one line may take a risky regex (see :mod:`~metricwidgets.core.parsing._regex_guard`)
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
    cut_lines, cut_chars : int
        Lines longer than :data:`~metricwidgets.core.parsing._chunk_search.MAX_LINE` characters, and
        the characters cut off them (never parsed, as CloudWatch never keeps them).

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
        self.matchers: list[DefinitionSearch | None] = []
        self._refused: dict[int, str] = {}
        for index, d in enumerate(self.definitions):
            try:
                self.matchers.append(DefinitionSearch(d, self.regex_timeout))
            except DefinitionError as exc:
                self._refused[index] = str(exc).splitlines()[0]
                self.matchers.append(None)
        if isinstance(step_definition, str):
            step_definition = MetricDefinition("step", step_definition)
        self.step_definition = step_definition
        self.step_matcher = DefinitionSearch(step_definition, self.regex_timeout) \
            if step_definition is not None else None
        self.restart()

    def restart(self) -> None:
        """Forget the text parsed so far (lines, step, statistics, the held unfinished line)
        and keep the compiled definitions: a parser for another log, without compiling them
        again (about 15 ms for ten)."""
        self.stats = [DefinitionStats(disabled=self._refused.get(index))
                      for index in range(len(self.definitions))]
        self.step_disabled: str | None = None
        self.lines = 0
        self.cut_lines = self.cut_chars = 0
        self.step = math.nan
        self._tail = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    # -- feeding -------------------------------------------------------------------------

    def feed(self, data: str | bytes, timestamp: float | None = None) -> ParseResult:
        """Parse a chunk that may end mid-line (or, for bytes, mid-character).

        The unfinished last line is kept until a later chunk or :meth:`finish` ends it.
        ``timestamp`` (seconds since the epoch) is given to every line this call completes.
        """
        if isinstance(data, (bytes, bytearray, memoryview)):
            data = self._decoder.decode(data)
        elif not isinstance(data, str):
            raise log_text_error(data)
        cut = data.rfind("\n")
        if cut < 0:
            self._hold(data)
            return ParseResult()
        text = self._tail + data[:cut + 1]
        self._tail = data[cut + 1:]
        if self.escape:
            # Escaped with its final newline, so that a "\r" ending the last line goes too.
            text = escape_text(text)
        return self._parse(text[:-1], timestamp)

    def _hold(self, data: str) -> None:
        """Keep an unfinished line, but never more than one character past MAX_LINE.

        The character past the limit makes :class:`Chunk` cut the line and count it once.
        """
        self._tail += data
        excess = len(self._tail) - (MAX_LINE + 1)
        if excess > 0:
            self.cut_chars += excess
            self._tail = self._tail[:MAX_LINE + 1]

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

    def _find(self, matcher: DefinitionSearch, chunk: Chunk
              ) -> tuple[Matches | None, str | None]:
        """First match per line of ``chunk``, or (None, why) when it ran out of time."""
        clock = Clock(chunk_budget(self.regex_timeout, chunk.chars))
        try:
            return matcher.find(chunk, clock), None
        except RegexTimeout as exc:
            name = matcher.definition.name
            if exc.whole_chunk:
                return None, budget_message(name, clock.seconds, chunk.count)
            return None, disabled_message(name, self.regex_timeout)

    def _parse(self, text: str, timestamp, stamps=None, joined_lines=None) -> ParseResult:
        """Parse ``text``: complete lines joined by ``\\n`` (no trailing newline)."""
        chunk = Chunk(text, joined_lines)
        self.cut_lines += chunk.cut_lines
        self.cut_chars += chunk.cut_chars
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
            found, why = self._find(matcher, chunk)
            if found is None:
                self.stats[index].disabled = why
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

    def _steps(self, chunk: Chunk):
        """Valid step captures of this chunk: (0-based line indexes, values)."""
        empty = (np.empty(0, np.int64), np.empty(0, np.float64))
        if self.step_matcher is None or self.step_disabled:
            return empty
        found, why = self._find(self.step_matcher, chunk)
        if found is None:
            self.step_disabled = why
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


def split_problems(definitions: Sequence[MetricDefinition]
                   ) -> tuple[list[DefinitionError], list[DefinitionError]]:
    """(refused, accepted but useless): what SageMaker would refuse, and what it takes but
    that can never yield a point (a regex without a capture group)."""
    problems = validate_definitions(definitions)
    useless = [p for p in problems if p.code == "no-group"]
    return [p for p in problems if p.code != "no-group"], useless


def refuse_invalid(definitions: Sequence[MetricDefinition]) -> list[DefinitionError]:
    """Refuse what SageMaker would refuse; return what it takes but that never yields a point.

    The one rule every door applies before parsing with user definitions (``parse_log``, the
    CLI's ``parse``, ``diagnose`` and ``fetch``; ``check`` lists the same problems instead):
    a definition SageMaker's ``CreateTrainingJob`` would refuse is refused the same way.

    Returns
    -------
    list of DefinitionError
        The problems SageMaker accepts (a regex without a capture group): the caller warns.

    Raises
    ------
    DefinitionError
        The first refused problem, its reason saying how many more there are (one line).
    """
    refused, useless = split_problems(definitions)
    if refused:
        more = f" (and {len(refused) - 1} more problem(s))" if len(refused) > 1 else ""
        first = refused[0]
        raise DefinitionError(first.reason + more, first.name, first.position, first.regex,
                              code=first.code)
    return useless


def parser_warnings(parser: LogParser) -> list[str]:
    """One line per definition the parser disabled, and one for lines cut, if any."""
    said = [stats.disabled for stats in parser.stats if stats.disabled]
    if parser.step_disabled:
        said.append(parser.step_disabled)
    if parser.cut_lines:
        said.append(cut_message(parser.cut_lines, parser.cut_chars))
    return said


def cut_message(lines: int, chars: int) -> str:
    """The one-line note for lines cut at :data:`MAX_LINE` characters."""
    return (f"{lines} line(s) longer than {MAX_LINE} characters were cut there "
            f"({chars} characters not parsed; CloudWatch keeps at most 256 KB of one event)")
