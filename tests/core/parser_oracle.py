"""Helpers to compare a parser's output with the reference parser's (shared by parser tests)."""

from __future__ import annotations

import math

from metricwidgets.core.parsing import ParseResult


def _plain(x):
    """NaN-safe comparable form of a float (NaN != NaN would fail every comparison)."""
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    return x


def result_rows(result: ParseResult):
    return [tuple(_plain(v) for v in row) for row in result.rows()]


def drop_key(drop):
    return (drop.metric, drop.line, drop.captured, drop.reason, _plain(drop.value),
            _plain(drop.step), _plain(drop.timestamp))


def stats_key(stats):
    return [(s.points, dict(s.dropped), {k: drop_key(v) for k, v in s.examples.items()},
             s.disabled) for s in stats]


def run(parser, chunks, timestamp=None):
    """Feed every chunk then finish; return everything observable, NaN-safe."""
    results = [parser.feed(c, timestamp) for c in chunks] + [parser.finish()]
    merged = ParseResult.concat(results)
    return {"rows": result_rows(merged), "drops": [drop_key(d) for d in merged.drops],
            "stats": stats_key(parser.stats), "lines": parser.lines}
