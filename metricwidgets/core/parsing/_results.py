"""What parsing produces: points (columnar), drops, and per-definition statistics.

These are plain data, shared by the reference parser, the fast parser, the store and every
door, so that each speaks of a point the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Drop", "DefinitionStats", "ParseResult", "MARKED_REASONS"]

#: Drops that a chart marks where they happened (a diverging loss must stay visible).
MARKED_REASONS = frozenset({"nan", "inf", "out-of-range"})


@dataclass(frozen=True)
class Drop:
    """A capture that gave no point.

    Attributes
    ----------
    metric : int
        Index of the definition in the parser's list.
    line : int
        1-based line number in the parsed text.
    captured : str
        The capture's text (truncated to 200 characters).
    reason : str
        A key of :data:`metricwidgets.core.parsing._values.DROP_REASONS`.
    value : float
        NaN, +-inf or the out-of-range number: where a chart marks it.
    step : float
        The step at that line (NaN when no step definition has matched yet).
    timestamp : float
        Seconds since the epoch, NaN when unknown.
    """

    metric: int
    line: int
    captured: str
    reason: str
    value: float = float("nan")
    step: float = float("nan")
    timestamp: float = float("nan")


@dataclass
class DefinitionStats:
    """Running counts for one definition, so a user learns why a metric is missing.

    Attributes
    ----------
    points : int
        Captures that became points.
    dropped : dict of str to int
        Dropped captures by reason.
    examples : dict of str to Drop
        The first drop of each reason.
    disabled : str or None
        Why the definition was switched off (a catastrophic regex), else None.
    """

    points: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    examples: dict[str, Drop] = field(default_factory=dict)
    disabled: str | None = None

    @property
    def matches(self) -> int:
        """Lines on which the regex matched: points plus drops."""
        return self.points + sum(self.dropped.values())

    def add_drop(self, drop: Drop) -> None:
        """Count a drop and keep it as the example of its reason when it is the first."""
        self.dropped[drop.reason] = self.dropped.get(drop.reason, 0) + 1
        self.examples.setdefault(drop.reason, drop)


def _empty(dtype) -> np.ndarray:
    return np.empty(0, dtype=dtype)


@dataclass
class ParseResult:
    """Points from one ``feed`` call, column by column, in line order.

    Within one line, points follow the order of the definitions.

    Attributes
    ----------
    metric : numpy.ndarray of int32
        Definition index of each point.
    line : numpy.ndarray of int64
        1-based line number of each point.
    value : numpy.ndarray of float64
    step : numpy.ndarray of float64
        The step definition's latest value at that line; NaN when there is none (the
        store then numbers points by their index in their series).
    timestamp : numpy.ndarray of float64
        Seconds since the epoch; NaN when unknown.
    drops : list of Drop
        Captures dropped in this call that a chart marks: ``nan``, ``inf`` and
        ``out-of-range`` (not-a-number and empty drops are only counted in the stats).
    """

    metric: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    line: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    value: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    step: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    timestamp: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    drops: list[Drop] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.value)

    @classmethod
    def from_rows(cls, rows, drops=()) -> "ParseResult":
        """Build from ``(metric, line, value, step, timestamp)`` tuples."""
        rows = list(rows)
        if not rows:
            return cls(drops=list(drops))
        metric, line, value, step, timestamp = zip(*rows)
        return cls(np.asarray(metric, np.int32), np.asarray(line, np.int64),
                   np.asarray(value, np.float64), np.asarray(step, np.float64),
                   np.asarray(timestamp, np.float64), list(drops))

    def rows(self):
        """Yield ``(metric, line, value, step, timestamp)`` tuples (for tests and small uses)."""
        return zip(self.metric.tolist(), self.line.tolist(), self.value.tolist(),
                   self.step.tolist(), self.timestamp.tolist())

    @classmethod
    def concat(cls, results) -> "ParseResult":
        """Join several results, keeping their order."""
        results = [r for r in results if len(r) or r.drops]
        if not results:
            return cls()
        if len(results) == 1:
            return results[0]
        return cls(*(np.concatenate([getattr(r, name) for r in results])
                     for name in ("metric", "line", "value", "step", "timestamp")),
                   [d for r in results for d in r.drops])
