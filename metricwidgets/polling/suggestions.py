"""Definitions suggested from a watched command's (or file's) output, as it comes.

A watch made without definitions asks :class:`DefinitionSuggester` after each poll that
brought text; at most once a second it runs
:func:`~metricwidgets.core.suggest.suggest_definitions` on a bounded sample of the output
(the first and the latest lines: metrics show from the first epochs on) and returns the
definitions not proposed before.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from metricwidgets.core.definitions import MetricDefinition, load_definitions

__all__ = ["DefinitionSuggester", "Suggestion"]

#: Lines of the output's start, and of its end, that the suggestions look at.
HEAD_LINES, TAIL_LINES = 400, 200


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
        self._last = -float("inf")

    def suggest(self, read_text: Callable[[], str]) -> Suggestion:
        """Suggest from the output seen so far (``read_text()``, only called when due)."""
        now = self.clock()
        if not self.enabled or (now - self._last < self.min_gap and self.suggested):
            return Suggestion()
        self._last = now
        try:
            from metricwidgets.core.suggest import suggest_definitions
        except ImportError:
            self.enabled = False
            return Suggestion(warning="no metric definitions given and no suggestion engine "
                                      "available; pass metric_definitions=...")
        lines = read_text().splitlines()
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
