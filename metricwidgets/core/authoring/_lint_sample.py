"""The log sample lint checks regexes against, and the time budget of those checks.

A sample turns lint's guesses into facts; it is searched with the ``regex`` module's timeout
under a budget per definition, so a catastrophic regex makes lint skip its sample checks
instead of hanging.
"""

from __future__ import annotations

import time

import regex as _regex

from metricwidgets.core.parsing import escape_text

__all__ = ["LINE_CHARS", "SAMPLE_LINES", "SCAN_LINES", "Budget", "Sample", "first_hit", "show"]

SAMPLE_LINES = 300          # candidate lines a sample check looks at, per definition
SCAN_LINES = 2000           # lines looked at when the regex has no required literal
LINE_CHARS = 4000           # longer lines are cut before sample checks



class Sample:
    """The sample's escaped lines, and bounded searches over them."""

    def __init__(self, text: str, escaped: bool = False):
        self.text = text if escaped else escape_text(text)

    def candidates(self, literal: str) -> list[tuple[int, str]]:
        """(1-based number, line) of lines holding ``literal``; the first lines if none.

        Bounded: at most a few hundred lines, found with ``str.find`` (a 10 MB sample costs
        one pass at C speed, not a Python loop over its lines).
        """
        text = self.text
        if not literal:
            lines = text.split("\n", SCAN_LINES)[:SCAN_LINES]
            return [(k + 1, line[:LINE_CHARS]) for k, line in enumerate(lines)]
        out: list[tuple[int, str]] = []
        start = counted_to = 0
        number = 1
        while len(out) < SAMPLE_LINES:
            pos = text.find(literal, start)
            if pos < 0:
                break
            begin = text.rfind("\n", 0, pos) + 1
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            number += text.count("\n", counted_to, begin)
            counted_to = begin
            out.append((number, text[begin:end][:LINE_CHARS]))
            start = end + 1
        return out


class Budget:
    """A time budget for one definition's sample checks (a catastrophic regex stops them)."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds
        self.exhausted = False

    def search(self, pattern: str, line: str):
        left = self.deadline - time.monotonic()
        if self.exhausted or left <= 0:
            self.exhausted = True
            return None
        try:
            return _regex.search(pattern, line, timeout=left)
        except TimeoutError:
            self.exhausted = True
            return None
        except _regex.error:
            return None


def first_hit(budget: Budget, pattern: str, lines) -> tuple[int, str, object] | None:
    for number, line in lines:
        found = budget.search(pattern, line)
        if found is not None:
            return number, line, found
    return None


def show(text: str, limit: int = 80) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit - 1] + "…"
