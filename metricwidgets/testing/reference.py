"""The reference parser: SageMaker's rules written the slow, obvious way.

It is the oracle the fast parser (:mod:`metricwidgets.core.parsing._parser`) is property-tested
against, so it stays plain: split into lines, escape, then for every line every definition
``re.search``, take group 1, convert. Do not optimise it.

Rules (``docs/sagemaker.md``): every definition is tried on every line; the match is an
unanchored search; the value is capture group 1; only the first match on a line counts;
non-numeric, NaN, infinite and out-of-range captures are dropped (and counted here).
"""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Iterable, Sequence

from metricwidgets.core.parsing import MetricDefinition
from metricwidgets.core.parsing import escape_line
from metricwidgets.core.parsing import (
    MARKED_REASONS,
    DefinitionStats,
    Drop,
    ParseResult,
)
from metricwidgets.core.parsing import convert

__all__ = ["ReferenceParser"]


class ReferenceParser:
    """Parse log text into metric points, one line and one regex at a time.

    Parameters
    ----------
    definitions : sequence of MetricDefinition
    escape : bool
        Apply SageMaker's escaping (:mod:`metricwidgets.core.parsing._escaping`) to text given to
        :meth:`feed`; True for local text, False for text read back from CloudWatch Logs.
    step_definition : MetricDefinition or None
        When given, each point's step is the latest value this regex captured, on this
        line or an earlier one.

    Attributes
    ----------
    stats : list of DefinitionStats
        One per definition, in order.
    lines : int
        Complete lines parsed so far.
    """

    def __init__(self, definitions: Sequence[MetricDefinition], *, escape: bool = True,
                 step_definition: MetricDefinition | None = None):
        self.definitions = list(definitions)
        self.patterns = [re.compile(d.regex) for d in self.definitions]
        self.step_pattern = re.compile(step_definition.regex) if step_definition else None
        self.escape = escape
        self.stats = [DefinitionStats() for _ in self.definitions]
        self.lines = 0
        self.step = math.nan
        self._tail = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, data: str | bytes, timestamp: float | None = None) -> ParseResult:
        """Parse a chunk that may end mid-line (or, for bytes, mid-character).

        The unfinished last line is kept until a later chunk or :meth:`finish` ends it.
        ``timestamp`` is given to every line this call completes.
        """
        if isinstance(data, bytes):
            data = self._decoder.decode(data)
        text = self._tail + data
        *complete, self._tail = text.split("\n")
        return self._parse(complete, timestamp)

    def feed_lines(self, lines: Iterable[str],
                   timestamps: Sequence[float] | None = None) -> ParseResult:
        """Parse complete lines as they are (CloudWatch Logs events: already escaped)."""
        lines = list(lines)
        return self._parse(lines, None, timestamps, escape=False)

    def finish(self) -> ParseResult:
        """Parse the held unfinished line, if any (the end of the text)."""
        tail = self._tail + self._decoder.decode(b"", final=True)
        self._tail = ""
        return self._parse([tail] if tail else [], None)

    def _parse(self, lines, timestamp, timestamps=None, escape=None) -> ParseResult:
        escape = self.escape if escape is None else escape
        rows, marks = [], []
        for k, raw in enumerate(lines):
            self.lines += 1
            line = escape_line(raw) if escape else raw
            ts = timestamps[k] if timestamps is not None else timestamp
            ts = math.nan if ts is None else float(ts)
            if self.step_pattern is not None:
                found = self.step_pattern.search(line)
                if found and self.step_pattern.groups:
                    value, reason = convert(found.group(1))
                    if reason is None:
                        self.step = value
            for index, pattern in enumerate(self.patterns):
                found = pattern.search(line)
                if found is None or pattern.groups < 1:
                    continue
                value, reason = convert(found.group(1))
                if reason is None:
                    self.stats[index].points += 1
                    rows.append((index, self.lines, value, self.step, ts))
                    continue
                drop = Drop(index, self.lines, (found.group(1) or "")[:200], reason, value,
                            self.step, ts)
                self.stats[index].add_drop(drop)
                if reason in MARKED_REASONS:
                    marks.append(drop)
        return ParseResult.from_rows(rows, marks)
