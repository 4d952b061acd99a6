"""Definitions suggested from a watched command's (or file's) output, as it comes.

A watch made without definitions hands :class:`DefinitionSuggester` every batch of text as
it arrives (:meth:`~DefinitionSuggester.observe`), which keeps a bounded :class:`LineSample`
of the whole output, however long: the first lines, a uniform reservoir of the lines after
them and the latest lines. After each poll that brought text, at most once a second, it runs
:func:`~metricwidgets.core.authoring.suggest_definitions` on that sample and returns the
definitions not proposed before (so a metric first printed late is still found).
"""

from __future__ import annotations

import collections
import random
import time
from collections.abc import Callable

from metricwidgets.core.parsing import MetricDefinition, load_definitions

__all__ = ["DefinitionSuggester", "LineSample", "Suggestion"]

#: Lines of the output's start, of its end, and drawn from the rest, that suggestions see.
HEAD_LINES, TAIL_LINES, RESERVOIR_LINES = 400, 200, 400
#: Most characters of an unfinished line kept between two batches (a longer one is cut).
MAX_CARRY = 64 * 1024


class LineSample:
    """A bounded sample of every line seen: the first ``head``, the latest ``tail`` and a
    uniform reservoir (Algorithm R, seeded: reproducible) of ``reservoir`` lines between.

    Memory stays O(head + tail + reservoir) lines whatever the output's length.
    """

    def __init__(self, head: int = HEAD_LINES, tail: int = TAIL_LINES,
                 reservoir: int = RESERVOIR_LINES, seed: int = 0):
        self.head_size, self.reservoir_size = head, reservoir
        self.head: list[str] = []
        self.tail: collections.deque = collections.deque(maxlen=tail)
        self.reservoir: list[tuple[int, str]] = []
        self.seen = 0
        self._random = random.Random(seed)
        self._carry: dict[str, str] = {}

    def add_batch(self, batch) -> None:
        """Take in a :class:`~metricwidgets.sources.base.LogBatch` (lines or raw text)."""
        if batch.lines is not None:
            self.add_lines(batch.lines)
            return
        text = batch.text or ""
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        lines = (self._carry.pop(batch.host, "") + text).split("\n")
        if batch.ends_stream:
            self.add_lines(lines)
            return
        self._carry[batch.host] = lines.pop()[:MAX_CARRY]
        self.add_lines(lines)

    def add_lines(self, lines) -> None:
        for line in lines:
            self.seen += 1
            if len(self.head) < self.head_size:
                self.head.append(line)
                continue
            if len(self.tail) == self.tail.maxlen:  # the oldest latest line leaves the tail
                self._draw(self.seen - len(self.tail), self.tail[0])
            self.tail.append(line)

    def _draw(self, index: int, line: str) -> None:
        rest = index - self.head_size  # 1-based rank among the lines after the head
        if len(self.reservoir) < self.reservoir_size:
            self.reservoir.append((index, line))
            return
        slot = self._random.randrange(rest)
        if slot < self.reservoir_size:
            self.reservoir[slot] = (index, line)

    def text(self) -> str:
        """The sample in output order: head, reservoir, tail."""
        middle = [line for _, line in sorted(self.reservoir)]
        return "\n".join(self.head + middle + list(self.tail))


class Suggestion:
    """The outcome of one :meth:`DefinitionSuggester.suggest`.

    Attributes
    ----------
    new : list of MetricDefinition
        Definitions proposed for the first time (maybe none).
    warning : str or None
        Why nothing could be suggested (then the suggester may have switched itself off).
    """

    def __init__(self, new=None, warning: str | None = None):
        self.new: list[MetricDefinition] = list(new or [])
        self.warning = warning


class DefinitionSuggester:
    """Suggest definitions from text, at most every ``min_gap`` seconds.

    Parameters
    ----------
    min_gap : float
        Least seconds between two suggestion runs once something was suggested.
    clock : callable
        Monotonic seconds.

    Attributes
    ----------
    enabled : bool
        False once the suggestion engine turned out unavailable.
    suggested : list of MetricDefinition
        Everything suggested so far, in order.
    """

    def __init__(self, enabled: bool = True, min_gap: float = 1.0,
                 clock: Callable[[], float] = time.monotonic):
        self.enabled = enabled
        self.min_gap = min_gap
        self.clock = clock
        self.suggested: list[MetricDefinition] = []
        self.sample = LineSample()
        self._last = -float("inf")

    def observe(self, batch) -> None:
        """Add a batch of output to :attr:`sample` (nothing when disabled)."""
        if self.enabled:
            self.sample.add_batch(batch)

    def suggest(self, read_text: Callable[[], str] | None = None) -> Suggestion:
        """Suggest from the output seen so far: ``read_text()`` (only called when due), by
        default the sample of every batch :meth:`observe` took in."""
        now = self.clock()
        if not self.enabled or (now - self._last < self.min_gap and self.suggested):
            return Suggestion()
        self._last = now
        try:
            from metricwidgets.core.authoring import suggest_definitions
        except ImportError:
            self.enabled = False
            return Suggestion(warning="no metric definitions given and no suggestion engine "
                                      "available; pass metric_definitions=...")
        lines = (read_text or self.sample.text)().splitlines()
        # Metrics show from the first epochs on; a bounded sample keeps this O(1) per poll.
        if len(lines) > HEAD_LINES + TAIL_LINES:
            lines = lines[:HEAD_LINES] + lines[-TAIL_LINES:]
        try:
            found = load_definitions(suggest_definitions("\n".join(lines)))  # it escapes
        except Exception as exc:  # noqa: BLE001 a suggestion bug must not stop the watch
            return Suggestion(warning=f"suggesting definitions failed: {exc}")
        known = {d.name for d in self.suggested}
        new = [d for d in found if d.name not in known]
        self.suggested = self.suggested + new
        return Suggestion(new)
