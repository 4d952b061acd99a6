"""What metric definitions do to a sample of log text, by SageMaker's rules (pure data).

:func:`build_report` runs definitions over a sample the way SageMaker would (escaping, search
per line, group 1, float conversion, drops) and returns, per definition: the match count,
the first few hundred rows (line, captured text, value or why it was dropped, the spans of
the match and of group 1 for highlighting), the values for a preview chart, validation errors
and lint warnings; and, for the whole sample, the lines that look like metric lines but that
no definition takes.

Counting uses the fast parser over the whole sample; details are computed for the first
:data:`DETAIL_ROWS` matched lines only, so a 10 MB sample stays responsive. A catastrophic
regex is cut off by the parser's time budget (:mod:`metricwidgets.core.parsing._regex_guard`) and
reported as disabled; the other definitions are unaffected. Nothing here imports widget code.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from metricwidgets.core.parsing import (
    DefinitionError,
    MetricDefinition,
    validate_definitions,
)
from metricwidgets.core.parsing import escape_text
from metricwidgets.core.authoring._lint import LintWarning, lint_definitions
from metricwidgets.core.parsing import LogParser, chunk_budget, line_local
from metricwidgets.core.parsing import required_literal
from metricwidgets.core.parsing import DEFAULT_TIMEOUT, GuardedPattern, is_risky
from metricwidgets.core.parsing import ParseResult
from metricwidgets.core.authoring._suggest import metric_occurrences
from metricwidgets.core.parsing import DROP_REASONS, convert

__all__ = [
    "DETAIL_ROWS",
    "SHOWN_LINES",
    "DefinitionReport",
    "ReportRow",
    "SampleReport",
    "UnmatchedLine",
    "build_report",
]

#: Matched rows detailed per definition (counting covers the whole sample).
DETAIL_ROWS = 300
#: Lines of the sample a view shows highlighted, and looks at for unmatched metric lines.
SHOWN_LINES = 300
#: Longest line text kept in a row (longer lines are cut; spans are clipped to it).
LINE_CHARS = 2000
#: Points kept per definition for a preview chart (evenly picked from all of them).
PREVIEW_POINTS = 200


@dataclass(frozen=True)
class ReportRow:
    """One line a definition matched.

    Attributes
    ----------
    line : int
        1-based line number in the sample.
    captured : str or None
        Group 1's text (None when the group did not take part).
    value : float or None
        The metric value, None when the capture was dropped.
    reason : str or None
        Why it was dropped (a key of :data:`~metricwidgets.core.parsing.DROP_REASONS`).
    match : (int, int)
        Span of the whole match in the (escaped) line.
    group : (int, int) or None
        Span of group 1 in the line.
    """

    line: int
    captured: str | None
    value: float | None
    reason: str | None
    match: tuple[int, int]
    group: tuple[int, int] | None

    @property
    def reason_text(self) -> str | None:
        """What a user is told about a drop."""
        return DROP_REASONS.get(self.reason) if self.reason else None


@dataclass
class DefinitionReport:
    """What one definition does to the sample.

    Attributes
    ----------
    index : int
        Position in the list of definitions.
    name, regex : str
    matches : int
        Lines matched in the whole sample (points + drops).
    points : int
        Matches that became values.
    dropped : dict of str to int
        Dropped captures by reason.
    rows : list of ReportRow
        The first :data:`DETAIL_ROWS` matched lines.
    values : numpy.ndarray
        Up to :data:`PREVIEW_POINTS` values, in order, for a preview chart.
    disabled : str or None
        Why the definition stopped (a catastrophic regex), else None.
    errors : list of DefinitionError
        What SageMaker would refuse (syntax, no group, lengths, duplicate name).
    warnings : list of LintWarning
    """

    index: int
    name: str
    regex: str
    matches: int = 0
    points: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    rows: list[ReportRow] = field(default_factory=list)
    values: np.ndarray = field(default_factory=lambda: np.empty(0))
    disabled: str | None = None
    errors: list[DefinitionError] = field(default_factory=list)
    warnings: list[LintWarning] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """Whether the regex ran (compiled, had a group, was not disabled)."""
        return not self.disabled and not any(e.position is not None or "capture group" in
                                             e.reason for e in self.errors)


@dataclass(frozen=True)
class UnmatchedLine:
    """A line that looks like it carries metrics that no definition takes.

    Attributes
    ----------
    line : int
        1-based line number.
    names : list of str
        The metric-looking names on it whose value no definition captured.
    """

    line: int
    names: tuple[str, ...]

    @property
    def message(self) -> str:
        shown = ", ".join(f"'{n}'" for n in self.names)
        return f"line {self.line} contains {shown} but no definition matched it"


@dataclass
class SampleReport:
    """Everything a playground shows about definitions over a sample.

    Attributes
    ----------
    lines : list of str
        The first :data:`SHOWN_LINES` lines of the sample, escaped as SageMaker escapes them.
    total_lines : int
    definitions : list of DefinitionReport
    unmatched : list of UnmatchedLine
        Among the shown lines only.
    seen_names : frozenset of str
        Names of everything that looks like a metric in the shown lines, taken or not.
    errors : list of DefinitionError
        Errors about the whole list (more than 40 definitions).
    seconds : float
        How long building the report took.
    """

    lines: list[str]
    total_lines: int
    definitions: list[DefinitionReport]
    unmatched: list[UnmatchedLine]
    errors: list[DefinitionError]
    seconds: float = 0.0
    seen_names: frozenset = frozenset()

    @property
    def untaken_names(self) -> set[str]:
        """Metric-looking names in the shown lines that no definition takes (somewhere)."""
        return {name for miss in self.unmatched for name in miss.names}

    def spans(self, line: int) -> list[tuple[int, ReportRow]]:
        """``(definition index, row)`` for each definition that matched 1-based ``line``."""
        out = []
        for d in self.definitions:
            k = bisect.bisect_left([r.line for r in d.rows], line)
            if k < len(d.rows) and d.rows[k].line == line:
                out.append((d.index, d.rows[k]))
        return out


def _attach_errors(reports: list[DefinitionReport], definitions) -> list[DefinitionError]:
    """Put each validation error on its definition; return the ones about the whole list."""
    general = []
    by_name: dict[str, list[DefinitionReport]] = {}
    for r in reports:
        by_name.setdefault(r.name, []).append(r)
    duplicate_seen: set[str] = set()
    for error in validate_definitions(definitions):
        targets = by_name.get(error.name) if error.name is not None else None
        if not targets:
            general.append(error)
        elif "used by another" in error.reason:
            if error.name not in duplicate_seen:
                duplicate_seen.add(error.name)
                for r in targets:
                    r.errors.append(error)
        else:
            for r in targets:
                if error not in r.errors and all(e.reason != error.reason for e in r.errors):
                    r.errors.append(error)
    return general


def _compiles_with_group(d: MetricDefinition) -> bool:
    try:
        return d.compile().groups >= 1
    except DefinitionError:
        return False


def _row(line_no: int, line: str, match) -> ReportRow:
    captured = match.group(1)
    value, reason = convert(captured)
    group = match.span(1) if captured is not None else None
    return ReportRow(line_no, captured, None if reason else value, reason, match.span(), group)


def _candidate_lines(regex: str, text: str, newlines: list[int]):
    """Yield ``(0-based index, line)`` of lines the regex may match, in order.

    With the parser's line-local twin, one ``finditer`` over the text finds them at C speed
    (no match crosses a line); without it, every line is a candidate.
    """
    twin = line_local(regex)
    if twin is None:
        yield from enumerate(_lines(text, newlines))
        return
    last = -1
    for m in twin.finditer(text):
        k = bisect.bisect_left(newlines, m.start())
        if k != last:  # only the first match on a line counts
            last = k
            begin = newlines[k - 1] + 1 if k else 0
            yield k, text[begin:newlines[k] if k < len(newlines) else len(text)]


def _detail_rows(d: MetricDefinition, text: str, newlines: list[int]) -> list[ReportRow]:
    """The first DETAIL_ROWS matched lines, with spans, searched as SageMaker would."""
    rows: list[ReportRow] = []
    pattern = d.compile()
    for k, line in _candidate_lines(d.regex, text, newlines):
        # Search the line itself: the spans are then those of re.search per line.
        found = pattern.search(line)
        if found is not None:
            rows.append(_row(k + 1, line, found))
            if len(rows) >= DETAIL_ROWS:
                break
    return rows


def _lines(text: str, newlines: list[int]):
    begin = 0
    for end in [*newlines, len(text)]:
        yield text[begin:end]
        begin = end + 1


def _preview(values: np.ndarray) -> np.ndarray:
    if len(values) <= PREVIEW_POINTS:
        return values
    pick = np.linspace(0, len(values) - 1, PREVIEW_POINTS).round().astype(int)
    return values[pick]


def _newline_offsets(text: str) -> list[int]:
    out, pos = [], text.find("\n")
    while pos >= 0:
        out.append(pos)
        pos = text.find("\n", pos + 1)
    return out


def _unmatched(lines: list[str], reports: list[DefinitionReport]
               ) -> tuple[list[UnmatchedLine], frozenset]:
    taken: dict[int, list[tuple[int, int]]] = {}
    for r in reports:
        for row in r.rows:
            if row.line <= len(lines) and row.group is not None:
                taken.setdefault(row.line, []).append(row.group)
    out, seen = [], set()
    for k, line in enumerate(lines, start=1):
        spans = taken.get(k, [])
        found = metric_occurrences(line)
        seen.update(name for name, _ in found)
        names = [name for name, (a, b) in found if not any(s < b and a < e for s, e in spans)]
        if names:
            out.append(UnmatchedLine(k, tuple(dict.fromkeys(names))))
    return out, frozenset(seen)


def _count(text: str, reports: list[DefinitionReport],
           definitions: list[MetricDefinition], timeout: float) -> list[bool]:
    """Count matches of safe regexes with the fast parser over the whole text.

    Returns, per definition, whether ``re`` may search every line of the text for it
    without a budget (the parser neither moved it to the budgeted engine nor found a line
    too long for its backtracking degree).
    """
    parser = LogParser(definitions, escape=False, regex_timeout=timeout)
    result = ParseResult.concat([parser.feed(text), parser.finish()])
    for j, (stats, report) in enumerate(zip(parser.stats, reports)):
        report.points, report.dropped = stats.points, dict(stats.dropped)
        report.matches = stats.matches
        report.disabled = stats.disabled
        report.values = _preview(result.value[result.metric == j])
    longest = max(map(len, text.split("\n")), default=0)
    return [m is not None and not m.slow and m.limit >= longest for m in parser.matchers]


def _count_risky(text: str, newlines: list[int], report: DefinitionReport,
                 d: MetricDefinition, timeout: float, budget: float | None = None,
                 literal: str = "") -> None:
    """Count (and detail) a risky regex line by line under one budget for the whole sample.

    ``budget`` (default ``timeout``) is the time for the whole sample; only lines holding
    ``literal`` are searched.

    A per-line budget is not enough here: every line of a 10 MB sample may stay under it
    while all of them together take minutes. The ``regex`` module (``re``-compatible mode,
    as the parser's guard uses) releases the GIL while it searches, so the kernel answers
    meanwhile.
    """
    compiled = GuardedPattern(d.regex, timeout).compiled
    deadline = time.monotonic() + (timeout if budget is None else budget)
    values = []
    report.matches = report.points = 0
    report.dropped, report.rows = {}, []
    for k, line in enumerate(_lines(text, newlines)):
        if literal and literal not in line:
            continue
        left = deadline - time.monotonic()
        try:
            if left <= 0:
                raise TimeoutError
            # The regex module checks its clock coarsely and overshoots a timeout by up to
            # about 2x under load: ask for half of what is left to end near the budget.
            found = compiled.search(line, timeout=max(left / 2, 0.02), concurrent=True)
        except TimeoutError:
            report.disabled = (
                f"metric definition {d.name!r} was disabled: its regex took more than "
                f"{timeout:g} s on the sample (catastrophic backtracking); rewrite it without "
                f"nested repeats such as (a+)+ or (a|aa)+")
            report.rows = []
            break
        if found is None:
            continue
        row = _row(k + 1, line, found)
        report.matches += 1
        if row.reason is None:
            report.points += 1
            values.append(row.value)
        else:
            report.dropped[row.reason] = report.dropped.get(row.reason, 0) + 1
        if len(report.rows) < DETAIL_ROWS:
            report.rows.append(row)
    report.values = _preview(np.asarray(values, np.float64))


def _run(text: str, newlines: list[int], reports: list[DefinitionReport],
         definitions: list[MetricDefinition], runnable: list[int], timeout: float) -> None:
    """Count and detail every runnable definition, each within a time budget."""
    safe = [k for k in runnable if not is_risky(definitions[k].regex)]
    unbounded = _count(text, [reports[k] for k in safe], [definitions[k] for k in safe],
                       timeout) if safe else []
    for k, free in zip(safe, unbounded):
        if reports[k].disabled:
            continue
        if free:
            reports[k].rows = _detail_rows(definitions[k], text, newlines)
        else:
            # Slow on re: detail it like a risky regex, with the parser's budget.
            _count_risky(text, newlines, reports[k], definitions[k], timeout,
                         chunk_budget(timeout, len(text)),
                         required_literal(definitions[k].regex))
    for k in runnable:
        if k not in safe:
            _count_risky(text, newlines, reports[k], definitions[k], timeout)


def build_report(sample_text: str, definitions: Any, *, lint: bool = True,
                 regex_timeout: float = DEFAULT_TIMEOUT) -> SampleReport:
    """Run ``definitions`` over ``sample_text`` with SageMaker's rules and report everything.

    Parameters
    ----------
    sample_text : str
        Log text as the program wrote it (or as CloudWatch shows it; escaping twice changes
        nothing). SageMaker's escaping (``\\t`` -> ``#011``, ANSI stripped) is applied here.
    definitions : list of MetricDefinition
        As the user wrote them, invalid ones included (they are reported, not raised).
    lint : bool
        Also run :func:`~metricwidgets.core.authoring._lint.lint_definitions` against the sample.
    regex_timeout : float
        Seconds one line may take a risky regex before its definition is disabled.

    Returns
    -------
    SampleReport
        Never raises for bad definitions or odd text; a 10 MB sample takes about as long as
        the fast parser needs to count it once.
    """
    started = time.monotonic()
    definitions = list(definitions)
    text = escape_text(sample_text or "")
    text = text.removesuffix("\n")  # a final newline ends the last line; it opens no new one
    newlines = _newline_offsets(text)
    total = len(newlines) + 1 if text else 0
    shown = text.split("\n", SHOWN_LINES)[:SHOWN_LINES] if text else []
    shown = [line[:LINE_CHARS] for line in shown]

    reports = [DefinitionReport(k, d.name, d.regex) for k, d in enumerate(definitions)]
    general = _attach_errors(reports, definitions)
    runnable = [k for k, d in enumerate(definitions) if _compiles_with_group(d)]
    if text:
        _run(text, newlines, reports, definitions, runnable, regex_timeout)
    if lint:
        for k in runnable:
            if not reports[k].disabled:
                reports[k].warnings = lint_definitions([definitions[k]], text,
                                                       sample_is_escaped=True)
    unmatched, seen = _unmatched(shown, reports)
    return SampleReport(shown, total, reports, unmatched, general,
                        time.monotonic() - started, seen)
